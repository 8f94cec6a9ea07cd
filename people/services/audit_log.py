"""The audit log as admins browse it: newest first, with the name of who made each change."""

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation.audit import AuditEntry
from foundation.paging import Page
from people.models import User


async def list_entries(
    session: AsyncSession, *, entity_type: str | None = None, page: int = 1, per_page: int = 50
) -> Page[tuple[AuditEntry, User | None]]:
    query = select(AuditEntry, User).outerjoin(User, col(User.id) == AuditEntry.actor_id)
    count = select(func.count()).select_from(AuditEntry)
    if entity_type:
        query = query.where(col(AuditEntry.entity_type) == entity_type)
        count = count.where(col(AuditEntry.entity_type) == entity_type)
    rows = await session.execute(
        query.order_by(col(AuditEntry.id).desc()).offset((page - 1) * per_page).limit(per_page)
    )
    total = (await session.execute(count)).scalar_one()
    return Page([(entry, user) for entry, user in rows.all()], total, page, per_page)
