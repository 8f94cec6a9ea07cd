"""Curriculum test data written straight into the tables (independent of the services under test)."""

import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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

_numbers = itertools.count(1)


async def make_framework(session: AsyncSession, domains: int = 2, per_domain: int = 3) -> CompetencyFramework:
    """A framework with `domains` domains of `per_domain` competencies each (codes D1, D1.1, ...)."""
    n = next(_numbers)
    framework = CompetencyFramework(code=f"FW{n}", title_km=f"ក្របខណ្ឌ {n}", title_en=f"Framework {n}")
    session.add(framework)
    await session.flush()
    for d in range(1, domains + 1):
        domain = CompetencyDomain(
            framework_id=framework.id, code=f"D{d}", title_km=f"ដែន {d}", title_en=f"Domain {d}", position=d
        )
        session.add(domain)
        await session.flush()
        for c in range(1, per_domain + 1):
            session.add(
                Competency(
                    framework_id=framework.id,
                    domain_id=domain.id,
                    code=f"D{d}.{c}",
                    title_km=f"សមត្ថភាព {d}.{c}",
                    title_en=f"Competency {d}.{c}",
                    criteria_km="លក្ខណៈវិនិច្ឆ័យ ១\nលក្ខណៈវិនិច្ឆ័យ ២",
                    criteria_en="Criterion 1\nCriterion 2",
                    position=c,
                )
            )
    await session.commit()
    return framework


async def make_course(
    session: AsyncSession,
    *,
    competency_ids: list[int] = (),  # type: ignore[assignment]
    with_ethics: bool = True,
    questions: int = 12,
    **fields: Any,
) -> Course:
    """A draft course of 20 hours: a 14-hour regular module and, unless told otherwise, a 6-hour ethics
    module with a quiz of `questions` single-choice questions (option 1 of each is correct)."""
    n = next(_numbers)
    values = {"code": f"C{n}", "title_km": f"វគ្គសិក្សា {n}", "title_en": f"Course {n}", "hours": Decimal(20)}
    course = Course(**(values | fields))
    session.add(course)
    await session.flush()
    session.add_all(CourseCompetency(course_id=course.id, competency_id=cid) for cid in competency_ids)
    regular_hours = Decimal(14) if with_ethics else course.hours
    session.add(
        CourseModule(
            course_id=course.id, position=1, title_km="ម៉ូឌុល ១", title_en="Module 1", hours=regular_hours
        )
    )
    if with_ethics:
        ethics = CourseModule(
            course_id=course.id,
            position=2,
            title_km="សីលធម៌",
            title_en="Ethics",
            hours=Decimal(6),
            kind="ethics",
        )
        session.add(ethics)
        await session.flush()
        session.add(
            EthicsQuiz(
                module_id=ethics.id,
                questions_per_attempt=min(10, questions),
                pledge_km="ខ្ញុំសន្យា",
                pledge_en="I pledge to follow the code of ethics.",
            )
        )
        for q in range(1, questions + 1):
            question = QuizQuestion(
                module_id=ethics.id,
                position=q,
                text_km=f"សំណួរ {q}",
                text_en=f"Question {q}",
                explanation_en=f"Because {q}.",
            )
            session.add(question)
            await session.flush()
            session.add_all(
                QuizOption(
                    question_id=question.id,
                    position=o,
                    text_km=f"ជម្រើស {o}",
                    text_en=f"Option {o}",
                    correct=o == 1,
                )
                for o in range(1, 4)
            )
    await session.commit()
    return course
