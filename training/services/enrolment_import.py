"""Bulk enrolment from a roster file: checked row by row into a preview, then confirmed in one transaction.

The upload request reads the file (so a file that cannot be used is refused at once, and nothing is stored),
records the import and hands the rows to `check_rows`, which the controller runs as an asyncio task in the
same web process: it validates and classifies every row, reporting progress, and stores the preview. The
task lives only in that process: a restart interrupts it and the import stays "parsing"; such an import
older than STALE_AFTER is shown as failed, with a link to upload the file again (nothing of it was saved).
"""

import asyncio
import enum
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, func, insert, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import defer
from sqlmodel import SQLModel, col, select

from foundation import audit
from foundation.audit import Actor, AuditEntry
from foundation.clock import utcnow
from foundation.columns import table
from foundation.errors import Conflict, Forbidden, InvalidInput, NotFound
from foundation.forms import validated
from foundation.i18n import N_, gettext
from foundation.paging import Page
from foundation.roles import Role
from people.models import Organisation, Trainee, TraineeCreate, User
from people.services.auth import CurrentUser
from people.services.locations import find_places
from training.messages import ENROLMENT_CONFIRMED, tell_enrolled
from training.models import Cohort, CohortStatus, Enrolment, EnrolmentImport, EnrolmentStatus
from training.services.access import cohort_for
from training.services.roster_uploads import COLUMNS, RosterRow, read_roster, trainee_fields
from training.services.seats import seat_statuses

log = logging.getLogger("nisa.import")

STALE_AFTER = timedelta(minutes=10)
PROGRESS_EVERY = 250  # rows checked between two progress reports
MATCH_CHUNK = 1000  # rows whose existing matches are looked up in one query
AUDIT_CHUNK = 1000  # audit entries of a confirmed import inserted by one statement
PER_PAGE = 50
RECENT_IMPORTS = 10

ALREADY_CONFIRMED = N_("This import was already confirmed.")
NOT_READY = N_("This import cannot be confirmed: it is not ready. Upload the file again.")
NOTHING_TO_ENROL = N_("This file has no trainee to enrol: correct it and upload it again.")
NOT_YOURS = N_("Only the person who uploaded this file, or an administrator, may confirm it.")
CHECK_FAILED = N_(
    "The file could not be checked because of an error on our side. Upload it again; "
    "if this happens again, tell NISA's administrators."
)
INTERRUPTED = N_("Checking this file stopped before the end (the server restarted). Upload the file again.")
COMMIT_FAILED = N_(
    "Nothing was saved: the import could not be completed, most likely because someone changed these "
    "trainees or this cohort meanwhile. Upload the file again to see the current state."
)


class ImportStatus(enum.StrEnum):
    parsing = "parsing"
    ready = "ready"
    failed = "failed"
    done = "done"


class RowOutcome(enum.StrEnum):
    new = "new"
    matched = "matched"
    already_enrolled = "already_enrolled"
    duplicate = "duplicate"
    error = "error"


IMPORT_STATUS_NAMES = {
    ImportStatus.parsing: N_("Checking the file"),
    ImportStatus.ready: N_("Ready to confirm"),
    ImportStatus.failed: N_("Failed: nothing saved"),
    ImportStatus.done: N_("Confirmed"),
}
OUTCOME_NAMES = {
    RowOutcome.new: N_("New trainee"),
    RowOutcome.matched: N_("Matched existing trainee"),
    RowOutcome.already_enrolled: N_("Already in this cohort"),
    RowOutcome.duplicate: N_("Duplicate in the file"),
    RowOutcome.error: N_("Error"),
}
TO_ENROL = (RowOutcome.new.value, RowOutcome.matched.value)
# TraineeCreate's fields that a roster column gives under another name.
FIELD_COLUMNS = {"organisation_id": "organisation"}


def status_of(job: EnrolmentImport, now: datetime | None = None) -> ImportStatus:
    """The import's status as users see it: a check interrupted by a restart counts as failed."""
    if job.status == ImportStatus.parsing and (now or utcnow()) - job.created_at > STALE_AFTER:
        return ImportStatus.failed
    return ImportStatus(job.status)


def error_of(job: EnrolmentImport) -> str | None:
    """What went wrong (a catalog msgid), for a failed import."""
    if status_of(job) != ImportStatus.failed:
        return None
    return job.error or INTERRUPTED


# ---------------------------------------------------------------- upload


