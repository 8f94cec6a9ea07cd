"""Real `nisa scheduler` processes on one database: one active, the other on standby taking over when the
first is killed; a run killed half-way is marked and its work completed once; "run now" from the admin
page; `nisa run` starts the web app and the scheduler and Ctrl-C stops both; a PostgreSQL restart."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from foundation.database import create_engine, create_sessionmaker
from foundation.outbox.models import OutboxMessage, OutboxStatus
from foundation.roles import Role
from foundation.scheduling.models import INTERRUPTED, JobOutcome, JobRun, SchedulerInstance
from tests.conftest import ROOT, migrate, sign_in
from tests.factories import make_user
from tests.postgres import TemporaryPostgres, find_postgres_tools, free_port
from tests.scheduler_jobs import REFERENCE

T = TypeVar("T")
TICK = "0.3"
MESSAGES = 20


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """The app under test lists the same jobs as the scheduler processes."""
    return settings.model_copy(update={"scheduler_jobs": REFERENCE, "scheduler_tick_seconds": float(TICK)})


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `nisa ...` processes on a database; whatever is still running is killed at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(database_url: str, *arguments: str, jobs: str = REFERENCE) -> subprocess.Popen[bytes]:
        environment = os.environ | {
            "NISA_DATABASE_URL": database_url,
            "NISA_DATA_DIR": str(tmp_path),
            "NISA_SCHEDULER_TICK_SECONDS": TICK,
            "NISA_SCHEDULER_JOBS": jobs,
        }
        log = (tmp_path / f"process-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "nisa.cli", *arguments],
            env=environment,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    # SIGTERM first: `nisa run` passes it on to its children, which SIGKILL would leave behind.
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def eventually(
    maker: async_sessionmaker[AsyncSession],
    read: Callable[[AsyncSession], Awaitable[T]],
    until: Callable[[T], bool],
    timeout: float = 20,
) -> T:
    """Read the database (a new session each time) until the answer satisfies `until`."""
    deadline = time.monotonic() + timeout
    while True:
        async with maker() as session:
            value = await read(session)
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {timeout} s")
        await asyncio.sleep(0.1)


async def runs_of(session: AsyncSession, job: str) -> list[JobRun]:
    runs = await session.execute(select(JobRun).where(col(JobRun.job) == job).order_by(col(JobRun.id)))
    return list(runs.scalars())


async def delivered(session: AsyncSession) -> int:
    sent = select(func.count()).where(col(OutboxMessage.status) == OutboxStatus.sent)
    return int((await session.execute(sent)).scalar_one())


async def schedulers(session: AsyncSession) -> list[SchedulerInstance]:
    return list((await session.execute(select(SchedulerInstance))).scalars())


async def ask_for(maker: async_sessionmaker[AsyncSession], job: str) -> int:
    async with maker() as session:
        run = JobRun(job=job, outcome=JobOutcome.requested)
        session.add(run)
        await session.commit()
        assert run.id is not None
        return run.id


async def the_run(
    maker: async_sessionmaker[AsyncSession], run_id: int, until: Callable[[Any], bool]
) -> JobRun:
    async def read(session: AsyncSession) -> JobRun | None:
        return await session.get(JobRun, run_id)

    run = await eventually(maker, read, lambda found: found is not None and until(found))
    assert run is not None
    return run


async def test_one_of_two_schedulers_runs_jobs_and_the_other_takes_over_a_killed_one(
    database_url, maker, spawn
):
    async with maker() as session:
        session.add_all(
            OutboxMessage(template="test", recipient=f"r{n}@example.org") for n in range(MESSAGES)
        )
        await session.commit()
    slow_run = await ask_for(maker, "deliver")
    first, second = spawn(database_url, "scheduler"), spawn(database_url, "scheduler")

    # Both up (one active, one on standby), and the slow run well under way.
    both = await eventually(maker, schedulers, lambda found: len(found) == 2 and any(s.active for s in found))
    await eventually(maker, delivered, lambda count: count >= 1)
    active = next(s for s in both if s.active)
    await eventually(maker, lambda session: runs_of(session, "tick"), lambda runs: len(runs) >= 2)
    async with maker() as session:
        ran_by = {run.instance for run in await runs_of(session, "tick")} | {
            run.instance for run in await runs_of(session, "deliver")
        }
        assert ran_by == {active.id}, "only the active scheduler runs jobs"
        assert [s.active for s in await schedulers(session)].count(True) == 1

    victim = first if first.pid == active.pid else second
    victim.kill()  # SIGKILL: no clean-up of any kind
    killed_at = time.monotonic()
    interrupted = await the_run(maker, slow_run, lambda run: run.outcome != JobOutcome.running)
    assert time.monotonic() - killed_at < 5, "the standby takes over within seconds"
    assert interrupted.outcome == JobOutcome.failed and interrupted.error == INTERRUPTED
    assert interrupted.instance == active.id
    async with maker() as session:
        delivered_before = await delivered(session)
    assert delivered_before < MESSAGES, "killed half-way through"

    # The survivor runs the jobs now, and a new run of the killed job completes its work, each message once.
    survivor = await eventually(
        maker,
        lambda session: runs_of(session, "tick"),
        lambda runs: runs[-1].instance not in (None, active.id) and runs[-1].outcome == JobOutcome.succeeded,
    )
    again = await ask_for(maker, "deliver")
    finished = await the_run(maker, again, lambda run: run.outcome == JobOutcome.succeeded)
    assert finished.instance == survivor[-1].instance
    async with maker() as session:
        messages = list((await session.execute(select(OutboxMessage))).scalars())
    assert {(m.status, m.attempts) for m in messages} == {(OutboxStatus.sent, 1)}
    assert finished.items == MESSAGES - delivered_before


async def test_run_now_on_the_admin_page_is_picked_up_by_the_running_scheduler(
    client, db, database_url, maker, spawn
):
    spawn(database_url, "scheduler")
    await eventually(maker, schedulers, lambda found: any(s.active for s in found))
    admin = await make_user(db, [Role.admin])
    await sign_in(client, admin.email)
    htmx = {"hx-request": "true"}

    asked = await client.post(
        "/admin/jobs/deliver/run", headers=htmx | {"x-csrftoken": client.cookies["csrftoken"]}
    )
    assert asked.status_code == 200
    assert 'hx-trigger="every 2s"' in asked.text, "the page keeps looking while the run is pending"

    deadline = time.monotonic() + 10
    while 'hx-trigger="every 2s"' in (page := await client.get("/admin/jobs", headers=htmx)).text:
        assert time.monotonic() < deadline, "the scheduler did not pick up the request"
        await asyncio.sleep(0.2)
    async with maker() as session:
        (run,) = await runs_of(session, "deliver")
    assert run.outcome == JobOutcome.succeeded and run.requested_by == admin.id
    assert run.instance is not None and run.started_at is not None
    assert "job-succeeded" in page.text.split('id="job-deliver"')[1].split("</tr>")[0]


async def web_answers(port: int, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as web:
        while True:
            try:
                return (await web.get(f"http://127.0.0.1:{port}/health/live", timeout=2)).status_code
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)


async def test_nisa_run_serves_and_schedules_and_ctrl_c_stops_both(database_url, maker, spawn):
    port = free_port()
    together = spawn(database_url, "run", "--port", str(port), jobs="")  # the product's own jobs
    await eventually(maker, schedulers, lambda found: any(s.active for s in found), timeout=30)
    assert await web_answers(port) == 200
    housekeeping = await ask_for(maker, "housekeeping")
    await the_run(maker, housekeeping, lambda run: run.outcome == JobOutcome.succeeded)
    async with maker() as session:
        (scheduler,) = await schedulers(session)

    together.send_signal(signal.SIGINT)
    assert together.wait(timeout=20) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(scheduler.pid, 0)
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as web:
            await web.get(f"http://127.0.0.1:{port}/health/live", timeout=2)
    async with maker() as session:
        assert await schedulers(session) == [], "the scheduler stopped cleanly and said so"


@pytest.fixture
def own_postgres() -> Iterator[TemporaryPostgres]:
    """A PostgreSQL server of this test's own, to stop and start again."""
    tools = find_postgres_tools()
    if tools is None:
        pytest.skip("PostgreSQL is not installed here (no initdb/pg_ctl)")
    with TemporaryPostgres(tools) as server:
        yield server


