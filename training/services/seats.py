"""Seats of a cohort: capacity held by a guarded UPDATE of its row, and the waitlist filling free seats."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id
from training.messages import WAITLIST_PROMOTED, tell_enrolled
from training.models import Cohort, Enrolment, EnrolmentStatus


async def seat_statuses(session: AsyncSession, cohort_id: int, wanted: int) -> list[str]:
    """Seats for `wanted` trainees, in their order: enrolled while seats are free, then waitlisted.

    The one capacity rule, for one enrolment or a whole import: the cohort's row is locked, the free seats
    counted and taken by one UPDATE guarded by `enrolled_count + taken <= capacity`, so concurrent callers
    queue on the row and a cohort never goes over capacity."""
    seats = await session.execute(
        select(Cohort.capacity, Cohort.enrolled_count).where(col(Cohort.id) == cohort_id).with_for_update()
    )
    capacity, enrolled_count = seats.one()
    taken = max(0, min(wanted, capacity - enrolled_count))
    if taken:
        changed = await session.execute(
            update(Cohort)
            .where(col(Cohort.id) == cohort_id, col(Cohort.enrolled_count) + taken <= col(Cohort.capacity))
            .values(enrolled_count=col(Cohort.enrolled_count) + taken)
            .returning(col(Cohort.id))
            .execution_options(synchronize_session=False)
        )
        # The guard is what holds capacity where rows cannot be locked: if it refused, no seat was taken.
        if changed.first() is None:
            taken = 0
    return [EnrolmentStatus.enrolled.value] * taken + [EnrolmentStatus.waitlisted.value] * (wanted - taken)


async def take_seat(session: AsyncSession, cohort_id: int) -> bool:
    """Take a free seat if there is one (the rule of `seat_statuses`, for one trainee)."""
    return await seat_statuses(session, cohort_id, 1) == [EnrolmentStatus.enrolled.value]


async def release_seat(session: AsyncSession, cohort_id: int) -> None:
    await session.execute(
        update(Cohort)
        .where(col(Cohort.id) == cohort_id)
        .values(enrolled_count=col(Cohort.enrolled_count) - 1)
        .execution_options(synchronize_session=False)
    )


async def fill_free_seats(session: AsyncSession, actor: Actor, cohort_id: int) -> list[Enrolment]:
    """Promote waitlisted trainees, first asked first served, while seats are free, and tell them."""
    promoted: list[Enrolment] = []
    while True:
        candidate = (
            (
                await session.execute(
                    select(Enrolment)
                    .where(
                        col(Enrolment.cohort_id) == cohort_id,
                        col(Enrolment.status) == EnrolmentStatus.waitlisted.value,
                    )
                    .order_by(col(Enrolment.requested_at), col(Enrolment.id))
                    .limit(1)
                    .with_for_update(skip_locked=True)
                    .execution_options(populate_existing=True)
                )
            )
            .scalars()
            .first()
        )
        if candidate is None or not await take_seat(session, cohort_id):
            await tell_enrolled(session, [row_id(e) for e in promoted], WAITLIST_PROMOTED)
            return promoted
        before = audit.snapshot(candidate)
        candidate.status = EnrolmentStatus.enrolled.value
        candidate.status_changed_at = utcnow()
        await session.flush()
        audit.record(session, actor, "enrolment.promote", candidate, before, audit.snapshot(candidate))
        promoted.append(candidate)
