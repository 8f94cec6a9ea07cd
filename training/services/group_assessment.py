"""A group assessed on one screen: a result per cell, method and date set once, "all competent" in bulk."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from foundation import audit
from foundation.audit import Actor
from foundation.errors import InvalidInput, NotFound
from foundation.i18n import N_, gettext
from people.services.auth import CurrentUser
from training.models import Assessment, AssessmentResult
from training.schemas.assessments import GridSettings
from training.services.access import cohort_for
from training.services.assessments import AssessmentGrid, assessment_grid, date_problem, grid_of

RESULTS = frozenset(result.value for result in AssessmentResult)
EVIDENCE_LENGTH = 2000


@dataclass(frozen=True)
class CellChoice:
    """What the screen says of one trainee at one competency: a result (None: blank, not assessed) and an
    optional evidence note for a new attempt."""

    enrolment_id: int
    competency_id: int
    result: str | None
    evidence: str = ""

    @property
    def key(self) -> str:
        return cell_key(self.enrolment_id, self.competency_id)


def cell_key(enrolment_id: int, competency_id: int) -> str:
    """A cell's name on the screen and in its error messages: `<enrolment id>-<competency id>`."""
    return f"{enrolment_id}-{competency_id}"


def _is_new_attempt(choice: CellChoice, latest: Assessment | None) -> bool:
    """Blank writes nothing (history is never deleted); the latest attempt's result again, with no note or its
    note, is the same value saved twice: no new attempt."""
    if choice.result is None:
        return False
    return latest is None or latest.result != choice.result or choice.evidence not in ("", latest.evidence)


def _problem(grid: AssessmentGrid, choice: CellChoice) -> str | None:
    if grid.row_of(choice.enrolment_id) is None:
        return gettext(N_("This trainee is not enrolled in this cohort."))
    if grid.column_of(choice.competency_id) is None:
        return gettext(N_("This competency is not one the course targets."))
    if choice.result is not None and choice.result not in RESULTS:
        return gettext(N_("Type c for competent or n for not yet competent."))
    if len(choice.evidence) > EVIDENCE_LENGTH:
        return gettext(N_("Too long: at most %(max_length)s characters.")) % {"max_length": EVIDENCE_LENGTH}
    return None


async def record_cells(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    settings: GridSettings,
    choices: Iterable[CellChoice],
) -> AssessmentGrid:
    """A new attempt (the screen's method and date, the signed-in assessor) for each cell whose result
    changed; all or nothing: any problem, keyed by its cell, and nothing is written."""
    cohort = await cohort_for(session, user, cohort_id, write=True)
    grid = await grid_of(session, cohort)
    choices = list(choices)
    problems = {choice.key: problem for choice in choices if (problem := _problem(grid, choice))}
    new = [c for c in choices if c.key not in problems and _is_new_attempt(c, grid.latest(*_ids(c)))]
    if new and (dated := date_problem(settings.assessed_on, cohort)):
        problems |= {"assessed_on": dated} | {choice.key: dated for choice in new}
    if problems:
        raise InvalidInput(problems)
    await _write(session, actor, settings, new)
    return await grid_of(session, cohort) if new else grid


def _ids(choice: CellChoice) -> tuple[int, int]:
    return choice.enrolment_id, choice.competency_id


async def _write(session: AsyncSession, actor: Actor, settings: GridSettings, new: list[CellChoice]) -> None:
    attempts = [
        Assessment(
            enrolment_id=choice.enrolment_id,
            competency_id=choice.competency_id,
            result=choice.result or "",  # only cells with a result get here
            method=settings.method.value,
            evidence=choice.evidence,
            assessed_on=settings.assessed_on,
            assessor_id=actor.user_id,
        )
        for choice in new
    ]
    session.add_all(attempts)
    await session.flush()
    rows = [attempt.model_dump() for attempt in attempts]
    await audit.record_many(session, actor, "assessment.create", "assessment", rows)


async def all_competent(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    settings: GridSettings,
    *,
    competency_id: int | None = None,
    enrolment_id: int | None = None,
) -> AssessmentGrid:
    """Competent for every trainee at one competency, or one trainee at every competency: only the cells not
    competent already get a new attempt, in one transaction."""
    grid = await assessment_grid(session, user, cohort_id)
    cells = grid.bulk_cells(competency_id=competency_id, enrolment_id=enrolment_id)
    if cells is None:
        raise NotFound(N_("No such trainee or competency in this cohort."))
    competent = AssessmentResult.competent.value
    return await record_cells(
        session, actor, user, cohort_id, settings, (CellChoice(eid, cid, competent) for eid, cid in cells)
    )
