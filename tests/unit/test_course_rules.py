"""The checks before a course is published, each rule alone, and the course services on both databases."""

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    CompetencyTargets,
    Course,
    CourseCompetency,
    CourseInput,
    CourseModule,
    EthicsQuiz,
    ModuleInput,
    QuizOption,
    QuizQuestion,
)
from courses.services import courses
from courses.services.courses import CourseOutline, Problem, PublishRefused, Target, publish_problems
from courses.services.frameworks import list_competencies
from foundation.audit import AuditEntry
from foundation.errors import Conflict, InvalidInput
from foundation.i18n import current_language
from tests.curriculum_factories import make_course, make_framework
from tests.factories import SYSTEM


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


# ---------------------------------------------------------------- publish_problems, without a database


def ready_outline(**changes: Any) -> CourseOutline:
    """A 20-hour course that is ready to publish; `changes` alter one thing (see the cases below)."""
    course = Course(id=1, code="SW-1", title_km="វគ្គ", title_en="Course", hours=Decimal(20))
    regular = CourseModule(id=1, course_id=1, title_km="ម៉ូឌុល", title_en="Basics", hours=Decimal(14))
    ethics = CourseModule(
        id=2, course_id=1, title_km="សីលធម៌", title_en="Ethics", hours=Decimal(6), kind="ethics"
    )
    quiz = EthicsQuiz(module_id=2, questions_per_attempt=10, pledge_km="ខ្ញុំសន្យា", pledge_en="I pledge.")
    framework = CompetencyFramework(id=1, code="FW", title_km="ក", title_en="F")
    domain = CompetencyDomain(id=1, framework_id=1, code="D1", title_km="ដ", title_en="D")
    competency = Competency(id=1, framework_id=1, domain_id=1, code="D1.1", title_km="ស", title_en="C")
    outline = CourseOutline(
        course=course,
        modules=[regular, ethics],
        quizzes={2: quiz},
        question_counts={2: 12},
        targets=[Target(competency, domain, framework, required=True)],
    )
    for change in changes.values():
        change(outline)
    return outline


def _set(path: str, value: Any):  # type: ignore[no-untyped-def]
    """A change to one attribute, e.g. _set("course.hours", 0) or _set("quizzes.2.pledge_en", "")."""

    def change(outline: CourseOutline) -> None:
        target: Any = outline
        *steps, last = path.split(".")
        for step in steps:
            target = target[int(step)] if isinstance(target, dict | list) else getattr(target, step)
        if isinstance(target, dict):
            target[int(last)] = value
        else:
            setattr(target, last, value)

    return change


def test_a_complete_course_has_no_problems():
    assert publish_problems(ready_outline()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda outline: (_set("modules", [])(outline), _set("course.issues_certificate", False)(outline)),
            "Add at least one module.",
        ),
        (
            _set("course.hours", Decimal(0)),
            "The course's hours must be more than 0.",
        ),
        (
            _set("modules.0.hours", Decimal(12)),
            "The modules add up to 18 hours, 2 hours less than the course's 20.",
        ),
        (
            _set("modules.0.hours", Decimal("15.5")),
            "The modules add up to 21.5 hours, 1.5 hours more than the course's 20.",
        ),
        (
            lambda outline: setattr(outline.modules[1], "kind", "regular"),
            "Every course that issues a certificate needs at least one ethics module.",
        ),
        (
            _set("course.min_attendance_percent", 101),
            "The minimum attendance must be between 0 and 100.",
        ),
        (
            _set("course.min_attendance_percent", -1),
            "The minimum attendance must be between 0 and 100.",
        ),
        (
            _set("targets", []),
            "Target at least one competency.",
        ),
        (
            _set("code_used_elsewhere", True),
            "The code SW-1 is already used by another course: give this course a code of its own.",
        ),
        (
            _set("question_counts", {2: 9}),
            "The ethics module “Ethics” has 9 quiz questions, fewer than the 10 each attempt draws.",
        ),
        (
            _set("quizzes.2.pledge_en", "  "),
            "The ethics module “Ethics” needs the pledge's text in Khmer and in English.",
        ),
        (
            _set("quizzes.2.pledge_km", ""),
            "The ethics module “Ethics” needs the pledge's text in Khmer and in English.",
        ),
        (
            _set("quizzes.2.pass_mark_percent", 120),
            "The pass mark of the ethics module “Ethics” must be between 0 and 100.",
        ),
        (
            _set("quizzes", {}),
            "The ethics module “Ethics” has no quiz yet: open its quiz and save it.",
        ),
    ],
)
def test_each_rule_alone_is_reported_in_plain_words(change, message):
    problems = publish_problems(ready_outline(change=change))
    assert [p.text() for p in problems] == [message]


