"""Database backups: SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore.

A backup is written under a temporary name and renamed when complete, so a file named like a backup is
always a whole one, even if the process was killed while writing it.
"""

import asyncio
import os
import shutil
import sqlite3
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy import make_url

from foundation.scheduling.context import JobContext
from foundation.scheduling.lock import scheduler_lock
from foundation.settings import Settings

BACKUP_PREFIX = "nisa-"
# Left by a backup that was killed half-way; older than this, no backup is still writing it.
ABANDONED_AFTER_SECONDS = 3600
LIBPQ_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


class BackupFailed(RuntimeError):
    """A backup or restore could not be done; the message says why (a tool's own words included)."""


def backups_dir(settings: Settings) -> Path:
    return settings.data_dir / "backups"


def default_backup_path(settings: Settings, now: datetime) -> Path:
    suffix = ".db" if settings.is_sqlite else ".dump"
    return backups_dir(settings) / f"{BACKUP_PREFIX}{now:%Y%m%d-%H%M%S}{suffix}"


def sqlite_file(database_url: str) -> Path:
    return Path(make_url(database_url).database or "").resolve()


def libpq_environment(database_url: str) -> dict[str, str]:
    """PG* variables for pg_dump/pg_restore from our SQLAlchemy URL (the password stays out of `ps`)."""
    url = make_url(database_url)
    query = {key: value if isinstance(value, str) else value[0] for key, value in url.query.items()}
    values = {
        "PGHOST": url.host or query.get("host"),
        "PGPORT": url.port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    environment = {name: str(value) for name, value in values.items() if value}
    ssl = query.get("sslmode") or query.get("ssl")
    if ssl:
        environment["PGSSLMODE"] = ssl if ssl in LIBPQ_SSL_MODES else "require"
    return environment


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


async def back_up(settings: Settings, target: Path) -> Path:
    """Write a complete backup of the database to `target` (a SQLite file, or a pg_dump custom archive)."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = _partial(target)
    try:
        if settings.is_sqlite:
            await asyncio.to_thread(_copy_sqlite, sqlite_file(settings.effective_database_url), partial)
        else:
            await _run_tool(
                "pg_dump",
                "--format=custom",
                f"--file={partial}",
                database_url=settings.effective_database_url,
            )
        partial.chmod(0o600)  # a copy of every record: whatever umask the caller runs with
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


async def restore(settings: Settings, source: Path) -> None:
    """Replace the whole database with the backup at `source`, in one transaction. Holds the scheduler
    lock meanwhile, so it refuses while a scheduler runs, and no scheduler starts until it is done."""
    if not source.is_file():
        raise BackupFailed(f"No backup file at {source}.")
    lock = scheduler_lock(settings.effective_database_url)
    if not await lock.acquire():
        await lock.release()
        raise BackupFailed("A scheduler is running on this database: stop it and the web app first.")
    try:
        await _replace_database(settings, source)
    finally:
        await lock.release()


async def _replace_database(settings: Settings, source: Path) -> None:
    if settings.is_sqlite:
        await asyncio.to_thread(_restore_sqlite, source, sqlite_file(settings.effective_database_url))
        return
    await _run_tool(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        f"--dbname={make_url(settings.effective_database_url).database}",
        str(source),
        database_url=settings.effective_database_url,
    )


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupFailed(f"No SQLite database at {source}.")
    # The backup API copies a consistent snapshot while the app and the scheduler go on writing.
    with closing(sqlite3.connect(source, timeout=30)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)
        # One self-contained file (the copy inherits write-ahead logging, which would add two side files).
        writing.execute("PRAGMA journal_mode=DELETE")


def _restore_sqlite(source: Path, database: Path) -> None:
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup:
        try:
            checked = backup.execute("PRAGMA quick_check").fetchone()[0]
            backup.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as problem:
            raise BackupFailed(
                f"{source} is not a backup of this application's database: {problem}"
            ) from None
        if checked != "ok":
            raise BackupFailed(f"{source} is damaged: {checked}")
        database.parent.mkdir(parents=True, exist_ok=True)
        # Copied into the live database through SQLite itself: one transaction that replaces every page,
        # so its write-ahead log stays consistent and a failure leaves the old data whole.
        with closing(sqlite3.connect(database, timeout=30)) as live:
            backup.backup(live)


async def _run_tool(tool: str, *arguments: str, database_url: str) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupFailed(
            f"{tool} is not installed: install the PostgreSQL client tools (postgresql-client)."
        )
    process = await asyncio.create_subprocess_exec(
        executable,
        *arguments,
        env=os.environ | libpq_environment(database_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode:
        raise BackupFailed(f"{tool} failed: {errors.decode(errors='replace').strip()}")


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (their names sort by time), and abandoned partial files."""
    backups = sorted(path for path in folder.glob(f"{BACKUP_PREFIX}*") if path.suffix in (".db", ".dump"))
    abandoned = [
        path
        for path in folder.glob(f".{BACKUP_PREFIX}*.partial")
        if time.time() - path.stat().st_mtime > ABANDONED_AFTER_SECONDS
    ]
    removed = backups[: max(len(backups) - keep, 0)] + abandoned
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


async def nightly_backup(context: JobContext) -> int:
    """One new backup in <data_dir>/backups, keeping the newest NISA_BACKUP_KEEP; a second run the same
    night only makes a newer snapshot (the retention keeps the count)."""
    keep = context.settings.backup_keep
    if keep == 0:
        return 0
    await back_up(context.settings, default_backup_path(context.settings, context.now))
    prune_backups(backups_dir(context.settings), keep)
    return 1
