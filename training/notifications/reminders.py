"""What the reminder jobs queue: session reminders, certificate expiry reminders and attendance warnings.

Each function queues into the caller's transaction with a dedupe key, so running it again (or after a run
that died) queues nothing more; each takes the run's clock `now` and returns how many messages it queued.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from certificates.models import Certificate, CertificateStatus
from courses.models import Course, CourseModule
from training.i18n import PHNOM_PENH
from training.models import (
    Attendance,
    ClassSession,
    Cohort,
    CohortStatus,
    CohortTrainer,
    Enrolment,
    EnrolmentStatus,
    OutboxMessage,
    Province,
    SessionModule,
    Trainee,
    User,
)
from training.notifications.messages import MessageKind
from training.notifications.outbox import DEFAULT_LANGUAGE, certificate_context, queue_once, trainee_languages
from training.services.attendance import attendance_rate

# Days before expiry at which the holder is reminded; 0 is the notice that it has expired.
EXPIRY_STAGES = (90, 30, 0)
# A run that missed the expiry day still sends the notice up to this long after (not for long-expired ones).
EXPIRED_NOTICE_GRACE = timedelta(days=30)


def cambodian_day(now: datetime) -> date:
    return now.astimezone(PHNOM_PENH).date()


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
            MessageKind.session_reminder,
            str(trainee.email),
            languages.get(trainee.id or 0, DEFAULT_LANGUAGE),
            context,
            dedupe_key=f"session_reminder:{meeting.id}:{trainee.id}",
            now=now,
        )
    return queued


# ---------------------------------------------------------------- certificates nearing expiry


def expiry_stage(expires_on: date, today: date) -> int | None:
    """The latest stage due today (90, 30 or 0 days before expiry), or None (too early, or long expired)."""
    days_left = (expires_on - today).days
    if days_left < -EXPIRED_NOTICE_GRACE.days:
        return None
    return next((stage for stage in reversed(EXPIRY_STAGES) if days_left <= stage), None)


def _expiry_key(enrolment_id: int, stage: int) -> str:
    # Per enrolment, not per certificate: a reissue (same enrolment, same expiry) does not repeat a stage.
    return f"certificate_expiry:{enrolment_id}:{stage}"


async def _keys_queued(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of these dedupe keys were ever queued."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        rows = await session.execute(
            select(col(OutboxMessage.dedupe_key)).where(
                col(OutboxMessage.dedupe_key).in_(keys[start : start + 500])
            )
        )
        found.update(key for key in rows.scalars() if key)
    return found


async def remind_expiring_certificates(session: AsyncSession, now: datetime) -> int:
    """Remind holders of valid certificates 90 and 30 days before expiry, and tell them on the day.

    A run that missed days sends the stage due now; an earlier stage is never sent after a later one.
    """
    today = cambodian_day(now)
    rows = list(
        (
            await session.execute(
                select(Certificate, Trainee)
                .join(Trainee, col(Trainee.id) == Certificate.trainee_id)
                .where(
                    col(Certificate.status) == CertificateStatus.valid.value,
                    col(Certificate.expires_on).between(
                        today - EXPIRED_NOTICE_GRACE, today + timedelta(days=max(EXPIRY_STAGES))
                    ),
                    col(Trainee.email).is_not(None),
                )
            )
        ).all()
    )
    due = [
        (c, t, stage)
        for c, t in rows
        if c.expires_on and (stage := expiry_stage(c.expires_on, today)) is not None
    ]
    queued_keys = await _keys_queued(
        session,
        [
            _expiry_key(c.enrolment_id, stage)
            for c, _, due_stage in due
            for stage in EXPIRY_STAGES
            if stage < due_stage
        ],
    )
    languages = await trainee_languages(session, [t.id for _, t, _ in due if t.id])
    queued = 0
    for certificate, trainee, stage in due:
        if any(
            _expiry_key(certificate.enrolment_id, later) in queued_keys
            for later in EXPIRY_STAGES
            if later < stage
        ):
            continue
        document = certificate.document
        assert document is not None  # a valid certificate has its snapshot
        queued += await queue_once(
            session,
            MessageKind.certificate_expired if stage == 0 else MessageKind.certificate_expiring,
            str(trainee.email),
            languages.get(trainee.id or 0, DEFAULT_LANGUAGE),
            certificate_context(certificate.id, document),
            dedupe_key=_expiry_key(certificate.enrolment_id, stage),
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
            queued += await queue_once(
                session,
                MessageKind.attendance_warning,
                trainer.email,
                trainer.language,
                context,
                dedupe_key=f"attendance_warning:{enrolment.id}:{fall}:{trainer.id}",
                now=now,
            )
    return queued
