"""The one-active-scheduler lock: a PostgreSQL advisory lock, or for SQLite a file lock next to the database.

Both are released by the system when their holder dies (the server ends a dead client's session, the kernel
closes a dead process's files), so a standby can take over without anyone cleaning up.
"""

import asyncio
import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import NullPool, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

logger = logging.getLogger(__name__)

# pg_try_advisory_lock takes any bigint: this one is "NISA" "SCHD" in ASCII, unlikely to clash with others.
ADVISORY_KEY = 0x4E495341_53434844


class SchedulerLock(Protocol):
    async def acquire(self) -> bool:
        """Take the lock if it is free; never waits."""

    async def is_held(self) -> bool:
        """Whether we still hold it (a database connection can drop under us)."""

    async def release(self) -> None: ...


class AdvisoryLock:
    """A session-level advisory lock on a connection of its own, kept open while held. The connection is
    not pooled: a pool would keep the session (and the lock) alive after we give it up."""

    def __init__(self, database_url: str, *, timeout: float) -> None:
        self._engine = create_async_engine(database_url, poolclass=NullPool)
        self._connection: AsyncConnection | None = None
        self._timeout = timeout

    async def acquire(self) -> bool:
        connection = await self._engine.connect()
        try:
            async with asyncio.timeout(self._timeout):
                taken = await connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
                )
                await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if not taken:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def is_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            async with asyncio.timeout(self._timeout):
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
        except (SQLAlchemyError, OSError, TimeoutError) as problem:
            logger.warning("The scheduler lock's database connection is lost: %s", problem)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                await self._connection.commit()
            except (SQLAlchemyError, OSError):
                pass  # the session is gone, and the lock with it
            await self._drop()
        await self._engine.dispose()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except (SQLAlchemyError, OSError):
                await connection.invalidate()


class FileLock:
    """flock on `<database>.scheduler.lock`: SQLite lives on one machine, so all its schedulers do too."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    async def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        # For a person wondering who holds it; the lock itself is the flock, not the content.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    async def is_held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def scheduler_lock(database_url: str, *, timeout: float = 10) -> SchedulerLock:
    if database_url.startswith("sqlite"):
        database = make_url(database_url).database or ""
        return FileLock(Path(f"{Path(database).resolve()}.scheduler.lock"))
    return AdvisoryLock(database_url, timeout=timeout)
