"""The async database engine, the units of work (of a request, a job, a command), the migration check.

The caller owns the transaction: a service does its work in the session it is given and never commits
(tests/unit/test_services_never_commit.py checks it). A request's session commits when the handler has
answered (`session_scope`); a job or a command opens `unit_of_work`; an action (e.g. certificates.actions)
commits the session it is given and then does what must follow a commit (files, PDFs, network).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# The newest migration's revision, which the code needs: a new migration changes it (tests check that it is
# the head of migrations/). Serving compares the database with it instead of reading the migration scripts
# through Alembic, whose import alone was a tenth of the start-up.
SCHEMA_HEAD = "0011_cancelled_sessions"


class DatabaseNotMigrated(RuntimeError):
    """The database schema is older than the code: `nisa db upgrade` must run first."""


class DatabaseUnavailable(RuntimeError):
    """The database server cannot be reached or dropped the connection (down, restarting, out of slots)."""


# SQLSTATE classes meaning the server is not there for us: connection exceptions (08), operator
# intervention such as shutting down or starting up (57P), insufficient resources such as connections (53).
UNAVAILABLE_SQLSTATES = ("08", "57P", "53")


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _unavailable(context: ExceptionContext) -> DatabaseUnavailable | None:
    """handle_error hook: whatever the driver raised when the server is gone becomes one exception.

    SQLAlchemy has already marked a dropped connection for invalidation (and with it the pool's other
    connections), so the next request connects afresh: the app recovers without a restart.
    """
    error = context.original_exception
    if not isinstance(error, Exception):  # a cancelled task (SQLAlchemy calls it a disconnect) stays so
        return None
    if context.is_pre_ping or not (context.is_disconnect or _means_unreachable(error)):
        return None
    return DatabaseUnavailable(f"{type(error).__name__}: {error}")


def _connect_or_unavailable(dialect: Dialect, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
    """do_connect hook: a refused connect is raised raw by the driver, past handle_error; name it the same."""
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as error:
        if _means_unreachable(error):
            raise DatabaseUnavailable(f"{type(error).__name__}: {error}") from error
        raise


def _means_unreachable(error: BaseException) -> bool:
    # Refused or timed-out connects arrive as OSError; asyncpg's own errors (raw while connecting, wrapped
    # later) carry a SQLSTATE.
    return any(
        isinstance(e, OSError) or str(getattr(e, "sqlstate", None) or "").startswith(UNAVAILABLE_SQLSTATES)
        for e in (error, error.__cause__)
    )


def create_engine(url: str, **postgres_options: Any) -> AsyncEngine:
    """The app's engine; `postgres_options` change the PostgreSQL pool's (e.g. a small autocommit pool)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _enable_sqlite_foreign_keys)
    else:
        # No pre-ping round trip on every checkout: a connection the server dropped fails its request with
        # DatabaseUnavailable (503) and the pool is refreshed; a connect gives up after 5 s, not asyncpg's 60.
        # Mostly pooled: an overflow connection is closed on return, so under steady load beyond the pool each
        # request would pay a new connection. With the verification pool: 40 per instance at most.
        options = {"pool_size": 15, "max_overflow": 5, "connect_args": {"timeout": 5}} | postgres_options
        engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "do_connect", _connect_or_unavailable)
    event.listen(engine.sync_engine, "handle_error", _unavailable)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> "Config":
    from alembic.config import Config  # for the `nisa db` commands and tests: serving never needs Alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def code_heads() -> frozenset[str]:
    """The migration head(s) of the scripts in migrations/, read through Alembic."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _current_heads(connection: Connection) -> frozenset[str]:
    if not inspect(connection).has_table("alembic_version"):
        return frozenset()
    return frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


async def ensure_migrated(engine: AsyncEngine) -> None:
    """Refuse to serve a database whose schema is not at the code's migration head."""
    async with engine.connect() as connection:
        current = await connection.run_sync(_current_heads)
    if current != {SCHEMA_HEAD}:
        raise DatabaseNotMigrated(
            f"The database at {engine.url.render_as_string()} is not migrated "
            f"(at {sorted(current) or 'nothing'}, code needs {SCHEMA_HEAD}). Run: nisa db upgrade"
        )


async def session_scope(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: committed when the handler has answered, rolled back if it raised.

    Litestar runs the code after `yield` before the response is sent, so a failed commit is still an error
    answer, never a success whose change was lost."""
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


@asynccontextmanager
async def unit_of_work(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work for a job or a command: a session whose changes commit together when the block ends,
    or not at all if it raises. Services never commit; their callers open one of these (or, for a request,
    get `session_scope`'s)."""
    async with maker() as session:
        yield session
        await session.commit()
