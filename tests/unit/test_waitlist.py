"""Capacity and waitlist in the enrolment services, on both databases: seats, promotion in order, and
two enrolments racing for the last seat on two database connections."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foundation.audit import AuditEntry
from foundation.errors import Conflict, Forbidden
from foundation.i18n import current_language
from foundation.roles import Role
from people.models import UserRead
from people.services.auth import CurrentUser
from tests.curriculum_factories import make_course
from tests.delivery_factories import make_cohort
from tests.factories import SYSTEM, make_trainee, make_user
from training.models import Cohort, Enrolment
from training.schemas.cohorts import CohortUpdate
from training.schemas.enrolment import WithdrawalInput
from training.services import enrolment
from training.services.cohorts import update_cohort
from training.services.enrolment import waitlist_positions


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


def signed_in(user: UserRead) -> CurrentUser:
    return CurrentUser(user.id, user.email, user.display_name, frozenset(user.roles), None, "en", "")


async def cohort_of(db: AsyncSession, capacity: int) -> tuple[Cohort, CurrentUser]:
    """A cohort of a published course, and its trainer (signed in). The cohort's fields are read at once:
    `statuses` and `seats_taken` start fresh transactions, which expire every row read before."""
    trainer = await make_user(db, [Role.trainer])
    course = await make_course(db, status="published")
    cohort = await make_cohort(db, course, trainer_ids=[trainer.id], capacity=capacity)
    await db.refresh(cohort)
    db.expunge(cohort)
    return cohort, signed_in(trainer)


async def trainee_ids(db: AsyncSession, count: int) -> list[int]:
    return [(await make_trainee(db)).id for _ in range(count)]


async def statuses(db: AsyncSession, cohort_id: int) -> dict[int, str]:
    """trainee id > enrolment status, as stored now."""
    await db.rollback()
    rows = await db.execute(
        select(Enrolment.trainee_id, Enrolment.status).where(Enrolment.cohort_id == cohort_id)
    )
    return dict(rows.all())


async def seats_taken(db: AsyncSession, cohort_id: int) -> int:
    await db.rollback()
    return (await db.execute(select(Cohort.enrolled_count).where(Cohort.id == cohort_id))).scalar_one()


def test_waitlist_positions_follow_the_order_of_asking():
    asked = datetime(2025, 3, 1, 8, tzinfo=UTC)
    waiting = [
        Enrolment(
            id=5, cohort_id=1, trainee_id=1, status="waitlisted", requested_at=asked + timedelta(hours=2)
        ),
        Enrolment(id=3, cohort_id=1, trainee_id=2, status="enrolled", requested_at=asked),
        Enrolment(id=9, cohort_id=1, trainee_id=3, status="waitlisted", requested_at=asked),
        Enrolment(id=7, cohort_id=1, trainee_id=4, status="waitlisted", requested_at=asked),
    ]
    # Same moment: the earlier row (lower id) asked first.
    assert waitlist_positions(waiting) == {7: 1, 9: 2, 5: 3}


async def test_beyond_capacity_trainees_go_on_the_waitlist(db):
    cohort, trainer = await cohort_of(db, capacity=2)
    people = await trainee_ids(db, 3)
    for person in people:
        await enrolment.enrol(db, SYSTEM, trainer, cohort.id, person)
    await db.commit()  # the test is the caller: it owns the unit of work
    assert await statuses(db, cohort.id) == {
        people[0]: "enrolled",
        people[1]: "enrolled",
        people[2]: "waitlisted",
    }
    assert await seats_taken(db, cohort.id) == 2


async def test_a_freed_seat_goes_to_the_first_on_the_waitlist(db):
    cohort, trainer = await cohort_of(db, capacity=1)
    seated, first, second = await trainee_ids(db, 3)
    taken = await enrolment.enrol(db, SYSTEM, trainer, cohort.id, seated)
    await enrolment.enrol(db, SYSTEM, trainer, cohort.id, first)
    await enrolment.enrol(db, SYSTEM, trainer, cohort.id, second)

    await enrolment.withdraw(db, SYSTEM, trainer, cohort.id, taken.id, WithdrawalInput(reason="Moved away"))
    await db.commit()  # the test is the caller: it owns the unit of work

    assert await statuses(db, cohort.id) == {seated: "withdrawn", first: "enrolled", second: "waitlisted"}
    assert await seats_taken(db, cohort.id) == 1
    [promotion] = (
        await db.execute(select(AuditEntry).where(AuditEntry.action == "enrolment.promote"))
    ).scalars()
    assert promotion.before["status"] == "waitlisted" and promotion.after["status"] == "enrolled"
    assert promotion.before["trainee_id"] == first


async def test_withdrawing_from_the_waitlist_frees_no_seat(db):
    cohort, trainer = await cohort_of(db, capacity=1)
    seated, first, second = await trainee_ids(db, 3)
    await enrolment.enrol(db, SYSTEM, trainer, cohort.id, seated)
    waiting = await enrolment.enrol(db, SYSTEM, trainer, cohort.id, first)
    await enrolment.enrol(db, SYSTEM, trainer, cohort.id, second)

    await enrolment.withdraw(db, SYSTEM, trainer, cohort.id, waiting.id, WithdrawalInput(reason="Ill"))
    await db.commit()  # the test is the caller: it owns the unit of work

    assert await statuses(db, cohort.id) == {seated: "enrolled", first: "withdrawn", second: "waitlisted"}
    assert await seats_taken(db, cohort.id) == 1


async def test_a_larger_capacity_promotes_the_waitlist_in_order(db):
    cohort, trainer = await cohort_of(db, capacity=1)
    people = await trainee_ids(db, 4)
    for person in people:
        await enrolment.enrol(db, SYSTEM, trainer, cohort.id, person)
    data = CohortUpdate(
        code=cohort.code,
        trainer_ids=[trainer.id],
        venue_province_code=cohort.venue_province_code,
        venue=cohort.venue,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        capacity=3,
    )
    await update_cohort(db, SYSTEM, trainer, cohort.id, data)
    await db.commit()  # the test owns the unit of work
    assert await statuses(db, cohort.id) == {
        people[0]: "enrolled",
        people[1]: "enrolled",
        people[2]: "enrolled",
        people[3]: "waitlisted",
    }
    assert await seats_taken(db, cohort.id) == 3


async def test_a_trainee_who_withdrew_may_come_back_at_the_end_of_the_queue(db):
    cohort, trainer = await cohort_of(db, capacity=1)
    seated, returning = await trainee_ids(db, 2)
    await enrolment.enrol(db, SYSTEM, trainer, cohort.id, seated)
    first = (await enrolment.enrol(db, SYSTEM, trainer, cohort.id, returning)).id
    await enrolment.withdraw(db, SYSTEM, trainer, cohort.id, first, WithdrawalInput(reason="Busy"))

    again = await enrolment.enrol(db, SYSTEM, trainer, cohort.id, returning)

    assert again.id == first and again.status == "waitlisted" and again.withdrawn_reason is None
    with pytest.raises(Conflict):
        await enrolment.enrol(db, SYSTEM, trainer, cohort.id, returning)


async def test_another_trainers_cohort_is_refused(db):
    cohort, _ = await cohort_of(db, capacity=5)
    stranger = signed_in(await make_user(db, [Role.trainer]))
    [person] = await trainee_ids(db, 1)
    with pytest.raises(Forbidden):
        await enrolment.enrol(db, SYSTEM, stranger, cohort.id, person)
    assert await statuses(db, cohort.id) == {}


async def test_two_enrolments_racing_for_the_last_seat_one_wins(db):
    """Each enrolment on its own connection, at the same time: on PostgreSQL the second UPDATE waits for the
    first to commit, then finds the cohort full; on SQLite the writes queue. Several cohorts, to race more."""
    maker = async_sessionmaker(db.bind, expire_on_commit=False)
    races = []
    for _ in range(4):
        cohort, trainer = await cohort_of(db, capacity=1)
        races.append((cohort.id, trainer, await trainee_ids(db, 2)))

    async def enrol_alone(cohort_id: int, trainer: CurrentUser, trainee_id: int) -> str:
        async with maker() as session:
            status = (await enrolment.enrol(session, SYSTEM, trainer, cohort_id, trainee_id)).status
            await session.commit()  # each race is its own caller, owning its unit of work
            return status

    outcomes = await asyncio.gather(
        *(enrol_alone(cohort_id, trainer, t) for cohort_id, trainer, trainees in races for t in trainees)
    )

    assert sorted(outcomes) == ["enrolled"] * 4 + ["waitlisted"] * 4
    for cohort_id, _, _ in races:
        assert sorted((await statuses(db, cohort_id)).values()) == ["enrolled", "waitlisted"]
        assert await seats_taken(db, cohort_id) == 1
