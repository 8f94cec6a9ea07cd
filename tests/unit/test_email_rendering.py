"""Email rendering without a database or server: every kind in Khmer and English, text and HTML parts, the
stable Message-ID; and the pure rules of the sender and the reminders (backoff, expiry stages, attendance)."""

import email
import email.policy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from certificates.messages import CERTIFICATE_EXPIRED, CERTIFICATE_EXPIRING, CERTIFICATE_ISSUED
from certificates.reminders import expiry_stage
from foundation.outbox.kinds import KINDS, MessageKind
from foundation.outbox.models import OutboxMessage
from foundation.outbox.rendering import build_email, message_id, render
from foundation.outbox.sender import retry_delay
from foundation.settings import Settings
from nisa.messages import register_message_kinds
from people.messages import PASSWORD_RESET, USER_INVITED
from training.messages import ATTENDANCE_WARNING, ENROLMENT_CONFIRMED, SESSION_REMINDER, WAITLIST_PROMOTED
from training.reminders import falls_below

register_message_kinds()  # as the app and the scheduler do at start-up
SETTINGS = Settings(base_url="https://nisa.example.org/", mail_from="NISA <no-reply@nisa.example.org>")
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
TRAINEE = {"trainee_name_km": "សុខ ស្រីមុំ", "trainee_name_latin": "Sok Sreymom"}
COURSE = {"course_title_km": "មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច", "course_title_en": "Foundations of Social Work"}
ENROLMENT = {
    "enrolment_id": 4,
    "has_login": True,
    "trainee_id": 9,
    "course_code": "SW101",
    "cohort_code": "SW101-26A",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-12",
    "venue": "NISA",
    "province_km": "រាជធានីភ្នំពេញ",
    "province_en": "Phnom Penh",
}
CERTIFICATE = {
    "certificate_id": 3,
    "code": "K7QM-3XPD-9RTA-2VHC",
    "holder_name_km": "សុខ ស្រីមុំ",
    "holder_name_latin": "Sok Sreymom",
    "verification_url": "https://nisa.example.org/v/K7QM-3XPD-9RTA-2VHC",
    "expires_on": "2028-11-21",
}
LINK = {"display_name": "Dara", "token": "one-time-token", "expires_at": "2026-11-28T10:00:00+00:00"}
CONTEXTS = {
    ENROLMENT_CONFIRMED: ENROLMENT | TRAINEE | COURSE,
    WAITLIST_PROMOTED: ENROLMENT | TRAINEE | COURSE,
    SESSION_REMINDER: TRAINEE
    | COURSE
    | {
        "session_id": 5,
        "cohort_code": "SW101-26A",
        "session_on": "2026-12-02",
        "start_time": "08:30",
        "end_time": "12:00",
        "venue": "",
        "province_km": "ភ្នំពេញ",
        "province_en": "Phnom Penh",
        "modules_km": ["ម៉ូឌុល ១"],
        "modules_en": ["Module 1"],
    },
    ATTENDANCE_WARNING: TRAINEE
    | COURSE
    | {"enrolment_id": 4, "cohort_code": "SW101-26A", "rate": "62.5", "required": 80, "overview_path": "/x"},
    CERTIFICATE_ISSUED: CERTIFICATE | COURSE,
    CERTIFICATE_EXPIRING: CERTIFICATE | COURSE,
    CERTIFICATE_EXPIRED: CERTIFICATE | COURSE,
    USER_INVITED: LINK,
    PASSWORD_RESET: LINK,
}


def message(kind: MessageKind, language: str, **context: object) -> OutboxMessage:
    return OutboxMessage(
        id=42,
        template=kind.value,
        recipient="sreymom@example.org",
        language=language,
        context=CONTEXTS[kind] | context,
        created_at=datetime(2026, 11, 21, 2, 30, 5, tzinfo=UTC),
    )


@pytest.mark.parametrize("kind", list(CONTEXTS))
@pytest.mark.parametrize("language", ["km", "en"])
def test_every_kind_renders_in_both_languages(kind, language):
    rendered = render(message(kind, language), SETTINGS)
    assert rendered.subject and "\n" not in rendered.subject
    assert f'<html lang="{language}">' in rendered.html
    khmer_in_text = any("\u1780" <= ch <= "\u17ff" for ch in rendered.text)
    assert khmer_in_text == (language == "km"), rendered.text  # every sentence is translated
    assert "https://nisa.example.org/" in rendered.text  # links are absolute (no doubled slash)
    assert "https://nisa.example.org//" not in rendered.text


