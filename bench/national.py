"""National-size databases for the benchmark suite: built once with `nisa demo --trainees N` and kept in
var/bench/, keyed by N, the schema head and the data generator's source, so a second run reuses them; every
run works on a copy (the benchmarks sign in, log lookups and import trainees).

PostgreSQL databases live on NISA_BENCH_POSTGRES_URL if set (a server URL without a database), else on a
server of our own whose data folder is var/bench/postgres, started for the run with production's durability
(fsync and synchronous commits on) and stopped afterwards.
"""

import asyncio
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench.common import Backend, given_postgres_url, postgres_tools
from foundation.database import code_heads
from tests.postgres import PostgresTools, free_port

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
# What the data set is made by: a change to any of these builds the databases again.
GENERATORS = [f"nisa/demo/{name}.py" for name in ("national", "people", "curriculum", "certificates")]


def cache_key(trainees: int) -> str:
    heads = "_".join(sorted(code_heads()))
    digest = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in GENERATORS)).hexdigest()[:8]
    return re.sub(r"[^a-z0-9_]", "_", f"{trainees}_{heads}_{digest}".lower())


@dataclass(frozen=True)
class WorkingCopy:
    """A copy of a national database for one run, and the issuer keys it was built with."""

    backend: Backend
    trainees: int
    url: str
    keys_dir: Path


def _nisa(url: str, data_dir: Path, *args: str) -> None:
    """Run the `nisa` command on this database, its progress shown on the terminal."""
    environment = os.environ | {"NISA_DATABASE_URL": url, "NISA_DATA_DIR": str(data_dir)}
    nisa = Path(sys.executable).parent / "nisa"
    subprocess.run([str(nisa), *args], env=environment, check=True, stdout=sys.stderr)


def _build(url: str, data_dir: Path, trainees: int) -> None:
    _nisa(url, data_dir, "db", "upgrade")
    _nisa(url, data_dir, "demo", "--trainees", str(trainees))


# ---------------------------------------------------------------- SQLite: a file per size, copied per run


@contextmanager
def _sqlite_copy(trainees: int) -> Iterator[WorkingCopy]:
    folder = CACHE / f"sqlite-{cache_key(trainees)}"
    if not (folder / "complete").exists():
        for stale in CACHE.glob(
            f"sqlite-{trainees}_*"
        ):  # what older code built at this size, or a broken build
            shutil.rmtree(stale, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"Building the SQLite database of {trainees:,} trainees in {folder}", file=sys.stderr)
        _build(f"sqlite+aiosqlite:///{folder / 'nisa.db'}", folder, trainees)
        (folder / "complete").touch()
    with tempfile.TemporaryDirectory(prefix="nisa-bench-", dir=CACHE) as temporary:
        copy = Path(temporary) / "nisa.db"
        shutil.copyfile(folder / "nisa.db", copy)
        yield WorkingCopy("sqlite", trainees, f"sqlite+aiosqlite:///{copy}", folder / "keys")


# ---------------------------------------------------------------- PostgreSQL: a database per size, cloned


async def _administer(server_url: str, *statements: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(server_url.replace("postgresql+asyncpg", "postgresql") + "/postgres")
    try:
        found: list[asyncpg.Record] = []
        for statement in statements:
            found = await connection.fetch(statement)
        return found
    finally:
        await connection.close()


def _exists(server_url: str, name: str) -> bool:
    return bool(asyncio.run(_administer(server_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")))


def _drop_stale(server_url: str, trainees: int) -> None:
    """Drop what older code built at this size, or a broken build."""
    stale = f"SELECT datname FROM pg_database WHERE datname LIKE 'nisa\\_bench\\_{trainees}\\_%'"
    found = asyncio.run(_administer(server_url, stale))
    drops = [f"DROP DATABASE IF EXISTS {record['datname']} WITH (FORCE)" for record in found]
    if drops:
        asyncio.run(_administer(server_url, *drops))


@contextmanager
def _postgres_copy(server_url: str, trainees: int) -> Iterator[WorkingCopy]:
    key = cache_key(trainees)
    name, folder = f"nisa_bench_{key}", CACHE / f"postgresql-{key}"
    if not _exists(server_url, name):
        building = f"{name}_building"
        print(f"Building the PostgreSQL database of {trainees:,} trainees ({name})", file=sys.stderr)
        _drop_stale(server_url, trainees)
        asyncio.run(_administer(server_url, f"CREATE DATABASE {building}"))
        for stale in CACHE.glob(f"postgresql-{trainees}_*"):
            shutil.rmtree(stale, ignore_errors=True)
        folder.mkdir(parents=True)
        _build(f"{server_url}/{building}", folder, trainees)
        asyncio.run(_administer(server_url, f"ALTER DATABASE {building} RENAME TO {name}"))
    copy = f"nisa_run_{uuid.uuid4().hex[:12]}"
    asyncio.run(_administer(server_url, f"CREATE DATABASE {copy} TEMPLATE {name}"))
    try:
        yield WorkingCopy("postgresql", trainees, f"{server_url}/{copy}", folder / "keys")
    finally:
        asyncio.run(_administer(server_url, f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)"))


@contextmanager
def bench_postgres() -> Iterator[str]:
    """NISA_BENCH_POSTGRES_URL if set, else our own server on var/bench/postgres (created the first time)."""
    if given := given_postgres_url():
        yield given
        return
    tools = postgres_tools()
    data = CACHE / "postgres"
    if not (data / "PG_VERSION").exists():
        _initdb(tools, data)
    with tempfile.TemporaryDirectory(prefix="nisa-bench-pg-") as run_folder:
        if os.geteuid() == 0:
            shutil.chown(run_folder, "postgres")
        port = free_port()
        options = f"-p {port} -k {run_folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        start = ("pg_ctl", "-D", str(data), "-o", options, "-l", f"{run_folder}/log", "-w", "start")
        subprocess.run(tools.command(*start), check=True, capture_output=True)
        try:
            yield f"postgresql+asyncpg://nisa@127.0.0.1:{port}"
        finally:
            subprocess.run(
                tools.command("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"), capture_output=True
            )


def _initdb(tools: PostgresTools, data: Path) -> None:
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    data.chmod(0o700)
    initdb = ("initdb", "-D", str(data), "-U", "nisa", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
    subprocess.run(tools.command(*initdb), check=True, capture_output=True)


@contextmanager
def national_copy(backend: Backend, trainees: int, server_url: str | None = None) -> Iterator[WorkingCopy]:
    """A working copy of the national database of this size (built first if not in the cache)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        with _sqlite_copy(trainees) as copy:
            yield copy
        return
    if server_url is None:
        raise ValueError("PostgreSQL needs a server: see bench_postgres()")
    with _postgres_copy(server_url, trainees) as copy:
        yield copy


def national_arguments(parser: ArgumentParser) -> None:
    """The options every benchmark on a national data set takes."""
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--trainees", type=int, default=1_000)


@contextmanager
def national_run(
    backend: Backend, trainees: int, server_url: str | None = None
) -> Iterator[tuple[WorkingCopy, Path]]:
    """A working copy of the national data set and a scratch folder for one run; on PostgreSQL without
    `server_url`, the benchmark's own server (bench_postgres) for the length of the run."""
    with ExitStack() as stack:
        if backend == "postgresql" and server_url is None:
            server_url = stack.enter_context(bench_postgres())
        copy = stack.enter_context(national_copy(backend, trainees, server_url))
        yield copy, Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nisa-bench-")))
