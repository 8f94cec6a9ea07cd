"""The lookup log of one app instance: writes public lookups in batches and keeps every client's recent
lookups in memory, read back from the shared log so that the rate limit counts across instances.

Why not one write per lookup: on the public verification path a write per request (one SQLite writer, a
commit each) costs several times the lookup itself. Here a lookup costs a dictionary update; once a second
(`NISA_VERIFY_LOG_SECONDS`) each instance writes what it saw in one statement and reads what the others
wrote. So the limit is shared with that lag: a client spreading lookups over several instances can pass
the limit by what it manages in about a second. A clean shutdown writes what is pending; a killed
process loses at most that second of log.
"""

import asyncio
import logging
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from certificates.models import VerificationLookup
from training.errors import DomainError
from training.i18n import N_

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# Rows written by other instances are read again for a few rounds: on PostgreSQL a smaller id can be
# committed after a larger one, so the id watermark trails by this many rounds (re-reads are harmless).
TRAILING_ROUNDS = 3
LOOKUP: Table = VerificationLookup.__table__  # type: ignore[attr-defined]
RECENT = select(LOOKUP.c.id, LOOKUP.c.client_hash, LOOKUP.c.at)


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
        self._recent: dict[str, set[int]] = {}  # client hash -> instants of its lookups in the window
        self._pending: list[dict[str, Any]] = []
        self._marks: deque[int] = deque(maxlen=TRAILING_ROUNDS)  # highest id read in the last rounds
        self._read_once = False
        self._writing = asyncio.Lock()

    def admit(self, client_hash: str, at: datetime) -> None:
        """Count a lookup for the client now, or refuse it (TooManyLookups) if its window is full."""
        now = _microseconds(at)
        since = now - self._window
        instants = self._recent.setdefault(client_hash, set())
        in_window = [instant for instant in instants if instant > since]
        if len(in_window) >= self.limit.lookups:
            # The client may look again once its oldest lookup in the window has aged out of it.
            retry_after = math.ceil((min(in_window) - since) / 1_000_000)
            raise TooManyLookups(retry_after=max(1, retry_after))
        instants.add(now)

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
                    await connection.execute(insert(LOOKUP), pending)
            except Exception:
                self._pending[:0] = pending  # kept for the next round, in order
                raise
        return len(pending)

    async def _read(self, now: datetime) -> None:
        if self._read_once:
            query = RECENT.where(LOOKUP.c.id > self._marks[0])
        else:
            query = RECENT.where(LOOKUP.c.at > now - self.limit.window)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
            highest = max((row.id for row in rows), default=None)
            if highest is None and not self._marks:
                highest = await connection.scalar(select(func.coalesce(func.max(LOOKUP.c.id), 0)))
        for row in rows:
            self._recent.setdefault(row.client_hash, set()).add(_microseconds(row.at))
        self._marks.append(highest if highest is not None else self._marks[-1])
        self._read_once = True

    def _forget_before(self, since: int) -> None:
        for client_hash in list(self._recent):
            kept = {instant for instant in self._recent[client_hash] if instant > since}
            if kept:
                self._recent[client_hash] = kept
            else:
                del self._recent[client_hash]

    async def keep_settling(self, every: float, clock: Callable[[], datetime]) -> None:
        """Settle every `every` seconds until cancelled (the app's lifespan settles once more after)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.settle(clock())
            except Exception:  # the database blinked: the rows stay queued for the next round
                log.exception("could not write the verification lookup log; will retry")
