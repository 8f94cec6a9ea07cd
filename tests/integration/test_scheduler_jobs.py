"""The scheduler's own jobs on a fixed clock, and the run records the runner keeps (SQLite and PostgreSQL)."""

import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col, select

from foundation.audit import AuditEntry
from foundation.database import create_engine, create_sessionmaker
from foundation.roles import Role
from foundation.scheduling import backups
from foundation.scheduling.context import JobContext
from foundation.scheduling.models import INTERRUPTED, JobOutcome, JobRun, SchedulerInstance
from foundation.scheduling.runner import JobRunner, mark_interrupted_runs
from foundation.scheduling.schedules import Every, ScheduledJob
from nisa.housekeeping import purge_expired_records
from people.models import LoginFailure, WebSession
from tests.factories import make_trainee, make_user

NOW = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


async def count(session: AsyncSession, table: type[SQLModel]) -> int:
    return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_housekeeping_purges_what_has_served_its_purpose_and_a_second_run_nothing(db, maker, settings):
    user = await make_user(db, [Role.trainer])
    db.add_all(
        [
            # the audit log is never purged, however old
            AuditEntry(
                action="user.create", entity_type="user_account", entity_id=str(user.id), at=ago(days=3650)
            ),
            WebSession(token_hash="expired", user_id=user.id, expires_at=ago(minutes=1)),
            WebSession(token_hash="current", user_id=user.id, expires_at=NOW + timedelta(hours=1)),
            LoginFailure(account="a@example.org", ip="10.0.0.1", at=ago(days=2)),
            LoginFailure(account="a@example.org", ip="10.0.0.1", at=ago(hours=2)),
            # finished long ago: purged; an idle run of three days ago: purged; one with work: kept
            JobRun(job="x", outcome=JobOutcome.failed, finished_at=ago(days=91), error="old"),
            JobRun(job="x", outcome=JobOutcome.succeeded, finished_at=ago(days=3), items=0),
            JobRun(job="x", outcome=JobOutcome.succeeded, finished_at=ago(days=3), items=5),
            JobRun(job="x", outcome=JobOutcome.requested, requested_at=ago(days=100)),
            SchedulerInstance(id="gone", host="h", pid=1, seen_at=ago(days=2)),
            SchedulerInstance(id="alive", host="h", pid=2, seen_at=ago(seconds=3)),
        ]
    )
    await db.commit()
    context = JobContext(maker, settings, NOW)

    assert await purge_expired_records(context) == 5
    assert await purge_expired_records(context) == 0

    db.expire_all()
    assert [s.token_hash for s in (await db.execute(select(WebSession))).scalars()] == ["current"]
    assert [f.at for f in (await db.execute(select(LoginFailure))).scalars()] == [ago(hours=2)]
    kept = (await db.execute(select(JobRun.outcome, JobRun.items).order_by(col(JobRun.id)))).all()
    assert kept == [(JobOutcome.succeeded, 5), (JobOutcome.requested, 0)]
    assert [s.id for s in (await db.execute(select(SchedulerInstance))).scalars()] == ["alive"]
    assert await count(db, AuditEntry) == 1


async def test_the_nightly_backup_keeps_the_newest_and_a_backup_holds_the_data(db, maker, settings):
    trainee = await make_trainee(db, name_latin="Chan Dara")
    settings = settings.model_copy(update={"backup_keep": 2})
    folder = backups.backups_dir(settings)
    folder.mkdir(parents=True)
    abandoned = folder / ".nisa-20260101-000000.db.partial"
    abandoned.write_bytes(b"half a backup")
    os.utime(abandoned, (0, 0))

    for night in range(3):
        assert await backups.nightly_backup(JobContext(maker, settings, NOW + timedelta(days=night))) == 1

    suffix = ".db" if settings.is_sqlite else ".dump"
    assert sorted(path.name for path in folder.iterdir()) == [
        f"nisa-20260311-200000{suffix}",
        f"nisa-20260312-200000{suffix}",
    ]
    newest = folder / f"nisa-20260312-200000{suffix}"
    if settings.is_sqlite:
        with sqlite3.connect(newest) as copy:
            assert copy.execute("SELECT name_latin FROM trainee").fetchall() == [(trainee.name_latin,)]
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",), "one self-contained file"
    else:
        assert newest.read_bytes().startswith(b"PGDMP"), "a pg_dump custom archive"

    off = settings.model_copy(update={"backup_keep": 0})
    assert await backups.nightly_backup(JobContext(maker, off, NOW + timedelta(days=9))) == 0
    assert len(list(folder.iterdir())) == 2


async def _always_fails(context: JobContext) -> int:
    raise RuntimeError("the mail server said no")


async def _handles_three(context: JobContext) -> int:
    return 3


JOBS = {
    job.name: job
    for job in (
        ScheduledJob("works", "Works", Every(60), _handles_three),
        ScheduledJob("fails", "Fails", Every(60), _always_fails),
    )
}


async def test_each_run_is_recorded_with_its_outcome_items_and_error(maker, settings):
    runner = JobRunner(JOBS, maker, settings, "test-instance")
    await runner.run_on_schedule("works")
    await runner.run_on_schedule("fails")
    async with maker() as session:
        unknown = JobRun(job="retired", outcome=JobOutcome.requested)
        session.add(unknown)
        await session.commit()
    runner.start_requested(unknown.id or 0, "retired")
    await runner.finish_or_abandon(grace=5)

    async with maker() as session:
        runs = (await session.execute(select(JobRun).order_by(col(JobRun.id)))).scalars().all()
    assert [(r.job, r.outcome, r.items, r.instance) for r in runs] == [
        ("works", JobOutcome.succeeded, 3, "test-instance"),
        ("fails", JobOutcome.failed, 0, "test-instance"),
        ("retired", JobOutcome.failed, 0, None),
    ]
    assert runs[1].error == "RuntimeError: the mail server said no"
    assert runs[2].error == "No job named 'retired' in this version."
    assert all(r.finished_at is not None for r in runs)
    assert runs[0].started_at is not None and runs[0].started_at <= runs[0].finished_at  # type: ignore[operator]


async def test_a_takeover_marks_the_runs_a_dead_scheduler_left_running(maker):
    async with maker() as session:
        session.add_all(
            [
                JobRun(job="x", outcome=JobOutcome.running, started_at=NOW, instance="dead"),
                JobRun(job="x", outcome=JobOutcome.requested),
                JobRun(job="x", outcome=JobOutcome.succeeded, finished_at=NOW),
            ]
        )
        await session.commit()
        assert await mark_interrupted_runs(session, NOW + timedelta(minutes=1)) == 1
        assert await mark_interrupted_runs(session, NOW + timedelta(minutes=2)) == 0
        runs = (await session.execute(select(JobRun).order_by(col(JobRun.id)))).scalars().all()
    assert [(r.outcome, r.error) for r in runs] == [
        (JobOutcome.failed, INTERRUPTED),
        (JobOutcome.requested, None),
        (JobOutcome.succeeded, None),
    ]
    assert runs[0].finished_at == NOW + timedelta(minutes=1)
