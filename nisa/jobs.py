"""The jobs the scheduler runs: what runs when, with the title and schedule in words the admin page shows.

Each job is idempotent and returns how many things it did (see foundation.scheduling.context).
"""

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, time
from functools import cache
from importlib import import_module

from sqlalchemy.ext.asyncio import AsyncSession

from certificates import reminders as certificate_reminders
from foundation.database import unit_of_work
from foundation.i18n import N_
from foundation.outbox import sender
from foundation.scheduling import backups
from foundation.scheduling.context import JobContext
from foundation.scheduling.schedules import Daily, Every, Hourly, ScheduledJob
from foundation.settings import Settings
from nisa import housekeeping
from training import reminders


async def send_outbox(ctx: JobContext) -> int:
    """Send the messages that are due; retry temporary failures later (see foundation.outbox.sender)."""
    return await sender.send_due(ctx.sessionmaker, ctx.settings, ctx.now)


async def _queue(ctx: JobContext, reminder: Callable[[AsyncSession, datetime], Awaitable[int]]) -> int:
    """One unit of work: a run that dies queues nothing, and the next queues it all."""
    async with unit_of_work(ctx.sessionmaker) as session:
        return await reminder(session, ctx.now)


async def session_reminders(ctx: JobContext) -> int:
    """Remind trainees of their session tomorrow (Cambodian date)."""
    return await _queue(ctx, reminders.remind_sessions)


async def expiry_reminders(ctx: JobContext) -> int:
    """Remind certificate holders 90 and 30 days before expiry, and tell them on the day."""
    return await _queue(ctx, certificate_reminders.remind_expiring_certificates)


async def attendance_warnings(ctx: JobContext) -> int:
    """Tell trainers when a trainee's attendance falls below the course's threshold."""
    return await _queue(ctx, reminders.warn_low_attendance)


JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob("send_outbox", N_("Send the email outbox"), Every(30), send_outbox),
    # Hourly, so a session planned during the day still gets its reminder; each is queued once.
    ScheduledJob(
        "session_reminders",
        N_("Session reminders to trainees, the day before"),
        Hourly(10),
        session_reminders,
    ),
    ScheduledJob(
        "attendance_warnings",
        N_("Attendance warnings to trainers"),
        Hourly(20),
        attendance_warnings,
    ),
    # In the morning in Cambodia, when holders read their mail.
    ScheduledJob(
        "expiry_reminders",
        N_("Certificate expiry reminders: 90 and 30 days before, and on the day"),
        Daily(time(8, 0)),
        expiry_reminders,
    ),
    ScheduledJob(
        "housekeeping",
        N_("Housekeeping: purge expired sign-ins, old sign-in failures and old job runs"),
        Daily(time(2, 30)),
        housekeeping.purge_expired_records,
    ),
    ScheduledJob(
        "backup",
        N_("Nightly database backup"),
        Daily(time(1, 30)),
        backups.nightly_backup,
    ),
)


@cache
def _load(reference: str) -> Mapping[str, ScheduledJob]:
    if not reference:
        jobs = JOBS
    else:
        module, _, attribute = reference.partition(":")
        jobs = getattr(import_module(module), attribute)
    return {job.name: job for job in jobs}


def scheduled_jobs(settings: Settings) -> Mapping[str, ScheduledJob]:
    """The jobs by name, in the order the admin page lists them (NISA_SCHEDULER_JOBS replaces them in the
    scheduler's own tests)."""
    return _load(settings.scheduler_jobs)