def test_a_course_without_certificate_needs_no_ethics_module():
    def without_ethics(outline: CourseOutline) -> None:
        outline.modules = [outline.modules[0]]
        outline.modules[0].hours = Decimal(20)
        outline.course.issues_certificate = False

    assert publish_problems(ready_outline(change=without_ethics)) == []


def test_no_pledge_text_is_needed_when_no_pledge_is_required():
    outline = ready_outline(a=_set("quizzes.2.pledge_en", ""), b=_set("course.pledge_required", False))
    assert publish_problems(outline) == []


def test_every_problem_is_listed_at_once():
    outline = ready_outline(
        a=_set("targets", []), b=_set("course.hours", Decimal(30)), c=_set("question_counts", {})
    )
    assert len(publish_problems(outline)) == 3


def test_problems_are_said_in_khmer_with_khmer_digits():
    current_language.set("km")
    [problem] = publish_problems(ready_outline(change=_set("question_counts", {2: 9})))
    assert "សីលធម៌" in problem.text() and "៩" in problem.text() and "9" not in problem.text()


def test_problem_without_values_is_just_translated():
    assert Problem("Target at least one competency.").text() == "Target at least one competency."


def test_completion_checklist_reads_the_rules():
    outline = ready_outline(change=lambda o: setattr(o.modules[0], "required", False))
    checklist = outline.checklist
    assert checklist.min_attendance_percent == 80
    assert [m.title_en for m in checklist.required_modules] == ["Ethics"]
    assert [t.competency.code for t in checklist.required_competencies] == ["D1.1"]
    assert [(m.title_en, q.pass_mark_percent) for m, q in checklist.ethics_quizzes] == [("Ethics", 80)]
    assert checklist.pledge_required is True


# ---------------------------------------------------------------- services, on both databases

NEW_COURSE = {"code": "SW-BASIC", "title_km": "វគ្គមូលដ្ឋាន", "title_en": "Basics", "hours": "20"}


async def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


