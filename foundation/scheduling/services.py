"""The admin side of scheduled work: each job's last and next run, its recent runs, and "run now" requests
(recorded for the active scheduler to pick up: web workers never run jobs)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.errors import NotFound
from foundation.i18n import N_
from foundation.scheduling.models import JobOutcome, JobRun, SchedulerInstance
from foundation.scheduling.schedules import ScheduledJob

PENDING = (JobOutcome.requested, JobOutcome.running)
FINISHED = (JobOutcome.succeeded, JobOutcome.failed)
# A scheduler that has missed this many heartbeats (one a tick) is taken for dead.
MISSED_TICKS = 3


@dataclass(frozen=True)
class JobStatus:
    job: ScheduledJob
    last: JobRun | None  # the latest finished run
    pending: JobRun | None  # asked for, or running now
    next_run: datetime | None


def find_job(jobs: Mapping[str, ScheduledJob], name: str) -> ScheduledJob:
    if name not in jobs:
        raise NotFound(N_("No such job."))
    return jobs[name]


async def job_statuses(
    session: AsyncSession, jobs: Mapping[str, ScheduledJob], now: datetime
) -> list[JobStatus]:
    latest = select(func.max(JobRun.id)).where(col(JobRun.outcome).in_(FINISHED)).group_by(col(JobRun.job))
    finished = (await session.execute(select(JobRun).where(col(JobRun.id).in_(latest)))).scalars()
    last = {run.job: run for run in finished}
    pending_runs = await session.execute(
        select(JobRun).where(col(JobRun.outcome).in_(PENDING)).order_by(col(JobRun.id))
    )
    pending = {run.job: run for run in pending_runs.scalars()}
    return [
        JobStatus(job, last.get(name), pending.get(name), job.next_run(now)) for name, job in jobs.items()
    ]


@dataclass(frozen=True)
class JobsOverview:
    statuses: list[JobStatus]
    schedulers: list[SchedulerInstance]  # alive now, the active one first

    @property
    def active_scheduler(self) -> SchedulerInstance | None:
        return next((scheduler for scheduler in self.schedulers if scheduler.active), None)

    @property
    def waiting(self) -> bool:
        """Something asked for or running: the page looks again until it has finished."""
        return any(status.pending for status in self.statuses)


async def jobs_overview(
    session: AsyncSession, jobs: Mapping[str, ScheduledJob], now: datetime, tick_seconds: float
) -> JobsOverview:
    return JobsOverview(
        await job_statuses(session, jobs, now), await live_schedulers(session, now, tick_seconds)
    )


async def recent_runs(session: AsyncSession, job: ScheduledJob, limit: int = 30) -> list[JobRun]:
    runs = await session.execute(
        select(JobRun).where(col(JobRun.job) == job.name).order_by(col(JobRun.id).desc()).limit(limit)
    )
    return list(runs.scalars())


async def live_schedulers(
    session: AsyncSession, now: datetime, tick_seconds: float
) -> list[SchedulerInstance]:
    """The scheduler processes alive now, the active one first."""
    since = now - timedelta(seconds=MISSED_TICKS * tick_seconds)
    alive = await session.execute(
        select(SchedulerInstance)
        .where(col(SchedulerInstance.seen_at) >= since)
        .order_by(col(SchedulerInstance.active).desc(), col(SchedulerInstance.started_at))
    )
    return list(alive.scalars())


async def request_run(
    session: AsyncSession, actor: Actor, jobs: Mapping[str, ScheduledJob], name: str
) -> JobRun:
    """Ask the active scheduler to run a job now; asking again before it starts asks nothing more."""
    job = find_job(jobs, name)
    waiting = await session.execute(
        select(JobRun).where(col(JobRun.job) == job.name, col(JobRun.outcome) == JobOutcome.requested)
    )
    if (run := waiting.scalars().first()) is not None:
        return run
    run = JobRun(
        job=job.name, outcome=JobOutcome.requested, requested_by=actor.user_id, requested_at=utcnow()
    )
    session.add(run)
    await session.flush()
    audit.record(session, actor, "job.run_requested", run, None, audit.snapshot(run))
    return run
