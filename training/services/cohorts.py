"""Cohorts (runs of a published course), their trainers and sessions, and the trainer's dashboard."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from training.errors import Conflict, Forbidden, NotFound
from training.i18n import N_
from training.models import Cohort, CohortStatus, CohortTrainer, Role
from training.services.auth import CurrentUser

CLOSED = N_("This cohort is closed: it can no longer be changed.")


async def trains(session: AsyncSession, user: CurrentUser, cohort_id: int) -> bool:
    """Whether the user is one of the cohort's trainers."""
    query = select(CohortTrainer.user_id).where(
        col(CohortTrainer.cohort_id) == cohort_id, col(CohortTrainer.user_id) == user.id
    )
    return (await session.execute(query)).first() is not None


async def cohort_for(session: AsyncSession, user: CurrentUser, cohort_id: int, *, write: bool = False) -> Cohort:
    """The cohort, if this user may see it (admins, and its own trainers); `write` also refuses closed ones."""
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
