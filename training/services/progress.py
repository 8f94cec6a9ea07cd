"""Progress and completion: each enrolment's checklist (computed, never typed), the cohort overview,
a trainee's own progress, and settling the enrolments when a cohort closes."""

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select
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
from courses.services.courses import Bilingual, CompletionChecklist, Problem, Target
from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id, table
from foundation.errors import InvalidInput, NotFound
from foundation.i18n import N_, gettext
from people.models import Trainee
from people.services.auth import CurrentUser
from training.models import (
    AssessmentResult,
    ClassSession,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    ModuleCompletion,
    PledgeAcceptance,
    QuizAttempt,
    SessionModule,
)
from training.services import cohorts

UPCOMING_SESSIONS = 10


class Requirement(enum.StrEnum):
    """The kinds of completion requirement; also the overview's filter by missing item."""

    attendance = "attendance"
    modules = "modules"
    competencies = "competencies"
    quiz = "quiz"
    pledge = "pledge"


# Short tags for the overview (what is missing) and its filter.
REQUIREMENT_TAGS = {
    Requirement.attendance: N_("Attendance"),
    Requirement.modules: N_("Modules"),
    Requirement.competencies: N_("Competencies"),
    Requirement.quiz: N_("Ethics quiz"),
    Requirement.pledge: N_("Pledge"),
}


# ---------------------------------------------------------------- the completion rules (no database)


@dataclass(frozen=True)
class QuizRecord:
    """One enrolment's submitted attempts at one ethics module's quiz, online and on paper."""

    online_attempts: int = 0
    best_percent: int | None = None
    passed: bool = False


def quiz_record(attempts: Iterable[QuizAttempt]) -> QuizRecord:
    """Passed if ANY submitted attempt passed, online or on paper; only online attempts use up the limit
    (a paper result is the trainer's decision, whatever happened online). Unsubmitted attempts count for
    nothing."""
    submitted = [a for a in attempts if a.submitted_at is not None]
    scores = [a.score_percent for a in submitted if a.score_percent is not None]
    return QuizRecord(
        online_attempts=sum(1 for a in submitted if a.mode == "online"),
        best_percent=max(scores, default=None),
        passed=any(a.passed for a in submitted),
    )


@dataclass(frozen=True)
class EnrolmentFacts:
    """What an enrolment has done so far, as recorded."""

    attendance_percent: Decimal | None = None  # None while no attendance has been taken
    completed_module_ids: frozenset[int] = frozenset()
    competency_results: Mapping[int, str] = field(default_factory=dict)  # latest result by competency id
    quizzes: Mapping[int, QuizRecord] = field(default_factory=dict)  # by ethics module id
    pledged_module_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Listing:
    """Names joined for a sentence, each in the reader's language."""

    names: tuple[Bilingual | str, ...]

    def __str__(self) -> str:
        return ", ".join(map(str, self.names))


@dataclass(frozen=True)
class ChecklistItem:
    """One requirement, met or missing, said with its numbers (a catalog msgid and the values it names)."""

    requirement: Requirement
    met: bool
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    missing: tuple[Bilingual | str, ...] = ()  # the modules or competency codes still to do
    module_id: int | None = None  # the ethics module a quiz or pledge item is about

    def text(self) -> str:
        return Problem(self.message, self.params).text()


@dataclass(frozen=True)
class Checklist:
    items: list[ChecklistItem]

    @property
    def complete(self) -> bool:
        return all(item.met for item in self.items)

    @property
    def missing(self) -> list[Requirement]:
        """The kinds of requirement not met yet, each once, in checklist order."""
        return list(dict.fromkeys(item.requirement for item in self.items if not item.met))


def _attendance(required: int, rate: Decimal | None) -> ChecklistItem:
    if rate is None:
        message = N_("Attendance: not taken yet (%(required)s%% required)")
        return ChecklistItem(Requirement.attendance, required == 0, message, {"required": required})
    return ChecklistItem(
        Requirement.attendance,
        rate >= required,
        N_("Attendance %(rate)s%% of %(required)s%% required"),
        {"rate": rate, "required": required},
    )


def _modules(required: Sequence[CourseModule], done: frozenset[int]) -> ChecklistItem:
    missing = tuple(Bilingual(m.title_km, m.title_en) for m in required if row_id(m) not in done)
    params: dict[str, Any] = {"done": len(required) - len(missing), "total": len(required)}
    if not missing:
        return ChecklistItem(Requirement.modules, True, N_("Modules: %(done)s of %(total)s done"), params)
    message = N_("Modules: %(done)s of %(total)s done (missing: %(missing)s)")
    return ChecklistItem(Requirement.modules, False, message, params | {"missing": Listing(missing)}, missing)