def test_khmer_messages_use_khmer_names_titles_and_digits():
    rendered = render(message(ENROLMENT_CONFIRMED, "km"), SETTINGS)
    assert rendered.subject == "អ្នកបានចុះឈ្មោះ៖ មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច"
    assert "ជម្រាបសួរ សុខ ស្រីមុំ" in rendered.text
    assert "១ ធ្នូ ២០២៦" in rendered.text and "2026" not in rendered.text
    assert "SW101-26A" in rendered.text  # codes stay in Latin digits
    reminder = render(message(SESSION_REMINDER, "km"), SETTINGS)
    assert "០៨:៣០ – ១២:០០" in reminder.text


def test_english_messages_use_latin_names_and_english_titles():
    rendered = render(message(CERTIFICATE_ISSUED, "en"), SETTINGS)
    assert rendered.subject == "Your certificate: Foundations of Social Work"
    assert "Dear Sok Sreymom," in rendered.text
    assert "21 November 2028" in rendered.text
    assert "K7QM-3XPD-9RTA-2VHC" in rendered.text
    assert "https://nisa.example.org/me/certificates" in rendered.text


def test_no_language_chosen_means_the_deployment_default():
    default_en = SETTINGS.model_copy(update={"default_language": "en"})
    assert render(message(ENROLMENT_CONFIRMED, ""), default_en).language == "en"
    assert render(message(ENROLMENT_CONFIRMED, ""), SETTINGS).language == "km"


def test_names_are_escaped_in_html_and_left_alone_in_text():
    rendered = render(message(USER_INVITED, "en", display_name="<b>Dara & Co</b>"), SETTINGS)
    assert "&lt;b&gt;Dara &amp; Co&lt;/b&gt;" in rendered.html and "<b>Dara" not in rendered.html
    assert "Dear <b>Dara & Co</b>," in rendered.text
    assert "https://nisa.example.org/password/one-time-token" in rendered.html


def test_the_email_is_multipart_alternative_with_a_stable_message_id():
    row = message(CERTIFICATE_EXPIRING, "km")
    built = build_email(row, render(row, SETTINGS), SETTINGS, NOW)
    parsed = email.message_from_bytes(built.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Subject"] == "វិញ្ញាបនបត្ររបស់អ្នកជិតផុតសុពលភាព៖ មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច"
    assert "២១ វិច្ឆិកា ២០២៨" in parsed.get_body(("plain",)).get_content()
    assert parsed["Message-ID"] == "<outbox.42.20261121023005@nisa.example.org>"
    assert parsed["Message-ID"] == message_id(row, SETTINGS)  # the same on every attempt
    assert parsed["Content-Language"] == "km" and parsed["Auto-Submitted"] == "auto-generated"


def test_the_composition_root_registers_every_kind_the_packages_send():
    register_message_kinds()
    assert set(KINDS.values()) == set(CONTEXTS)


def test_retry_delay_doubles_up_to_six_hours():
    delays = [retry_delay(attempt, SETTINGS) for attempt in (1, 2, 3, 12, 40)]
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delays[3] == delays[4] == timedelta(hours=6)


def test_expiry_stage_is_the_latest_stage_due():
    expires = date(2027, 6, 30)
    assert expiry_stage(expires, expires - timedelta(days=91)) is None
    assert expiry_stage(expires, expires - timedelta(days=90)) == 90
    assert expiry_stage(expires, expires - timedelta(days=31)) == 90
    assert expiry_stage(expires, expires - timedelta(days=30)) == 30
    assert expiry_stage(expires, expires - timedelta(days=1)) == 30
    assert expiry_stage(expires, expires) == 0
    assert expiry_stage(expires, expires + timedelta(days=30)) == 0  # a missed day is still told
    assert expiry_stage(expires, expires + timedelta(days=31)) is None  # long expired: not news


def test_falls_below_counts_each_fall_replayed_from_the_marks():
    held = [1, 2, 3, 4]
    # absent, present, absent, present against 50%: 0% (falls), 50%, 33.3% (falls again), 50%
    marks = {1: "absent", 2: "present", 3: "absent", 4: "present"}
    assert falls_below(held[:1], marks, 50) == (Decimal(0), 1)
    assert falls_below(held[:2], marks, 50) == (Decimal(50), 0)
    assert falls_below(held[:3], marks, 50) == (Decimal("33.3"), 2)
    assert falls_below(held, marks, 50) == (Decimal(50), 0)
    # excused sessions leave the denominator; no session held yet: nothing to say
    assert falls_below([1, 2], {1: "excused", 2: "present"}, 80) == (Decimal(100), 0)
    assert falls_below([], {}, 80) == (None, 0)
