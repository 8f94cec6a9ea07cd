"""Sign-in cards for a cohort: its seated trainees without a login, and fresh cards for them."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation.audit import Actor
from foundation.errors import Conflict
from foundation.i18n import N_
from people.models import Trainee
from people.services import sign_in_cards
from people.services.auth import CurrentUser
from people.services.sign_in_cards import IssuedCard
from training.models import Cohort, Enrolment
from training.services.access import SEATED, cohort_for


async def _seated_trainee_ids(session: AsyncSession, cohort_id: int) -> list[int]:
    query = select(col(Enrolment.trainee_id)).where(
        col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status).in_(SEATED)
    )
    return list((await session.execute(query)).scalars())


async def trainees_needing_cards(
    session: AsyncSession, user: CurrentUser, cohort_id: int
) -> tuple[Cohort, list[Trainee]]:
    """The cohort (for its trainers and admins) and its seated trainees who have no login yet."""
    cohort = await cohort_for(session, user, cohort_id)
    trainee_ids = await _seated_trainee_ids(session, cohort_id)
    return cohort, await sign_in_cards.trainees_without_login(session, trainee_ids)


async def issue_cohort_cards(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int
) -> tuple[Cohort, list[IssuedCard]]:
    """Fresh cards for the cohort's seated trainees without a login; their earlier unused cards stop
    working."""
    cohort = await cohort_for(session, user, cohort_id)
    cards = await sign_in_cards.issue_cards(session, actor, await _seated_trainee_ids(session, cohort_id))
    if not cards:
        raise Conflict(N_("Every trainee of this cohort has a login already: there is no card to print."))
    return cohort, cards
