"""Email about training: a seat taken or freed, tomorrow's session, attendance below the requirement."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Result, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from courses.models import Course
from foundation.clock import utcnow
from foundation.i18n import N_
from foundation.outbox.kinds import MessageKind
from foundation.outbox.models import OutboxMessage, OutboxStatus
from foundation.outbox.queue import DEFAULT_LANGUAGE
from people.messages import trainee_languages
from people.models import Province, Trainee
from training.models import Cohort, Enrolment

ENROLMENT_CONFIRMED = MessageKind(
    "enrolment_confirmed", N_("You are enrolled: %(course_title)s"), N_("Enrolment confirmed")
)
WAITLIST_PROMOTED = MessageKind(
    "waitlist_promoted", N_("A place is free for you: %(course_title)s"), N_("Promoted from the waitlist")
)
SESSION_REMINDER = MessageKind(
    "session_reminder", N_("Tomorrow: %(course_title)s, cohort %(cohort_code)s"), N_("Session reminder")
)
ATTENDANCE_WARNING = MessageKind(
    "attendance_warning",
    N_("Attendance below the requirement: %(trainee_name)s, %(cohort_code)s"),
    N_("Attendance warning"),
)
KINDS = (ENROLMENT_CONFIRMED, WAITLIST_PROMOTED, SESSION_REMINDER, ATTENDANCE_WARNING)
TELL_AT_ONCE = 1_000  # enrolments whose trainees are told in one statement


async def tell_enrolled(session: AsyncSession, enrolment_ids: Sequence[int], kind: MessageKind) -> int:
    """Tell each of these enrolments' trainees (those with an email address) that they hold a seat: newly
    enrolled, or promoted from the waitlist. In the caller's transaction, TELL_AT_ONCE enrolments a statement
    (a confirmed import seats thousands); returns how many were queued."""
    queued = 0
    for start in range(0, len(enrolment_ids), TELL_AT_ONCE):
        queued += await _tell_enrolled(session, enrolment_ids[start : start + TELL_AT_ONCE], kind)
    return queued


async def _tell_enrolled(session: AsyncSession, enrolment_ids: Sequence[int], kind: MessageKind) -> int:
    rows: Result[Any] = await session.execute(
        select(
            col(Enrolment.id).label("enrolment_id"),
            col(Trainee.id).label("trainee_id"),
            col(Trainee.email).label("email"),
            col(Trainee.name_km).label("trainee_name_km"),
            col(Trainee.name_latin).label("trainee_name_latin"),
            col(Course.code).label("course_code"),
            col(Course.title_km).label("course_title_km"),
            col(Course.title_en).label("course_title_en"),
            col(Cohort.code).label("cohort_code"),
            col(Cohort.start_date).label("starts_on"),
            col(Cohort.end_date).label("ends_on"),
            col(Cohort.venue).label("venue"),
            col(Province.name_km).label("province_km"),
            col(Province.name_en).label("province_en"),
        )
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
        .join(Cohort, col(Cohort.id) == Enrolment.cohort_id)
        .join(Province, col(Province.code) == Cohort.venue_province_code)
        .join(Course, col(Course.id) == Cohort.course_id)
        .where(col(Enrolment.id).in_(list(enrolment_ids)), col(Trainee.email).is_not(None))
    )
    found: list[dict[str, Any]] = [dict(row) for row in rows.mappings()]
    languages = await trainee_languages(session, [row["trainee_id"] for row in found])
    now = utcnow()
    messages = [
        {
            "template": kind.value,
            "recipient": email,
            "language": languages.get(row["trainee_id"], DEFAULT_LANGUAGE),
            "context": row
            | {
                "has_login": row["trainee_id"] in languages,
                "starts_on": row["starts_on"].isoformat(),
                "ends_on": row["ends_on"].isoformat(),
            },
            "status": OutboxStatus.pending.value,
            "attempts": 0,
            "created_at": now,
            "send_after": now,
        }
        for row in found
        if (email := row.pop("email"))
    ]
    if messages:
        await session.execute(insert(OutboxMessage), messages)
    return len(messages)
