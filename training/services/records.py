"""Deactivation and reactivation, shared by every record that is never hard-deleted."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from training.models import utcnow
from training.services import Actor, audit


async def set_active(session: AsyncSession, actor: Actor, row: SQLModel, active: bool) -> None:
    before = audit.snapshot(row)
    row.active = active  # type: ignore[attr-defined]
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    action = f"{row.__tablename__}.{'reactivate' if active else 'deactivate'}"
    audit.record(session, actor, action, row, before, audit.snapshot(row))
    await session.commit()
