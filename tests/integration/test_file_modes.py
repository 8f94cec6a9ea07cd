"""What nisa writes is for its own user alone, whatever umask it was started with: the database and its WAL,
backups, keys and folders are created 0600 and 0700 (the `nisa` command sets its umask)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def nisa_with_open_umask(database_url: str, data_dir: Path, *args: str) -> None:
    env = os.environ | {"NISA_DATABASE_URL": database_url, "NISA_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "nisa.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # as a shell would start it: files 0644
    )
    assert done.returncode == 0, done.stderr


def open_to_others(folder: Path) -> list[str]:
    return [
        f"{path} {stat.filemode(path.stat().st_mode)}"
        for path in [folder, *folder.rglob("*")]
        if path.stat().st_mode & 0o077
    ]


async def test_the_database_backups_and_keys_are_private(database_url, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)  # made by an older version, or by hand
    database_url = (
        f"sqlite+aiosqlite:///{data_dir / 'nisa.db'}" if database_url.startswith("sqlite") else database_url
    )
    nisa_with_open_umask(database_url, data_dir, "db", "upgrade")
    nisa_with_open_umask(database_url, data_dir, "keys", "create")
    nisa_with_open_umask(database_url, data_dir, "backup")
    written = {path.name for path in data_dir.rglob("*")}
    assert "backups" in written and any(name.startswith("nisa-") for name in written)
    assert open_to_others(data_dir) == []
