"""Shared parts of the benchmarks: throwaway migrated databases, national-size data inserted in bulk, the
app served as a subprocess, and the figures the benchmarks print (percentiles, memory, tables)."""

import asyncio
import math
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

import asyncpg
from alembic import command
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Course,
    CourseCompetency,
    CourseModule,
    EthicsQuiz,
)
from foundation.audit import Actor
from foundation.database import alembic_config
from foundation.roles import Role
from foundation.settings import Settings
from people.models import User, UserRole
from people.services.auth import CurrentUser
from tests.postgres import PostgresTools, TemporaryPostgres, find_postgres_tools
from tests.processes import answers_ready, stop_process
from training.models import ClassSession, Cohort, Enrolment

Backend = Literal["sqlite", "postgresql"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgresql")
BASE_URL = "https://training.nisa.gov.kh"
SECRET_KEY = "bench-secret-key-" + "b" * 32
COHORT_SIZE = 50

# ---------------------------------------------------------------- databases


@contextmanager
def migrated_database(backend: Backend, folder: Path) -> Iterator[str]:
    """A freshly migrated database for one run: a SQLite file in `folder`, or a new PostgreSQL database."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'nisa.db'}"
        command.upgrade(alembic_config(url), "head")
        yield url
        return
    with postgres_server() as server_url, _new_postgres_database(server_url) as url:
        command.upgrade(alembic_config(url), "head")
        yield url


@contextmanager
def postgres_server() -> Iterator[str]:
    """NISA_BENCH_POSTGRES_URL (a server URL without a database) if set, else a throwaway local server."""
    if given := given_postgres_url():
        yield given
        return
    with TemporaryPostgres(postgres_tools()) as server:
        _make_durable(server)
        yield server.url


def given_postgres_url() -> str | None:
    """The PostgreSQL server to benchmark on, NISA_BENCH_POSTGRES_URL (without a database), if set."""
    given = os.environ.get("NISA_BENCH_POSTGRES_URL")
    return given.rstrip("/") if given else None


def postgres_tools() -> PostgresTools:
    """The installed initdb/pg_ctl, to start a server of the benchmark's own."""
    tools = find_postgres_tools()
    if tools is None:
        raise SystemExit("PostgreSQL is not installed (no initdb/pg_ctl): set NISA_BENCH_POSTGRES_URL.")
    return tools


def _make_durable(server: TemporaryPostgres) -> None:
    """Restart the test suite's server, which runs with fsync off, with production's durability: a
    benchmark must pay for every commit's flush to disk as production does."""
    options = f"-p {server.port} -k {server.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    log = str(server.folder / "log")
    restart = ("pg_ctl", "-D", str(server.data), "-o", options, "-l", log, "-w", "restart")
    subprocess.run(server.tools.command(*restart), check=True, capture_output=True)


@contextmanager
def _new_postgres_database(server_url: str) -> Iterator[str]:
    name = f"nisa_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_administer(server_url, f"CREATE DATABASE {name}"))
    try:
        yield f"{server_url}/{name}"
    finally:
        asyncio.run(_administer(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _administer(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(server_url.replace("postgresql+asyncpg", "postgresql") + "/postgres")
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


# ---------------------------------------------------------------- data in bulk


Row = dict[str, Any]


async def insert_numbered(session: AsyncSession, model: type[SQLModel], rows: Sequence[Row]) -> list[int]:
    """Insert rows of a table with a serial id in one executemany; their ids, in order.

    The rows are numbered here, after the table's highest id, rather than by RETURNING: thousands of rows a
    second instead of hundreds. On PostgreSQL the id sequence is moved past them for later inserts.
    """
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    first = (await session.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    await session.execute(insert(table), [row | {"id": n} for row, n in zip(rows, ids, strict=True)])
    if (await session.connection()).dialect.name == "postgresql":
        move = text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)")
        await session.execute(move, {"table": table.name, "last": ids[-1]})
    return ids


async def insert_all(session: AsyncSession, model: type[SQLModel], rows: Sequence[Row]) -> None:
    """Insert rows of a table without a serial id in one executemany (column defaults fill the rest)."""
    if rows:
        await session.execute(insert(model.__table__), list(rows))  # type: ignore[attr-defined]


FAMILY_NAMES = [
    ("សុខ", "Sok"),
    ("ចាន់", "Chan"),
    ("ហេង", "Heng"),
    ("លី", "Ly"),
    ("កែវ", "Keo"),
    ("ម៉ៅ", "Mao"),
    ("ញឹម", "Nhim"),
    ("ស៊ុន", "Sun"),
    ("ជា", "Chea"),
    ("ពៅ", "Pov"),
]
GIVEN_NAMES = [
    ("ស្រីមុំ", "Sreymom"),
    ("សុភា", "Sophea"),
    ("ដារ៉ា", "Dara"),
    ("វិចិត្រ", "Vichet"),
    ("ចន្ថា", "Chantha"),
    ("ពិសិដ្ឋ", "Piseth"),
    ("រតនា", "Rathana"),
    ("សុខា", "Sokha"),
    ("បុប្ផា", "Bopha"),
    ("សំណាង", "Samnang"),
    ("ស្រីនាង", "Sreyneang"),
    ("វណ្ណៈ", "Vannak"),
]


def trainee_rows(count: int, rng: random.Random, email_share: float = 0.0) -> list[Row]:
    """People with Khmer and Latin names; `email_share` of them with an email address."""
    rows = []
    for n in range(count):
        (family_km, family), (given_km, given) = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
        rows.append(
            {
                "name_km": f"{family_km} {given_km}",
                "name_latin": f"{family} {given}",
                "sex": rng.choice(("female", "male")),
                "email": f"trainee{n}@example.org" if rng.random() < email_share else None,
            }
        )
    return rows


@dataclass(frozen=True)
class BenchCourse:
    id: int
    code: str
    competency_ids: list[int]
    regular_module_id: int
    ethics_module_id: int


async def make_course(session: AsyncSession, number: int, competencies: int = 6) -> BenchCourse:
    """A published 40-hour course of `competencies` competencies with a regular and an ethics module."""
    code = f"SW{100 + number}"
    framework = {"code": f"FW{number}", "title_km": "ក្របខណ្ឌសមត្ថភាព", "title_en": "Competencies"}
    [framework_id] = await insert_numbered(session, CompetencyFramework, [framework])
    domain = {"framework_id": framework_id, "code": "D1", "title_km": "ការអនុវត្ត", "title_en": "Practice"}
    [domain_id] = await insert_numbered(session, CompetencyDomain, [domain])
    competency_ids = await insert_numbered(
        session,
        Competency,
        [
            {
                "framework_id": framework_id,
                "domain_id": domain_id,
                "code": f"D1.{c}",
                "title_km": f"អនុវត្តក្រមសីលធម៌នៃការងារសង្គមកិច្ច {c}",
                "title_en": f"Applies the social work code of ethics in case {c}",
                "position": c,
            }
            for c in range(1, competencies + 1)
        ],
    )
    [course_id] = await insert_numbered(session, Course, [course_row(code, number)])
    links = [{"course_id": course_id, "competency_id": c} for c in competency_ids]
    await insert_all(session, CourseCompetency, links)
    module = {"course_id": course_id, "title_km": "ម៉ូឌុល ១", "title_en": "Practice", "hours": Decimal(34)}
    ethics = {"course_id": course_id, "title_km": "សីលធម៌", "title_en": "Ethics", "hours": Decimal(6)}
    regular_id, ethics_id = await insert_numbered(
        session,
        CourseModule,
        [module | {"position": 1, "kind": "regular"}, ethics | {"position": 2, "kind": "ethics"}],
    )
    quiz = {
        "module_id": ethics_id,
        "pledge_km": "ខ្ញុំសន្យា",
        "pledge_en": "I pledge to follow the code of ethics.",
    }
    await insert_all(session, EthicsQuiz, [quiz])
    return BenchCourse(course_id, code, competency_ids, regular_id, ethics_id)


def course_row(code: str, number: int) -> Row:
    return {
        "code": code,
        "status": "published",
        "title_km": f"មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច {number}",
        "title_en": f"Foundations of social work {number}",
        "hours": Decimal(40),
        "validity_months": 36,
        "certificate_title_km": "វិញ្ញាបនបត្របញ្ជាក់ការសិក្សា",
        "certificate_title_en": "Certificate of completion",
        "signatory_name_km": "ជា សុផល",
        "signatory_name_en": "Chea Sophal",
        "signatory_title_km": "នាយកវិទ្យាស្ថាន",
        "signatory_title_en": "Director",
        "published_at": datetime.now(UTC),
    }


@dataclass(frozen=True)
class BenchCohort:
    id: int
    session_ids: list[int]
    enrolment_ids: list[int]
    trainee_ids: list[int]


async def make_cohorts(
    session: AsyncSession,
    course: BenchCourse,
    trainee_ids: Sequence[int],
    *,
    size: int = COHORT_SIZE,
    sessions: int = 0,
    prefix: str = "B",
) -> list[BenchCohort]:
    """Closed cohorts of `size` completed enrolments (the last one smaller) of these trainees, each with
    `sessions` past class sessions."""
    groups = [list(trainee_ids[i : i + size]) for i in range(0, len(trainee_ids), size)]
    start = date.today() - timedelta(days=60)
    cohort_ids = await insert_numbered(
        session,
        Cohort,
        [
            {
                "code": f"{prefix}{course.code}-{n:05d}",
                "course_id": course.id,
                "venue_province_code": "12",
                "venue": "NISA, Phnom Penh",
                "start_date": start,
                "end_date": start + timedelta(days=max(sessions - 1, 0)),
                "capacity": len(group),
                "status": "closed",
            }
            for n, group in enumerate(groups, 1)
        ],
    )
    meetings = [
        {"cohort_id": cohort_id, "day": start + timedelta(days=d)}
        for cohort_id in cohort_ids
        for d in range(sessions)
    ]
    session_ids = await insert_numbered(session, ClassSession, meetings)
    enrolment_ids = await insert_numbered(
        session,
        Enrolment,
        [
            {"cohort_id": cohort_id, "trainee_id": trainee_id, "status": "completed"}
            for cohort_id, group in zip(cohort_ids, groups, strict=True)
            for trainee_id in group
        ],
    )
    cohorts, taken = [], 0
    for n, (cohort_id, group) in enumerate(zip(cohort_ids, groups, strict=True)):
        own_sessions = session_ids[n * sessions : (n + 1) * sessions]
        cohorts.append(BenchCohort(cohort_id, own_sessions, enrolment_ids[taken : taken + len(group)], group))
        taken += len(group)
    return cohorts


async def make_admin(session: AsyncSession) -> tuple[Actor, CurrentUser]:
    """An administrator, as the services see the one who issues or revokes."""
    email = "admin@nisa.example.org"
    [user_id] = await insert_numbered(
        session, User, [{"email": email, "display_name": "Bench admin", "language": "en"}]
    )
    await insert_all(session, UserRole, [{"user_id": user_id, "role": Role.admin.value}])
    user = CurrentUser(user_id, email, "Bench admin", frozenset({Role.admin.value}), None, "en", "bench")
    return Actor(user_id, "127.0.0.1"), user


# ---------------------------------------------------------------- the app as a subprocess


def bench_settings(url: str, folder: Path, **fields: Any) -> Settings:
    """The app's settings for a benchmark run: its database, a data folder in `folder`, a fixed secret key."""
    return Settings(
        database_url=url, data_dir=folder / "data", base_url=BASE_URL, secret_key=SECRET_KEY, **fields
    )


def environment(settings: Settings) -> dict[str, str]:
    """The NISA_* variables that give an app process these settings."""
    return {f"NISA_{name.upper()}": str(getattr(settings, name)) for name in settings.model_fields_set}


@dataclass
class AppServer:
    """`nisa serve` (one uvicorn worker) in a process of its own, logging to a file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory_mb(self) -> tuple[float, float]:
        """(resident now, peak resident) of the server process, in MB."""
        return resident_mb(self.process.pid)


@contextmanager
def app_server(settings: Settings, port: int, log: Path) -> Iterator[AppServer]:
    """Serve the app with these settings until the block ends; ready when /health/ready says so."""
    nisa = Path(sys.executable).parent / "nisa"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(nisa), "serve", "--port", str(port)],
            env=os.environ | environment(settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        server = AppServer(process, port, log)
        try:
            _wait_ready(server)
            yield server
        finally:
            stop_process(process)


def _wait_ready(server: AppServer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the app stopped while starting:\n{server.log.read_text()[-3000:]}")
        if answers_ready(server.url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the app was not ready within {timeout:.0f} s:\n{server.log.read_text()[-3000:]}")


# ---------------------------------------------------------------- figures


def resident_mb(pid: int | Literal["self"] = "self") -> tuple[float, float]:
    """(resident now, peak resident since start or since reset_peak_memory) of a process, in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def children_peak_mb() -> float:
    """The peak resident sizes of this process's child processes (e.g. a worker pool), added up, in MB."""
    children = Path(f"/proc/self/task/{os.getpid()}/children").read_text().split()
    return sum(resident_mb(int(pid))[1] for pid in children)


def reset_peak_memory() -> None:
    """Start this process's peak resident size again from now (Linux), so a phase reports its own peak."""
    Path("/proc/self/clear_refs").write_text("5")


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value at least q% of the values are not above."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], out: IO[str] = sys.stdout) -> None:
    """A plain text table: first column left-aligned, the figures right-aligned."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        line = "  ".join(
            value.ljust(width) if i == 0 else value.rjust(width)
            for i, (value, width) in enumerate(zip(row, widths, strict=True))
        )
        print(line, file=out)
        if n == 0:
            print("  ".join("-" * width for width in widths), file=out)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