async def test_the_scheduler_goes_on_through_a_postgresql_restart(own_postgres, spawn, tmp_path):
    admin = await asyncpg.connect(own_postgres.url.replace("postgresql+asyncpg", "postgresql") + "/postgres")
    await admin.execute("CREATE DATABASE nisa")
    await admin.close()
    database_url = f"{own_postgres.url}/nisa"
    migrate(database_url)
    scheduler = spawn(database_url, "scheduler")
    engine = create_engine(database_url)
    maker = create_sessionmaker(engine)
    before = await eventually(maker, lambda session: runs_of(session, "tick"), lambda runs: len(runs) >= 2)
    await engine.dispose()

    own_postgres.stop()  # immediate: every connection, the lock's too, is cut
    await asyncio.sleep(2)
    assert scheduler.poll() is None, "the scheduler waits for the database, it does not exit"
    own_postgres.start()

    engine = create_engine(database_url)
    try:
        runs = await eventually(
            create_sessionmaker(engine),
            lambda session: runs_of(session, "tick"),
            lambda runs: any(run.id > before[-1].id and run.outcome == JobOutcome.succeeded for run in runs),
        )
    finally:
        await engine.dispose()
    assert {run.instance for run in runs} == {before[0].instance}, "the same process, active again"
    log = (tmp_path / "process-0.log").read_text()
    assert "lost its lock: STANDBY" in log and log.count("is ACTIVE") == 2
