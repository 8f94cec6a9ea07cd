"""Trainees: the people of the workforce, with the duplicate check that keeps one record per person."""

import re

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from training.errors import DuplicateSuspected, InvalidInput, NotFound
from training.i18n import N_
from training.models import Organisation, Trainee, TraineeCreate, TraineeUpdate, utcnow
from training.services import Actor, Page, audit
from training.services.locations import require_commune
from training.services.records import set_active


def search_condition(q: str) -> ColumnElement[bool]:
    """Substring match on either script (Khmer has no spaces between words) or on the phone's digits."""
    pattern = f"%{q}%"
    alternatives: list[ColumnElement[bool]] = [
        col(Trainee.name_km).ilike(pattern),
        col(Trainee.name_latin).ilike(pattern),
    ]
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 3:
        alternatives.append(col(Trainee.phone).contains(digits.lstrip("0")))
    return or_(*alternatives)


async def search_trainees(
    session: AsyncSession, q: str = "", *, page: int = 1, per_page: int = 25, include_inactive: bool = False
) -> Page[tuple[Trainee, Organisation | None]]:
    conditions = []
    if q.strip():
        conditions.append(search_condition(q.strip()))
    if not include_inactive:
        conditions.append(col(Trainee.active).is_(True))
    total = (await session.execute(select(func.count()).select_from(Trainee).where(*conditions))).scalar_one()
    query = (
        select(Trainee, Organisation)
        .outerjoin(Organisation, col(Organisation.id) == Trainee.organisation_id)
        .where(*conditions)
        .order_by(col(Trainee.name_latin), col(Trainee.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page([(t, o) for t, o in (await session.execute(query)).all()], total, page, per_page)


async def get_trainee(session: AsyncSession, trainee_id: int) -> Trainee:
    trainee = await session.get(Trainee, trainee_id)
    if trainee is None:
        raise NotFound(N_("No such trainee."))
    return trainee


async def find_duplicates(
    session: AsyncSession, data: TraineeCreate | TraineeUpdate, exclude_id: int | None = None
) -> list[Trainee]:
    """Trainees with the same phone, or with the same name (either script) and date of birth."""
    alternatives: list[ColumnElement[bool]] = []
    if data.phone:
        alternatives.append(col(Trainee.phone) == data.phone)
    if data.date_of_birth:
        same_name = or_(
            col(Trainee.name_km) == data.name_km, func.lower(Trainee.name_latin) == data.name_latin.lower()
        )
        alternatives.append(and_(same_name, col(Trainee.date_of_birth) == data.date_of_birth))
    if not alternatives:
        return []
    query = select(Trainee).where(or_(*alternatives))
    if exclude_id is not None:
        query = query.where(col(Trainee.id) != exclude_id)
    return list((await session.execute(query.order_by(col(Trainee.id)).limit(10))).scalars())


async def _check(session: AsyncSession, data: TraineeCreate | TraineeUpdate) -> None:
    await require_commune(session, data.commune_code)
    if data.organisation_id is not None and await session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput({"organisation_id": N_("No such organisation.")})


async def create_trainee(
    session: AsyncSession, actor: Actor, data: TraineeCreate, *, confirm_duplicate: bool = False
) -> Trainee:
    await _check(session, data)
    if not confirm_duplicate and (matches := await find_duplicates(session, data)):
        raise DuplicateSuspected(matches)
    trainee = Trainee(**data.model_dump())
    session.add(trainee)
    await session.flush()
    audit.record(session, actor, "trainee.create", trainee, None, audit.snapshot(trainee))
    await session.commit()
    return trainee


async def update_trainee(
    session: AsyncSession,
    actor: Actor,
    trainee_id: int,
    data: TraineeUpdate,
    *,
    confirm_duplicate: bool = False,
) -> Trainee:
    trainee = await get_trainee(session, trainee_id)
    await _check(session, data)
    if not confirm_duplicate and (matches := await find_duplicates(session, data, exclude_id=trainee_id)):
        raise DuplicateSuspected(matches)
    before = audit.snapshot(trainee)
    trainee.sqlmodel_update(data.model_dump() | {"updated_at": utcnow()})
    audit.record(session, actor, "trainee.update", trainee, before, audit.snapshot(trainee))
    await session.commit()
    return trainee


async def set_trainee_active(session: AsyncSession, actor: Actor, trainee_id: int, active: bool) -> None:
    """Deactivate or reactivate: trainees are never deleted, their history stays."""
    await set_active(session, actor, await get_trainee(session, trainee_id), active)
