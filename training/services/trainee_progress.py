"""A trainee's own progress: their enrolments with the checklists, and their next sessions."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import Course, CourseModule
from foundation.clock import today
from foundation.columns import row_id
from people.services.auth import CurrentUser
from training.models import ClassSession, Cohort, Enrolment, EnrolmentStatus, SessionModule
from training.services.progress import Progress, enrolment_rows, progress_of

UPCOMING_SESSIONS = 10


@dataclass(frozen=True)
class UpcomingSession:
    meeting: ClassSession
    cohort: Cohort
    course: Course
    modules: list[CourseModule]


@dataclass(frozen=True)
class MyProgress:
    """A trainee's enrolments (newest cohort first) with their checklists, and their next sessions.

    Certificates have their own page (/me/certificates, in the certificates package).
    """

    enrolments: list[Progress]
    upcoming: list[UpcomingSession]


async def _upcoming(session: AsyncSession, trainee_id: int, since: date) -> list[UpcomingSession]:
    """The next sessions of the cohorts the trainee is enrolled in, with the modules each covers."""
    rows = await session.execute(
        select(ClassSession, Cohort, Course)
        .join(Cohort, col(Cohort.id) == ClassSession.cohort_id)
        .join(Course, col(Course.id) == Cohort.course_id)
        .join(Enrolment, col(Enrolment.cohort_id) == Cohort.id)
        .where(
            col(Enrolment.trainee_id) == trainee_id,
            col(Enrolment.status) == EnrolmentStatus.enrolled,
            col(ClassSession.day) >= since,
        )
        .order_by(col(ClassSession.day), col(ClassSession.starts_at), col(ClassSession.id))
        .limit(UPCOMING_SESSIONS)
    )
    meetings = list(rows.all())
    modules: dict[int, list[CourseModule]] = defaultdict(list)
    if meetings:
        covered = await session.execute(
            select(SessionModule.session_id, CourseModule)
            .join(CourseModule, col(CourseModule.id) == SessionModule.module_id)
            .where(col(SessionModule.session_id).in_([row_id(m) for m, _, _ in meetings]))
            .order_by(col(CourseModule.position), col(CourseModule.id))
        )
        for session_id, module in covered.all():
            modules[session_id].append(module)
    return [UpcomingSession(m, cohort, course, modules[row_id(m)]) for m, cohort, course in meetings]


async def my_progress(session: AsyncSession, user: CurrentUser) -> MyProgress:
    """The signed-in trainee's own enrolments and sessions: only those of their own trainee record."""
    if user.trainee_id is None:  # every trainee login is linked to a record; this one has nothing to show
        return MyProgress(enrolments=[], upcoming=[])
    query = (
        enrolment_rows()
        .where(col(Enrolment.trainee_id) == user.trainee_id)
        .order_by(col(Cohort.start_date).desc(), col(Enrolment.id).desc())
    )
    return MyProgress(
        enrolments=await progress_of(session, query),
        upcoming=await _upcoming(session, user.trainee_id, today()),
    )
