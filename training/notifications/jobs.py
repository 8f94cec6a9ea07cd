"""The notification jobs the scheduler runs: the outbox sender and the three reminder jobs.

Each is idempotent and returns how many messages it sent or queued (see training.scheduling.context).
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from training.notifications import reminders, sender
from training.scheduling.context import JobContext


async def send_outbox(ctx: JobContext) -> int:
    """Send the messages that are due; retry temporary failures later (see training.notifications.sender)."""
    return await sender.send_due(ctx.sessionmaker, ctx.settings, ctx.now)


async def _queue(ctx: JobContext, reminder: Callable[[AsyncSession, datetime], Awaitable[int]]) -> int:
    """One transaction: a run that dies queues nothing, and the next queues it all."""
    async with ctx.sessionmaker() as session:
        queued = await reminder(session, ctx.now)
        await session.commit()
    return queued


async def session_reminders(ctx: JobContext) -> int:
    """Remind trainees of their session tomorrow (Cambodian date)."""
    return await _queue(ctx, reminders.remind_sessions)


async def expiry_reminders(ctx: JobContext) -> int:
    """Remind certificate holders 90 and 30 days before expiry, and tell them on the day."""
    return await _queue(ctx, reminders.remind_expiring_certificates)


async def attendance_warnings(ctx: JobContext) -> int:
    """Tell trainers when a trainee's attendance falls below the course's threshold."""
    return await _queue(ctx, reminders.warn_low_attendance)
