"""Deactivation and reactivation, shared by every record that is never hard-deleted."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow


async def set_active(session: AsyncSession, actor: Actor, row: Any, active: bool) -> None:
    before = audit.snapshot(row)
    row.active = active
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    action = f"{row.__tablename__}.{'reactivate' if active else 'deactivate'}"
    audit.record(session, actor, action, row, before, audit.snapshot(row))
