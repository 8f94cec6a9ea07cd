"""An outbox row as an email: its kind's text and HTML templates in the recipient's language (pure).

The templates (`templates/email/<kind>.txt` and `.html`) see the row's context with, for each bilingual
pair `x_km`/`x_en` (or `x_latin`), an `x` in the recipient's language, dates and times as `date` and
`datetime` objects (the `date` and `datetime` filters write them with Khmer digits in Khmer), and
`url(path)`: an absolute link under NISA_BASE_URL.
"""

from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from typing import Any

from jinja2 import Environment, select_autoescape

from foundation import i18n
from foundation.columns import row_id
from foundation.outbox.kinds import kind_of
from foundation.outbox.models import OutboxMessage
from foundation.settings import Settings
from foundation.templating import build_environment


@dataclass(frozen=True)
class RenderedMessage:
    language: str
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    """The app's environment (translations, date and number filters), escaping only the HTML templates."""
    environment = build_environment().overlay(
        autoescape=select_autoescape(["html"], default_for_string=False)
    )
    return environment


def language_of(message: OutboxMessage, settings: Settings) -> str:
    return message.language or settings.default_language


def values_for(context: dict[str, Any], language: str) -> dict[str, Any]:
    """The context as the templates see it: bilingual pairs resolved to the language, dates parsed."""
    values = dict(context)
    for key, value in context.items():
        if key.endswith("_km"):
            stem = key[: -len("_km")]
            other = context.get(f"{stem}_en", context.get(f"{stem}_latin"))
            values[stem] = (value or other) if language == "km" else (other or value)
        elif key.endswith("_on") and isinstance(value, str):
            values[key] = date.fromisoformat(value)
        elif key.endswith("_at") and isinstance(value, str):
            values[key] = datetime.fromisoformat(value)
    return values


def render(message: OutboxMessage, settings: Settings) -> RenderedMessage:
    """Subject, text and HTML of a message; raises if its kind or context is broken (a bug: it cannot go)."""
    kind = kind_of(message.template)
    language = language_of(message, settings)
    base_url = settings.base_url.rstrip("/")
    values = values_for(message.context, language) | {
        "language": language,
        "url": lambda path: f"{base_url}{path}",
        "issuer_name": settings.issuer_name_km if language == "km" else settings.issuer_name_en,
    }
    environment = _environment()
    token = i18n.current_language.set(language)
    try:
        subject = " ".join((i18n.gettext(kind.subject) % values).split())
        values["subject"] = subject
        text = environment.get_template(f"email/{kind}.txt").render(values)
        html = environment.get_template(f"email/{kind}.html").render(values)
    finally:
        i18n.current_language.reset(token)
    return RenderedMessage(language, subject, text, html)


def message_id(message: OutboxMessage, settings: Settings) -> str:
    """The same Message-ID every time this row is sent, so a receiver can drop a repeat."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{row_id(message)}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def build_email(
    message: OutboxMessage, rendered: RenderedMessage, settings: Settings, now: datetime
) -> EmailMessage:
    """A multipart/alternative message: the text part first, the HTML part preferred by mail programs."""
    email = EmailMessage()
    email["Subject"] = rendered.subject
    email["From"] = settings.mail_from
    email["To"] = message.recipient
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(message, settings)
    # RFC 3834: vacation responders do not answer machine-sent mail.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(rendered.text)
    email.add_alternative(rendered.html, subtype="html")
    email["Content-Language"] = rendered.language  # after the parts: setting content drops Content-* headers
    return email
