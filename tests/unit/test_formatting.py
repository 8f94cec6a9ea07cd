"""Dates, times, numbers and percentages as people here read them, in English and wholly in Khmer."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from foundation.formatting import (
    format_date,
    format_date_range,
    format_datetime,
    format_number,
    format_percent,
    format_time,
    format_time_range,
)
from foundation.i18n import current_language

DAY = date(2026, 12, 8)  # a Tuesday
LATIN = set("0123456789AMP")


@pytest.mark.parametrize(
    ("style", "english", "khmer"),
    [
        ("short", "8 Dec 2026", "៨ ធ្នូ ២០២៦"),
        ("medium", "8 Dec 2026", "៨ ធ្នូ ២០២៦"),
        ("long", "8 December 2026", "៨ ធ្នូ ២០២៦"),
        ("full", "Tuesday, 8 December 2026", "ថ្ងៃអង្គារ ៨ ធ្នូ ២០២៦"),
    ],
)
def test_dates_put_the_day_first_and_khmer_is_wholly_khmer(style, english, khmer):
    assert format_date(DAY, style, "en") == english
    assert format_date(DAY, style, "km") == khmer
    assert format_date(None) == ""


def test_times_use_the_24_hour_clock_and_khmer_digits():
    assert format_time(time(8, 0), "en") == "08:00"
    assert format_time(time(14, 5), "km") == "១៤:០៥"
    assert format_time_range(time(8), time(16, 30), "en") == "08:00–16:30"
    assert format_time_range(time(8), None, "km") == "០៨:០០"
    assert format_time_range(None, None, "en") == ""


def test_instants_are_shown_in_phnom_penh_time():
    instant = datetime(2026, 12, 8, 7, 5, tzinfo=UTC)  # 14:05 in Phnom Penh
    assert format_datetime(instant, "medium", "en") == "8 Dec 2026, 14:05"
    khmer = format_datetime(instant, "long", "km")
    assert khmer == "៨ ធ្នូ ២០២៦ ម៉ោង ១៤:០៥" and not LATIN & set(khmer)
    late = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # already 1 January in Phnom Penh
    assert format_datetime(late, "long", "en") == "1 January 2027, 03:00"


@pytest.mark.parametrize(
    ("start", "end", "english", "khmer"),
    [
        (date(2026, 12, 8), date(2026, 12, 11), "8–11 Dec 2026", "៨–១១ ធ្នូ ២០២៦"),
        (date(2026, 11, 30), date(2026, 12, 3), "30 Nov – 3 Dec 2026", "៣០ វិច្ឆិកា – ៣ ធ្នូ ២០២៦"),
        (date(2026, 12, 29), date(2027, 1, 2), "29 Dec 2026 – 2 Jan 2027", "២៩ ធ្នូ ២០២៦ – ២ មករា ២០២៧"),
        (DAY, DAY, "8 Dec 2026", "៨ ធ្នូ ២០២៦"),
    ],
)
def test_date_ranges_say_the_month_and_year_once_when_shared(start, end, english, khmer):
    assert format_date_range(start, end, "medium", "en") == english
    assert format_date_range(start, end, "medium", "km") == khmer


def test_numbers_and_percentages():
    assert format_number(1234, "en") == "1,234" and format_number(1234, "km") == "១,២៣៤"
    assert format_number(Decimal("12.5"), "en") == "12.5"
    assert format_percent(85, "en") == "85%" and format_percent(Decimal("72.5"), "km") == "៧២.៥%"
    assert format_percent(None) == ""


def test_the_language_of_the_request_is_used_when_none_is_given():
    token = current_language.set("km")
    try:
        assert format_date(DAY) == "៨ ធ្នូ ២០២៦" and format_percent(50) == "៥០%"
    finally:
        current_language.reset(token)
    token = current_language.set("en")
    try:
        assert format_date(DAY, "long") == "8 December 2026"
    finally:
        current_language.reset(token)