def _competencies(required: Sequence[Target], results: Mapping[int, str]) -> ChecklistItem:
    missing = tuple(
        t.competency.code for t in required if results.get(row_id(t.competency)) != AssessmentResult.competent
    )
    params: dict[str, Any] = {"done": len(required) - len(missing), "total": len(required)}
    if not missing:
        message = N_("Competencies: %(done)s of %(total)s competent")
        return ChecklistItem(Requirement.competencies, True, message, params)
    message = N_("Competencies: %(done)s of %(total)s competent (missing: %(missing)s)")
    return ChecklistItem(
        Requirement.competencies, False, message, params | {"missing": Listing(missing)}, missing
    )


def _quiz(module_id: int, quiz: EthicsQuiz, record: QuizRecord) -> ChecklistItem:
    mark, allowed = quiz.pass_mark_percent, quiz.attempts_allowed
    if record.passed:
        message = N_("Ethics quiz: passed (best %(best)s%%, pass mark %(mark)s%%)")
        params = {"best": record.best_percent or 0, "mark": mark}
    elif record.best_percent is None:
        message = N_("Ethics quiz: not taken yet (pass mark %(mark)s%%, %(allowed)s attempts allowed)")
        params = {"mark": mark, "allowed": allowed}
    else:
        message = N_(
            "Ethics quiz: not passed yet (best %(best)s%%, pass mark %(mark)s%%, "
            "%(left)s of %(allowed)s attempts left)"
        )
        left = max(allowed - record.online_attempts, 0)
        params = {"best": record.best_percent, "mark": mark, "left": left, "allowed": allowed}
    return ChecklistItem(Requirement.quiz, record.passed, message, params, module_id=module_id)


def _pledge(module_id: int, accepted: bool) -> ChecklistItem:
    message = N_("Code of ethics pledge: accepted") if accepted else N_("Code of ethics pledge: not accepted")
    return ChecklistItem(Requirement.pledge, accepted, message, module_id=module_id)


def completion_checklist(rules: CompletionChecklist, facts: EnrolmentFacts) -> Checklist:
    """One item per requirement of the course, met or missing, with the numbers.

    Attendance is always checked; modules and competencies when the course requires any; the quiz (and,
    if the course asks for it, the pledge) of every ethics module. The pledge is a requirement of its own:
    it may be accepted before or after the quiz is passed.
    """
    items = [_attendance(rules.min_attendance_percent, facts.attendance_percent)]
    if rules.required_modules:
        items.append(_modules(rules.required_modules, facts.completed_module_ids))
    if rules.required_competencies:
        items.append(_competencies(rules.required_competencies, facts.competency_results))
    for module, quiz in rules.ethics_quizzes:
        module_id = row_id(module)
        items.append(_quiz(module_id, quiz, facts.quizzes.get(module_id, QuizRecord())))
        if rules.pledge_required:
            items.append(_pledge(module_id, module_id in facts.pledged_module_ids))
    return Checklist(items)


# ---------------------------------------------------------------- loading progress for many enrolments


@dataclass(frozen=True)
class Progress:
    """An enrolment with where it stands: the checklist, computed from what is recorded."""

    enrolment: Enrolment
    cohort: Cohort
    course: Course
    trainee: Trainee
    checklist: Checklist

    @property
    def complete(self) -> bool:
        return self.checklist.complete


EnrolmentQuery = Select[Enrolment, Cohort, Course, Trainee]


def _enrolment_rows() -> EnrolmentQuery:
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


