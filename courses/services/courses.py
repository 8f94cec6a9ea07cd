"""Courses: drafts with their modules and target competencies, the checks before publishing, and versions."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    CompetencyTargets,
    Course,
    CourseCompetency,
    CourseInput,
    CourseModule,
    CourseStatus,
    EthicsQuiz,
    ModuleInput,
    ModuleKind,
    QuizOption,
    QuizQuestion,
)
from courses.services.frameworks import get_competencies, list_competencies
from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.formatting import format_date, format_number
from foundation.i18n import N_, current_language, gettext
from foundation.paging import Page

CODE_TAKEN = N_("This code is already used by another course: choose another one.")
CODE_KEPT = N_("A new version keeps the code of the course it copies.")
PUBLISHED_NOT_EDITED = N_("A published course is not edited in place: make a new version.")
ARCHIVED_NOT_EDITED = N_("An archived course is kept as it was: it is not edited.")


# ---------------------------------------------------------------- a course with everything it is made of


@dataclass(frozen=True)
class Bilingual:
    """A title in both languages; shown in the reader's language wherever it is printed."""

    km: str
    en: str

    def __str__(self) -> str:
        return self.km if current_language.get() == "km" else self.en


@dataclass(frozen=True)
class Target:
    """A competency the course targets, with where it sits in its framework."""

    competency: Competency
    domain: CompetencyDomain
    framework: CompetencyFramework
    required: bool


@dataclass
class DomainGroup:
    domain: CompetencyDomain
    competencies: list[Competency] = field(default_factory=list)


@dataclass
class FrameworkGroup:
    framework: CompetencyFramework
    domains: list[DomainGroup] = field(default_factory=list)


def group_by_framework(
    rows: list[tuple[Competency, CompetencyDomain, CompetencyFramework]],
) -> list[FrameworkGroup]:
    """Competencies (already in reading order) grouped framework > domain, for choosing and showing them."""
    groups: list[FrameworkGroup] = []
    for competency, domain, framework in rows:
        if not groups or groups[-1].framework.id != framework.id:
            groups.append(FrameworkGroup(framework))
        domains = groups[-1].domains
        if not domains or domains[-1].domain.id != domain.id:
            domains.append(DomainGroup(domain))
        domains[-1].competencies.append(competency)
    return groups


@dataclass(frozen=True)
class CompletionChecklist:
    """What a trainee must do to complete the course, read from its rules, modules and competencies."""

    min_attendance_percent: int
    required_modules: list[CourseModule]
    required_competencies: list[Target]
    ethics_quizzes: list[tuple[CourseModule, EthicsQuiz]]
    pledge_required: bool


@dataclass
class CourseOutline:
    course: Course
    modules: list[CourseModule]
    quizzes: dict[int, EthicsQuiz]  # of the ethics modules, by module id
    question_counts: dict[int, int]  # questions in each ethics module's bank, by module id
    targets: list[Target]
    code_used_elsewhere: bool = False

    @property
    def editable(self) -> bool:
        return self.course.status == CourseStatus.draft

    @property
    def ethics_modules(self) -> list[CourseModule]:
        return [m for m in self.modules if m.kind == ModuleKind.ethics]

    @property
    def module_hours(self) -> Decimal:
        return sum((m.hours for m in self.modules), Decimal(0))

    @property
    def target_groups(self) -> list[FrameworkGroup]:
        return group_by_framework([(t.competency, t.domain, t.framework) for t in self.targets])

    @property
    def required_competency_ids(self) -> set[int]:
        return {row_id(t.competency) for t in self.targets if t.required}

    @property
    def checklist(self) -> CompletionChecklist:
        return CompletionChecklist(
            min_attendance_percent=self.course.min_attendance_percent,
            required_modules=[m for m in self.modules if m.required],
            required_competencies=[t for t in self.targets if t.required],
            ethics_quizzes=[
                (m, self.quizzes[row_id(m)]) for m in self.ethics_modules if m.id in self.quizzes
            ],
            pledge_required=self.course.pledge_required,
        )


# ---------------------------------------------------------------- the checks before publishing (no database)


def _readable(value: Any) -> str:
    """A value named in a message, written the way the reader's language writes numbers and dates."""
    if isinstance(value, Decimal | int):
        return format_number(float(value))
    if isinstance(value, date):
        return format_date(value)
    return str(value)


