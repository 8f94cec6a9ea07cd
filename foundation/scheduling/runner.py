"""Running jobs in the active scheduler, one run of each job at a time, with a job_run record of each."""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from time import monotonic
from typing import Any

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from foundation.clock import utcnow
from foundation.columns import row_id
from foundation.scheduling.context import JobContext
from foundation.scheduling.models import INTERRUPTED, JobOutcome, JobRun
from foundation.scheduling.schedules import ScheduledJob
from foundation.settings import Settings

logger = logging.getLogger(__name__)
ERROR_LENGTH = 2000


async def mark_interrupted_runs(session: AsyncSession, now: datetime) -> int:
    """Runs still "running" when a scheduler becomes active belong to one that died: they failed."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(JobRun)
        .where(col(JobRun.outcome) == JobOutcome.running)
        .values(outcome=JobOutcome.failed, finished_at=now, error=INTERRUPTED)
    )
    await session.commit()
    return int(result.rowcount)


class JobRunner:
    """Starts the runs of one scheduler process. Two runs of the same job never overlap here (a "run now"
    waits for the scheduled run in progress); the lock keeps other processes from running any."""

    def __init__(
        self,
        jobs: Mapping[str, ScheduledJob],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        instance: str,
    ) -> None:
        self.jobs = jobs
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.instance = instance
        self._one_at_a_time: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._requests_in_hand: set[int] = set()

    async def run_on_schedule(self, name: str) -> None:
        """APScheduler calls this at each of the job's run times."""
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            async with self._one_at_a_time[name]:
                now = utcnow()
                run = JobRun(job=name, outcome=JobOutcome.running, started_at=now, instance=self.instance)
                async with self.sessionmaker() as session:
                    session.add(run)
                    await session.commit()
                await self._run(self.jobs[name], row_id(run), now)
        finally:
            self._tasks.discard(task)

    def start_requested(self, run_id: int, name: str) -> None:
        """Start a run an administrator asked for ("run now"), unless it is already in hand."""
        if run_id in self._requests_in_hand:
            return
        self._requests_in_hand.add(run_id)
        task = asyncio.create_task(
            self._run_requested(run_id, name), name=f"requested run {run_id} of {name}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_requested(self, run_id: int, name: str) -> None:
        try:
            job = self.jobs.get(name)
            if job is None:
                await self._record(
                    run_id, JobOutcome.requested, error=f"No job named {name!r} in this version."
                )
                return
            async with self._one_at_a_time[name]:
                now = utcnow()
                if await self._claim(run_id, now):
                    await self._run(job, run_id, now)
        finally:
            self._requests_in_hand.discard(run_id)

    async def _claim(self, run_id: int, now: datetime) -> bool:
        async with self.sessionmaker() as session:
            result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
                update(JobRun)
                .where(col(JobRun.id) == run_id, col(JobRun.outcome) == JobOutcome.requested)
                .values(outcome=JobOutcome.running, started_at=now, instance=self.instance)
            )
            await session.commit()
        return bool(result.rowcount)

    async def _run(self, job: ScheduledJob, run_id: int, now: datetime) -> None:
        started = monotonic()
        try:
            items = await job.run(JobContext(self.sessionmaker, self.settings, now))
        except asyncio.CancelledError:
            logger.warning("Job %s (run %s) interrupted", job.name, run_id)
            await self._record_quietly(run_id, error=INTERRUPTED)
            raise
        except Exception as problem:
            logger.exception("Job %s (run %s) failed", job.name, run_id)
            await self._record(run_id, error=f"{type(problem).__name__}: {problem}"[:ERROR_LENGTH])
        else:
            level = logging.INFO if items else logging.DEBUG
            logger.log(
                level, "Job %s (run %s): %s items in %.1f s", job.name, run_id, items, monotonic() - started
            )
            await self._record(run_id, items=items)

    async def _record(
        self,
        run_id: int,
        from_outcome: JobOutcome = JobOutcome.running,
        *,
        items: int = 0,
        error: str | None = None,
    ) -> None:
        """The run's end; conditional, so a run another scheduler already marked interrupted stays so."""
        async with self.sessionmaker() as session:
            await session.execute(
                update(JobRun)
                .where(col(JobRun.id) == run_id, col(JobRun.outcome) == from_outcome)
                .values(
                    outcome=JobOutcome.failed if error else JobOutcome.succeeded,
                    finished_at=utcnow(),
                    items=items,
                    error=error,
                )
            )
            await session.commit()

    async def _record_quietly(self, run_id: int, *, error: str) -> None:
        # Interrupted because the database went away, perhaps: then the next active scheduler marks it.
        try:
            await self._record(run_id, error=error)
        except Exception as problem:
            logger.warning("Could not record the end of run %s: %s", run_id, problem)

    async def finish_or_abandon(self, grace: float) -> None:
        """Let the runs in progress finish for up to `grace` seconds, then cancel them (each marked so)."""
        unfinished = set(self._tasks)
        if unfinished and grace > 0:
            _, unfinished = await asyncio.wait(unfinished, timeout=grace)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
