"""Languages: the gettext catalogs and the request's language (formatting is in foundation.formatting)."""

import gettext as gettext_module
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("km", "en")
LANGUAGE_NAMES = {"km": "ខ្មែរ", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
LATIN_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")

PHNOM_PENH = get_timezone("Asia/Phnom_Penh")
current_language: ContextVar[str] = ContextVar("current_language", default="km")


def N_(message: str) -> str:
    """Mark a string for the catalog without translating it now (it is translated when shown)."""
    return message


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The catalog for a language, compiled in memory from its .po file (no build step)."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po_file.exists():
        return gettext_module.NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, count)


_ = gettext


def choose_language(cookie: str | None, default: str) -> str:
    """The visitor's remembered choice, else the deployment's default (Khmer comes first)."""
    return cookie if cookie in LANGUAGES else default