@dataclass
class Problem:
    """One reason a draft cannot be published: a catalog msgid and the values it names."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """In the reader's language, with numbers written the way that language writes them."""
        values = {k: _readable(v) for k, v in self.params.items()}
        return gettext(self.message) % values if values else gettext(self.message)


class PublishRefused(Conflict):
    """A draft that is not ready: every problem is listed, so all can be put right in one go."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(N_("This course cannot be published yet. Put these right first:"))
        self.problems = problems


def _quiz_problems(
    module: CourseModule, quiz: EthicsQuiz | None, questions: int, pledge: bool
) -> list[Problem]:
    title = {"module": Bilingual(module.title_km, module.title_en)}
    if quiz is None:
        return [
            Problem(N_("The ethics module “%(module)s” has no quiz yet: open its quiz and save it."), title)
        ]
    problems = []
    if not 0 <= quiz.pass_mark_percent <= 100:
        problems.append(
            Problem(N_("The pass mark of the ethics module “%(module)s” must be between 0 and 100."), title)
        )
    if questions < quiz.questions_per_attempt:
        problems.append(
            Problem(
                N_(
                    "The ethics module “%(module)s” has %(questions)s quiz questions, "
                    "fewer than the %(per_attempt)s each attempt draws."
                ),
                title | {"questions": questions, "per_attempt": quiz.questions_per_attempt},
            )
        )
    if pledge and not (quiz.pledge_km.strip() and quiz.pledge_en.strip()):
        problems.append(
            Problem(
                N_("The ethics module “%(module)s” needs the pledge's text in Khmer and in English."), title
            )
        )
    return problems


def publish_problems(outline: CourseOutline) -> list[Problem]:
    """Everything that stops this draft from being published; empty when it is ready."""
    course = outline.course
    problems: list[Problem] = []
    if course.hours <= 0:
        problems.append(Problem(N_("The course's hours must be more than 0.")))
    if not outline.modules:
        problems.append(Problem(N_("Add at least one module.")))
    elif course.hours > 0 and (difference := outline.module_hours - course.hours) != 0:
        more = N_(
            "The modules add up to %(modules)s hours, %(difference)s hours more than the course's %(hours)s."
        )
        less = N_(
            "The modules add up to %(modules)s hours, %(difference)s hours less than the course's %(hours)s."
        )
        values = {"modules": outline.module_hours, "difference": abs(difference), "hours": course.hours}
        problems.append(Problem(more if difference > 0 else less, values))
    if course.issues_certificate and not outline.ethics_modules:
        problems.append(
            Problem(N_("Every course that issues a certificate needs at least one ethics module."))
        )
    if not 0 <= course.min_attendance_percent <= 100:
        problems.append(Problem(N_("The minimum attendance must be between 0 and 100.")))
    if not outline.targets:
        problems.append(Problem(N_("Target at least one competency.")))
    if outline.code_used_elsewhere:
        problems.append(
            Problem(
                N_(
                    "The code %(code)s is already used by another course: give this course a code of its own."
                ),
                {"code": course.code},
            )
        )
    for module in outline.ethics_modules:
        module_id = row_id(module)
        problems += _quiz_problems(
            module,
            outline.quizzes.get(module_id),
            outline.question_counts.get(module_id, 0),
            course.pledge_required,
        )
    return problems


# ---------------------------------------------------------------- reading


async def search_courses(
    session: AsyncSession,
    q: str = "",
    *,
    status: CourseStatus | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[Course]:
    """Every version of every course, by code then newest version first; q matches code or either title."""
    conditions = []
    if q.strip():
        pattern = f"%{q.strip()}%"
        conditions.append(
            or_(
                col(Course.code).ilike(pattern),
                col(Course.title_km).ilike(pattern),
                col(Course.title_en).ilike(pattern),
            )
        )
    if status is not None:
        conditions.append(col(Course.status) == status.value)
    total = (await session.execute(select(func.count()).select_from(Course).where(*conditions))).scalar_one()
    rows = await session.execute(
        select(Course)
        .where(*conditions)
        .order_by(col(Course.code), col(Course.version).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(rows.scalars()), total, page, per_page)


async def get_course(session: AsyncSession, course_id: int) -> Course:
    course = await session.get(Course, course_id)
    if course is None:
        raise NotFound(N_("No such course."))
    return course


async def course_versions(session: AsyncSession, code: str) -> list[Course]:
    """Every version sharing this code, oldest first."""
    rows = await session.execute(select(Course).where(col(Course.code) == code).order_by(col(Course.version)))
    return list(rows.scalars())


async def _modules(session: AsyncSession, course_id: int) -> list[CourseModule]:
    query = (
        select(CourseModule)
        .where(col(CourseModule.course_id) == course_id)
        .order_by(col(CourseModule.position), col(CourseModule.id))
    )
    return list((await session.execute(query)).scalars())


async def _targets(session: AsyncSession, course_id: int) -> list[Target]:
    links = await session.execute(
        select(CourseCompetency).where(col(CourseCompetency.course_id) == course_id)
    )
    required = {link.competency_id: link.required for link in links.scalars()}
    if not required:
        return []
    return [
        Target(competency, domain, framework, required[row_id(competency)])
        for competency, domain, framework in await list_competencies(session)
        if competency.id in required
    ]


def _family_root(course: Course, by_id: dict[int, Course]) -> int:
    while course.previous_version_id in by_id:
        course = by_id[course.previous_version_id]
    return row_id(course)


async def _code_used_elsewhere(session: AsyncSession, code: str, course: Course | None) -> bool:
    """Whether a course of another family (not a version of this one) has this code."""
    others = await course_versions(session, code)
    if course is None:
        return bool(others)
    by_id = {row_id(c): c for c in others} | {row_id(course): course}
    root = _family_root(course, by_id)
    return any(_family_root(other, by_id) != root for other in others)


async def get_outline(session: AsyncSession, course_id: int) -> CourseOutline:
    course = await get_course(session, course_id)
    modules = await _modules(session, course_id)
    ethics_ids = [row_id(m) for m in modules if m.kind == ModuleKind.ethics]
    quizzes: dict[int, EthicsQuiz] = {}
    question_counts: dict[int, int] = {}
    if ethics_ids:
        found = await session.execute(select(EthicsQuiz).where(col(EthicsQuiz.module_id).in_(ethics_ids)))
        quizzes = {quiz.module_id: quiz for quiz in found.scalars()}
        counts = await session.execute(
            select(QuizQuestion.module_id, func.count())
            .where(col(QuizQuestion.module_id).in_(ethics_ids))
            .group_by(col(QuizQuestion.module_id))
        )
        question_counts = {module_id: count for module_id, count in counts.all()}
    return CourseOutline(
        course,
        modules,
        quizzes,
        question_counts,
        await _targets(session, course_id),
        await _code_used_elsewhere(session, course.code, course),
    )


async def competency_choices(
    session: AsyncSession, course_id: int
) -> tuple[CourseOutline, list[FrameworkGroup]]:
    """The course as it is, and every competency it could target, grouped framework > domain."""
    outline = await get_outline(session, course_id)
    return outline, group_by_framework(await list_competencies(session))


async def get_module(session: AsyncSession, course_id: int, module_id: int) -> CourseModule:
    module = await session.get(CourseModule, module_id)
    if module is None or module.course_id != course_id:
        raise NotFound(N_("No such module."))
    return module


# ---------------------------------------------------------------- drafts


def require_draft(course: Course) -> None:
    """Published and archived versions are never edited: changes go into a new version."""
    if course.status == CourseStatus.published:
        raise Conflict(PUBLISHED_NOT_EDITED)
    if course.status == CourseStatus.archived:
        raise Conflict(ARCHIVED_NOT_EDITED)


async def get_draft(session: AsyncSession, course_id: int) -> Course:
    course = await get_course(session, course_id)
    require_draft(course)
    return course


async def create_course(session: AsyncSession, actor: Actor, data: CourseInput) -> Course:
    """A new course family: version 1, a draft."""
    if await _code_used_elsewhere(session, data.code, None):
        raise InvalidInput({"code": gettext(CODE_TAKEN)})
    course = Course(**data.model_dump())
    session.add(course)
    await session.flush()
    audit.record(session, actor, "course.create", course, None, audit.snapshot(course))
    return course


async def update_course(session: AsyncSession, actor: Actor, course_id: int, data: CourseInput) -> Course:
    course = await get_draft(session, course_id)
    if data.code != course.code:
        if course.previous_version_id is not None:
            raise InvalidInput({"code": gettext(CODE_KEPT)})
        if await _code_used_elsewhere(session, data.code, course):
            raise InvalidInput({"code": gettext(CODE_TAKEN)})
    before = audit.snapshot(course)
    course.sqlmodel_update(data.model_dump() | {"updated_at": utcnow()})
    audit.record(session, actor, "course.update", course, before, audit.snapshot(course))
    return course


# ---------------------------------------------------------------- modules of a draft


Moves = list[tuple[CourseModule, dict[str, Any] | None]]


def _place(modules: list[CourseModule], module: CourseModule, position: int) -> Moves:
    """Put `module` at `position` (1 is first; 0 or past the end is last) and number all from 1.

    Returns the other modules whose place changed, each with its state before."""
    before = {id(m): audit.snapshot(m) for m in modules}
    ordered = [m for m in modules if m is not module]
    ordered.insert(position - 1 if 1 <= position <= len(ordered) else len(ordered), module)
    moved: Moves = []
    for number, m in enumerate(ordered, start=1):
        if m.position != number:
            m.position = number
            if m is not module and id(m) in before:
                moved.append((m, before[id(m)]))
    return moved


def _record_moves(session: AsyncSession, actor: Actor, moves: Moves) -> None:
    for module, before in moves:
        audit.record(session, actor, "course_module.update", module, before, audit.snapshot(module))


def _module_values(data: ModuleInput) -> dict[str, Any]:
    return data.model_dump(exclude={"position"}) | {"kind": data.kind.value}


async def _question_count(session: AsyncSession, module_id: int) -> int:
    query = select(func.count()).select_from(QuizQuestion).where(col(QuizQuestion.module_id) == module_id)
    return int((await session.execute(query)).scalar_one())


async def add_module(session: AsyncSession, actor: Actor, course_id: int, data: ModuleInput) -> CourseModule:
    """A module of a draft, last unless `data.position` says where; an ethics module gets its quiz."""
    course = await get_draft(session, course_id)
    modules = await _modules(session, course_id)
    module = CourseModule(course_id=course_id, **_module_values(data))
    moves = _place(modules, module, data.position)
    session.add(module)
    await session.flush()
    quiz = None
    if module.kind == ModuleKind.ethics:
        quiz = EthicsQuiz(module_id=row_id(module))
        session.add(quiz)
    audit.record(
        session,
        actor,
        "course_module.create",
        module,
        None,
        audit.snapshot(module, quiz=audit.snapshot(quiz)),
    )
    _record_moves(session, actor, moves)
    course.updated_at = utcnow()
    return module


async def update_module(
    session: AsyncSession, actor: Actor, course_id: int, module_id: int, data: ModuleInput
) -> CourseModule:
    """Change a module of a draft; `data.position` 0 keeps its place. It may become an ethics module, and
    back again only while its quiz has no questions (they are not thrown away silently)."""
    course = await get_draft(session, course_id)
    module = await get_module(session, course_id, module_id)
    quiz = await session.get(EthicsQuiz, module_id)
    if module.kind == ModuleKind.ethics and data.kind == ModuleKind.regular:
        if await _question_count(session, module_id):
            message = N_(
                "This module's quiz has questions, so it stays an ethics module. Remove the module instead."
            )
            raise InvalidInput({"kind": gettext(message)})
        if quiz is not None:
            await session.delete(quiz)
    if data.kind == ModuleKind.ethics and quiz is None:
        session.add(EthicsQuiz(module_id=module_id))
    before = audit.snapshot(module)
    module.sqlmodel_update(_module_values(data))
    moves = _place(await _modules(session, course_id), module, data.position) if data.position else []
    audit.record(session, actor, "course_module.update", module, before, audit.snapshot(module))
    _record_moves(session, actor, moves)
    course.updated_at = utcnow()
    return module


async def move_module(
    session: AsyncSession, actor: Actor, course_id: int, module_id: int, steps: int
) -> None:
    """Move a module up (negative steps) or down the course; every module whose place changes is logged."""
    await get_draft(session, course_id)
    module = await get_module(session, course_id, module_id)
    modules = await _modules(session, course_id)
    index = modules.index(module)
    target = max(0, min(len(modules) - 1, index + steps))
    before = audit.snapshot(module)
    moves = _place(modules, module, target + 1)
    if module.position != (before or {}).get("position"):
        moves.append((module, before))
    _record_moves(session, actor, moves)


async def remove_module(session: AsyncSession, actor: Actor, course_id: int, module_id: int) -> None:
    """Delete a module of a draft, with its quiz, questions and options (a draft has no trainees yet)."""
    course = await get_draft(session, course_id)
    module = await get_module(session, course_id, module_id)
    before = audit.snapshot(module, questions=await _question_count(session, module_id))
    questions = select(QuizQuestion.id).where(col(QuizQuestion.module_id) == module_id)
    await session.execute(delete(QuizOption).where(col(QuizOption.question_id).in_(questions)))
    await session.execute(delete(QuizQuestion).where(col(QuizQuestion.module_id) == module_id))
    await session.execute(delete(EthicsQuiz).where(col(EthicsQuiz.module_id) == module_id))
    audit.record(session, actor, "course_module.delete", module, before, None)
    await session.delete(module)
    course.updated_at = utcnow()


# ---------------------------------------------------------------- target competencies of a draft


def _targets_snapshot(links: list[CourseCompetency]) -> dict[str, Any]:
    ordered = sorted(links, key=lambda link: link.competency_id)
    return {"competencies": [{"competency_id": t.competency_id, "required": t.required} for t in ordered]}


async def set_competencies(
    session: AsyncSession, actor: Actor, course_id: int, data: CompetencyTargets
) -> None:
    """Replace the competencies the draft targets; unknown competencies are refused, nothing saved."""
    course = await get_draft(session, course_id)
    wanted = {target.competency_id: target.required for target in data.competencies}
    if unknown := sorted(set(wanted) - set(await get_competencies(session, set(wanted)))):
        message = gettext(N_("No such competency: %(ids)s.")) % {"ids": ", ".join(map(str, unknown))}
        raise InvalidInput({"competencies": message})
    found = await session.execute(
        select(CourseCompetency).where(col(CourseCompetency.course_id) == course_id)
    )
    links = list(found.scalars())
    before = _targets_snapshot(links)
    kept = []
    for link in links:
        if link.competency_id in wanted:
            link.required = wanted.pop(link.competency_id)
            kept.append(link)
        else:
            await session.delete(link)
    added = [
        CourseCompetency(course_id=course_id, competency_id=cid, required=r) for cid, r in wanted.items()
    ]
    session.add_all(added)
    audit.record(session, actor, "course.competencies", course, before, _targets_snapshot(kept + added))
    course.updated_at = utcnow()


# ---------------------------------------------------------------- lifecycle: draft > published > archived


async def publish_course(session: AsyncSession, actor: Actor, course_id: int) -> Course:
    """Publish a ready draft. The version it replaces is archived: cohorts keep the version they ran."""
    course = await get_course(session, course_id)
    if course.status == CourseStatus.published:
        raise Conflict(N_("This course is already published."))
    if course.status == CourseStatus.archived:
        raise Conflict(
            N_("An archived course is not published again: make a new version of the published one.")
        )
    if problems := publish_problems(await get_outline(session, course_id)):
        raise PublishRefused(problems)
    now = utcnow()
    for older in await course_versions(session, course.code):
        if older.status == CourseStatus.published:
            before = audit.snapshot(older)
            older.status, older.updated_at = CourseStatus.archived.value, now
            audit.record(
                session, actor, "course.archive", older, before, audit.snapshot(older, replaced_by=course_id)
            )
    before = audit.snapshot(course)
    course.status, course.published_at, course.updated_at = CourseStatus.published.value, now, now
    audit.record(session, actor, "course.publish", course, before, audit.snapshot(course))
    return course


async def archive_course(session: AsyncSession, actor: Actor, course_id: int) -> Course:
    """Withdraw a published course from the catalogue; it stays readable, as do its cohorts."""
    course = await get_course(session, course_id)
    if course.status != CourseStatus.published:
        raise Conflict(N_("Only a published course can be archived."))
    before = audit.snapshot(course)
    course.status, course.updated_at = CourseStatus.archived.value, utcnow()
    audit.record(session, actor, "course.archive", course, before, audit.snapshot(course))
    return course


COPIED_LATER = {"id", "version", "status", "previous_version_id", "created_at", "updated_at", "published_at"}


async def _copy_module(session: AsyncSession, module: CourseModule, course_id: int) -> None:
    """Copy a module, and for an ethics module its quiz with every question and option."""
    copy = CourseModule(**module.model_dump(exclude={"id", "course_id"}), course_id=course_id)
    session.add(copy)
    await session.flush()
    if module.kind != ModuleKind.ethics:
        return
    source_id, copy_id = row_id(module), row_id(copy)
    if (quiz := await session.get(EthicsQuiz, source_id)) is not None:
        session.add(EthicsQuiz(**quiz.model_dump(exclude={"module_id"}), module_id=copy_id))
    questions = await session.execute(select(QuizQuestion).where(col(QuizQuestion.module_id) == source_id))
    for question in questions.scalars().all():
        question_copy = QuizQuestion(**question.model_dump(exclude={"id", "module_id"}), module_id=copy_id)
        session.add(question_copy)
        await session.flush()
        options = await session.execute(select(QuizOption).where(col(QuizOption.question_id) == question.id))
        session.add_all(
            QuizOption(**option.model_dump(exclude={"id", "question_id"}), question_id=row_id(question_copy))
            for option in options.scalars().all()
        )


def _taught(row: SQLModel, *links: str) -> dict[str, Any]:
    """A row's fields without its id, its links to other rows and its dates: what it says, not where."""
    return {k: v for k, v in row.model_dump().items() if k not in {"id", *links} and not k.endswith("_at")}


