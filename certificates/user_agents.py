"""The browser family of a User-Agent header, coarse enough to log without tracking anyone."""

import re

# Checked in order: many browsers also announce the engines they build on ("Chrome/", "Safari/"), so the
# most specific names come first. Bots come before all of them: crawlers and chat link previews (Telegram,
# WhatsApp, Facebook) pose as browsers too.
_BOT = re.compile(
    r"bot[/;)]|bot$|^[^(]*bot\b|crawl|spider|slurp|facebookexternalhit|whatsapp/|headless|lighthouse",
    re.IGNORECASE,
)
_TOOL = re.compile(
    r"^(curl|wget|python|aiohttp|go-http-client|okhttp|java/|postmanruntime|httpie|node-fetch|axios|"
    r"libwww-perl|powershell)",
    re.IGNORECASE,
)
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b|\bOPiOS/|\bOPT/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("UC Browser", re.compile(r"\bUC ?Browser/|\bUCWEB")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/|\bAppleWebKit/.*\bMobile/")),
)


def user_agent_family(header: str | None) -> str:
    """One of: Chrome, Firefox, Safari, Edge, Samsung Internet, Opera, UC Browser, tool, bot, other."""
    text = (header or "").strip()
    if not text:
        return "other"
    if _BOT.search(text):
        return "bot"
    if _TOOL.match(text):
        return "tool"
    return next((family for family, pattern in _BROWSERS if pattern.search(text)), "other")
