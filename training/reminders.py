"""What the training reminder jobs queue: session reminders and attendance warnings.

Each function queues into the caller's transaction with a dedupe key, so running it again (or after a run
that died) queues nothing more; each takes the run's clock `now` and returns how many messages it queued.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from courses.models import Course, CourseModule
from foundation.clock import cambodian_day
from foundation.outbox.queue import DEFAULT_LANGUAGE, queue_once
from people.messages import trainee_languages
from people.models import Province, Trainee, User
from training.messages import ATTENDANCE_WARNING, SESSION_REMINDER
from training.models import (
    Attendance,
    ClassSession,
    Cohort,
    CohortStatus,
    CohortTrainer,
    Enrolment,
    EnrolmentStatus,
    SessionModule,
)
from training.services.attendance import attendance_rate

# ---------------------------------------------------------------- sessions tomorrow


async def _modules_of(session: AsyncSession, session_ids: Sequence[int]) -> dict[int, list[CourseModule]]:
    rows = await session.execute(
        select(col(SessionModule.session_id), CourseModule)
        .join(CourseModule, col(CourseModule.id) == SessionModule.module_id)
        .where(col(SessionModule.session_id).in_(list(session_ids)))
        .order_by(col(CourseModule.position), col(CourseModule.id))
    )
    modules: dict[int, list[CourseModule]] = defaultdict(list)
    for session_id, module in rows.all():
        modules[session_id].append(module)
    return modules


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


async def remind_sessions(session: AsyncSession, now: datetime) -> int:
    """One reminder to each trainee enrolled in a session that takes place tomorrow (Cambodian date)."""
    tomorrow = cambodian_day(now) + timedelta(days=1)
    rows = list(
        (
            await session.execute(
                select(ClassSession, Cohort, Course, Province, Trainee)
                .join(Cohort, col(Cohort.id) == ClassSession.cohort_id)
                .join(Course, col(Course.id) == Cohort.course_id)
                .join(Province, col(Province.code) == Cohort.venue_province_code)
                .join(Enrolment, col(Enrolment.cohort_id) == Cohort.id)
                .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
                .where(
                    col(ClassSession.day) == tomorrow,
                    col(ClassSession.cancelled_at).is_(None),
                    col(Cohort.status) != CohortStatus.closed.value,
                    col(Enrolment.status) == EnrolmentStatus.enrolled.value,
                    col(Trainee.email).is_not(None),
                )
            )
        ).all()
    )
    modules = await _modules_of(session, [meeting.id for meeting, *_ in rows if meeting.id])
    languages = await trainee_languages(session, [trainee.id for *_, trainee in rows if trainee.id])
    queued = 0
    for meeting, cohort, course, province, trainee in rows:
        covered = modules.get(meeting.id or 0, [])
        context = {
            "session_id": meeting.id,
            "trainee_name_km": trainee.name_km,
            "trainee_name_latin": trainee.name_latin,
            "course_title_km": course.title_km,
            "course_title_en": course.title_en,
            "cohort_code": cohort.code,
            "session_on": meeting.day.isoformat(),
            "start_time": _clock(meeting.starts_at),
            "end_time": _clock(meeting.ends_at),
            "venue": cohort.venue,
            "province_km": province.name_km,
            "province_en": province.name_en,
            "modules_km": [m.title_km for m in covered],
            "modules_en": [m.title_en for m in covered],
        }
        queued += await queue_once(
            session,
            SESSION_REMINDER,
            str(trainee.email),
            languages.get(trainee.id or 0, DEFAULT_LANGUAGE),
            context,
            dedupe_key=f"session_reminder:{meeting.id}:{trainee.id}",
            now=now,
        )
    return queued


# ---------------------------------------------------------------- attendance below the course's threshold


def falls_below(held: Sequence[int], marks: dict[int, str], required: int) -> tuple[Decimal | None, int]:
    """The enrolment's attendance rate after the sessions held so far (in order), and which fall below
    `required` it is in now: 1 for the first time it went below, 2 if it climbed back and fell again...;
    0 when it is not below now. Replayed from the marks, so no state is kept between runs."""
    statuses: list[str] = []
    rate: Decimal | None = None
    crossings, below = 0, False
    for count, session_id in enumerate(held, start=1):
        if session_id in marks:
            statuses.append(marks[session_id])
        rate = attendance_rate(statuses, count)
        now_below = rate is not None and rate < required
        crossings += now_below and not below
        below = now_below
    return rate, crossings if below else 0


async def _held_sessions(
    session: AsyncSession, cohort_ids: list[int]
) -> tuple[dict[int, list[int]], dict[int, dict[int, str]]]:
    """Each cohort's sessions with attendance taken, in the order they were held; each enrolment's marks."""
    rows = await session.execute(
        select(ClassSession, col(Attendance.enrolment_id), col(Attendance.status))
        .join(Attendance, col(Attendance.session_id) == ClassSession.id)
        .where(col(ClassSession.cohort_id).in_(cohort_ids))
    )
    meetings: dict[int, ClassSession] = {}
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    for meeting, enrolment_id, status in rows.all():
        meetings[meeting.id or 0] = meeting
        marks[enrolment_id][meeting.id or 0] = status
    held: dict[int, list[int]] = defaultdict(list)
    for meeting in sorted(meetings.values(), key=lambda m: (m.day, m.starts_at or time.min, m.id or 0)):
        held[meeting.cohort_id].append(meeting.id or 0)
    return held, marks


async def warn_low_attendance(session: AsyncSession, now: datetime) -> int:
    """Tell a cohort's trainers when an enrolled trainee's attendance falls below the course's threshold:
    once each time it falls (it may climb back above and fall again)."""
    cohorts = {
        row_cohort.id or 0: (row_cohort, course)
        for row_cohort, course in (
            await session.execute(
                select(Cohort, Course)
                .join(Course, col(Course.id) == Cohort.course_id)
                .where(
                    col(Cohort.status) != CohortStatus.closed.value, col(Course.min_attendance_percent) > 0
                )
            )
        ).all()
    }
    if not cohorts:
        return 0
    held, marks = await _held_sessions(session, list(cohorts))
    trainers: dict[int, list[User]] = defaultdict(list)
    for cohort_id, user in (
        await session.execute(
            select(col(CohortTrainer.cohort_id), User)
            .join(User, col(User.id) == CohortTrainer.user_id)
            .where(col(CohortTrainer.cohort_id).in_(list(cohorts)), col(User.active).is_(True))
        )
    ).all():
        trainers[cohort_id].append(user)
    enrolled = await session.execute(
        select(Enrolment, Trainee)
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
        .where(
            col(Enrolment.cohort_id).in_(list(cohorts)),
            col(Enrolment.status) == EnrolmentStatus.enrolled.value,
        )
    )
    queued = 0
    for enrolment, trainee in enrolled.all():
        cohort, course = cohorts[enrolment.cohort_id]
        rate, fall = falls_below(
            held[enrolment.cohort_id], marks[enrolment.id or 0], course.min_attendance_percent
        )
        if not fall:
            continue
        context = {
            "enrolment_id": enrolment.id,
            "trainee_name_km": trainee.name_km,
            "trainee_name_latin": trainee.name_latin,
            "course_title_km": course.title_km,
            "course_title_en": course.title_en,
            "cohort_code": cohort.code,
            "rate": str(rate),
            "required": course.min_attendance_percent,
            "overview_path": f"/cohorts/{cohort.id}/overview",
        }
        for trainer in trainers[enrolment.cohort_id]:
            if trainer.email is None:  # a trainer who signs in by phone gets no email
                continue
            queued += await queue_once(
                session,
                ATTENDANCE_WARNING,
                trainer.email,
                trainer.language,
                context,
                dedupe_key=f"attendance_warning:{enrolment.id}:{fall}:{trainer.id}",
                now=now,
            )
    return queued