async def _content(session: AsyncSession, course_id: int) -> list[Any]:
    """What a version teaches: its fields, target competencies, modules and ethics quizzes, in order."""
    content: list[Any] = [(await get_course(session, course_id)).model_dump(exclude=COPIED_LATER)]
    links = await session.execute(
        select(col(CourseCompetency.competency_id), col(CourseCompetency.required))
        .where(col(CourseCompetency.course_id) == course_id)
        .order_by(col(CourseCompetency.competency_id))
    )
    content.append([tuple(link) for link in links.all()])
    for module in await _modules(session, course_id):
        content.append(_taught(module, "course_id"))
        if (quiz := await session.get(EthicsQuiz, module.id)) is not None:
            content.append(_taught(quiz, "module_id"))
        questions = await session.execute(
            select(QuizQuestion)
            .where(col(QuizQuestion.module_id) == module.id)
            .order_by(col(QuizQuestion.position), col(QuizQuestion.id))
        )
        for question in questions.scalars().all():
            content.append(_taught(question, "module_id"))
            options = await session.execute(
                select(QuizOption)
                .where(col(QuizOption.question_id) == question.id)
                .order_by(col(QuizOption.position), col(QuizOption.id))
            )
            content.extend(_taught(option, "question_id") for option in options.scalars().all())
    return content