async def _facts(session: AsyncSession, enrolment_ids: list[int]) -> dict[int, EnrolmentFacts]:
    """What each enrolment has done, in a fixed number of queries however many there are."""
    # Imported here: both import the cohorts service, which imports this module.
    from training.services.assessments import latest_outcomes
    from training.services.attendance import attendance_rates

    rates = await attendance_rates(session, enrolment_ids)
    results: dict[int, dict[int, str]] = defaultdict(dict)
    for (enrolment_id, competency_id), result in (await latest_outcomes(session, enrolment_ids)).items():
        results[enrolment_id][competency_id] = result
    completed: dict[int, set[int]] = defaultdict(set)
    done = table(ModuleCompletion)
    rows = await session.execute(
        select(done.c.enrolment_id, done.c.module_id).where(done.c.enrolment_id.in_(enrolment_ids))
    )
    for enrolment_id, module_id in rows.all():
        completed[enrolment_id].add(module_id)
    attempts: dict[int, dict[int, list[QuizAttempt]]] = defaultdict(lambda: defaultdict(list))
    found = await session.execute(
        select(QuizAttempt).where(
            col(QuizAttempt.enrolment_id).in_(enrolment_ids), col(QuizAttempt.submitted_at).is_not(None)
        )
    )
    for attempt in found.scalars():
        attempts[attempt.enrolment_id][attempt.module_id].append(attempt)
    pledged: dict[int, set[int]] = defaultdict(set)
    pledges = table(PledgeAcceptance)
    rows = await session.execute(
        select(pledges.c.enrolment_id, pledges.c.module_id).where(pledges.c.enrolment_id.in_(enrolment_ids))
    )
    for enrolment_id, module_id in rows.all():
        pledged[enrolment_id].add(module_id)
    return {
        enrolment_id: EnrolmentFacts(
            attendance_percent=rates.get(enrolment_id),
            completed_module_ids=frozenset(completed[enrolment_id]),
            competency_results=results[enrolment_id],
            quizzes={m: quiz_record(a) for m, a in attempts[enrolment_id].items()},
            pledged_module_ids=frozenset(pledged[enrolment_id]),
        )
        for enrolment_id in enrolment_ids
    }


async def _progress(session: AsyncSession, query: EnrolmentQuery) -> list[Progress]:
    """The progress of the enrolments the query selects, in its order."""
    rows = list((await session.execute(query)).all())
    if not rows:
        return []
    rules = await _course_rules(session, {row_id(course): course for _, _, course, _ in rows})
    facts = await _facts(session, [row_id(enrolment) for enrolment, *_ in rows])
    return [
        Progress(
            enrolment,
            cohort,
            course,
            trainee,
            completion_checklist(rules[row_id(course)], facts[row_id(enrolment)]),
        )
        for enrolment, cohort, course, trainee in rows
    ]


async def complete_enrolments(session: AsyncSession, enrolment_ids: Sequence[int]) -> set[int]:
    """Those of these enrolments that meet every requirement: the checklists alone, without the rows of the
    enrolments, trainees and cohorts that `enrolment_progress` loads for showing them (a trainer's dashboard
    counts hundreds on every visit). No access check."""
    if not enrolment_ids:
        return set()
    enrolments, runs = table(Enrolment), table(Cohort)
    rows = (
        await session.execute(
            select(enrolments.c.id, runs.c.course_id)
            .join(runs, runs.c.id == enrolments.c.cohort_id)
            .where(enrolments.c.id.in_(enrolment_ids))
        )
    ).all()
    courses = await session.execute(select(Course).where(col(Course.id).in_({course for _, course in rows})))
    rules = await _course_rules(session, {row_id(course): course for course in courses.scalars()})
    facts = await _facts(session, [enrolment_id for enrolment_id, _ in rows])
    return {
        enrolment_id
        for enrolment_id, course_id in rows
        if completion_checklist(rules[course_id], facts[enrolment_id]).complete
    }


async def enrolment_progress(session: AsyncSession, enrolment_ids: Sequence[int]) -> dict[int, Progress]:
    """The progress of each of these enrolments, by id (unknown ids are absent), in a fixed number of
    queries however many there are. No access check: callers check who may see them."""
    if not enrolment_ids:
        return {}
    found = await _progress(session, _enrolment_rows().where(col(Enrolment.id).in_(enrolment_ids)))
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
        _enrolment_rows()
        .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status).in_(cohorts.SEATED))
        .order_by(col(Trainee.name_latin), col(Trainee.id))
    )
    return CohortOverview(cohort, course, await _progress(session, query), requirement)


async def overview_for(
    session: AsyncSession, user: CurrentUser, cohort_id: int, missing: str | None = None
) -> CohortOverview:
    """The overview, for an admin or one of the cohort's trainers (others: 403)."""
    await cohorts.cohort_for(session, user, cohort_id)
    return await cohort_overview(session, cohort_id, missing)


# ---------------------------------------------------------------- closing a cohort


@dataclass(frozen=True)
class Settlement:
    completed: int
    not_completed: int


