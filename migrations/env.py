"""Alembic environment: runs migrations on the async engine for SQLite and PostgreSQL."""

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import certificates.models  # noqa: F401  (registers the tables on SQLModel.metadata)
import courses.models  # noqa: F401
import foundation.audit
import foundation.outbox.models
import foundation.scheduling.models  # noqa: F401
import people.models  # noqa: F401
import training.models  # noqa: F401
from foundation.database import create_engine

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    # `nisa db upgrade` passes a callable to hear each migration as it is applied, to say which ones it ran.
    heard = context.config.attributes.get("migration_applied")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        on_version_apply=(lambda *, step, **_: heard(step)) if heard else (),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


asyncio.run(_run_online())
