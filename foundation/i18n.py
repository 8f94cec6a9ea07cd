"""Languages: the gettext catalogs, the request's language, and number and date formatting."""

import gettext as gettext_module
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

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


def khmer_digits(text: str) -> str:
    return text.translate(KHMER_DIGITS)


def _localise_digits(text: str) -> str:
    return khmer_digits(text) if current_language.get() == "km" else text


def format_number(value: float | int) -> str:
    return _formatted_number(value, current_language.get())


@lru_cache(maxsize=4096)
def _formatted_number(value: float | int, language: str) -> str:
    """Babel's formatting takes tens of microseconds; a long table repeats the same few numbers."""
    text = format_decimal(value, locale=language)
    return khmer_digits(text) if language == "km" else text


def format_date(value: date | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return _localise_digits(babel_format_date(value, format=format, locale=current_language.get()))


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return _localise_digits(
        babel_format_datetime(value, format=format, tzinfo=PHNOM_PENH, locale=current_language.get())
    )


def choose_language(cookie: str | None, default: str) -> str:
    """The visitor's remembered choice, else the deployment's default (Khmer comes first)."""
    return cookie if cookie in LANGUAGES else default
