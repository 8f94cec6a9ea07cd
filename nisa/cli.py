"""The `nisa` command: serve the app, migrate the database, create an administrator, load demo data."""

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
import uvicorn
from sqlalchemy import func, make_url, select

from foundation.audit import Actor
from foundation.database import (
    DatabaseNotMigrated,
    alembic_config,
    create_engine,
    create_sessionmaker,
    ensure_migrated,
    unit_of_work,
)
from foundation.errors import DomainError
from foundation.roles import Role
from foundation.settings import ConfigurationError, Settings
from people.models import User, UserCreate
from people.services import users

if TYPE_CHECKING:
    from certificates.authority import IssuingAuthority


# What nisa creates (the database and its WAL, backups, the certificate store, keys) is for its own user
# alone, whatever umask the shell or service manager gave: files 0600, folders 0700.
PRIVATE_UMASK = 0o077


def _settings() -> Settings:
    settings = Settings()
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)  # also a folder made by an older version
    return settings


@click.group()
def nisa() -> None:
    """NISA Training & Certification."""
    os.umask(PRIVATE_UMASK)  # before any command writes a file, in every process it starts


def _authority(settings: Settings) -> "IssuingAuthority":
    """The issuing authority, with a signing key made first if there is none yet (first start)."""
    from certificates import keys as issuer_keys
    from certificates.authority import IssuingAuthority

    if not issuer_keys.load_keys(settings.effective_keys_dir):
        key = issuer_keys.create_key(settings.effective_keys_dir)
        click.echo(f"Created the signing key {key.key_id} in {settings.effective_keys_dir}.")
    return IssuingAuthority.from_settings(settings)


@nisa.command()
@click.option("--host", default=None, help="Address to listen on (default NISA_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (default NISA_PORT).")
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str | None, port: int | None, workers: int, reload: bool) -> None:
    """Serve the web application."""
    settings = _settings()
    try:
        settings.resolve_secret_key()
        asyncio.run(_check_migrated(settings))
    except (ConfigurationError, DatabaseNotMigrated) as problem:
        raise click.ClickException(str(problem)) from None
    host, port = host or settings.host, port or settings.port
    click.echo(
        f"NISA Training & Certification on http://{host}:{port}  (public address: {settings.base_url})"
    )
    uvicorn.run(
        "nisa.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=False,
        server_header=False,
        log_level=settings.log_level.lower(),
    )


async def _check_migrated(settings: Settings) -> None:
    engine = create_engine(settings.effective_database_url)
    try:
        await ensure_migrated(engine)
    finally:
        await engine.dispose()


@nisa.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from alembic import command  # imported only for this command (a tenth of `nisa serve`'s start-up)

    config = alembic_config(_settings().effective_database_url)
    applied: list[str] = []
    config.attributes["migration_applied"] = lambda step: applied.append(
        f"  {step.up_revision_id}: {step.up_revision.doc}"
    )
    command.upgrade(config, revision)
    if applied:
        click.echo("Applied migrations:\n" + "\n".join(applied))
    click.echo("Database is up to date.")


@nisa.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator who can sign in with the given password."""
    try:
        asyncio.run(_create_admin(_settings(), email, name, password))
    except DomainError as problem:
        details = "; ".join(f"{k}: {v}" for k, v in getattr(problem, "field_errors", {}).items())
        raise click.ClickException(f"{problem.message} {details}".strip()) from None
    click.echo(f"Administrator {email} created.")


async def _create_admin(settings: Settings, email: str, name: str, password: str) -> None:
    from foundation.forms import validated

    data = validated(
        UserCreate, {"email": email, "display_name": name, "roles": [Role.admin], "language": "en"}
    )
    engine = create_engine(settings.effective_database_url)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            await users.create_user(session, Actor(None), data, password=password)
    finally:
        await engine.dispose()


@nisa.command()
@click.option(
    "--trainees",
    type=click.IntRange(min=1),
    default=None,
    help="A national data set of N trainees: about N/40 cohorts over the years, 3N enrolments with "
    "attendance and assessments, 1.5N certificates. Without it: 300 trainees and the demo cohorts only.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--seed", default=2026, show_default=True, help="Random seed (same seed, same data).")
def demo(trainees: int | None, if_empty: bool, seed: int) -> None:
    """Load realistic demo data: organisations, trainees, and users for each role."""
    from nisa.demo.certificates import load_demo_certificates
    from nisa.demo.national import load_national_data
    from nisa.demo.people import DEMO_LOGINS, DEMO_TRAINEES, load_demo

    settings = _settings()

    async def run() -> bool:
        engine = create_engine(settings.effective_database_url)
        try:
            # The loaders commit as they go (a national data set is too big for one transaction).
            async with unit_of_work(create_sessionmaker(engine)) as session:
                if if_empty and (await session.execute(select(func.count()).select_from(User))).scalar_one():
                    return False
                await load_demo(session, trainees=trainees or DEMO_TRAINEES, seed=seed)
                authority = _authority(settings)
                await load_demo_certificates(session, authority)
                if trainees is not None:
                    await load_national_data(session, authority, seed=seed)
                return True
        finally:
            await engine.dispose()

    if asyncio.run(run()):
        click.echo("Demo data loaded. Sign in with:")
    else:
        click.echo("Demo data already present. Sign in with:")
    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<8} {email:<28} {password}")


@nisa.group()
def keys() -> None:
    """The issuer's signing keys for certificates (kept in NISA_KEYS_DIR, outside the database)."""


