"""Schedules in words: every few seconds, hourly or daily at a time in Cambodia, and a scheduled job."""

from dataclasses import dataclass
from datetime import UTC, datetime, time

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from foundation.formatting import format_number, format_time
from foundation.i18n import PHNOM_PENH, gettext, ngettext
from foundation.scheduling.context import JobFunction

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
        return gettext("Every day at %(time)s") % {"time": format_time(self.at)}


Schedule = Every | Hourly | Daily


@dataclass(frozen=True)
class ScheduledJob:
    name: str  # stable: job_run rows and "run now" URLs name the job by it
    title: str  # msgid, shown translated on the admin page
    schedule: Schedule
    run: JobFunction

    def next_run(self, now: datetime) -> datetime | None:
        return self.schedule.trigger().get_next_fire_time(None, now)
