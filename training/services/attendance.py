"""Attendance: the register of each session and the attendance rate of each enrolment."""

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from training.models import Attendance, AttendanceStatus, ClassSession, Enrolment

ATTENDED = frozenset({AttendanceStatus.present.value, AttendanceStatus.late.value})


def attendance_rate(statuses: list[str], sessions_held: int) -> Decimal | None:
    """The percentage of held sessions an enrolment attended, rounded DOWN to 0.1 (never overstated).

    `statuses` are the enrolment's attendance records; `sessions_held` counts the cohort's sessions
    for which attendance has been taken (for anyone): a session without any record yet is not counted.
    Present and late count as attended; excused sessions leave the denominator; absent, and a held
    session without a record for this enrolment, count as missed. None when nothing counts yet.
    """
    excused = statuses.count(AttendanceStatus.excused.value)
    counted = max(sessions_held, len(statuses)) - excused
    if counted <= 0:
        return None
    attended = sum(1 for status in statuses if status in ATTENDED)
    return (Decimal(100 * attended) / counted).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


async def attendance_rates(session: AsyncSession, enrolment_ids: list[int]) -> dict[int, Decimal | None]:
    """The attendance rate of each enrolment, in two queries whatever their number."""
    if not enrolment_ids:
        return {}
    held_rows = await session.execute(
        select(Enrolment.id, func.count(func.distinct(Attendance.session_id)))
        .join(ClassSession, col(ClassSession.cohort_id) == Enrolment.cohort_id)
        .join(Attendance, col(Attendance.session_id) == ClassSession.id)
        .where(col(Enrolment.id).in_(enrolment_ids))
        .group_by(col(Enrolment.id))
    )
    held: dict[int, int] = {enrolment_id: count for enrolment_id, count in held_rows.all()}
    statuses: dict[int, list[str]] = defaultdict(list)
    rows = await session.execute(
        select(Attendance.enrolment_id, Attendance.status).where(
            col(Attendance.enrolment_id).in_(enrolment_ids)
        )
    )
    for enrolment_id, status in rows.all():
        statuses[enrolment_id].append(status)
    return {eid: attendance_rate(statuses[eid], held.get(eid, 0)) for eid in enrolment_ids}