async def _actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    return list((await db.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars())


async def test_a_draft_is_built_module_by_module_and_published(db):
    framework = await make_framework(db, domains=1, per_domain=2)
    [first, _] = [c for c, _, _ in await list_competencies(db, framework.id)]
    course = await courses.create_course(db, SYSTEM, CourseInput(**NEW_COURSE))
    course_id = course.id
    await courses.add_module(
        db, SYSTEM, course_id, ModuleInput(title_km="ម៉ូឌុល", title_en="Basics", hours=Decimal(14))
    )
    ethics = await courses.add_module(
        db,
        SYSTEM,
        course_id,
        ModuleInput(title_km="សីលធម៌", title_en="Ethics", hours=Decimal(6), kind="ethics"),
    )
    assert await db.get(EthicsQuiz, ethics.id) is not None  # made with its module, with the defaults
    await courses.set_competencies(
        db, SYSTEM, course_id, CompetencyTargets(competencies=[{"competency_id": first.id}])
    )
    with pytest.raises(PublishRefused) as refused:
        await courses.publish_course(db, SYSTEM, course_id)
    assert {p.text() for p in refused.value.problems} == {
        "The ethics module “Ethics” has 0 quiz questions, fewer than the 10 each attempt draws.",
        "The ethics module “Ethics” needs the pledge's text in Khmer and in English.",
    }
    await courses.update_course(db, SYSTEM, course_id, CourseInput(**NEW_COURSE | {"pledge_required": False}))
    quiz = await db.get(EthicsQuiz, ethics.id)
    quiz.questions_per_attempt = 1
    db.add(QuizQuestion(module_id=ethics.id, text_km="សំណួរ", text_en="Question"))
    await db.commit()
    published = await courses.publish_course(db, SYSTEM, course_id)
    assert published.status == "published" and published.published_at is not None
    assert await _actions(db) == [
        "course.create",
        "course_module.create",
        "course_module.create",
        "course.competencies",
        "course.update",
        "course.publish",
    ]


async def test_modules_are_placed_moved_and_numbered(db):
    course = await make_course(db, with_ethics=False)
    course_id = course.id

    async def titles() -> list[str]:
        return [m.title_en for m in (await courses.get_outline(db, course_id)).modules]

    first = await courses.add_module(
        db, SYSTEM, course_id, ModuleInput(title_km="ក", title_en="First", hours=Decimal(1), position=1)
    )
    await courses.add_module(
        db, SYSTEM, course_id, ModuleInput(title_km="ខ", title_en="Last", hours=Decimal(1))
    )
    assert await titles() == ["First", "Module 1", "Last"]
    await courses.move_module(db, SYSTEM, course_id, first.id, 1)
    assert await titles() == ["Module 1", "First", "Last"]
    await courses.move_module(db, SYSTEM, course_id, first.id, 5)  # past the end: stays last
    assert await titles() == ["Module 1", "Last", "First"]
    assert [m.position for m in (await courses.get_outline(db, course_id)).modules] == [1, 2, 3]


async def test_an_ethics_module_with_questions_stays_one(db):
    course = await make_course(db, questions=2)
    ethics = next(m for m in (await courses.get_outline(db, course.id)).modules if m.kind == "ethics")
    change = ModuleInput(title_km="សីលធម៌", title_en="Ethics", hours=Decimal(6), kind="regular")
    with pytest.raises(InvalidInput) as refused:
        await courses.update_module(db, SYSTEM, course.id, ethics.id, change)
    assert "stays an ethics module" in refused.value.field_errors["kind"]


async def test_removing_an_ethics_module_removes_its_quiz(db):
    course = await make_course(db, questions=3)
    ethics = next(m for m in (await courses.get_outline(db, course.id)).modules if m.kind == "ethics")
    await courses.remove_module(db, SYSTEM, course.id, ethics.id)
    for model in (CourseModule, EthicsQuiz, QuizQuestion, QuizOption):
        assert await _count(db, model) == (1 if model is CourseModule else 0)
    [entry] = (
        await db.execute(select(AuditEntry).where(AuditEntry.action == "course_module.delete"))
    ).scalars()
    assert entry.before["questions"] == 3 and entry.before["hours"] == "6.0" and entry.after is None


async def test_unknown_competencies_are_refused_and_nothing_is_saved(db):
    framework = await make_framework(db, domains=1, per_domain=1)
    [(competency, _, _)] = await list_competencies(db, framework.id)
    course = await make_course(db)
    targets = CompetencyTargets(competencies=[{"competency_id": competency.id}, {"competency_id": 999999}])
    with pytest.raises(InvalidInput) as refused:
        await courses.set_competencies(db, SYSTEM, course.id, targets)
    assert refused.value.field_errors == {"competencies": "No such competency: 999999."}
    await db.rollback()
    assert await _count(db, CourseCompetency) == 0


async def test_targets_are_replaced_and_the_required_flag_kept(db):
    framework = await make_framework(db, domains=2, per_domain=1)
    a, b = (c.id for c, _, _ in await list_competencies(db, framework.id))
    course = await make_course(db, competency_ids=[a])
    targets = CompetencyTargets(competencies=[{"competency_id": a, "required": False}, {"competency_id": b}])
    await courses.set_competencies(db, SYSTEM, course.id, targets)
    outline = await courses.get_outline(db, course.id)
    assert [(t.competency.id, t.required) for t in outline.targets] == [(a, False), (b, True)]
    assert [g.framework.id for g in outline.target_groups] == [framework.id]
    assert [len(d.competencies) for d in outline.target_groups[0].domains] == [1, 1]


async def test_the_code_of_another_family_is_refused(db):
    await make_course(db, code="TAKEN")
    with pytest.raises(InvalidInput) as refused:
        await courses.create_course(db, SYSTEM, CourseInput(**NEW_COURSE | {"code": "TAKEN"}))
    assert refused.value.field_errors == {
        "code": "This code is already used by another course: choose another one."
    }
    draft = await make_course(db, code="MINE")
    with pytest.raises(InvalidInput):
        await courses.update_course(db, SYSTEM, draft.id, CourseInput(**NEW_COURSE | {"code": "TAKEN"}))
    renamed = await courses.update_course(
        db, SYSTEM, draft.id, CourseInput(**NEW_COURSE | {"code": "MINE-2"})
    )
    assert renamed.code == "MINE-2"


async def test_archived_and_published_courses_are_not_changed(db):
    course = await make_course(db, status="published")
    module = ModuleInput(title_km="ក", title_en="A", hours=Decimal(1))
    with pytest.raises(Conflict) as published:
        await courses.add_module(db, SYSTEM, course.id, module)
    assert published.value.message == "A published course is not edited in place: make a new version."
    await courses.archive_course(db, SYSTEM, course.id)
    with pytest.raises(Conflict) as archived:
        await courses.update_course(db, SYSTEM, course.id, CourseInput(**NEW_COURSE))
    assert archived.value.message == "An archived course is kept as it was: it is not edited."
    with pytest.raises(Conflict):
        await courses.archive_course(db, SYSTEM, course.id)
    with pytest.raises(Conflict):
        await courses.publish_course(db, SYSTEM, course.id)
