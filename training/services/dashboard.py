"""The trainer's dashboard: their cohorts, the sessions coming up, and what needs doing."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import Course, CourseCompetency
from foundation.clock import today
from foundation.columns import row_id
from people.services.auth import CurrentUser
from training.models import (
    Assessment,
    Attendance,
    ClassSession,
    Cohort,
    CohortStatus,
    CohortTrainer,
    Enrolment,
    EnrolmentStatus,
)
from training.services.access import SEATED
from training.services.cohorts import CohortRow, cohort_rows, with_course_and_province
from training.services.progress import complete_enrolments

UPCOMING_DAYS = 14

# The status of each enrolment's newest certificate (by enrolment id; none: absent). Certificates sit above
# training, so the composition root passes this in (certificates.services.listing.newest_statuses).
CertificateStatuses = Callable[[AsyncSession, Sequence[int]], Awaitable[dict[int, str]]]
CURRENT_CERTIFICATE = frozenset({"valid", "pending_approval"})
REVOKED_CERTIFICATE = "revoked"


@dataclass(frozen=True)
class DatedSession:
    """A session with the cohort and course it belongs to."""

    meeting: ClassSession
    cohort: Cohort
    course: Course


@dataclass(frozen=True)
class AttendanceMissing(DatedSession):
    missing: int  # seated trainees without an attendance record for this session


@dataclass(frozen=True)
class Dashboard:
    """A trainer's day: their cohorts, the sessions coming up, and what needs doing."""

    today: date
    cohorts: list[CohortRow]
    sessions: list[DatedSession]
    attendance_missing: list[AttendanceMissing]
    assessments_missing: dict[int, int]  # cohort id > due (trainee x required competency) pairs not assessed
    ready_for_certificate: dict[int, int]  # cohort id > complete enrolled trainees without a certificate
    revoked_to_reissue: dict[int, int] = field(default_factory=dict)  # cohort id > complete, last one revoked

    @property
    def todays_sessions(self) -> list[DatedSession]:
        return [s for s in self.sessions if s.meeting.day == self.today]

    @property
    def upcoming_sessions(self) -> list[DatedSession]:
        return [s for s in self.sessions if s.meeting.day > self.today]

    @property
    def needs_action(self) -> bool:
        return bool(
            self.attendance_missing
            or self.assessments_missing
            or self.ready_for_certificate
            or self.revoked_to_reissue
        )


def _dated(rows: list[CohortRow]) -> Any:
    """Sessions of these cohorts, earliest first."""
    return (
        select(ClassSession)
        .where(col(ClassSession.cohort_id).in_([row_id(r.cohort) for r in rows]))
        .order_by(col(ClassSession.day), col(ClassSession.starts_at), col(ClassSession.id))
    )


async def _sessions_missing_attendance(
    session: AsyncSession, rows: list[CohortRow], before: date
) -> list[AttendanceMissing]:
    recorded = (
        select(Attendance.session_id)
        .where(col(Attendance.enrolment_id) == Enrolment.id, col(Attendance.session_id) == ClassSession.id)
        .correlate(Enrolment, ClassSession)
        .exists()
    )
    missing = (
        select(func.count(col(Enrolment.id)))
        .where(
            col(Enrolment.cohort_id) == ClassSession.cohort_id,
            col(Enrolment.status).in_(SEATED),
            ~recorded,
        )
        .correlate(ClassSession)
        .scalar_subquery()
    )
    query = (
        _dated(rows)
        .add_columns(missing)
        .where(col(ClassSession.day) < before, col(ClassSession.cancelled_at).is_(None), missing > 0)
        .limit(50)
    )
    by_id = {row_id(r.cohort): r for r in rows}
    found = []
    for meeting, count in (await session.execute(query)).all():
        row = by_id[meeting.cohort_id]
        found.append(AttendanceMissing(meeting, row.cohort, row.course, count))
    return found


