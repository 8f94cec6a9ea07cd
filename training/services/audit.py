"""The audit log: who changed what, when, with the values before and after."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from training.models import AuditEntry, User
from training.services import Actor, Page

SECRET_FIELDS = {"password_hash"}


def snapshot(row: SQLModel | None, **extra: Any) -> dict[str, Any] | None:
    """A JSON-safe copy of a row's fields for the log, without secrets."""
    if row is None:
        return None
    values = {k: v for k, v in row.model_dump().items() if k not in SECRET_FIELDS} | extra
    return {k: _json_safe(v) for k, v in values.items()}


def _json_safe(value: Any) -> Any:
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity: SQLModel,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add an entry to the caller's transaction: it commits, or disappears, with the change itself."""
    entity_id = getattr(entity, "id", None) or getattr(entity, "code", None)
    session.add(
        AuditEntry(
            actor_id=actor.user_id,
            action=action,
            entity_type=type(entity).__tablename__,  # type: ignore[arg-type]
            entity_id=str(entity_id),
            before=before,
            after=after,
            ip=actor.ip,
        )
    )


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
