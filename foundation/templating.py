"""The Jinja environment: translations, language-aware formatting and cache-busted static URLs."""

import hashlib
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from foundation import formatting, i18n
from foundation.clock import today
from foundation.i18n import N_
from foundation.roles import ROLE_NAMES

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


@cache
def static_url(path: str) -> str:
    """A URL whose query changes with the file's content, so browsers may cache it for a year."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


NOTICES = {
    "saved": N_("Saved."),
    "created": N_("Created."),
    "deactivated": N_("Deactivated. The record is kept and can be reactivated."),
    "reactivated": N_("Reactivated."),
    "password_set": N_("Your password is set. Sign in with it now."),
    "password_changed": N_("Your password is changed. Your other sessions are signed out."),
    "imported": N_("Imported: the framework now holds the file's domains and competencies."),
    "deleted": N_("Deleted."),
    "approved": N_("Approved: the certificate is valid and its holder is told."),
    "revoked": N_("Revoked. The verification page shows it at once."),
    "reissued": N_("Reissued. The old certificate is superseded and points to this one."),
    "queued_again": N_("Queued again: the sender tries it at its next run."),
}


def place_name(row: object) -> str:
    """A bilingual record's name in the current language (Khmer first, English as the fallback)."""
    if i18n.current_language.get() == "km":
        return getattr(row, "name_km", "") or getattr(row, "name_en", "")
    return getattr(row, "name_en", "") or getattr(row, "name_km", "")


def build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.globals.update(
        static_url=static_url,
        current_language=i18n.current_language.get,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
        NOTICES=NOTICES,
        ROLE_NAMES=ROLE_NAMES,
        today=today,
    )
    environment.filters.update(
        date=formatting.format_date,
        datetime=formatting.format_datetime,
        time=formatting.format_time,
        date_range=formatting.format_date_range,
        time_range=formatting.format_time_range,
        number=formatting.format_number,
        percent=formatting.format_percent,
        digits=formatting.in_digits_of,
        name=place_name,
    )
    return environment