async def _assessments_missing(session: AsyncSession, cohort_ids: list[int], day: date) -> dict[int, int]:
    """Required competencies not assessed yet, once they are due: from the day of the cohort's last session
    (cancelled ones left out; its end date without sessions). Courses do not say which module covers which
    competency, so the last session is when every one of them is due."""
    last_session = (
        select(func.max(ClassSession.day))
        .where(col(ClassSession.cohort_id) == Cohort.id, col(ClassSession.cancelled_at).is_(None))
        .correlate(Cohort)
        .scalar_subquery()
    )
    assessed = (
        select(Assessment.id)
        .where(
            col(Assessment.enrolment_id) == Enrolment.id,
            col(Assessment.competency_id) == CourseCompetency.competency_id,
        )
        .correlate(Enrolment, CourseCompetency)
        .exists()
    )
    rows = await session.execute(
        select(Enrolment.cohort_id, func.count())
        .join(Cohort, col(Cohort.id) == Enrolment.cohort_id)
        .join(
            CourseCompetency,
            and_(
                col(CourseCompetency.course_id) == Cohort.course_id, col(CourseCompetency.required).is_(True)
            ),
        )
        .where(
            col(Enrolment.cohort_id).in_(cohort_ids),
            col(Enrolment.status) == EnrolmentStatus.enrolled.value,
            func.coalesce(last_session, Cohort.end_date) <= day,
            ~assessed,
        )
        .group_by(col(Enrolment.cohort_id))
    )
    return dict(rows.all())


@dataclass(frozen=True)
class Readiness:
    ready: dict[int, int]  # cohort id > complete enrolments without a certificate
    revoked: dict[int, int]  # cohort id > complete enrolments whose last certificate was revoked


async def _ready_for_certificate(
    session: AsyncSession, cohort_ids: list[int], certificates: CertificateStatuses
) -> Readiness:
    """Complete enrolled trainees of these cohorts: those with a current certificate are done; those whose
    last one was revoked are for the trainer to decide on."""
    enrolled = await session.execute(
        select(Enrolment.id, Enrolment.cohort_id).where(
            col(Enrolment.cohort_id).in_(cohort_ids), col(Enrolment.status) == EnrolmentStatus.enrolled.value
        )
    )
    cohort_of: dict[int, int] = {enrolment_id: cohort_id for enrolment_id, cohort_id in enrolled.all()}
    complete = await complete_enrolments(session, list(cohort_of))
    statuses = await certificates(session, list(complete)) if complete else {}
    ready: dict[int, int] = {}
    revoked: dict[int, int] = {}
    for enrolment_id in complete:
        status = statuses.get(enrolment_id)
        if status in CURRENT_CERTIFICATE:
            continue
        counts = revoked if status == REVOKED_CERTIFICATE else ready
        counts[cohort_of[enrolment_id]] = counts.get(cohort_of[enrolment_id], 0) + 1
    return Readiness(ready, revoked)


async def dashboard_for(
    session: AsyncSession, user: CurrentUser, certificates: CertificateStatuses
) -> Dashboard:
    """The cohorts this user trains that are not closed; a fixed number of queries whatever their number.

    `certificates` tells which complete trainees already hold a certificate."""
    day = today()
    found = await session.execute(
        with_course_and_province()
        .where(
            col(Cohort.id).in_(select(CohortTrainer.cohort_id).where(col(CohortTrainer.user_id) == user.id)),
            col(Cohort.status) != CohortStatus.closed.value,
        )
        .order_by(col(Cohort.start_date), col(Cohort.id))
        .limit(50)
    )
    rows = await cohort_rows(session, list(found.all()))
    by_id = {row_id(r.cohort): r for r in rows}
    coming = await session.execute(
        _dated(rows)
        .where(col(ClassSession.day) >= day, col(ClassSession.day) <= day + timedelta(days=UPCOMING_DAYS))
        .limit(100)
    )
    sessions = [
        DatedSession(m, by_id[m.cohort_id].cohort, by_id[m.cohort_id].course) for m in coming.scalars()
    ]
    started = [row_id(r.cohort) for r in rows if r.cohort.start_date <= day]
    readiness = await _ready_for_certificate(session, started, certificates) if started else Readiness({}, {})
    return Dashboard(
        today=day,
        cohorts=rows,
        sessions=sessions,
        attendance_missing=await _sessions_missing_attendance(session, rows, day) if rows else [],
        assessments_missing=await _assessments_missing(session, started, day) if started else {},
        ready_for_certificate=readiness.ready,
        revoked_to_reissue=readiness.revoked,
    )
