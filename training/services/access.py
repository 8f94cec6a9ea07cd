"""Who may see and change a cohort: its trainers and the admins; what holds a seat; when it is read-only."""

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import Course
from foundation.errors import Conflict, Forbidden, NotFound
from foundation.i18n import N_
from foundation.roles import Role
from people.models import Trainee
from people.services.auth import CurrentUser
from people.services.trainees import EVERY_TRAINEE, TraineeScope
from training.models import Cohort, CohortStatus, CohortTrainer, Enrolment, EnrolmentStatus

CLOSED = N_("This cohort is closed: it can no longer be changed.")
# Enrolments that hold a seat: `Cohort.enrolled_count` counts exactly these.
SEATED = (
    EnrolmentStatus.enrolled.value,
    EnrolmentStatus.completed.value,
    EnrolmentStatus.not_completed.value,
)


async def trains(session: AsyncSession, user: CurrentUser, cohort_id: int) -> bool:
    """Whether the user is one of the cohort's trainers."""
    query = select(CohortTrainer.user_id).where(
        col(CohortTrainer.cohort_id) == cohort_id, col(CohortTrainer.user_id) == user.id
    )
    return (await session.execute(query)).first() is not None


async def cohort_for(
    session: AsyncSession, user: CurrentUser, cohort_id: int, *, write: bool = False
) -> Cohort:
    """The cohort if this user may see it (admins, its own trainers); `write` also refuses a closed one."""
    cohort = await session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound(N_("No such cohort."))
    if not user.has_role(Role.admin) and not (
        user.has_role(Role.trainer) and await trains(session, user, cohort_id)
    ):
        raise Forbidden(N_("This cohort is not one of yours."))
    if write and cohort.status == CohortStatus.closed:
        raise Conflict(CLOSED)
    return cohort


def visible_to(user: CurrentUser) -> list[ColumnElement[bool]]:
    """Conditions on `Cohort` keeping those the user may see: admins see every cohort, anyone else only
    those they train."""
    if user.has_role(Role.admin):
        return []
    return [col(Cohort.id).in_(select(CohortTrainer.cohort_id).where(col(CohortTrainer.user_id) == user.id))]


def trainee_scope(user: CurrentUser) -> TraineeScope:
    """The trainees a user may see and change in the register: admins every one, trainers those on the
    list of a cohort they train (in any enrolment status). Others find trainees to enrol by searching
    (training.services.enrolment.find_candidates), which shows only what tells people apart."""
    if user.has_role(Role.admin):
        return EVERY_TRAINEE
    own_cohorts = select(CohortTrainer.cohort_id).where(col(CohortTrainer.user_id) == user.id)
    listed = select(Enrolment.trainee_id).where(col(Enrolment.cohort_id).in_(own_cohorts))
    return TraineeScope((col(Trainee.id).in_(listed),))


def writable(cohort: Cohort) -> bool:
    """Closed cohorts are read-only."""
    return cohort.status != CohortStatus.closed


async def course_of(session: AsyncSession, cohort: Cohort) -> Course:
    """The course version a cohort runs (a cohort the user may see: found by `cohort_for`)."""
    course = await session.get(Course, cohort.course_id)
    if course is None:
        raise NotFound(N_("No such course."))
    return course