async def settle_cohort(session: AsyncSession, actor: Actor, cohort_id: int) -> Settlement:
    """When a cohort closes, each enrolled trainee's status becomes completed or not_completed, as the
    checklist says; every change is in the audit log.

    Part of closing the cohort: the changes join the caller's transaction, and the caller commits.
    """
    query = _enrolment_rows().where(
        col(Enrolment.cohort_id) == cohort_id, col(Enrolment.status) == EnrolmentStatus.enrolled
    )
    completed = not_completed = 0
    now = utcnow()
    for progress in await _progress(session, query):
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


# ---------------------------------------------------------------- a trainee's own progress


@dataclass(frozen=True)
class UpcomingSession:
    meeting: ClassSession
    cohort: Cohort
    course: Course
    modules: list[CourseModule]


@dataclass(frozen=True)
class MyProgress:
    """A trainee's enrolments (newest cohort first) with their checklists, and their next sessions.

    Certificates have their own page (/me/certificates, in the certificates package).
    """

    enrolments: list[Progress]
    upcoming: list[UpcomingSession]


async def _upcoming(session: AsyncSession, trainee_id: int, since: date) -> list[UpcomingSession]:
    """The next sessions of the cohorts the trainee is enrolled in, with the modules each covers."""
    rows = await session.execute(
        select(ClassSession, Cohort, Course)
        .join(Cohort, col(Cohort.id) == ClassSession.cohort_id)
        .join(Course, col(Course.id) == Cohort.course_id)
        .join(Enrolment, col(Enrolment.cohort_id) == Cohort.id)
        .where(
            col(Enrolment.trainee_id) == trainee_id,
            col(Enrolment.status) == EnrolmentStatus.enrolled,
            col(ClassSession.day) >= since,
        )
        .order_by(col(ClassSession.day), col(ClassSession.starts_at), col(ClassSession.id))
        .limit(UPCOMING_SESSIONS)
    )
    meetings = list(rows.all())
    modules: dict[int, list[CourseModule]] = defaultdict(list)
    if meetings:
        covered = await session.execute(
            select(SessionModule.session_id, CourseModule)
            .join(CourseModule, col(CourseModule.id) == SessionModule.module_id)
            .where(col(SessionModule.session_id).in_([row_id(m) for m, _, _ in meetings]))
            .order_by(col(CourseModule.position), col(CourseModule.id))
        )
        for session_id, module in covered.all():
            modules[session_id].append(module)
    return [UpcomingSession(m, cohort, course, modules[row_id(m)]) for m, cohort, course in meetings]


async def my_progress(session: AsyncSession, user: CurrentUser) -> MyProgress:
    """The signed-in trainee's own enrolments and sessions: only those of their own trainee record."""
    if user.trainee_id is None:  # every trainee login is linked to a record; this one has nothing to show
        return MyProgress(enrolments=[], upcoming=[])
    query = (
        _enrolment_rows()
        .where(col(Enrolment.trainee_id) == user.trainee_id)
        .order_by(col(Cohort.start_date).desc(), col(Enrolment.id).desc())
    )
    return MyProgress(
        enrolments=await _progress(session, query),
        upcoming=await _upcoming(session, user.trainee_id, cohorts.today()),
    )


# ---------------------------------------------------------------- JSON read schemas


class ChecklistItemRead(SQLModel):
    requirement: Requirement
    met: bool
    text: str
    missing: list[str]
    module_id: int | None


class EnrolmentProgressRead(SQLModel):
    enrolment_id: int
    status: EnrolmentStatus
    trainee_id: int
    trainee_name_km: str
    trainee_name_latin: str
    cohort_id: int
    cohort_code: str
    start_date: date
    end_date: date
    course_code: str
    course_title_km: str
    course_title_en: str
    complete: bool
    missing: list[Requirement]
    checklist: list[ChecklistItemRead]


class UpcomingSessionRead(SQLModel):
    cohort_id: int
    cohort_code: str
    day: date
    starts_at: time | None
    ends_at: time | None
    venue: str
    module_titles_km: list[str]
    module_titles_en: list[str]


class MyProgressRead(SQLModel):
    enrolments: list[EnrolmentProgressRead]
    upcoming_sessions: list[UpcomingSessionRead]


class CohortOverviewRead(SQLModel):
    cohort_id: int
    cohort_code: str
    total: int
    complete: int
    missing_counts: dict[Requirement, int]
    missing: Requirement | None
    enrolments: list[EnrolmentProgressRead]
