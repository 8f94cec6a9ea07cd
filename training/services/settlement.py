"""Settling a cohort when it closes: each enrolled trainee completed or not, as their checklist says."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from training.models import Enrolment, EnrolmentStatus
from training.services.progress import enrolment_rows, progress_of


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
