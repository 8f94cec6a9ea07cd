"""The audit log: who changed what, when, with the values before and after."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

from foundation.clock import utcnow
from foundation.columns import timestamp


@dataclass(frozen=True)
class Actor:
    """Who is making a change, and from where: carried into the audit log."""

    user_id: int | None
    ip: str | None = None


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    # Each filter of the log's page has an index ending in the id, for keyset paging (migration 0010).
    __table_args__ = (
        Index("ix_audit_entry_type", "entity_type", "id"),
        Index("ix_audit_entry_entity", "entity_type", "entity_id", "id"),
        Index("ix_audit_entry_actor", "actor_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=60)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    ip: str | None = Field(default=None, max_length=64)


SECRET_FIELDS = {"password_hash"}
ENTRIES_AT_ONCE = 1000  # entries of `record_many` inserted by one statement


def snapshot(row: SQLModel | None, **extra: Any) -> dict[str, Any] | None:
    """A JSON-safe copy of a row's fields for the log, without secrets."""
    if row is None:
        return None
    return _safe_values(row.model_dump() | extra)


def _safe_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _json_safe(v) for k, v in values.items() if k not in SECRET_FIELDS}


def _json_safe(value: Any) -> Any:
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _entry(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    """An entry's values: the one shape of `record` and `record_many`."""
    return {
        "actor_id": actor.user_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "before": before,
        "after": after,
        "ip": actor.ip,
    }


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
    entity_type: str = type(entity).__tablename__  # type: ignore[assignment]
    session.add(AuditEntry(**_entry(actor, action, entity_type, entity_id, before, after)))


async def record_many(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity_type: str,
    rows: Sequence[dict[str, Any]],
    *,
    at: datetime | None = None,
    chunk: int = ENTRIES_AT_ONCE,
) -> None:
    """The entries `record` would add, with `snapshot`'s values, for rows just created (each with its "id";
    nothing before): one statement per `chunk` of them, in the caller's transaction. Bulk writes log
    thousands of rows: as ORM objects, or as all their entries built at once, they were tens of megabytes."""
    at = at or utcnow()
    for start in range(0, len(rows), chunk):
        entries = [
            _entry(actor, action, entity_type, row["id"], None, _safe_values(row)) | {"at": at}
            for row in rows[start : start + chunk]
        ]
        await session.execute(insert(AuditEntry), entries)
