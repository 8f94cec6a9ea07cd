"""Employers: government units and NGOs, each with a location."""

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.errors import NotFound
from foundation.i18n import N_
from foundation.paging import Page
from people.models import Organisation, OrganisationCreate, OrganisationUpdate
from people.services.activation import set_active
from people.services.locations import require_commune


async def search_organisations(
    session: AsyncSession, q: str = "", *, page: int = 1, per_page: int = 25, include_inactive: bool = False
) -> Page[Organisation]:
    condition = []
    if q.strip():
        pattern = f"%{q.strip()}%"
        condition.append(
            or_(col(Organisation.name_km).ilike(pattern), col(Organisation.name_en).ilike(pattern))
        )
    if not include_inactive:
        condition.append(col(Organisation.active).is_(True))
    query = select(Organisation).where(*condition)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.execute(
        query.order_by(col(Organisation.name_en), col(Organisation.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(rows.scalars()), total, page, per_page)


async def active_organisations(session: AsyncSession) -> list[Organisation]:
    query = select(Organisation).where(col(Organisation.active).is_(True)).order_by(col(Organisation.name_en))
    return list((await session.execute(query)).scalars())


async def get_organisation(session: AsyncSession, organisation_id: int) -> Organisation:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(N_("No such organisation."))
    return organisation


async def create_organisation(session: AsyncSession, actor: Actor, data: OrganisationCreate) -> Organisation:
    await require_commune(session, data.commune_code)
    organisation = Organisation(**data.model_dump())
    session.add(organisation)
    await session.flush()
    audit.record(session, actor, "organisation.create", organisation, None, audit.snapshot(organisation))
    return organisation


async def update_organisation(
    session: AsyncSession, actor: Actor, organisation_id: int, data: OrganisationUpdate
) -> Organisation:
    organisation = await get_organisation(session, organisation_id)
    await require_commune(session, data.commune_code)
    before = audit.snapshot(organisation)
    organisation.sqlmodel_update(data.model_dump() | {"updated_at": utcnow()})
    audit.record(session, actor, "organisation.update", organisation, before, audit.snapshot(organisation))
    return organisation


async def set_organisation_active(
    session: AsyncSession, actor: Actor, organisation_id: int, active: bool
) -> None:
    """Deactivate or reactivate: an organisation's trainees keep pointing at it either way."""
    await set_active(session, actor, await get_organisation(session, organisation_id), active)
