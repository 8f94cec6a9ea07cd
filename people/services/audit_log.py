"""The audit log as admins browse it: newest first, filtered by record type, record, who and when, a page at a
time by keyset (the last id seen, never OFFSET nor a count of the whole log), and read whole for the export.

Every filter is served by an index ending in the id (migration 0013): the record type, one record, who; a date
range becomes a range of ids (the log is written in time order), found through the index on the time."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation.audit import AuditEntry
from foundation.i18n import PHNOM_PENH
from foundation.roles import Role
from people.models import User, UserRole

PER_PAGE = 50
EXPORT_BATCH = 1000
STAFF_ROLES = (Role.admin.value, Role.trainer.value)


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for; every part optional, any combination."""

    entity_type: str | None = None
    entity_id: str | None = None  # one record's history (with its type)
    actor_id: int | None = None
    by_system: bool = False  # changes made by no one signed in (jobs, commands)
    since: date | None = None  # Phnom Penh days, both included
    until: date | None = None


@dataclass(frozen=True)
class LogPage:
    entries: list[AuditEntry]
    older: int | None  # ?before= of the next older page, None on the oldest
    newer: int | None  # ?after= of the next newer page, None on the newest


def _moment(day: date) -> datetime:
    """Midnight starting a Phnom Penh day."""
    return datetime.combine(day, time(0), tzinfo=PHNOM_PENH)


async def _first_id_from(session: AsyncSession, moment: datetime) -> int | None:
    """The first entry written at or after a moment (through the index on the time)."""
    query = select(AuditEntry.id).where(col(AuditEntry.at) >= moment).order_by(col(AuditEntry.at)).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


@dataclass(frozen=True)
class Selection:
    """A filter as conditions on indexed columns, and the range of ids it allows (from `lowest`, below
    `below`). The range is kept apart so that a page's cursor narrows it instead of adding a second bound:
    SQLite's planner uses one bound a side, and would scan the rest."""

    conditions: list[ColumnElement[bool]]
    lowest: int | None = None
    below: int | None = None

    def within(self, lowest: int | None = None, below: int | None = None) -> list[ColumnElement[bool]]:
        lowest = max(filter(None, (self.lowest, lowest)), default=None)
        below = min(filter(None, (self.below, below)), default=None)
        entry_id = col(AuditEntry.id)
        bounds = [entry_id >= lowest] if lowest is not None else []
        return [*self.conditions, *bounds, *([entry_id < below] if below is not None else [])]


async def selection_of(session: AsyncSession, wanted: AuditFilter) -> Selection | None:
    """The filter as a selection; None when nothing can match."""
    conditions: list[ColumnElement[bool]] = []
    if wanted.entity_type:
        conditions.append(col(AuditEntry.entity_type) == wanted.entity_type)
        if wanted.entity_id:
            conditions.append(col(AuditEntry.entity_id) == wanted.entity_id)
    if wanted.by_system:
        conditions.append(col(AuditEntry.actor_id).is_(None))
    elif wanted.actor_id is not None:
        conditions.append(col(AuditEntry.actor_id) == wanted.actor_id)
    lowest = below = None
    if wanted.since is not None:
        lowest = await _first_id_from(session, _moment(wanted.since))
        if lowest is None:
            return None
    if wanted.until is not None:
        below = await _first_id_from(session, _moment(wanted.until + timedelta(days=1)))
    return Selection(conditions, lowest, below)


async def _entries(
    session: AsyncSession, conditions: Sequence[ColumnElement[bool]], newest_first: bool, limit: int
) -> list[AuditEntry]:
    entry_id = col(AuditEntry.id)
    query = select(AuditEntry).where(*conditions).order_by(entry_id.desc() if newest_first else entry_id)
    return list((await session.execute(query.limit(limit))).scalars())


async def list_entries(
    session: AsyncSession,
    wanted: AuditFilter,
    *,
    before: int | None = None,
    after: int | None = None,
    per_page: int = PER_PAGE,
) -> LogPage:
    """A page of entries, newest first: the newest, those older than `before`, or those newer than `after`."""
    selection = await selection_of(session, wanted)
    if selection is None:
        return LogPage([], None, None)
    if after is not None:
        found = await _entries(session, selection.within(lowest=after + 1), False, per_page + 1)
        entries = list(reversed(found[:per_page]))
        newer = entries[0].id if len(found) > per_page else None
        older = None
        if entries and await _exists(session, selection.within(below=entries[-1].id)):
            older = entries[-1].id
        return LogPage(entries, older, newer)
    found = await _entries(session, selection.within(below=before), True, per_page + 1)
    entries = found[:per_page]
    older = entries[-1].id if len(found) > per_page else None
    newer = None
    if (
        before is not None
        and entries
        and await _exists(session, selection.within(lowest=(entries[0].id or 0) + 1))
    ):
        newer = entries[0].id
    return LogPage(entries, older, newer)


async def _exists(session: AsyncSession, conditions: Sequence[ColumnElement[bool]]) -> bool:
    query = select(AuditEntry.id).where(*conditions).limit(1)
    return (await session.execute(query)).first() is not None


async def all_entries(
    session: AsyncSession, wanted: AuditFilter, batch: int = EXPORT_BATCH
) -> AsyncIterator[list[AuditEntry]]:
    """Every entry the filter selects, newest first, in batches read by keyset (for the export)."""
    before = None
    while True:
        page = await list_entries(session, wanted, before=before, per_page=batch)
        if page.entries:
            yield page.entries
        if page.older is None:
            return
        before = page.older
        session.expunge_all()  # a long export keeps no entry it has written out


async def actor_choices(session: AsyncSession, chosen: int | None) -> list[tuple[int, str]]:
    """Who may be picked in the filter: the staff (admins and trainers, who make nearly every change), and the
    person chosen if they are someone else (a trainee, followed from a link)."""
    staff = (
        select(User.id, User.display_name)
        .join(UserRole, col(UserRole.user_id) == User.id)
        .where(col(UserRole.role).in_(STAFF_ROLES))
    )
    if chosen is not None:
        staff = staff.union(select(User.id, User.display_name).where(col(User.id) == chosen))  # type: ignore[assignment]
    rows = await session.execute(staff)
    return sorted({(row[0], row[1]) for row in rows.all()}, key=lambda choice: choice[1].casefold())