async def start_import(
    session: AsyncSession, user: CurrentUser, cohort_id: int, filename: str, content: bytes
) -> tuple[EnrolmentImport, list[RosterRow]]:
    """Read the file and record the import as "parsing"; the caller then runs `check_rows` on the rows.

    FileRejected (nothing stored) if the file cannot be used as a roster."""
    await cohort_for(session, user, cohort_id, write=True)
    # About a second for 10,000 Excel rows: in a thread, so the other requests are served meanwhile.
    rows = await asyncio.to_thread(read_roster, filename, content)
    job = EnrolmentImport(
        cohort_id=cohort_id, created_by=user.id, file_name=filename[-200:], total_rows=len(rows)
    )
    session.add(job)
    await session.commit()
    return job, rows


# ---------------------------------------------------------------- the check (a background task)


@dataclass(frozen=True)
class _Reference:
    """What the check needs from the database, loaded in a fixed number of queries."""

    organisations: dict[str, set[int]]  # active organisations by each of their names, folded
    communes: set[str]
    enrolments: dict[int, str]  # this cohort's trainees and their enrolment status


@dataclass
class _Checked:
    """A row once validated: its preview entry and, if it holds a valid trainee, that trainee."""

    entry: dict[str, Any]
    data: TraineeCreate | None


def _folded(name: str) -> str:
    return " ".join(name.lower().split())


async def _reference(session: AsyncSession, cohort_id: int, rows: list[RosterRow]) -> _Reference:
    organisations: dict[str, set[int]] = defaultdict(set)
    query = select(Organisation.id, Organisation.name_km, Organisation.name_en).where(
        col(Organisation.active).is_(True)
    )
    for organisation_id, name_km, name_en in (await session.execute(query)).all():
        organisations[_folded(name_km)].add(organisation_id)
        organisations[_folded(name_en)].add(organisation_id)
    codes = {str(row.cells.get("commune_code", "")) for row in rows} - {""}
    enrolments = await session.execute(
        select(Enrolment.trainee_id, Enrolment.status).where(col(Enrolment.cohort_id) == cohort_id)
    )
    return _Reference(
        dict(organisations),
        set(await find_places(session, codes)),
        dict(enrolments.all()),
    )


def _check_row(row: RosterRow, reference: _Reference) -> _Checked:
    cells = {column: _shown(value) for column, value in row.cells.items()}
    entry: dict[str, Any] = {"line": row.line, "cells": cells}
    if row.problem:
        return _Checked(entry | {"outcome": RowOutcome.error, "problems": {"": row.problem}}, None)
    values, problems = trainee_fields(row.cells)
    organisation = cells.get("organisation", "")
    if organisation:
        found = reference.organisations.get(_folded(organisation), set())
        if len(found) == 1:
            values["organisation_id"] = next(iter(found))
        else:
            problems["organisation"] = gettext(
                N_("No active organisation has this name in the system.")
                if not found
                else N_("Several organisations have this name: ask an administrator to tell them apart.")
            )
    commune = cells.get("commune_code", "")
    if commune and "commune_code" not in problems and commune not in reference.communes:
        problems["commune_code"] = gettext(N_("Unknown commune code."))
    data = None
    try:
        data = validated(TraineeCreate, values)
    except InvalidInput as invalid:
        by_column = {FIELD_COLUMNS.get(name, name): message for name, message in invalid.field_errors.items()}
        problems = by_column | problems  # the file's own wording (e.g. for sex) says more than the form's
    if problems or data is None:
        ordered = {column: problems[column] for column in (*COLUMNS, "") if column in problems}
        return _Checked(entry | {"outcome": RowOutcome.error, "problems": ordered}, None)
    return _Checked(entry, data)


