"""The `nisa scheduler` process: on standby until it holds the lock, then active, running the jobs on their
schedules and the runs administrators ask for; back to standby if it loses the lock."""

import asyncio
import logging
import os
import secrets
import signal
import socket
from collections.abc import Mapping
from contextlib import suppress
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from foundation.clock import utcnow
from foundation.database import DatabaseUnavailable, create_engine, create_sessionmaker
from foundation.scheduling.lock import scheduler_lock
from foundation.scheduling.models import JobOutcome, JobRun, SchedulerInstance
from foundation.scheduling.runner import JobRunner, mark_interrupted_runs
from foundation.scheduling.schedules import ScheduledJob
from foundation.settings import Settings

logger = logging.getLogger(__name__)

# On SIGTERM a run in progress may finish for this long (container runtimes wait 10 s before SIGKILL).
SHUTDOWN_GRACE_SECONDS = 8.0
# A run that starts this late (the process was busy or asleep) still runs; later, it waits for the next.
MISFIRE_GRACE_SECONDS = 300


class SchedulerProcess:
    def __init__(self, settings: Settings, jobs: Mapping[str, ScheduledJob]) -> None:
        self.settings = settings
        self.jobs = jobs
        self.host, self.pid = socket.gethostname()[:60], os.getpid()
        # Names this process in job_run rows and on the admin page.
        self.instance = f"{self.host}:{self.pid}:{secrets.token_hex(3)}"
        self.tick = settings.scheduler_tick_seconds
        self.engine = create_engine(settings.effective_database_url)
        self.sessionmaker = create_sessionmaker(self.engine)
        self.lock = scheduler_lock(settings.effective_database_url, timeout=max(2 * self.tick, 2))
        self.runner = JobRunner(jobs, self.sessionmaker, settings, self.instance)
        self._apscheduler: AsyncIOScheduler | None = None
        self._said_standby = False

    @property
    def active(self) -> bool:
        return self._apscheduler is not None

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set (SIGTERM, SIGINT): then let a run in progress finish, and release the lock."""
        logger.info(
            "Scheduler %s started with %d jobs: %s", self.instance, len(self.jobs), ", ".join(self.jobs)
        )
        try:
            while not stop.is_set():
                await self._tick()
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.tick)
        finally:
            await self._stand_down(SHUTDOWN_GRACE_SECONDS)
            await self.lock.release()
            await self._forget_instance()
            await self.engine.dispose()
            logger.info("Scheduler %s stopped", self.instance)

    async def _tick(self) -> None:
        try:
            if self.active and not await self.lock.is_held():
                logger.warning(
                    "Scheduler %s lost its lock: STANDBY, its runs in progress are stopped", self.instance
                )
                await self._stand_down(0)
            if not self.active:
                await self._try_to_take_over()
            if self.active:
                await self._start_requested_runs()
            await self._heartbeat()
        except (DatabaseUnavailable, SQLAlchemyError, OSError, TimeoutError) as problem:
            logger.warning(
                "Scheduler %s cannot reach the database (%s); trying again", self.instance, problem
            )

    async def _try_to_take_over(self) -> None:
        if not await self.lock.acquire():
            if not self._said_standby:
                logger.info("Scheduler %s is on STANDBY: another scheduler holds the lock", self.instance)
                self._said_standby = True
            return
        try:
            async with self.sessionmaker() as session:
                interrupted = await mark_interrupted_runs(session, utcnow())
            self._apscheduler = self._scheduler()
        except BaseException:
            await self.lock.release()
            raise
        self._apscheduler.start()
        self._said_standby = False
        logger.info(
            "Scheduler %s is ACTIVE: it runs the jobs now (%d unfinished runs of a dead scheduler marked)",
            self.instance,
            interrupted,
        )

    def _scheduler(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=UTC)
        for job in self.jobs.values():
            scheduler.add_job(
                self.runner.run_on_schedule,
                trigger=job.schedule.trigger(),
                args=[job.name],
                id=job.name,
                name=job.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
            )
        return scheduler

    async def _stand_down(self, grace: float) -> None:
        scheduler, self._apscheduler = self._apscheduler, None
        if scheduler is None:
            return
        scheduler.pause()
        await self.runner.finish_or_abandon(grace)
        scheduler.shutdown(wait=False)
        await self.lock.release()

    async def _start_requested_runs(self) -> None:
        async with self.sessionmaker() as session:
            requested = await session.execute(
                select(JobRun.id, JobRun.job)
                .where(col(JobRun.outcome) == JobOutcome.requested)
                .order_by(col(JobRun.id))
            )
            for run_id, name in requested.all():
                self.runner.start_requested(run_id, name)

    async def _heartbeat(self) -> None:
        async with self.sessionmaker() as session:
            me = await session.get(SchedulerInstance, self.instance)
            if me is None:
                me = SchedulerInstance(id=self.instance, host=self.host, pid=self.pid)
                session.add(me)
            me.active, me.seen_at = self.active, utcnow()
            await session.commit()

    async def _forget_instance(self) -> None:
        with suppress(DatabaseUnavailable, SQLAlchemyError, OSError):
            async with self.sessionmaker() as session:
                await session.execute(
                    delete(SchedulerInstance).where(col(SchedulerInstance.id) == self.instance)
                )
                await session.commit()


async def run_scheduler(settings: Settings, jobs: Mapping[str, ScheduledJob]) -> None:
    """`nisa scheduler`: runs these jobs until SIGTERM or SIGINT."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler would log every start of every job (the outbox, twice a minute); our runner logs results.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await SchedulerProcess(settings, jobs).run(stop)
