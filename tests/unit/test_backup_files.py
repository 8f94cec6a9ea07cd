"""Backups without a database: libpq settings from our database URL, file names, and the retention."""

import os
from datetime import UTC, datetime
from pathlib import Path

from foundation.scheduling.backups import default_backup_path, libpq_environment, prune_backups
from foundation.settings import Settings


def test_pg_tools_get_the_connection_from_the_url_with_the_password_out_of_the_command_line():
    assert libpq_environment(
        "postgresql+asyncpg://nisa:s3cr%40t@db.example.org:5433/training?ssl=require"
    ) == {
        "PGHOST": "db.example.org",
        "PGPORT": "5433",
        "PGUSER": "nisa",
        "PGPASSWORD": "s3cr@t",
        "PGDATABASE": "training",
        "PGSSLMODE": "require",
    }
    assert libpq_environment("postgresql+asyncpg://nisa@/training?host=/run/postgresql&ssl=true") == {
        "PGHOST": "/run/postgresql",
        "PGUSER": "nisa",
        "PGDATABASE": "training",
        "PGSSLMODE": "require",
    }


def test_backup_names_sort_by_time_and_say_what_they_hold(tmp_path: Path):
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    sqlite = Settings(data_dir=tmp_path)
    postgres = Settings(data_dir=tmp_path, database_url="postgresql+asyncpg://nisa@localhost/nisa")
    assert default_backup_path(sqlite, moment) == tmp_path / "backups" / "nisa-20260102-030405.db"
    assert default_backup_path(postgres, moment).name == "nisa-20260102-030405.dump"


def test_pruning_keeps_the_newest_and_leaves_other_files_and_a_backup_being_written(tmp_path: Path):
    for name in (
        "nisa-20260101-013000.db",
        "nisa-20260102-013000.db",
        "nisa-20260103-013000.db",
        "notes.txt",
    ):
        (tmp_path / name).write_bytes(b"x")
    writing, abandoned = tmp_path / ".nisa-20260104-013000.db.partial", tmp_path / ".nisa-20251231.db.partial"
    writing.write_bytes(b"x")
    abandoned.write_bytes(b"x")
    os.utime(abandoned, (0, 0))

    removed = prune_backups(tmp_path, keep=2)

    assert sorted(path.name for path in removed) == [".nisa-20251231.db.partial", "nisa-20260101-013000.db"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".nisa-20260104-013000.db.partial",
        "nisa-20260102-013000.db",
        "nisa-20260103-013000.db",
        "notes.txt",
    ]
