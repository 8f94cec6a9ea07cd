"""Enrolment imports as their pages read them: recent imports, the progress of a check, and the preview of
the rows a page at a time."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer
from sqlmodel import col, select

from foundation.errors import NotFound
from foundation.i18n import N_
from foundation.paging import Page
from people.models import User
from people.services.auth import CurrentUser
from training.models import Cohort, CohortStatus, EnrolmentImport
from training.schemas.imports import ImportStatus, RowOutcome
from training.services.access import cohort_for
from training.services.enrolment_import.statuses import TO_ENROL, error_of, may_confirm, status_of

PER_PAGE = 50
RECENT_IMPORTS = 10


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
    confirmable = (
        summary.status == ImportStatus.ready
        and may_confirm(user, summary.job)
        and cohort.status != CohortStatus.closed
    )
    return ImportPreview(cohort, summary, dict(counts), dict(results), rows, outcome, confirmable)
