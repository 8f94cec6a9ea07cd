"""Assessments of competencies (every attempt kept, the latest counts) and module completion."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Course,
    CourseCompetency,
    CourseModule,
)
from foundation import audit
from foundation.audit import Actor
from foundation.clock import today
from foundation.columns import row_id, table
from foundation.errors import InvalidInput, NotFound
from foundation.formatting import format_date
from foundation.i18n import N_, gettext
from people.models import User
from people.services.auth import CurrentUser
from training.models import Assessment, AssessmentMethod, AssessmentResult, Cohort, ModuleCompletion
from training.schemas.assessments import AssessmentCreate, AssessmentRead
from training.services.access import cohort_for, course_of, writable
from training.services.attendance import RosterEntry, roster


def _latest_ids(enrolment_ids: list[int]) -> Any:
    """The ids of the latest attempts (highest id) per (enrolment, competency) of these enrolments."""
    return (
        select(func.max(Assessment.id))
        .where(col(Assessment.enrolment_id).in_(enrolment_ids))
        .group_by(col(Assessment.enrolment_id), col(Assessment.competency_id))
    )


async def latest_results(
    session: AsyncSession, enrolment_ids: list[int]
) -> dict[tuple[int, int], Assessment]:
    """The latest attempt per (enrolment, competency), in one query."""
    if not enrolment_ids:
        return {}
    rows = await session.execute(select(Assessment).where(col(Assessment.id).in_(_latest_ids(enrolment_ids))))
    return {(a.enrolment_id, a.competency_id): a for a in rows.scalars()}


async def latest_outcomes(session: AsyncSession, enrolment_ids: list[int]) -> dict[tuple[int, int], str]:
    """The latest attempt's result per (enrolment, competency): what completion needs, without loading the
    attempts themselves (a dashboard reads thousands)."""
    if not enrolment_ids:
        return {}
    attempts = table(Assessment)
    rows = await session.execute(
        select(attempts.c.enrolment_id, attempts.c.competency_id, attempts.c.result).where(
            attempts.c.id.in_(_latest_ids(enrolment_ids))
        )
    )
    return {(enrolment_id, competency_id): result for enrolment_id, competency_id, result in rows}


# ---------------------------------------------------------------- names of results and methods

RESULT_NAMES = {
    AssessmentResult.competent.value: N_("Competent"),
    AssessmentResult.not_yet_competent.value: N_("Not yet competent"),
}
METHOD_NAMES = {
    AssessmentMethod.observation.value: N_("Observation"),
    AssessmentMethod.written.value: N_("Written test"),
    AssessmentMethod.case_study.value: N_("Case study"),
    AssessmentMethod.portfolio.value: N_("Portfolio"),
}

# ---------------------------------------------------------------- the assessment grid


@dataclass(frozen=True)
class AssessedCompetency:
    """A competency the cohort's course targets, as the assessment grid shows it: a column of the grid;
    `required` ones count for completion."""

    competency: Competency
    required: bool


@dataclass(frozen=True)
class GridRow:
    entry: RosterEntry
    latest: list[Assessment | None]  # one per target, in the grid's order


@dataclass(frozen=True)
class AssessmentGrid:
    cohort: Cohort
    course: Course
    targets: list[AssessedCompetency]
    rows: list[GridRow]

    @property
    def editable(self) -> bool:
        return writable(self.cohort)

    def row_of(self, enrolment_id: int) -> GridRow | None:
        return next((row for row in self.rows if row.entry.enrolment_id == enrolment_id), None)

    def column_of(self, competency_id: int) -> int | None:
        return next((i for i, t in enumerate(self.targets) if t.competency.id == competency_id), None)

    def latest(self, enrolment_id: int, competency_id: int) -> Assessment | None:
        row, column = self.row_of(enrolment_id), self.column_of(competency_id)
        return None if row is None or column is None else row.latest[column]

    def bulk_cells(
        self, *, competency_id: int | None = None, enrolment_id: int | None = None
    ) -> list[tuple[int, int]] | None:
        """The cells of one competency's column or one trainee's row that are not competent yet: what "all
        competent" writes. None when there is no such column or row."""
        if competency_id is not None and self.column_of(competency_id) is not None:
            rows, columns = self.rows, [competency_id]
        elif enrolment_id is not None and (row := self.row_of(enrolment_id)) is not None:
            rows, columns = [row], [row_id(t.competency) for t in self.targets]
        else:
            return None
        cells = [(row.entry.enrolment_id, cid) for row in rows for cid in columns]
        return [cell for cell in cells if not _is_competent(self.latest(*cell))]


def _is_competent(attempt: Assessment | None) -> bool:
    return attempt is not None and attempt.result == AssessmentResult.competent.value


