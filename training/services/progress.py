"""Progress of enrolments (their checklists, from what is recorded) and the overview of a cohort."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Course,
    CourseCompetency,
    CourseModule,
    EthicsQuiz,
    ModuleKind,
)
from courses.services.courses import CompletionChecklist, Target
from foundation.clock import cambodian_day
from foundation.columns import row_id, table
from foundation.errors import InvalidInput, NotFound
from foundation.i18n import N_, gettext
from people.models import Trainee
from people.services.auth import CurrentUser
from training.models import Cohort, Enrolment, ModuleCompletion, PledgeAcceptance, QuizAttempt
from training.schemas.progress import Requirement
from training.services.access import SEATED, cohort_for
from training.services.assessments import latest_outcomes
from training.services.attendance import attendance_rates, course_deliveries
from training.services.completion import (
    Checklist,
    EnrolmentFacts,
    PledgeRecord,
    completion_checklist,
    quiz_record,
)

# ---------------------------------------------------------------- loading progress for many enrolments


@dataclass(frozen=True)
class Progress:
    """An enrolment with where it stands: the checklist, computed from what is recorded."""

    enrolment: Enrolment
    cohort: Cohort
    course: Course
    trainee: Trainee
    checklist: Checklist
    facts: EnrolmentFacts = field(default_factory=EnrolmentFacts)

    @property
    def complete(self) -> bool:
        return self.checklist.complete


EnrolmentQuery = Select[Enrolment, Cohort, Course, Trainee]


def enrolment_rows() -> EnrolmentQuery:
    return (
        select(Enrolment, Cohort, Course, Trainee)
        .join(Cohort, col(Cohort.id) == Enrolment.cohort_id)
        .join(Course, col(Course.id) == Cohort.course_id)
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
    )


async def _course_rules(
    session: AsyncSession, courses: Mapping[int, Course]
) -> dict[int, CompletionChecklist]:
    """The completion rules of these courses (by id), in three queries however many there are."""
    course_ids = list(courses)
    modules: dict[int, list[CourseModule]] = defaultdict(list)
    rows = await session.execute(
        select(CourseModule)
        .where(col(CourseModule.course_id).in_(course_ids))
        .order_by(col(CourseModule.position), col(CourseModule.id))
    )
    for module in rows.scalars():
        modules[module.course_id].append(module)
    ethics_ids = [row_id(m) for ms in modules.values() for m in ms if m.kind == ModuleKind.ethics]
    quizzes: dict[int, EthicsQuiz] = {}
    if ethics_ids:
        found = await session.execute(select(EthicsQuiz).where(col(EthicsQuiz.module_id).in_(ethics_ids)))
        quizzes = {quiz.module_id: quiz for quiz in found.scalars()}
    targets: dict[int, list[Target]] = defaultdict(list)
    linked = await session.execute(
        select(CourseCompetency.course_id, Competency, CompetencyDomain, CompetencyFramework)
        .join(Competency, col(Competency.id) == CourseCompetency.competency_id)
        .join(CompetencyDomain, col(CompetencyDomain.id) == Competency.domain_id)
        .join(CompetencyFramework, col(CompetencyFramework.id) == Competency.framework_id)
        .where(col(CourseCompetency.course_id).in_(course_ids), col(CourseCompetency.required))
        .order_by(
            col(CompetencyFramework.code),
            col(CompetencyDomain.position),
            col(CompetencyDomain.code),
            col(Competency.position),
            col(Competency.code),
        )
    )
    for course_id, competency, domain, framework in linked.all():
        targets[course_id].append(Target(competency, domain, framework, required=True))
    return {
        course_id: CompletionChecklist(
            min_attendance_percent=course.min_attendance_percent,
            required_modules=[m for m in modules[course_id] if m.required],
            required_competencies=targets[course_id],
            ethics_quizzes=[
                (m, quizzes[row_id(m)])
                for m in modules[course_id]
                if m.kind == ModuleKind.ethics and row_id(m) in quizzes
            ],
            pledge_required=course.pledge_required,
        )
        for course_id, course in courses.items()
    }


async def _facts(session: AsyncSession, cohorts: Mapping[int, Cohort]) -> dict[int, EnrolmentFacts]:
    """What each enrolment (by id, with its cohort) has done, and how far its cohort's course has come, in a
    fixed number of queries however many there are."""
    enrolment_ids = list(cohorts)
    rates = await attendance_rates(session, enrolment_ids)
    deliveries = await course_deliveries(session, {row_id(c): c.end_date for c in cohorts.values()})
    results: dict[int, dict[int, str]] = defaultdict(dict)
    for (enrolment_id, competency_id), result in (await latest_outcomes(session, enrolment_ids)).items():
        results[enrolment_id][competency_id] = result
    completed: dict[int, set[int]] = defaultdict(set)
    record_days: dict[int, list[date]] = defaultdict(list)  # when modules, quizzes and pledges were done
    done = table(ModuleCompletion)
    rows = await session.execute(
        select(done.c.enrolment_id, done.c.module_id, done.c.completed_on).where(
            done.c.enrolment_id.in_(enrolment_ids)
        )
    )
    for enrolment_id, module_id, completed_on in rows.all():
        completed[enrolment_id].add(module_id)
        record_days[enrolment_id].append(completed_on)
    attempts: dict[int, dict[int, list[QuizAttempt]]] = defaultdict(lambda: defaultdict(list))
    found = await session.execute(
        select(QuizAttempt).where(
            col(QuizAttempt.enrolment_id).in_(enrolment_ids), col(QuizAttempt.submitted_at).is_not(None)
        )
    )
    for attempt in found.scalars():
        attempts[attempt.enrolment_id][attempt.module_id].append(attempt)
        if attempt.passed and attempt.submitted_at is not None:
            record_days[attempt.enrolment_id].append(cambodian_day(attempt.submitted_at))
    pledged: dict[int, dict[int, PledgeRecord]] = defaultdict(dict)
    pledges = table(PledgeAcceptance)
    rows = await session.execute(
        select(pledges.c.enrolment_id, pledges.c.module_id, pledges.c.mode, pledges.c.accepted_at).where(
            pledges.c.enrolment_id.in_(enrolment_ids)
        )
    )
    for enrolment_id, module_id, mode, accepted_at in rows.all():
        pledged[enrolment_id][module_id] = PledgeRecord(mode == "paper", cambodian_day(accepted_at))
        record_days[enrolment_id].append(cambodian_day(accepted_at))
    return {
        enrolment_id: EnrolmentFacts(
            attendance_percent=rates.get(enrolment_id),
            completed_module_ids=frozenset(completed[enrolment_id]),
            competency_results=results[enrolment_id],
            quizzes={m: quiz_record(a) for m, a in attempts[enrolment_id].items()},
            pledges=pledged[enrolment_id],
            delivery=deliveries[row_id(cohort)],
            last_record_on=max(record_days[enrolment_id], default=None),
        )
        for enrolment_id, cohort in cohorts.items()
    }


async def progress_of(session: AsyncSession, query: EnrolmentQuery) -> list[Progress]:
    """The progress of the enrolments the query selects, in its order."""
    rows = list((await session.execute(query)).all())
    if not rows:
        return []
    rules = await _course_rules(session, {row_id(course): course for _, _, course, _ in rows})
    facts = await _facts(session, {row_id(enrolment): cohort for enrolment, cohort, *_ in rows})
    return [
        Progress(
            enrolment,
            cohort,
            course,
            trainee,
            completion_checklist(rules[row_id(course)], facts[row_id(enrolment)]),
            facts[row_id(enrolment)],
        )
        for enrolment, cohort, course, trainee in rows
    ]


async def complete_enrolments(session: AsyncSession, enrolment_ids: Sequence[int]) -> set[int]:
    """Those of these enrolments that meet every requirement: the checklists alone, without the rows of the
    enrolments, trainees and courses that `enrolment_progress` loads for showing them (a trainer's dashboard
    counts hundreds on every visit). No access check."""
    if not enrolment_ids:
        return set()
    enrolments = table(Enrolment)
    rows: list[tuple[int, Cohort]] = [
        (enrolment_id, cohort)
        for enrolment_id, cohort in await session.execute(
            select(enrolments.c.id, Cohort)
            .join(Cohort, col(Cohort.id) == enrolments.c.cohort_id)
            .where(enrolments.c.id.in_(enrolment_ids))
        )
    ]
    course_ids = {cohort.course_id for _, cohort in rows}
    courses = await session.execute(select(Course).where(col(Course.id).in_(course_ids)))
    rules = await _course_rules(session, {row_id(course): course for course in courses.scalars()})
    facts = await _facts(session, {enrolment_id: cohort for enrolment_id, cohort in rows})
    return {
        enrolment_id
        for enrolment_id, cohort in rows
        if completion_checklist(rules[cohort.course_id], facts[enrolment_id]).complete
    }


async def enrolment_progress(session: AsyncSession, enrolment_ids: Sequence[int]) -> dict[int, Progress]:
    """The progress of each of these enrolments, by id (unknown ids are absent), in a fixed number of
    queries however many there are. No access check: callers check who may see them."""
    if not enrolment_ids:
        return {}
    found = await progress_of(session, enrolment_rows().where(col(Enrolment.id).in_(enrolment_ids)))
    return {row_id(progress.enrolment): progress for progress in found}


# ---------------------------------------------------------------- the cohort overview


@dataclass(frozen=True)
class CohortOverview:
    """Every trainee enrolled in a cohort with where they stand, and the overview's filter.

    `progress` lists them all (by name); `shown` those the filter keeps; `ready` those who meet every
    requirement (ready for a certificate); `missing_counts` how many miss each kind of requirement.
    """

    cohort: Cohort
    course: Course
    progress: list[Progress]
    missing: Requirement | None = None

    @property
    def shown(self) -> list[Progress]:
        if self.missing is None:
            return self.progress
        return [p for p in self.progress if self.missing in p.checklist.missing]

    @property
    def ready(self) -> list[Progress]:
        return [p for p in self.progress if p.complete]

    @property
    def missing_counts(self) -> dict[Requirement, int]:
        return {r: sum(1 for p in self.progress if r in p.checklist.missing) for r in Requirement}


def _requirement(name: str | None) -> Requirement | None:
    if name is None or name == "":
        return None
    try:
        return Requirement(name)
    except ValueError:
        raise InvalidInput({"missing": gettext(N_("Choose one of the options."))}) from None


async def cohort_overview(
    session: AsyncSession, cohort_id: int, missing: str | None = None
) -> CohortOverview:
    """The overview of a cohort (enrolled, completed and not completed trainees; not the waitlist nor those
    who withdrew), filtered to those missing one kind of requirement (a `Requirement` value) if given.

    No access check: callers check who may see the cohort (see `overview_for`). Fixed number of queries.
    """
    requirement = _requirement(missing)
    cohort = await session.get(Cohort, cohort_id)
    course = await session.get(Course, cohort.course_id) if cohort else None
    if cohort is None or course is None:
        raise NotFound(N_("No such cohort."))
    query = (
        enrolment_rows()
        .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status).in_(SEATED))
        .order_by(col(Trainee.name_latin), col(Trainee.id))
    )
    return CohortOverview(cohort, course, await progress_of(session, query), requirement)


async def overview_for(
    session: AsyncSession, user: CurrentUser, cohort_id: int, missing: str | None = None
) -> CohortOverview:
    """The overview, for an admin or one of the cohort's trainers (others: 403)."""
    await cohort_for(session, user, cohort_id)
    return await cohort_overview(session, cohort_id, missing)
