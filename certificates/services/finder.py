"""Reads one certificate's public columns by its code: the only database work of a public verification.

On SQLite the read runs on a read-only connection in the event loop's own thread. A point lookup by a
unique index takes tens of microseconds there, while handing it to aiosqlite's worker thread costs several
thread switches (checkout, execute, fetch, rollback), each far dearer than the read itself; that was most
of a verification's time. WAL readers never wait for the writer, so the loop is not held up by writes.
On PostgreSQL the read goes through a small pool of its own in autocommit: one round trip per lookup
(a prepared statement, no BEGIN/ROLLBACK, no pre-ping). On a busy machine every round trip is a wake-up
of the server's process, which was most of the lookup's time. A connection broken by a server restart
fails one lookup, and SQLAlchemy then renews the pool.
"""

from typing import Any

import sqlalchemy
from sqlalchemy import Connection, Engine, Row, StaticPool, bindparam, event, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased
from sqlmodel import col

from certificates.models import Certificate
from foundation.database import create_engine

_successor = aliased(Certificate)
# One indexed read of the columns a verification shows (not the credential), with the successor's code.
FIND_BY_CODE = (
    select(
        col(Certificate.id),
        col(Certificate.status),
        col(Certificate.snapshot),
        col(Certificate.expires_on),
        col(Certificate.revoked_reason),
        col(Certificate.revoked_at),
        col(_successor.code).label("successor_code"),
    )
    .outerjoin(_successor, col(_successor.id) == col(Certificate.superseded_by_id))
    .where(col(Certificate.code) == bindparam("code"))
)


def _read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA busy_timeout=1000")
    cursor.close()


def _sqlite_reader(engine: AsyncEngine) -> Engine | None:
    """A read-only engine of one connection on the same SQLite file, or None (PostgreSQL, in-memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    reader = sqlalchemy.create_engine(
        url.set(drivername="sqlite"),
        poolclass=StaticPool,
        connect_args={"check_same_thread": False},  # tests may serve one app from two event loops in turn
    )
    event.listen(reader, "connect", _read_only)
    return reader


def _postgres_reader(engine: AsyncEngine) -> AsyncEngine:
    """With the app engine's handling of an unreachable server (503, then a fresh pool)."""
    return create_engine(
        engine.url.render_as_string(hide_password=False),
        # No overflow: under a burst a lookup waits for a pooled connection rather than opening one that
        # would be closed again on return (profiled: connecting was an eighth of the time). Twenty: with 32
        # lookups at once, 10 made the waits the p99 (109 ms, against 41 ms with 20).
        pool_size=20,
        max_overflow=0,
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
    )


class CertificateFinder:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sqlite_engine = _sqlite_reader(engine)
        self._sqlite: Connection | None = None
        self._postgres = None if self._sqlite_engine else _postgres_reader(engine)

    async def find(self, code: str) -> Row[Any] | None:
        """The certificate's id, status, snapshot, expiry, revocation and successor code, or None."""
        if self._sqlite_engine is not None:
            return self._sqlite_connection(self._sqlite_engine).execute(FIND_BY_CODE, {"code": code}).first()
        assert self._postgres is not None
        async with self._postgres.connect() as connection:
            return (await connection.execute(FIND_BY_CODE, {"code": code})).first()

    def _sqlite_connection(self, reader: Engine) -> Connection:
        """Opened at the first lookup (no I/O when the app is built) and kept: it is used only between two
        awaits, so never by two requests at once. Autocommit: each read is its own transaction, so it sees
        the latest committed state (a revocation shows at the next lookup) and holds no snapshot open."""
        if self._sqlite is None:
            self._sqlite = reader.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._sqlite

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._sqlite_engine is not None:
            self._sqlite_engine.dispose()
        if self._postgres is not None:
            await self._postgres.dispose()
