"""Column helpers every table uses: timezone-aware timestamps, Core tables for bulk reads, flushed ids."""

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, Table, TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        value = value.astimezone(UTC)
        # SQLite compares timestamps as text: store them all in one (naive UTC) form.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def timestamp(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def table(model: type[SQLModel]) -> Table:
    """A model's Core table: bulk reads of a few columns through it skip the ORM's work on every row."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def row_id(row: Any) -> int:
    """The primary key of a row that has been flushed (SQLModel types it as optional)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush the session first")
    return int(row.id)