async def targets_of(session: AsyncSession, course_id: int) -> list[AssessedCompetency]:
    """The course's target competencies in the reading order of their frameworks."""
    rows = await session.execute(
        select(Competency, CourseCompetency.required)
        .join(CourseCompetency, col(CourseCompetency.competency_id) == Competency.id)
        .join(CompetencyDomain, col(CompetencyDomain.id) == Competency.domain_id)
        .join(CompetencyFramework, col(CompetencyFramework.id) == Competency.framework_id)
        .where(col(CourseCompetency.course_id) == course_id)
        .order_by(
            col(CompetencyFramework.code),
            col(CompetencyDomain.position),
            col(CompetencyDomain.code),
            col(Competency.position),
            col(Competency.code),
        )
    )
    return [AssessedCompetency(competency, required) for competency, required in rows.all()]


async def assessment_grid(session: AsyncSession, user: CurrentUser, cohort_id: int) -> AssessmentGrid:
    """Trainees x the course's target competencies, each cell with its latest result."""
    return await grid_of(session, await cohort_for(session, user, cohort_id))


async def grid_of(session: AsyncSession, cohort: Cohort) -> AssessmentGrid:
    """The grid of a cohort the user may see (found by `cohort_for`)."""
    targets = await targets_of(session, cohort.course_id)
    entries = await roster(session, row_id(cohort))
    latest = await latest_results(session, [entry.enrolment_id for entry in entries])
    rows = [
        GridRow(entry, [latest.get((entry.enrolment_id, row_id(t.competency))) for t in targets])
        for entry in entries
    ]
    return AssessmentGrid(cohort, await course_of(session, cohort), targets, rows)


# ---------------------------------------------------------------- one trainee's attempts at one competency


@dataclass(frozen=True)
class AssessmentCell:
    cohort: Cohort
    course: Course
    entry: RosterEntry
    target: AssessedCompetency
    attempts: list[tuple[Assessment, User | None]]  # newest first: the first one counts
    today: date

    @property
    def editable(self) -> bool:
        return writable(self.cohort)


def _on_roster(entries: list[RosterEntry], enrolment_id: int) -> RosterEntry | None:
    return next((entry for entry in entries if entry.enrolment_id == enrolment_id), None)


def _target(targets: list[AssessedCompetency], competency_id: int) -> AssessedCompetency | None:
    return next((t for t in targets if t.competency.id == competency_id), None)


async def assessment_cell(
    session: AsyncSession, user: CurrentUser, cohort_id: int, enrolment_id: int, competency_id: int
) -> AssessmentCell:
    cohort = await cohort_for(session, user, cohort_id)
    entry = _on_roster(await roster(session, cohort_id), enrolment_id)
    target = _target(await targets_of(session, cohort.course_id), competency_id)
    if entry is None or target is None:
        raise NotFound(N_("No such trainee or competency in this cohort."))
    attempts = await session.execute(
        select(Assessment, User)
        .outerjoin(User, col(User.id) == Assessment.assessor_id)
        .where(col(Assessment.enrolment_id) == enrolment_id, col(Assessment.competency_id) == competency_id)
        .order_by(col(Assessment.id).desc())
    )
    history: list[tuple[Assessment, User | None]] = [
        (attempt, assessor) for attempt, assessor in attempts.all()
    ]
    return AssessmentCell(cohort, await course_of(session, cohort), entry, target, history, today())


def date_problem(assessed_on: date, cohort: Cohort) -> str | None:
    if assessed_on > today():
        return gettext(N_("This date is in the future."))
    if assessed_on < cohort.start_date:
        message = gettext(N_("This date is before the cohort started (%(start)s)."))
        return message % {"start": format_date(cohort.start_date)}
    return None


async def record_assessment(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, data: AssessmentCreate
) -> Assessment:
    """A new attempt by the signed-in assessor; earlier attempts stay as history."""
    cohort = await cohort_for(session, user, cohort_id, write=True)
    problems: dict[str, str] = {}
    if _on_roster(await roster(session, cohort_id), data.enrolment_id) is None:
        problems["enrolment_id"] = gettext(N_("This trainee is not enrolled in this cohort."))
    if _target(await targets_of(session, cohort.course_id), data.competency_id) is None:
        problems["competency_id"] = gettext(N_("This competency is not one the course targets."))
    assessed_on = data.assessed_on or today()
    if dated := date_problem(assessed_on, cohort):
        problems["assessed_on"] = dated
    if problems:
        raise InvalidInput(problems)
    assessment = Assessment(
        **data.model_dump(exclude={"assessed_on"}), assessed_on=assessed_on, assessor_id=actor.user_id
    )
    session.add(assessment)
    await session.flush()
    audit.record(session, actor, "assessment.create", assessment, None, audit.snapshot(assessment))
    return assessment


async def cohort_assessments(
    session: AsyncSession, user: CurrentUser, cohort_id: int
) -> list[AssessmentRead]:
    """Every attempt of the cohort's trainees, oldest first, each saying whether it is the one that counts."""
    await cohort_for(session, user, cohort_id)
    ids = [entry.enrolment_id for entry in await roster(session, cohort_id)]
    latest = {row_id(a) for a in (await latest_results(session, ids)).values()}
    rows = await session.execute(
        select(Assessment).where(col(Assessment.enrolment_id).in_(ids)).order_by(col(Assessment.id))
    )
    return [AssessmentRead(**a.model_dump(), latest=a.id in latest) for a in rows.scalars()]


