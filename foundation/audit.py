"""The audit log: who changed what, when, with the values before and after."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index
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
    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=60)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    ip: str | None = Field(default=None, max_length=64)


# ================================================================ training delivery


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
