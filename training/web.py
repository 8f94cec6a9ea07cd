"""The web tier's plumbing: language, signed-in user and security headers for every request."""

from ipaddress import ip_address, ip_network
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from training.i18n import choose_language, current_language
from training.services import Actor, auth
from training.settings import Settings

SESSION_COOKIE = "nisa_session"
LANGUAGE_COOKIE = "nisa_lang"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


def _cookie_value(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie_name, _, cookie_value = part.strip().partition("=")
                if cookie_name == name:
                    return cookie_value
    return None


def trusted_client_ip(scope: Scope, trusted_proxies: list[Any]) -> str:
    """The client's address: the peer, or the nearest untrusted hop in X-Forwarded-For behind our proxy."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    try:
        if not any(ip_address(peer) in network for network in trusted_proxies):
            return peer
    except ValueError:
        return peer
    forwarded = next((v.decode() for k, v in scope.get("headers", []) if k == b"x-forwarded-for"), "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            if not any(ip_address(hop) in network for network in trusted_proxies):
                return hop
        except ValueError:
            return peer
    return peer


def client_ip(request: Request) -> str:
    return str(request.scope["state"]["client_ip"])


def actor_of(request: Request) -> Actor:
    return Actor(request.user.id if request.user else None, client_ip(request))


def session_cookie(token: str, settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        max_age=settings.session_hours * 3600,
        path="/",
    )


def language_cookie(language: str, settings: Settings) -> Cookie:
    return Cookie(
        key=LANGUAGE_COOKIE,
        value=language,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        max_age=365 * 24 * 3600,
        path="/",
    )


class RequestContextMiddleware:
    """Sets the language, the client address and the signed-in user for the handlers and templates."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        litestar_app = scope["litestar_app"]
        settings: Settings = litestar_app.state.settings
        state = scope.setdefault("state", {})
        state["client_ip"] = trusted_client_ip(scope, litestar_app.state.trusted_proxies)
        scope["user"] = None
        if not scope["path"].startswith("/static/") and (token := _cookie_value(scope, SESSION_COOKIE)):
            async with litestar_app.state.sessionmaker() as session:
                scope["user"] = await auth.current_user(session, token, settings.session_hours)
        current_language.set(language_of(scope, settings))
        await self.app(scope, receive, send)


def language_of(scope: Scope, settings: Settings) -> str:
    return choose_language(_cookie_value(scope, LANGUAGE_COOKIE), settings.default_language)


SECURITY_HEADER_PAIRS = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
HSTS_HEADER = (b"strict-transport-security", b"max-age=31536000")


async def add_security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: runs for every response, also those no route handler produced (404, 405).

    Raw header pairs, without parsing the response's headers into a mutable mapping: this runs on every
    answer, the public verification included."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", ()))
    present = {name.lower() for name, _ in headers}
    headers.extend(pair for pair in SECURITY_HEADER_PAIRS if pair[0] not in present)
    if scope["litestar_app"].state.settings.secure_cookies:
        headers.append(HSTS_HEADER)
    message["headers"] = headers


def parse_trusted_proxies(setting: str) -> list[Any]:
    return [ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]
