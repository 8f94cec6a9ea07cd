"""A throwaway PostgreSQL server for the test suite (initdb refuses root: run it as `postgres`)."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType


@dataclass(frozen=True)
class PostgresTools:
    bin_dir: Path

    def command(self, name: str, *args: str) -> list[str]:
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return [*run_as, str(self.bin_dir / name), *args]


def find_postgres_tools() -> PostgresTools | None:
    candidates = [
        shutil.which("initdb"),
        *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True),
    ]
    for initdb in filter(None, candidates):
        bin_dir = Path(initdb).resolve().parent
        if (bin_dir / "pg_ctl").exists():
            return PostgresTools(bin_dir)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TemporaryPostgres:
    """initdb into a temporary folder, start on a free loopback port, stop and delete on exit."""

    def __init__(self, tools: PostgresTools, user: str = "nisa") -> None:
        self.tools = tools
        self.user = user
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="nisa-pg-"))
        self.data = self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}"

    def __enter__(self) -> "TemporaryPostgres":
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.folder.chmod(0o755)
        subprocess.run(
            self.tools.command(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                self.user,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
        )
        self.start()
        return self

    def start(self) -> None:
        """Start the server (again, after `stop`) and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            self.tools.command(
                "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
            ),
            check=True,
            capture_output=True,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not start; see {self.folder / 'log'}")

    def stop(self) -> None:
        subprocess.run(
            self.tools.command("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"), capture_output=True
        )

    def __exit__(
        self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]
    ) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
