"""Confirming an enrolment import: its new trainees recorded and every new and matched one enrolled, in file
order, in the caller's transaction."""

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from foundation import audit
from foundation.audit import ENTRIES_AT_ONCE, Actor
from foundation.clock import utcnow
from foundation.errors import Conflict
from people.models import Trainee
from training.messages import ENROLMENT_CONFIRMED, tell_enrolled
from training.models import Enrolment, EnrolmentImport, EnrolmentStatus
from training.schemas.imports import ImportStatus, RowOutcome
from training.services.enrolment_import.statuses import ALREADY_CONFIRMED, TO_ENROL
from training.services.seats import seat_statuses


async def enrol_rows(
    session: AsyncSession, actor: Actor, job: EnrolmentImport, *, audit_chunk: int = ENTRIES_AT_ONCE
) -> None:
    """Claim the ready import, record its new trainees and enrol its new and matched ones: while seats are
    free enrolled, then waitlisted; each logged as audit.record would log it (`audit_chunk` entries a
    statement). A database error leaves the caller's transaction to roll back."""
    # Claim the import first: of two confirmations at once, the second finds it no longer ready.
    claimed = await session.execute(
        update(EnrolmentImport)
        .where(col(EnrolmentImport.id) == job.id, col(EnrolmentImport.status) == ImportStatus.ready.value)
        .values(status=ImportStatus.done.value, finished_at=utcnow())
        .returning(col(EnrolmentImport.id))
        .execution_options(synchronize_session=False)
    )
    if claimed.first() is None:
        raise Conflict(ALREADY_CONFIRMED)
    now = utcnow()
    entries = [dict(entry) for entry in job.preview or []]
    to_enrol = [entry for entry in entries if entry["outcome"] in TO_ENROL]
    new = [entry for entry in to_enrol if entry["outcome"] == RowOutcome.new]
    trainees = [_trainee_row(entry["fields"], now) for entry in new]
    recorded = await _inserted(session, Trainee, trainees)
    for entry, trainee in zip(new, recorded, strict=True):
        entry["trainee_id"] = trainee["id"]
    await audit.record_many(session, actor, "trainee.create", "trainee", recorded, at=now, chunk=audit_chunk)
    statuses = await _seat_statuses(session, job.cohort_id, len(to_enrol))
    enrolments = [
        {
            "cohort_id": job.cohort_id,
            "trainee_id": entry["trainee_id"],
            "status": status,
            # A microsecond apart: the waitlist is served in the order of the file's rows.
            "requested_at": now + timedelta(microseconds=position),
            "status_changed_at": now,
            "withdrawn_reason": None,
        }
        for position, (entry, status) in enumerate(zip(to_enrol, statuses, strict=True))
    ]
    inserted = await _inserted(session, Enrolment, enrolments)
    for entry, enrolment in zip(to_enrol, inserted, strict=True):
        entry["result"] = enrolment["status"]
        enrolment["import_id"] = job.id
    await audit.record_many(
        session, actor, "enrolment.create", "enrolment", inserted, at=now, chunk=audit_chunk
    )
    seated = [e["id"] for e in inserted if e["status"] == EnrolmentStatus.enrolled]
    await tell_enrolled(session, seated, ENROLMENT_CONFIRMED)
    counts = Counter(entry["outcome"] for entry in entries)
    results = Counter(entry["result"] for entry in to_enrol)
    after = {"file_name": job.file_name, "rows": len(entries), **counts, **results}
    audit.record(session, actor, "enrolment_import.commit", job, None, after)
    job.preview = entries
    # Written now, so that a row the database refuses fails the confirmation (which then says nothing was
    # saved), not the request's commit; and read back as claimed.
    await session.flush()
    await session.refresh(job)


def _trainee_row(fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new trainee's row from the preview's fields (TraineeCreate validated them when the file was read)."""
    born = fields.get("date_of_birth")
    return fields | {
        "date_of_birth": date.fromisoformat(born) if born else None,
        "active": True,
        "created_at": now,
        "updated_at": now,
    }


async def _inserted(
    session: AsyncSession, table: type[SQLModel], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows inserted in a few multi-row statements (not one object each), with the ids they got."""
    if not rows:
        return []
    ids = await session.execute(
        insert(table).returning(table.id, sort_by_parameter_order=True),  # type: ignore[attr-defined]
        rows,
    )
    return [row | {"id": new_id} for row, new_id in zip(rows, ids.scalars(), strict=True)]


async def _seat_statuses(session: AsyncSession, cohort_id: int, wanted: int) -> list[str]:
    """Each trainee's status, in file order: enrolled while seats are free, then waitlisted (the cohort's one
    seat rule, applied to the whole batch at once rather than seat by seat)."""
    return await seat_statuses(session, cohort_id, wanted)