@keys.command("create")
@click.option("--if-missing", is_flag=True, help="Do nothing if a key exists already (for first-time setup).")
def create_key(if_missing: bool) -> None:
    """Create a new signing key: it signs from now on; older keys stay published and still verify."""
    from certificates import keys as issuer_keys

    settings = _settings()
    keys_dir = settings.effective_keys_dir
    if if_missing and issuer_keys.load_keys(keys_dir):
        click.echo(f"A signing key exists already in {keys_dir}.")
        return
    key = issuer_keys.create_key(keys_dir)
    click.echo(f"Created {key.key_id} in {keys_dir}; it signs new certificates from now on.")
    click.echo(f"Published as {key.verification_method(issuer_keys.did_web(settings.base_url))}")


@keys.command("list")
def list_keys() -> None:
    """List the signing keys, oldest first; the last one signs new certificates."""
    from certificates import keys as issuer_keys

    settings = _settings()
    found = issuer_keys.load_keys(settings.effective_keys_dir)
    if not found:
        raise click.ClickException(
            f"No signing key in {settings.effective_keys_dir}: run `nisa keys create`."
        )
    did = issuer_keys.did_web(settings.base_url)
    for key in found:
        marker = "  (signing)" if key is found[-1] else ""
        click.echo(
            f"{key.created:%Y-%m-%d %H:%M} UTC  {key.verification_method(did)}  "
            f"{key.public_key_multibase}{marker}"
        )


@nisa.command()
def scheduler() -> None:
    """Run the scheduled jobs. One scheduler is active per deployment; others wait on standby."""
    from foundation.scheduling.process import run_scheduler
    from nisa.jobs import scheduled_jobs
    from nisa.messages import register_message_kinds

    settings = _settings()
    try:
        asyncio.run(_check_migrated(settings))
    except DatabaseNotMigrated as problem:
        raise click.ClickException(str(problem)) from None
    register_message_kinds()
    asyncio.run(run_scheduler(settings, scheduled_jobs(settings)))


@nisa.command("run")
@click.option("--host", default=None, help="Address to listen on (default NISA_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (default NISA_PORT).")
def run_all(host: str | None, port: int | None) -> None:
    """Serve the web app and run the scheduler together; Ctrl-C stops both."""
    from nisa.serve import nisa_command, run_together

    serve_options = [*(["--host", host] if host else []), *(["--port", str(port)] if port else [])]
    sys.exit(run_together([nisa_command("serve", *serve_options), nisa_command("scheduler")]))


@nisa.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: <data dir>/backups/nisa-<UTC time>.db, or .dump for PostgreSQL).",
)
def backup(output: Path | None) -> None:
    """Back up the whole database while the app runs: a SQLite copy, or a pg_dump archive."""
    from foundation.scheduling import backups

    settings = _settings()
    target = output or backups.default_backup_path(settings, datetime.now(UTC))
    try:
        asyncio.run(backups.back_up(settings, target))
    except backups.BackupFailed as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Backup written to {target} ({target.stat().st_size:,} bytes).")


@nisa.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: Path, yes: bool) -> None:
    """Replace the whole database with a backup made by `nisa backup`."""
    from foundation.scheduling import backups

    settings = _settings()
    database = make_url(settings.effective_database_url).render_as_string(hide_password=True)
    made = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    if not yes:
        click.confirm(
            f"This replaces ALL data in {database} with the backup {path} "
            f"(written {made:%Y-%m-%d %H:%M} UTC). Whatever was saved since then is lost. "
            "Stop the web app and the scheduler first. Continue?",
            abort=True,
        )
    try:
        asyncio.run(backups.restore(settings, path))
        asyncio.run(_check_migrated(settings))
    except backups.BackupFailed as problem:
        raise click.ClickException(str(problem)) from None
    except DatabaseNotMigrated:
        click.echo("The backup is from an older version: run `nisa db upgrade` before starting the app.")
    click.echo(f"Restored {database} from {path}.")


if __name__ == "__main__":
    sys.exit(nisa())