# ---------------------------------------------------------------- module completion


@dataclass(frozen=True)
class ModuleRow:
    entry: RosterEntry
    completions: list[ModuleCompletion | None]  # one per module, in the course's order


@dataclass(frozen=True)
class ModuleGrid:
    cohort: Cohort
    course: Course
    modules: list[CourseModule]
    rows: list[ModuleRow]

    @property
    def editable(self) -> bool:
        return writable(self.cohort)

    def done_count(self, index: int) -> int:
        return sum(1 for row in self.rows if row.completions[index] is not None)

    def row(self, enrolment_id: int) -> ModuleRow:
        return next(row for row in self.rows if row.entry.enrolment_id == enrolment_id)

    def column(self, module_id: int) -> int:
        return next(i for i, module in enumerate(self.modules) if module.id == module_id)

    @property
    def completions(self) -> list[ModuleCompletion]:
        return [done for row in self.rows for done in row.completions if done is not None]


async def _modules(session: AsyncSession, course_id: int) -> list[CourseModule]:
    rows = await session.execute(
        select(CourseModule)
        .where(col(CourseModule.course_id) == course_id)
        .order_by(col(CourseModule.position), col(CourseModule.id))
    )
    return list(rows.scalars())


async def _module_grid(session: AsyncSession, cohort: Cohort) -> ModuleGrid:
    cohort_id = row_id(cohort)
    modules = await _modules(session, cohort.course_id)
    entries = await roster(session, cohort_id)
    done = await session.execute(
        select(ModuleCompletion).where(
            col(ModuleCompletion.enrolment_id).in_([entry.enrolment_id for entry in entries])
        )
    )
    by_cell = {(c.enrolment_id, c.module_id): c for c in done.scalars()}
    rows = [
        ModuleRow(entry, [by_cell.get((entry.enrolment_id, row_id(m))) for m in modules]) for entry in entries
    ]
    return ModuleGrid(cohort, await course_of(session, cohort), modules, rows)


async def module_grid(session: AsyncSession, user: CurrentUser, cohort_id: int) -> ModuleGrid:
    """Trainees x the course's modules, with each completion recorded."""
    return await _module_grid(session, await cohort_for(session, user, cohort_id))


async def _set_completions(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    module_id: int,
    wanted: Callable[[list[int]], Mapping[int, bool]],
) -> ModuleGrid:
    """Record or undo completions of one module: `wanted` says, from the roster, who has it done."""
    cohort = await cohort_for(session, user, cohort_id, write=True)
    grid = await _module_grid(session, cohort)
    if all(module.id != module_id for module in grid.modules):
        raise InvalidInput({"module_id": gettext(N_("This module is not part of the course."))})
    column = grid.column(module_id)
    current = {row.entry.enrolment_id: row.completions[column] for row in grid.rows}
    changes = wanted(list(current))
    if any(enrolment_id not in current for enrolment_id in changes):
        raise InvalidInput({"enrolment_id": gettext(N_("This trainee is not enrolled in this cohort."))})
    enrolments = {row.entry.enrolment_id: row.entry.enrolment for row in grid.rows}
    for enrolment_id, done in changes.items():
        completion = current[enrolment_id]
        # Module completion has no id of its own: the entry is filed under the enrolment it belongs to.
        if done and completion is None:
            completion = ModuleCompletion(
                enrolment_id=enrolment_id,
                module_id=module_id,
                completed_on=today(),
                recorded_by=actor.user_id,
            )
            session.add(completion)
            after = audit.snapshot(completion)
            audit.record(session, actor, "module_completion.create", enrolments[enrolment_id], None, after)
        elif not done and completion is not None:
            before = audit.snapshot(completion)
            await session.delete(completion)
            audit.record(session, actor, "module_completion.delete", enrolments[enrolment_id], before, None)
    return await _module_grid(session, cohort)


async def set_module_completion(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    module_id: int,
    enrolment_id: int,
    done: bool,
) -> ModuleGrid:
    """Record (or undo) one trainee's completion of one module."""
    return await _set_completions(session, actor, user, cohort_id, module_id, lambda _: {enrolment_id: done})


async def complete_module_for_everyone(
    session: AsyncSession, actor: Actor, user: CurrentUser, cohort_id: int, module_id: int
) -> ModuleGrid:
    """The module done by every trainee on the register (those already done keep their date)."""
    return await _set_completions(
        session, actor, user, cohort_id, module_id, lambda everyone: dict.fromkeys(everyone, True)
    )


async def set_module_completed_by(
    session: AsyncSession,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    module_id: int,
    enrolment_ids: set[int],
) -> ModuleGrid:
    """Exactly these trainees have the module done: the others' completions are undone."""

    def only_these(everyone: list[int]) -> dict[int, bool]:
        return {eid: eid in enrolment_ids for eid in everyone} | dict.fromkeys(enrolment_ids, True)

    return await _set_completions(session, actor, user, cohort_id, module_id, only_these)
