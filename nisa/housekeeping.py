"""Housekeeping: purge records that have served their purpose. The audit log, certificates and their
verification log are never purged here."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import CursorResult, Delete, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from foundation.database import unit_of_work
from foundation.scheduling.context import JobContext
from foundation.scheduling.models import JobOutcome, JobRun, SchedulerInstance
from people.models import LoginFailure, WebSession

# Throttling only looks back NISA_LOGIN_WINDOW_MINUTES; a day of failures is kept to look into an attack.
SIGN_IN_FAILURES_KEPT = timedelta(days=1)
# Runs that found nothing to do (the outbox is looked at every 30 seconds) would fill the table; a couple of
# days of them show that the scheduler was alive.
IDLE_RUNS_KEPT = timedelta(days=2)
# A scheduler that has not written its heartbeat for a day is gone (killed, its machine replaced).
SCHEDULERS_KEPT = timedelta(days=1)

Purge = Callable[[AsyncSession, JobContext], Awaitable[int]]


async def _deleted(session: AsyncSession, statement: Delete) -> int:
    result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount)


async def purge_expired_sign_ins(session: AsyncSession, context: JobContext) -> int:
    return await _deleted(session, delete(WebSession).where(col(WebSession.expires_at) <= context.now))


async def purge_old_sign_in_failures(session: AsyncSession, context: JobContext) -> int:
    kept = max(SIGN_IN_FAILURES_KEPT, timedelta(minutes=context.settings.login_window_minutes))
    return await _deleted(session, delete(LoginFailure).where(col(LoginFailure.at) < context.now - kept))


async def purge_old_job_runs(session: AsyncSession, context: JobContext) -> int:
    finished = col(JobRun.outcome).in_([JobOutcome.succeeded, JobOutcome.failed])
    old = col(JobRun.finished_at) < context.now - timedelta(days=context.settings.job_run_keep_days)
    idle = (
        (col(JobRun.outcome) == JobOutcome.succeeded)
        & (col(JobRun.items) == 0)
        & (col(JobRun.finished_at) < context.now - IDLE_RUNS_KEPT)
    )
    return await _deleted(session, delete(JobRun).where(finished, old | idle))


async def purge_departed_schedulers(session: AsyncSession, context: JobContext) -> int:
    stale = col(SchedulerInstance.seen_at) < context.now - SCHEDULERS_KEPT
    return await _deleted(session, delete(SchedulerInstance).where(stale))


PURGES: tuple[Purge, ...] = (
    purge_expired_sign_ins,
    purge_old_sign_in_failures,
    purge_old_job_runs,
    purge_departed_schedulers,
)


async def purge_expired_records(context: JobContext) -> int:
    """All purges in one transaction; returns the number of rows removed. A second run removes nothing."""
    async with unit_of_work(context.sessionmaker) as session:
        return sum([await purge(session, context) for purge in PURGES])
