"""The scheduled jobs: what runs when, with the title and schedule in words the admin page shows."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import cache
from importlib import import_module

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from training.i18n import N_, PHNOM_PENH, format_datetime, format_number, gettext, ngettext
from training.notifications import jobs as notification_jobs
from training.scheduling import backups, housekeeping
from training.scheduling.context import JobFunction
from training.settings import Settings

# Intervals count from this instant, not from the scheduler's start: every process (the scheduler, a
# standby taking over, the web page showing "next run") computes the same run times.
INTERVAL_ORIGIN = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Every:
    """Every few seconds or minutes, for work that must not wait (sending the outbox)."""

    seconds: int

    def trigger(self) -> BaseTrigger:
        return IntervalTrigger(seconds=self.seconds, start_date=INTERVAL_ORIGIN)

    def describe(self) -> str:
        if self.seconds % 60:
            return ngettext("Every %(num)s second", "Every %(num)s seconds", self.seconds) % {
                "num": format_number(self.seconds)
            }
        minutes = self.seconds // 60
        return ngettext("Every %(num)s minute", "Every %(num)s minutes", minutes) % {
            "num": format_number(minutes)
        }


@dataclass(frozen=True)
class Hourly:
    minute: int

    def trigger(self) -> BaseTrigger:
        return CronTrigger(minute=self.minute, timezone=UTC)

    def describe(self) -> str:
        return gettext("Every hour, at %(minute)s minutes past") % {"minute": format_number(self.minute)}


@dataclass(frozen=True)
class Daily:
    """Once a day at a time of day in Cambodia (nightly work at night there, wherever the server is)."""

    at: time

    def trigger(self) -> BaseTrigger:
        return CronTrigger(hour=self.at.hour, minute=self.at.minute, timezone=PHNOM_PENH)

    def describe(self) -> str:
        at = datetime.combine(datetime(2026, 1, 1), self.at, tzinfo=PHNOM_PENH)
        return gettext("Every day at %(time)s") % {"time": format_datetime(at, "HH:mm")}


Schedule = Every | Hourly | Daily


@dataclass(frozen=True)
class ScheduledJob:
    name: str  # stable: job_run rows and "run now" URLs name the job by it
    title: str  # msgid, shown translated on the admin page
    schedule: Schedule
    run: JobFunction

    def next_run(self, now: datetime) -> datetime | None:
        return self.schedule.trigger().get_next_fire_time(None, now)


JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob("send_outbox", N_("Send the email outbox"), Every(30), notification_jobs.send_outbox),
    # Hourly, so a session planned during the day still gets its reminder; each is queued once.
    ScheduledJob(
        "session_reminders",
        N_("Session reminders to trainees, the day before"),
        Hourly(10),
        notification_jobs.session_reminders,
    ),
    ScheduledJob(
        "attendance_warnings",
        N_("Attendance warnings to trainers"),
        Hourly(20),
        notification_jobs.attendance_warnings,
    ),
    # In the morning in Cambodia, when holders read their mail.
    ScheduledJob(
        "expiry_reminders",
        N_("Certificate expiry reminders: 90 and 30 days before, and on the day"),
        Daily(time(8, 0)),
        notification_jobs.expiry_reminders,
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
