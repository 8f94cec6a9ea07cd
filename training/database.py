"""The async database engine, the per-request session, and the migration check."""

from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class DatabaseNotMigrated(RuntimeError):
    """The database schema is older than the code: `nisa db upgrade` must run first."""


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def code_heads() -> frozenset[str]:
    """The migration head(s) this code expects; read from the migration scripts once."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _current_heads(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


async def ensure_migrated(engine: AsyncEngine) -> None:
    """Refuse to serve a database whose schema is not at the code's migration head."""
    async with engine.connect() as connection:
        current = await connection.run_sync(_current_heads)
    if current != (head := code_heads()):
        raise DatabaseNotMigrated(
            f"The database at {engine.url.render_as_string()} is not migrated "
            f"(at {sorted(current) or 'nothing'}, code needs {sorted(head)}). Run: nisa db upgrade"
        )


async def session_scope(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session per request; services commit explicitly, anything uncommitted is rolled back."""
    async with maker() as session:
        yield session
