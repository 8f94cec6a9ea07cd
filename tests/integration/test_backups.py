"""`nisa backup` and `nisa restore` as an operator runs them, on SQLite and PostgreSQL: a backup restored into
an empty database gives the same data; a restore asks first, replaces everything, and refuses while a
scheduler runs."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import Connection, func, inspect, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.models import Certificate
from foundation.database import create_engine
from foundation.roles import Role
from foundation.scheduling.lock import scheduler_lock
from people.models import Trainee, User
from tests.certificate_factories import make_certificate
from tests.factories import make_trainee, make_user
from tests.integration.test_cli import nisa


@pytest.fixture
async def empty_database_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database with nothing in it, not even the schema, on the same backend."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'elsewhere' / 'nisa.db'}"
        return
    server = database_url.rsplit("/", 1)[0]
    name = f"empty_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server.replace("postgresql+asyncpg", "postgresql") + "/postgres")
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


def _table_names(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


async def row_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(_table_names)
            return {
                name: (await connection.execute(select(func.count()).select_from(table(name)))).scalar_one()
                for name in names
            }
    finally:
        await engine.dispose()


async def records(database_url: str) -> dict[str, object]:
    engine = create_engine(database_url)
    try:
        async with AsyncSession(engine) as session:
            certificate = (await session.execute(select(Certificate))).scalar_one()
            return {
                "emails": sorted((await session.execute(select(User.email))).scalars()),
                "names": sorted((await session.execute(select(Trainee.name_km, Trainee.name_latin))).all()),
                "certificate": (certificate.code, certificate.snapshot, certificate.issued_on),
                "schema": (
                    await session.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar_one(),
            }
    finally:
        await engine.dispose()


async def test_a_backup_restored_into_an_empty_database_gives_the_same_data(
    db, database_url, empty_database_url, tmp_path
):
    await make_certificate(db, name_km="កែវ សុភា", name_latin="Keo Sophea")
    await make_user(db, [Role.admin], email="chief@example.org")
    await db.close()
    archive = tmp_path / "backups" / "before-the-move.backup"

    made = nisa(database_url, str(tmp_path), "backup", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    assert f"Backup written to {archive}" in made.stdout
    assert [path.name for path in archive.parent.iterdir()] == [archive.name], "no partial file left"

    restored = nisa(empty_database_url, str(tmp_path / "elsewhere"), "restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr

    counts = await row_counts(database_url)
    assert counts["certificate"] == 1 and counts["trainee"] >= 1 and counts["commune"] > 1600
    assert await row_counts(empty_database_url) == counts
    assert await records(empty_database_url) == await records(database_url)


async def test_a_restore_asks_first_then_replaces_everything_and_refuses_while_a_scheduler_runs(
    db, database_url, tmp_path
):
    await make_certificate(db, name_latin="Keo Sophea")
    await db.close()
    archive = tmp_path / "nisa.backup"
    assert nisa(database_url, str(tmp_path), "backup", "--output", str(archive)).returncode == 0
    await make_trainee(db, name_latin="Written Later")
    await db.close()
    later = await row_counts(database_url)

    declined = nisa(database_url, str(tmp_path), "restore", str(archive), stdin="n\n")
    assert declined.returncode != 0
    assert "replaces ALL data" in declined.stdout and "Stop the web app and the scheduler" in declined.stdout
    assert await row_counts(database_url) == later

    lock = scheduler_lock(database_url)
    assert await lock.acquire()
    try:
        refused = nisa(database_url, str(tmp_path), "restore", str(archive), "--yes")
    finally:
        await lock.release()
    assert refused.returncode != 0 and "A scheduler is running" in refused.stderr
    assert await row_counts(database_url) == later

    confirmed = nisa(database_url, str(tmp_path), "restore", str(archive), stdin="y\n")
    assert confirmed.returncode == 0, confirmed.stderr
    names = sorted((await db.execute(select(Trainee.name_latin))).scalars())
    assert names == ["Keo Sophea"], "what was written after the backup is gone"


async def test_restore_refuses_a_file_that_is_not_a_backup(database_url, tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("shopping list")
    before = await row_counts(database_url)
    refused = nisa(database_url, str(tmp_path), "restore", str(not_a_backup), "--yes")
    assert refused.returncode != 0
    assert "not a backup" in refused.stderr or "pg_restore failed" in refused.stderr
    assert await row_counts(database_url) == before
