"""The demo curriculum: a complete, consistent starter framework and four published courses."""

from collections import Counter

from sqlalchemy import func, select

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Course,
    CourseCompetency,
    CourseModule,
    EthicsQuiz,
    QuizOption,
    QuizQuestion,
)
from foundation.text import KHMER_LETTERS
from nisa.demo.curriculum import load_demo_curriculum
from tests.conftest import post_form

COURSES = {
    "Foundations of Social Work",
    "Case Management",
    "Child Protection",
    "Working with Persons with Disabilities",
}


async def rows(db, model):  # type: ignore[no-untyped-def]
    return list((await db.execute(select(model))).scalars())


async def test_the_demo_curriculum_is_complete_and_consistent(db):
    await load_demo_curriculum(db)
    [framework] = await rows(db, CompetencyFramework)
    assert framework.title_en == "Social Service Workforce Competency Framework"
    assert len(await rows(db, CompetencyDomain)) >= 5
    competencies = await rows(db, Competency)
    assert len(competencies) >= 20
    for competency in competencies:
        assert KHMER_LETTERS.search(competency.title_km) and competency.title_en
        assert 2 <= len(competency.criteria_km.splitlines()) <= 4
        assert len(competency.criteria_km.splitlines()) == len(competency.criteria_en.splitlines())

    courses = await rows(db, Course)
    assert {c.title_en for c in courses} == COURSES
    assert all(
        c.status == "published" and c.published_at and KHMER_LETTERS.search(c.title_km) for c in courses
    )
    modules = await rows(db, CourseModule)
    targets = Counter(link.course_id for link in await rows(db, CourseCompetency) if link.required)
    questions = await rows(db, QuizQuestion)
    per_module = Counter(q.module_id for q in questions)
    for course in courses:
        own = [m for m in modules if m.course_id == course.id]
        assert sum(m.hours for m in own) == course.hours
        assert 3 <= sum(m.kind == "regular" for m in own) <= 5
        [ethics] = [m for m in own if m.kind == "ethics"]
        assert per_module[ethics.id] >= 15
        assert await db.get(EthicsQuiz, ethics.id) is not None
        assert targets[course.id] >= 4
        assert course.signatory_title_en and course.certificate_title_km

    options = await rows(db, QuizOption)
    right = Counter(o.question_id for o in options if o.correct)
    offered = Counter(o.question_id for o in options)
    for question in questions:
        assert KHMER_LETTERS.search(question.text_km) and question.explanation_km and question.explanation_en
        assert offered[question.id] >= 2
        assert right[question.id] == 1 if question.kind == "single" else right[question.id] >= 1
    assert {q.kind for q in questions} == {"single", "multiple"}
    assert len({q.text_en for q in questions}) >= 15


async def test_loading_twice_changes_nothing(db):
    await load_demo_curriculum(db)
    await load_demo_curriculum(db)
    assert (await db.execute(select(func.count()).select_from(Course))).scalar_one() == 4


async def test_the_catalogue_lists_the_four_demo_courses(client, db):
    await load_demo_curriculum(db)
    await post_form(client, "/language", {"language": "en", "next": "/"})
    page = await client.get("/catalogue")
    for title in COURSES:
        assert title in page.text
    detail = await client.get("/catalogue/CP201")
    assert detail.status_code == 200 and "Ethics in work with children" in detail.text
    assert "Recognises signs of abuse, neglect and exploitation of children" in detail.text
