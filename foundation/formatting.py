"""How dates, times, numbers and percentages read, in Khmer and in English: one module for every page,
email and printed document.

English reads the way Cambodia writes it, day before month (8 Dec 2026, 8 December 2026; never 12/8/26,
which reads as 12 August here), on the 24-hour clock. Khmer is wholly Khmer: Khmer digits, Khmer month and
day names, the 24-hour clock (no AM/PM). Month and day names are spelled out here rather than taken from a
locale database, so a page, an email and a certificate always agree. Instants are shown in Phnom Penh time.
"""

from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from babel.numbers import format_decimal

from foundation.i18n import KHMER_DIGITS, PHNOM_PENH, current_language

DateStyle = Literal["short", "medium", "long", "full"]

KHMER_MONTHS = (
    "មករា",
    "កុម្ភៈ",
    "មីនា",
    "មេសា",
    "ឧសភា",
    "មិថុនា",
    "កក្កដា",
    "សីហា",
    "កញ្ញា",
    "តុលា",
    "វិច្ឆិកា",
    "ធ្នូ",
)
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Monday first, as date.weekday() counts.
KHMER_DAYS = ("ចន្ទ", "អង្គារ", "ពុធ", "ព្រហស្បតិ៍", "សុក្រ", "សៅរ៍", "អាទិត្យ")
ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_DASH = "\u2013"


def _language(language: str | None) -> str:
    return language or current_language.get()


def in_digits_of(text: str, language: str | None = None) -> str:
    """Digits as the language writes them: Khmer digits in Khmer, unchanged otherwise."""
    return text.translate(KHMER_DIGITS) if _language(language) == "km" else text


def _month(day: date, style: DateStyle, language: str) -> str:
    if language == "km":
        return KHMER_MONTHS[day.month - 1]
    name = ENGLISH_MONTHS[day.month - 1]
    return name[:3] if style in ("short", "medium") else name


def _day_and_month(day: date, style: DateStyle, language: str) -> str:
    return f"{day.day} {_month(day, style, language)}"


def format_date(value: date | None, style: DateStyle = "medium", language: str | None = None) -> str:
    """8 Dec 2026 (short, medium), 8 December 2026 (long), Tuesday, 8 December 2026 (full); in Khmer
    ៨ ធ្នូ ២០២៦ and ថ្ងៃអង្គារ ៨ ធ្នូ ២០២៦."""
    if value is None:
        return ""
    language = _language(language)
    text = f"{_day_and_month(value, style, language)} {value.year}"
    if style == "full":
        text = (
            f"ថ្ងៃ{KHMER_DAYS[value.weekday()]} {text}"
            if language == "km"
            else f"{ENGLISH_DAYS[value.weekday()]}, {text}"
        )
    return in_digits_of(text, language)


def format_time(value: time | datetime | None, language: str | None = None) -> str:
    """08:00, 14:05; ០៨:០០ in Khmer. An instant (a datetime) is shown in Phnom Penh time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PHNOM_PENH).time() if value.tzinfo else value.time()
    return in_digits_of(f"{value.hour:02d}:{value.minute:02d}", language)


def format_datetime(value: datetime | None, style: DateStyle = "medium", language: str | None = None) -> str:
    """An instant in Phnom Penh time: 8 Dec 2026, 14:05; ៨ ធ្នូ ២០២៦ ម៉ោង ១៤:០៥ in Khmer."""
    if value is None:
        return ""
    language = _language(language)
    local = value.astimezone(PHNOM_PENH) if value.tzinfo else value
    day, clock = format_date(local.date(), style, language), format_time(local, language)
    return f"{day} ម៉ោង {clock}" if language == "km" else f"{day}, {clock}"


def format_date_range(
    start: date, end: date, style: DateStyle = "medium", language: str | None = None
) -> str:
    """8–11 Dec 2026; 30 Nov – 3 Dec 2026; 29 Dec 2026 – 2 Jan 2027; one day when they are the same."""
    language, style = _language(language), "long" if style == "full" else style  # no weekdays in a range
    if start == end:
        return format_date(start, style, language)
    if (start.year, start.month) == (end.year, end.month):
        days = f"{start.day}{EN_DASH}{_day_and_month(end, style, language)} {end.year}"
        return in_digits_of(days, language)
    if start.year == end.year:
        first = in_digits_of(_day_and_month(start, style, language), language)
    else:
        first = format_date(start, style, language)
    return f"{first} {EN_DASH} {format_date(end, style, language)}"


def format_time_range(start: time | None, end: time | None, language: str | None = None) -> str:
    """08:00–16:30; the start alone when there is no end; nothing without a start."""
    if start is None:
        return ""
    if end is None:
        return format_time(start, language)
    return f"{format_time(start, language)}{EN_DASH}{format_time(end, language)}"


def format_number(value: float | int | Decimal, language: str | None = None) -> str:
    """1,234 and 12.5; ១,២៣៤ in Khmer."""
    return _formatted_number(value, _language(language))


@lru_cache(maxsize=4096)
def _formatted_number(value: float | int | Decimal, language: str) -> str:
    """Babel's formatting takes tens of microseconds; a long table repeats the same few numbers."""
    return in_digits_of(format_decimal(value, locale=language), language)


def format_percent(value: float | int | Decimal | None, language: str | None = None) -> str:
    """85%, 12.5%; ៨៥% in Khmer; nothing for no value."""
    if value is None:
        return ""
    return f"{format_number(value, language)}%"
