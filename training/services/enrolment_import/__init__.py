"""Bulk enrolment from a roster file: checked row by row into a preview, then confirmed in one transaction.

The upload request reads the file (so a file that cannot be used is refused at once, and nothing is stored),
records the import and, once that is committed, hands the rows to `check_rows`, which the controller runs as
an asyncio task in the same web process: it validates and classifies every row, reporting progress, and
stores the preview. The task lives only in that process: a restart interrupts it and the import stays
"parsing"; such an import older than STALE_AFTER is shown as failed, with a link to upload the file again
(nothing of it was saved).

Here the import's course (upload, check, confirmation); its parts: `statuses` (in words), `row_check` (rows
against the register), `preview` (what the pages read), `confirmation` (the rows enrolled).
"""

import asyncio
import logging
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.database import unit_of_work
from foundation.errors import Conflict, Forbidden, NotFound
from foundation.i18n import N_
from people.services.auth import CurrentUser
from training.models import EnrolmentImport
from training.schemas.imports import ImportStatus
from training.services.access import cohort_for
from training.services.enrolment_import.confirmation import enrol_rows
from training.services.enrolment_import.preview import import_preview, import_summary, recent_imports
from training.services.enrolment_import.row_check import Checked, check_row, classified, reference_for
from training.services.enrolment_import.statuses import (
    ALREADY_CONFIRMED,
    CHECK_FAILED,
    COMMIT_FAILED,
    NOT_READY,
    NOT_YOURS,
    NOTHING_TO_ENROL,
    TO_ENROL,
    NothingSaved,
    may_confirm,
    status_of,
)
from training.services.roster_uploads import RosterRow, read_roster

__all__ = [
    "NothingSaved",
    "check_rows",
    "confirm_import",
    "import_preview",
    "import_summary",
    "recent_imports",
    "record_failure",
    "start_import",
]

log = logging.getLogger("nisa.import")

# Sizes of the work done at once; a test makes them small to go through the chunks of a large file.
PROGRESS_EVERY = 250  # rows checked between two progress reports
MATCH_CHUNK = 1000  # rows whose recorded matches are looked up by one query
AUDIT_CHUNK = 1000  # audit entries of a confirmed import inserted by one statement


# ---------------------------------------------------------------- upload


async def start_import(
    session: AsyncSession, user: CurrentUser, cohort_id: int, filename: str, content: bytes
) -> tuple[EnrolmentImport, list[RosterRow]]:
    """Read the file and record the import as "parsing"; once the caller has committed it, it runs
    `check_rows` on the rows.

    FileRejected (nothing stored) if the file cannot be used as a roster."""
    await cohort_for(session, user, cohort_id, write=True)
    # About a second for 10,000 Excel rows: in a thread, so the other requests are served meanwhile.
    rows = await asyncio.to_thread(read_roster, filename, content)
    job = EnrolmentImport(
        cohort_id=cohort_id, created_by=user.id, file_name=filename[-200:], total_rows=len(rows)
    )
    session.add(job)
    await session.flush()  # its id names the import's page
    return job, rows


# ---------------------------------------------------------------- the check (a background task)


async def check_rows(maker: async_sessionmaker[AsyncSession], import_id: int, rows: list[RosterRow]) -> None:
    """Validate and classify every row into the import's preview: a job of its own, with its own units of
    work; progress is committed every PROGRESS_EVERY rows so that the page polling it can show a bar."""
    try:
        async with unit_of_work(maker) as session:
            job = await session.get(EnrolmentImport, import_id)
            if job is None:
                return
            reference = await reference_for(session, job.cohort_id, rows)
        checked: list[Checked] = []
        for start in range(0, len(rows), PROGRESS_EVERY):
            checked += [check_row(row, reference) for row in rows[start : start + PROGRESS_EVERY]]
            async with unit_of_work(maker) as session:
                await _set(session, import_id, processed_rows=len(checked))
        async with unit_of_work(maker) as session:
            preview = await classified(session, checked, reference, chunk=MATCH_CHUNK)
            await _set(session, import_id, preview=preview, status=ImportStatus.ready.value)
    except Exception:  # whatever it was, the import must not stay "parsing" for ever
        log.exception("checking enrolment import %s failed", import_id)
        async with unit_of_work(maker) as session:
            await record_failure(session, import_id, CHECK_FAILED)


async def _set(session: AsyncSession, import_id: int, **values: Any) -> None:
    await session.execute(
        update(EnrolmentImport).where(col(EnrolmentImport.id) == import_id).values(**values)
    )


async def record_failure(session: AsyncSession, import_id: int, message: str) -> None:
    """Mark the import failed, saying why (a catalog msgid), in the caller's transaction."""
    await _set(session, import_id, status=ImportStatus.failed.value, error=message, finished_at=utcnow())


# ---------------------------------------------------------------- confirmation


async def confirm_import(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, import_id: int
) -> EnrolmentImport:
    """Record the new trainees and enrol every new and matched one, in file order: while seats are free
    enrolled, then waitlisted. One transaction, the caller's: everything is saved, or nothing. If the
    database refuses it, NothingSaved: the caller rolls back and records the failure (`record_failure`)."""
    await cohort_for(session, user, cohort_id, write=True)
    job = await session.get(EnrolmentImport, import_id)
    if job is None or job.cohort_id != cohort_id:
        raise NotFound(N_("No such import."))
    if not may_confirm(user, job):
        raise Forbidden(NOT_YOURS)
    if job.status == ImportStatus.done:
        raise Conflict(ALREADY_CONFIRMED)
    if status_of(job) != ImportStatus.ready:
        raise Conflict(NOT_READY)
    if not any(entry["outcome"] in TO_ENROL for entry in job.preview or []):
        raise Conflict(NOTHING_TO_ENROL)
    try:
        await enrol_rows(session, actor, job, audit_chunk=AUDIT_CHUNK)
    except SQLAlchemyError:
        log.exception("confirming enrolment import %s failed; nothing saved", import_id)
        raise NothingSaved(COMMIT_FAILED) from None
    return job
