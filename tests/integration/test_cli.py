"""The `nisa` command as an operator uses it: create an administrator, load demo data."""

import os
import subprocess
import sys

from sqlalchemy import func, select

from people.models import Trainee, User
from tests.conftest import ROOT, sign_in


def nisa(database_url: str, data_dir: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = os.environ | {"NISA_DATABASE_URL": database_url, "NISA_DATA_DIR": data_dir}
    return subprocess.run(
        [sys.executable, "-m", "nisa.cli", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_create_admin_then_sign_in(database_url, tmp_path, client, db):
    done = nisa(
        database_url,
        str(tmp_path),
        "create-admin",
        "--email",
        "Chief@NISA.example.org",
        "--name",
        "Chief Admin",
        stdin="a long password 1\na long password 1\n",
    )
    assert done.returncode == 0, done.stderr
    await sign_in(client, "chief@nisa.example.org", "a long password 1")
    assert "Chief Admin" in (await client.get("/")).text


async def test_create_admin_refuses_a_short_password_and_a_bad_email(database_url, tmp_path, db):
    short = nisa(
        database_url,
        str(tmp_path),
        "create-admin",
        "--email",
        "a@example.org",
        "--name",
        "A",
        stdin="short\nshort\n",
    )
    assert short.returncode != 0 and "10 characters" in short.stderr
    bad = nisa(
        database_url,
        str(tmp_path),
        "create-admin",
        "--email",
        "not-an-email",
        "--name",
        "A",
        stdin="a long password 1\na long password 1\n",
    )
    assert bad.returncode != 0 and "email" in bad.stderr.lower()
    assert (await db.execute(select(func.count()).select_from(User))).scalar_one() == 0


async def test_demo_scales_and_runs_only_once_with_if_empty(database_url, tmp_path, db):
    first = nisa(database_url, str(tmp_path), "demo", "--trainees", "120")
    assert first.returncode == 0, first.stderr
    assert "admin@nisa.example.org" in first.stdout
    again = nisa(database_url, str(tmp_path), "demo", "--if-empty")
    assert again.returncode == 0 and "already present" in again.stdout
    assert (await db.execute(select(func.count()).select_from(Trainee))).scalar_one() == 120


def test_db_upgrade_says_which_migrations_it_applied(tmp_path):
    from alembic.script import ScriptDirectory

    from foundation.database import alembic_config

    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    scripts = ScriptDirectory.from_config(alembic_config(url))
    revisions = [script.revision for script in scripts.walk_revisions()]
    first = nisa(url, str(tmp_path), "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "Applied migrations:" in first.stdout
    assert all(f"  {revision}: " in first.stdout for revision in revisions)
    again = nisa(url, str(tmp_path), "db", "upgrade")
    assert again.stdout.strip() == "Database is up to date."
