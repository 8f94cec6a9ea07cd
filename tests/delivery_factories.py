"""Training-delivery test data written straight into the tables (independent of the services under test)."""

import itertools
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import Course, CourseModule
from people.models import Trainee
from training.models import ClassSession, Cohort, CohortTrainer, Enrolment, SessionModule

_numbers = itertools.count(1)


async def make_cohort(
    session: AsyncSession,
    course: Course,
    *,
    trainer_ids: list[int] = (),  # type: ignore[assignment]
    capacity: int = 30,
    sessions: int = 4,
    start: date | None = None,
    status: str = "open",
) -> Cohort:
    """A cohort of `course` with `sessions` daily sessions from `start`, each covering every module."""
    start = start or date.today()
    cohort = Cohort(
        code=f"CH{next(_numbers)}",
        course_id=course.id,
        venue_province_code="12",
        venue="NISA, Phnom Penh",
        start_date=start,
        end_date=start + timedelta(days=max(sessions - 1, 0)),
        capacity=capacity,
        status=status,
    )
    session.add(cohort)
    await session.flush()
    session.add_all(CohortTrainer(cohort_id=cohort.id, user_id=uid) for uid in trainer_ids)
    modules = (
        await session.execute(select(CourseModule.id).where(CourseModule.course_id == course.id))
    ).scalars()
    module_ids = list(modules)
    for day in range(sessions):
        meeting = ClassSession(cohort_id=cohort.id, day=start + timedelta(days=day))
        session.add(meeting)
        await session.flush()
        session.add_all(SessionModule(session_id=meeting.id, module_id=mid) for mid in module_ids)
    await session.commit()
    return cohort


async def enrol(
    session: AsyncSession, cohort: Cohort, trainee: Trainee, status: str = "enrolled"
) -> Enrolment:
    enrolment = Enrolment(cohort_id=cohort.id, trainee_id=trainee.id, status=status)
    session.add(enrolment)
    if status == "enrolled":
        cohort.enrolled_count += 1
    await session.commit()
    return enrolment
