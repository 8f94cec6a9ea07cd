"""Deactivation and reactivation, shared by every record that is never hard-deleted."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from training.models import utcnow
from training.services import Actor, audit


async def set_active(session: AsyncSession, actor: Actor, row: Any, active: bool) -> None:
    before = audit.snapshot(row)
    row.active = active
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    action = f"{row.__tablename__}.{'reactivate' if active else 'deactivate'}"
    audit.record(session, actor, action, row, before, audit.snapshot(row))
    await session.commit()