def _shown(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else value


def person_keys(
    phone: str | None, name_km: str, name_latin: str, date_of_birth: date | None
) -> list[tuple[str, ...]]:
    """What makes two records the same person: the same phone, or the same name in either script and the
    same date of birth (the rule of people.services.trainees.find_duplicates, for many rows at once)."""
    keys: list[tuple[str, ...]] = [("phone", phone)] if phone else []
    if date_of_birth:
        born = date_of_birth.isoformat()
        keys += [("km", name_km, born), ("latin", name_latin.lower(), born)]
    return keys


def _keys_of(data: TraineeCreate) -> list[tuple[str, ...]]:
    return person_keys(data.phone, data.name_km, data.name_latin, data.date_of_birth)


async def _recorded_people(
    session: AsyncSession, people: list[TraineeCreate]
) -> tuple[dict[tuple[str, ...], set[int]], dict[int, Row[Any]]]:
    """The recorded trainees who are some of `people` (their id, names and whether active), by id and by
    each person key they share with them: one query per MATCH_CHUNK rows rather than one per row.

    The query finds the same phones, and the same names (either script) born on any of the same dates,
    through indexes and hashed IN lists; whether a name goes with its own date of birth is checked here
    (asked as row-value pairs, PostgreSQL compared every trainee with every pair: minutes). Only the true
    matches are kept: common names born on a thousand dates were thousands of trainees a chunk at
    national scale, once all kept in memory as ORM objects."""
    by_key: dict[tuple[str, ...], set[int]] = defaultdict(set)
    by_id: dict[int, Row[Any]] = {}
    recorded = table(Trainee).c
    for start in range(0, len(people), MATCH_CHUNK):
        chunk = people[start : start + MATCH_CHUNK]
        wanted = {key for person in chunk for key in _keys_of(person)}
        dated = [p for p in chunk if p.date_of_birth]
        query = select(
            *(recorded[name] for name in ("id", "phone", "name_km", "name_latin", "date_of_birth", "active"))
        ).where(
            or_(
                recorded.phone.in_({p.phone for p in chunk if p.phone}),
                and_(
                    recorded.date_of_birth.in_({p.date_of_birth for p in dated}),
                    or_(
                        recorded.name_km.in_({p.name_km for p in dated}),
                        func.lower(recorded.name_latin).in_({p.name_latin.lower() for p in dated}),
                    ),
                ),
            )
        )
        for trainee in await session.execute(query):
            keys = person_keys(trainee.phone, trainee.name_km, trainee.name_latin, trainee.date_of_birth)
            for key in wanted.intersection(keys):
                by_id[trainee.id] = trainee
                by_key[key].add(trainee.id)
    return by_key, by_id


async def _classified(
    session: AsyncSession, checked: list[_Checked], reference: _Reference
) -> list[dict[str, Any]]:
    """Each valid row as a new trainee, a match of a recorded one, one already in the cohort, or a
    duplicate of an earlier row; the preview entries in file order."""
    valid = [c for c in checked if c.data is not None]
    existing, recorded = await _recorded_people(session, [c.data for c in valid if c.data is not None])
    first_line: dict[tuple[str, ...], int] = {}  # each person key, and the row that first gave it
    line_of_trainee: dict[int, int] = {}
    for item in valid:
        assert item.data is not None
        entry, keys = item.entry, _keys_of(item.data)
        earlier = next((first_line[key] for key in keys if key in first_line), None)
        for key in keys:
            first_line.setdefault(key, entry["line"])
        if earlier is not None:
            entry |= {"outcome": RowOutcome.duplicate, "duplicate_of": earlier}
            continue
        trainee_ids = {t_id for key in keys for t_id in existing.get(key, ())}
        if not trainee_ids:
            entry |= {"outcome": RowOutcome.new, "fields": item.data.model_dump(mode="json")}
            continue
        if len(trainee_ids) > 1:
            message = N_(
                "This row matches several recorded trainees: enrol this person from the cohort's page."
            )
            entry |= {"outcome": RowOutcome.error, "problems": {"": gettext(message)}}
            continue
        trainee = recorded[trainee_id := trainee_ids.pop()]
        entry |= {
            "trainee_id": trainee_id,
            "trainee": {"name_km": trainee.name_km, "name_latin": trainee.name_latin},
        }
        if not trainee.active:
            message = N_("This row matches a deactivated trainee: ask an administrator to reactivate them.")
            entry |= {"outcome": RowOutcome.error, "problems": {"": gettext(message)}}
        elif trainee_id in reference.enrolments:
            entry |= {
                "outcome": RowOutcome.already_enrolled,
                "enrolment_status": reference.enrolments[trainee_id],
            }
        elif trainee_id in line_of_trainee:
            entry |= {"outcome": RowOutcome.duplicate, "duplicate_of": line_of_trainee[trainee_id]}
        else:
            line_of_trainee[trainee_id] = entry["line"]
            entry["outcome"] = RowOutcome.matched
    return [item.entry for item in checked]


async def check_rows(maker: async_sessionmaker[AsyncSession], import_id: int, rows: list[RosterRow]) -> None:
    """Validate and classify every row into the import's preview, with its own database session; progress
    is committed every PROGRESS_EVERY rows so that the page polling it can show a progress bar."""
    async with maker() as session:
        try:
            job = await session.get(EnrolmentImport, import_id)
            if job is None:
                return
            reference = await _reference(session, job.cohort_id, rows)
            checked: list[_Checked] = []
            for start in range(0, len(rows), PROGRESS_EVERY):
                checked += [_check_row(row, reference) for row in rows[start : start + PROGRESS_EVERY]]
                job.processed_rows = len(checked)
                await session.commit()
            job.preview = await _classified(session, checked, reference)
            job.status = ImportStatus.ready.value
            await session.commit()
        except Exception:  # whatever it was, the import must not stay "parsing" for ever
            log.exception("checking enrolment import %s failed", import_id)
            await session.rollback()
            await _record_failure(session, import_id, CHECK_FAILED)


async def _record_failure(session: AsyncSession, import_id: int, message: str) -> None:
    await session.execute(
        update(EnrolmentImport)
        .where(col(EnrolmentImport.id) == import_id)
        .values(status=ImportStatus.failed.value, error=message, finished_at=utcnow())
    )
    await session.commit()


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class ImportSummary:
    """An import without its preview rows, for lists and the progress bar."""

    job: EnrolmentImport
    uploaded_by: str | None

    @property
    def status(self) -> ImportStatus:
        return status_of(self.job)

    @property
    def error(self) -> str | None:
        return error_of(self.job)


@dataclass(frozen=True)
class ImportPreview:
    cohort: Cohort
    summary: ImportSummary
    counts: dict[str, int]  # rows by outcome
    results: dict[str, int]  # once confirmed: enrolments made, by status
    rows: Page[dict[str, Any]]
    outcome: str  # the filter: "" for every row
    may_confirm: bool

    @property
    def to_enrol(self) -> int:
        return sum(self.counts.get(outcome, 0) for outcome in TO_ENROL)

    @property
    def seats_left(self) -> int:
        return max(0, self.cohort.capacity - self.cohort.enrolled_count)

    @property
    def will_be_enrolled(self) -> int:
        """If confirmed now: how many get a seat; the others go on the waitlist."""
        return min(self.seats_left, self.to_enrol)


async def _summaries(session: AsyncSession, *conditions: Any, limit: int) -> list[ImportSummary]:
    query = (
        select(EnrolmentImport, User.display_name)
        .outerjoin(User, col(User.id) == EnrolmentImport.created_by)
        .where(*conditions)
        # The preview holds up to megabytes, and the progress bar asks for the status every second.
        .options(defer(EnrolmentImport.preview))  # type: ignore[arg-type]
        .order_by(col(EnrolmentImport.id).desc())
        .limit(limit)
    )
    return [ImportSummary(job, name) for job, name in (await session.execute(query)).all()]


async def _summary(session: AsyncSession, cohort_id: int, import_id: int) -> ImportSummary:
    found = await _summaries(
        session, col(EnrolmentImport.id) == import_id, col(EnrolmentImport.cohort_id) == cohort_id, limit=1
    )
    if not found:
        raise NotFound(N_("No such import."))
    return found[0]


async def import_summary(
    session: AsyncSession, user: CurrentUser, cohort_id: int, import_id: int
) -> ImportSummary:
    """The import's status and progress, without its rows."""
    await cohort_for(session, user, cohort_id)
    return await _summary(session, cohort_id, import_id)


async def recent_imports(
    session: AsyncSession, user: CurrentUser, cohort_id: int
) -> tuple[Cohort, list[ImportSummary]]:
    cohort = await cohort_for(session, user, cohort_id, write=True)
    return cohort, await _summaries(
        session, col(EnrolmentImport.cohort_id) == cohort_id, limit=RECENT_IMPORTS
    )


def _may_confirm(user: CurrentUser, job: EnrolmentImport) -> bool:
    return job.created_by == user.id or user.has_role(Role.admin)


async def import_preview(
    session: AsyncSession,
    user: CurrentUser,
    cohort_id: int,
    import_id: int,
    *,
    outcome: str = "",
    page: int = 1,
) -> ImportPreview:
    """The import with one page of its rows, those of one outcome if `outcome` names one."""
    cohort = await cohort_for(session, user, cohort_id)
    summary = await _summary(session, cohort_id, import_id)
    query = select(EnrolmentImport.preview).where(col(EnrolmentImport.id) == import_id)
    entries: list[dict[str, Any]] = (await session.execute(query)).scalar_one() or []
    counts = Counter(entry["outcome"] for entry in entries)
    results = Counter(entry["result"] for entry in entries if "result" in entry)
    if outcome not in RowOutcome.__members__:
        outcome = ""
    shown = [entry for entry in entries if entry["outcome"] == outcome] if outcome else entries
    page = min(max(page, 1), max(1, -(-len(shown) // PER_PAGE)))
    rows = Page(shown[(page - 1) * PER_PAGE : page * PER_PAGE], len(shown), page, PER_PAGE)
    may_confirm = (
        summary.status == ImportStatus.ready
        and _may_confirm(user, summary.job)
        and cohort.status != CohortStatus.closed
    )
    return ImportPreview(cohort, summary, dict(counts), dict(results), rows, outcome, may_confirm)


# ---------------------------------------------------------------- confirmation


async def confirm_import(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, import_id: int
) -> EnrolmentImport:
    """Record the new trainees and enrol every new and matched one, in file order: while seats are free
    enrolled, then waitlisted. One transaction: everything is saved, or nothing."""
    await cohort_for(session, user, cohort_id, write=True)
    job = await session.get(EnrolmentImport, import_id)
    if job is None or job.cohort_id != cohort_id:
        raise NotFound(N_("No such import."))
    if not _may_confirm(user, job):
        raise Forbidden(NOT_YOURS)
    if job.status == ImportStatus.done:
        raise Conflict(ALREADY_CONFIRMED)
    if status_of(job) != ImportStatus.ready:
        raise Conflict(NOT_READY)
    if not any(entry["outcome"] in TO_ENROL for entry in job.preview or []):
        raise Conflict(NOTHING_TO_ENROL)
    try:
        await _commit_rows(session, actor, job)
    except SQLAlchemyError:
        log.exception("confirming enrolment import %s failed; nothing saved", import_id)
        await session.rollback()
        await _record_failure(session, import_id, COMMIT_FAILED)
        raise Conflict(COMMIT_FAILED) from None
    return job


async def _commit_rows(session: AsyncSession, actor: Actor, job: EnrolmentImport) -> None:
    # Claim the import first: of two confirmations at once, the second finds it no longer ready.
    claimed = await session.execute(
        update(EnrolmentImport)
        .where(col(EnrolmentImport.id) == job.id, col(EnrolmentImport.status) == ImportStatus.ready.value)
        .values(status=ImportStatus.done.value, finished_at=utcnow())
        .returning(col(EnrolmentImport.id))
        .execution_options(synchronize_session=False)
    )
    if claimed.first() is None:
        await session.rollback()
        raise Conflict(ALREADY_CONFIRMED)
    now = utcnow()
    entries = [dict(entry) for entry in job.preview or []]
    to_enrol = [entry for entry in entries if entry["outcome"] in TO_ENROL]
    new = [entry for entry in to_enrol if entry["outcome"] == RowOutcome.new]
    trainees = [_trainee_row(entry["fields"], now) for entry in new]
    logged = _AuditRows(actor, now)
    recorded = await _inserted(session, Trainee, trainees)
    for entry, trainee in zip(new, recorded, strict=True):
        entry["trainee_id"] = trainee["id"]
    await logged.write(session, "trainee.create", "trainee", recorded)
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
    await logged.write(session, "enrolment.create", "enrolment", inserted)
    seated = [e["id"] for e in inserted if e["status"] == EnrolmentStatus.enrolled]
    await tell_enrolled(session, seated, ENROLMENT_CONFIRMED)
    counts = Counter(entry["outcome"] for entry in entries)
    results = Counter(entry["result"] for entry in to_enrol)
    after = {"file_name": job.file_name, "rows": len(entries), **counts, **results}
    audit.record(session, actor, "enrolment_import.commit", job, None, after)
    job.preview = entries
    await session.commit()
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


@dataclass(frozen=True)
class _AuditRows:
    """The entries audit.record would add one object at a time, as plain rows inserted AUDIT_CHUNK at a
    time (a 10,000-row import makes 20,000 of them: built all at once, they were tens of megabytes)."""

    actor: Actor
    at: datetime

    async def write(
        self, session: AsyncSession, action: str, entity_type: str, afters: list[dict[str, Any]]
    ) -> None:
        for start in range(0, len(afters), AUDIT_CHUNK):
            rows = [self._row(action, entity_type, after) for after in afters[start : start + AUDIT_CHUNK]]
            await session.execute(insert(AuditEntry), rows)

    def _row(self, action: str, entity_type: str, after: dict[str, Any]) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor_id": self.actor.user_id,
            "action": action,
            "entity_type": entity_type,
            "entity_id": str(after["id"]),
            "before": None,
            "after": {name: _json_safe(value) for name, value in after.items()},
            "ip": self.actor.ip,
        }


def _json_safe(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def _seat_statuses(session: AsyncSession, cohort_id: int, wanted: int) -> list[str]:
    """Each trainee's status, in file order: enrolled while seats are free, then waitlisted (the cohort's one
    seat rule, applied to the whole batch at once rather than seat by seat)."""
    return await seat_statuses(session, cohort_id, wanted)
