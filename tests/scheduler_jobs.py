"""A job registry for the scheduler's process tests (NISA_SCHEDULER_JOBS=tests.scheduler_jobs:JOBS): a job
that runs every second, and a slow idempotent one that can be killed half-way."""

import asyncio
from datetime import time

from sqlmodel import col, select

from foundation.outbox.models import OutboxMessage, OutboxStatus
from foundation.scheduling.context import JobContext
from foundation.scheduling.schedules import Daily, Every, ScheduledJob

REFERENCE = "tests.scheduler_jobs:JOBS"
# Long enough per message that a test can kill the scheduler in the middle of a run.
SECONDS_PER_MESSAGE = 0.15


async def tick(context: JobContext) -> int:
    return 1


async def deliver_slowly(context: JobContext) -> int:
    """Marks pending outbox messages sent one at a time, each in its own transaction, like a real sender:
    killed half-way, the next run delivers the rest and none twice."""
    delivered = 0
    async with context.sessionmaker() as session:
        while True:
            message = (
                await session.execute(
                    select(OutboxMessage)
                    .where(col(OutboxMessage.status) == OutboxStatus.pending)
                    .order_by(col(OutboxMessage.id))
                    .limit(1)
                )
            ).scalar_one_or_none()
            if message is None:
                return delivered
            await asyncio.sleep(SECONDS_PER_MESSAGE)
            message.status, message.sent_at = OutboxStatus.sent, context.now
            message.attempts += 1
            await session.commit()
            delivered += 1


JOBS = (
    ScheduledJob("tick", "Tick", Every(1), tick),
    # Never due during a test: it runs when a test asks for it.
    ScheduledJob("deliver", "Deliver slowly", Daily(time(3, 0)), deliver_slowly),
)
