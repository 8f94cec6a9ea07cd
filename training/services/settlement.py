"""Settling a cohort when it closes (once every session is held or cancelled): each enrolled trainee completed
or not, as their checklist says."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation import audit
from foundation.audit import Actor
from foundation.clock import cambodian_now, utcnow
from foundation.columns import row_id
from foundation.errors import Conflict
from foundation.formatting import format_date
from foundation.i18n import N_
from training.models import Attendance, ClassSession, Enrolment, EnrolmentStatus
from training.services.completion import Meeting, session_held
from training.services.progress import enrolment_rows, progress_of


async def sessions_to_come(session: AsyncSession, cohort_id: int) -> list[ClassSession]:
    """The cohort's sessions not held yet and not cancelled: a cohort cannot close before them."""
    now = cambodian_now()
    meetings = await session.execute(
        select(ClassSession)
        .where(col(ClassSession.cohort_id) == cohort_id, col(ClassSession.cancelled_at).is_(None))
        .order_by(col(ClassSession.day), col(ClassSession.starts_at), col(ClassSession.id))
    )
    taken = await session.execute(
        select(Attendance.session_id)
        .join(ClassSession, col(ClassSession.id) == Attendance.session_id)
        .where(col(ClassSession.cohort_id) == cohort_id)
        .distinct()
    )
    registered = set(taken.scalars())
    return [
        m
        for m in meetings.scalars()
        if not session_held(Meeting(m.day, m.ends_at, register_taken=row_id(m) in registered), now)
    ]


def refuse_early_closing(to_come: list[ClassSession]) -> None:
    """A cohort closes once its course has been delivered: every session held or cancelled."""
    if to_come:
        days = ", ".join(format_date(m.day) for m in to_come)
        raise Conflict(
            N_("Sessions are still to come (%(days)s): hold or cancel them before closing the cohort."),
            days=days,
        )


@dataclass(frozen=True)
class Settlement:
    completed: int
    not_completed: int


async def settle_cohort(session: AsyncSession, actor: Actor, cohort_id: int) -> Settlement:
    """When a cohort closes, each enrolled trainee's status becomes completed or not_completed, as the
    checklist says; every change is in the audit log.

    Part of closing the cohort: the changes join the caller's transaction, and the caller commits.
    """
    query = enrolment_rows().where(
        col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status) == EnrolmentStatus.enrolled
    )
    completed = not_completed = 0
    now = utcnow()
    for progress in await progress_of(session, query):
        enrolment = progress.enrolment
        before = audit.snapshot(enrolment)
        if progress.complete:
            enrolment.status, completed = EnrolmentStatus.completed.value, completed + 1
        else:
            enrolment.status, not_completed = EnrolmentStatus.not_completed.value, not_completed + 1
        enrolment.status_changed_at = now
        after = audit.snapshot(enrolment, missing=[r.value for r in progress.checklist.missing])
        audit.record(session, actor, "enrolment.settle", enrolment, before, after)
    return Settlement(completed, not_completed)
