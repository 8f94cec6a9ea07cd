"""What a scheduled job is given: the database, the settings and the run's clock."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foundation.settings import Settings


@dataclass(frozen=True)
class JobContext:
    """One run of a job. `now` is the run's clock (aware UTC, like `training.models.utcnow()`), so tests can
    run a job "on" any day; jobs never read the wall clock themselves."""

    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    now: datetime


# A job does its work idempotently (running it twice changes nothing more) and returns the number of
# items it handled (messages sent, reminders queued, rows purged...), which its run record keeps.
JobFunction = Callable[[JobContext], Awaitable[int]]
