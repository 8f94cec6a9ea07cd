"""The lookup log of one app instance: writes public lookups in batches and keeps every client's recent
lookups in memory, read back from the shared log so that the rate limit counts across instances.

Why not one write per lookup: on the public verification path a write per request (one SQLite writer, a
commit each) costs several times the lookup itself. Here a lookup costs a dictionary update; once a second
(`NISA_VERIFY_LOG_SECONDS`) each instance writes what it saw in one statement and reads what the others
wrote, as counts per client (its own rows, which it knows, are taken off). So the limit is shared with
that lag: a client spreading lookups over several instances can pass the limit by what it manages in about
a second. Other instances' lookups count from the latest moment of their round (they leave the window a
little late, never early). On PostgreSQL a row whose id was taken before the last read but committed after
it is not counted here (a race of milliseconds; the limit may then let one more lookup through). A clean
shutdown writes what is pending; a killed process loses at most that second of log.
"""

import asyncio
import contextlib
import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from certificates.models import VerificationLookup
from foundation.errors import DomainError
from foundation.i18n import N_

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# Rows per INSERT: preparing a statement's rows holds the event loop, so a busy second's thousands of rows
# go in slices that let requests through between them (one transaction all the same).
WRITE_CHUNK = 250
LOOKUP: Table = VerificationLookup.__table__  # type: ignore[attr-defined]
# Lookups per client among the rows read: how many, the latest moment, the highest id.
PER_CLIENT = select(
    LOOKUP.c.client_hash, func.count(), func.max(LOOKUP.c.at), func.max(LOOKUP.c.id)
).group_by(LOOKUP.c.client_hash)


class TooManyLookups(DomainError):
    """This client has used up its lookups for the window; `retry_after` says in how many seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            N_("Too many verifications from your connection. Please wait a minute and try again.")
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class RateLimit:
    lookups: int
    window: timedelta


def _microseconds(moment: datetime) -> int:
    # Integer instants: the same lookup read back from either database is the same number (dedupe).
    return (moment.astimezone(UTC) - EPOCH) // MICROSECOND


class LookupLog:
    """Admits or refuses each lookup against its client's limit, and logs admitted lookups in batches."""

    def __init__(self, engine: AsyncEngine, limit: RateLimit) -> None:
        self.engine = engine
        self.limit = limit
        self._window = limit.window // MICROSECOND
        self._recent: dict[str, list[int]] = {}  # client hash -> instants of its lookups in the window
        self._pending: list[dict[str, Any]] = []
        self._written: Counter[str] = Counter()  # this instance's rows per client since the last read
        self._read_up_to: int | None = None  # the highest id read so far
        self._writing = asyncio.Lock()

    def admit(self, client_hash: str, at: datetime) -> None:
        """Count a lookup for the client now, or refuse it (TooManyLookups) if its window is full."""
        now = _microseconds(at)
        since = now - self._window
        instants = self._recent.setdefault(client_hash, [])
        in_window = [instant for instant in instants if instant > since]
        if len(in_window) >= self.limit.lookups:
            # The client may look again once its oldest lookup in the window has aged out of it.
            retry_after = math.ceil((min(in_window) - since) / 1_000_000)
            raise TooManyLookups(retry_after=max(1, retry_after))
        instants.append(now)

    def record(self, **lookup: Any) -> None:
        """Queue an admitted lookup's row (the same `at` it was admitted with) for the next write."""
        self._pending.append(lookup)

    async def settle(self, now: datetime) -> int:
        """One round: write the queued lookups, read all instances' recent ones; returns the rows written."""
        async with self._writing:
            written = await self._write()
            await self._read(now)
            self._forget_before(_microseconds(now) - self._window)
            return written

    async def _write(self) -> int:
        pending, self._pending = self._pending, []
        if pending:
            try:
                async with self.engine.begin() as connection:
                    for start in range(0, len(pending), WRITE_CHUNK):
                        await connection.execute(insert(LOOKUP), pending[start : start + WRITE_CHUNK])
            except BaseException:
                self._pending[:0] = pending  # kept for the next round, in order
                raise
            self._written.update(row["client_hash"] for row in pending)
        return len(pending)

    async def _read(self, now: datetime) -> None:
        """Other instances' lookups since the last read (at the start: those in the window), per client."""
        if self._read_up_to is None:
            query = PER_CLIENT.where(LOOKUP.c.at > now - self.limit.window)
        else:
            query = PER_CLIENT.where(LOOKUP.c.id > self._read_up_to)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
            if self._read_up_to is None and not rows:
                self._read_up_to = await connection.scalar(select(func.coalesce(func.max(LOOKUP.c.id), 0)))
        for client_hash, count, latest, highest in rows:
            if (others := count - self._written[client_hash]) > 0:
                self._recent.setdefault(client_hash, []).extend([_microseconds(latest)] * others)
            self._read_up_to = max(self._read_up_to or 0, highest)
        self._written.clear()

    def _forget_before(self, since: int) -> None:
        for client_hash in list(self._recent):
            kept = [instant for instant in self._recent[client_hash] if instant > since]
            if kept:
                self._recent[client_hash] = kept
            else:
                del self._recent[client_hash]

    async def keep_settling(self, every: float, clock: Callable[[], datetime], stop: asyncio.Event) -> None:
        """A round every `every` seconds, and a last one once `stop` is set (what was queued is written)."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            try:
                await self.settle(clock())
            except Exception:  # the database blinked: the rows stay queued for the next round
                log.exception("could not write the verification lookup log; will retry")
