"""Domain logic of training: plain async functions taking a database session; no Litestar here."""

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """Who is making a change, and from where: carried into the audit log."""

    user_id: int | None
    ip: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    approximate: bool = False  # `total` is the database's estimate (a long list on PostgreSQL)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