async def identical_previous_version(session: AsyncSession, course_id: int) -> Course | None:
    """The version this draft was copied from, when the draft still teaches exactly the same."""
    course = await get_course(session, course_id)
    if course.previous_version_id is None:
        return None
    previous_id = course.previous_version_id
    if await _content(session, course_id) != await _content(session, previous_id):
        return None
    return await get_course(session, previous_id)


async def start_new_version(session: AsyncSession, actor: Actor, course_id: int) -> Course:
    """Copy a published course (fields, modules, ethics quizzes, target competencies) to a draft of the
    next version. One draft per course at a time."""
    source = await get_course(session, course_id)
    if source.status != CourseStatus.published:
        raise Conflict(N_("Only a published course is copied to a new version."))
    versions = await course_versions(session, source.code)
    if draft := next((v for v in versions if v.status == CourseStatus.draft), None):
        raise Conflict(
            N_("Version %(version)s of this course is already a draft: finish that one first."),
            version=draft.version,
        )
    course = Course(
        **source.model_dump(exclude=COPIED_LATER),
        version=max(v.version for v in versions) + 1,
        previous_version_id=source.id,
    )
    session.add(course)
    try:
        await session.flush()
    except IntegrityError:  # someone else made the same version a moment ago; the caller rolls back
        raise Conflict(
            N_("Someone has just made a new version of this course: open it from the list.")
        ) from None
    new_id = row_id(course)
    links = await session.execute(
        select(CourseCompetency).where(col(CourseCompetency.course_id) == course_id)
    )
    session.add_all(
        CourseCompetency(course_id=new_id, competency_id=link.competency_id, required=link.required)
        for link in links.scalars().all()
    )
    for module in await _modules(session, course_id):
        await _copy_module(session, module, new_id)
    audit.record(
        session, actor, "course.new_version", course, None, audit.snapshot(course, copied_from=course_id)
    )
    return course
