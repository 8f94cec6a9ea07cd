"""The clock: now in UTC for timestamps, and today as it is in Phnom Penh for every date rule."""

from datetime import UTC, date, datetime

from foundation.i18n import PHNOM_PENH


def utcnow() -> datetime:
    return datetime.now(UTC)


def cambodian_now() -> datetime:
    """Now as a wall clock in Cambodia shows it: whether a session's end has passed is local."""
    return datetime.now(PHNOM_PENH)


def today() -> date:
    """Today in Cambodia, whatever the server's time zone: dates of sessions and certificates are local."""
    return datetime.now(PHNOM_PENH).date()


def cambodian_day(now: datetime) -> date:
    """The date in Cambodia at this instant (a job's clock)."""
    return now.astimezone(PHNOM_PENH).date()
