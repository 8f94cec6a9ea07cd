"""What the audit log calls the curriculum's records (frameworks, competencies, courses, modules, quiz
questions), their actions and fields, and how their lists of competencies, options and domains read."""

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    Course,
    CourseModule,
    QuizQuestion,
)
from foundation.audit_words import FieldWords, Named, RecordType, Vocabulary, in_language
from foundation.formatting import format_number
from foundation.i18n import N_, gettext, ngettext

COURSE_STATUS_NAMES = {"draft": N_("Draft"), "published": N_("Published"), "archived": N_("Archived")}
MODULE_KIND_NAMES = {"regular": N_("Regular"), "ethics": N_("Ethics")}
QUESTION_KIND_NAMES = {"single": N_("One answer"), "multiple": N_("Several answers")}
QUESTION_SHOWN = 60  # characters of a question's text that name it


async def course_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = select(
        col(Course.id), col(Course.code), col(Course.version), col(Course.title_km), col(Course.title_en)
    )
    rows = await session.execute(query.where(col(Course.id).in_(ids)))
    return {
        row.id: Named(
            f"{row.code} v{format_number(row.version)} {in_language(row.title_km, row.title_en)}",
            f"/admin/courses/{row.id}",
        )
        for row in rows
    }


async def module_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = select(
        col(CourseModule.id),
        col(CourseModule.course_id),
        col(CourseModule.title_km),
        col(CourseModule.title_en),
    )
    rows = await session.execute(query.where(col(CourseModule.id).in_(ids)))
    return {
        row.id: Named(
            in_language(row.title_km, row.title_en), f"/admin/courses/{row.course_id}/modules/{row.id}"
        )
        for row in rows
    }


async def framework_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = select(col(CompetencyFramework.id), col(CompetencyFramework.code))
    rows = await session.execute(query.where(col(CompetencyFramework.id).in_(ids)))
    return {row.id: Named(row.code, f"/admin/frameworks/{row.id}") for row in rows}


async def domain_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    domain = CompetencyDomain
    query = select(
        col(domain.id), col(domain.framework_id), col(domain.code), col(domain.title_km), col(domain.title_en)
    )
    rows = await session.execute(query.where(col(domain.id).in_(ids)))
    return {
        row.id: Named(
            f"{row.code} {in_language(row.title_km, row.title_en)}",
            f"/admin/frameworks/{row.framework_id}/domains/{row.id}",
        )
        for row in rows
    }


async def competency_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = select(
        col(Competency.id),
        col(Competency.framework_id),
        col(Competency.code),
        col(Competency.title_km),
        col(Competency.title_en),
    )
    rows = await session.execute(query.where(col(Competency.id).in_(ids)))
    return {
        row.id: Named(
            f"{row.code} {in_language(row.title_km, row.title_en)}",
            f"/admin/frameworks/{row.framework_id}/competencies/{row.id}",
        )
        for row in rows
    }


async def question_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = (
        select(
            col(QuizQuestion.id),
            col(QuizQuestion.module_id),
            col(CourseModule.course_id),
            col(QuizQuestion.text_km),
        )
        .add_columns(col(QuizQuestion.text_en))
        .join(CourseModule, col(CourseModule.id) == QuizQuestion.module_id)
        .where(col(QuizQuestion.id).in_(ids))
    )
    return {
        row.id: Named(
            _shortened(in_language(row.text_km, row.text_en)),
            f"/admin/courses/{row.course_id}/modules/{row.module_id}/quiz/questions/{row.id}",
        )
        for row in await session.execute(query)
    }


def _shortened(text: str) -> str:
    return text if len(text) <= QUESTION_SHOWN else text[: QUESTION_SHOWN - 1] + "…"


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def targets_summary(value: Any, _values: Mapping[str, Any]) -> str:
    """A course's target competencies: "6 competencies, 5 required"."""
    targets = _items(value)
    required = sum(bool(target.get("required")) for target in targets)
    count = ngettext("%(count)s competency", "%(count)s competencies", len(targets)) % {
        "count": format_number(len(targets))
    }
    return gettext("%(competencies)s, %(required)s required") % {
        "competencies": count,
        "required": format_number(required),
    }


def options_summary(value: Any, _values: Mapping[str, Any]) -> str:
    """A quiz question's options: "4 options, 1 correct"."""
    options = _items(value)
    correct = sum(bool(option.get("correct")) for option in options)
    return gettext("%(options)s options, %(correct)s correct") % {
        "options": format_number(len(options)),
        "correct": format_number(correct),
    }


def domains_summary(value: Any, _values: Mapping[str, Any]) -> str:
    """A framework file's content: "5 domains, 32 competencies"."""
    domains = _items(value)
    competencies = sum(len(_items(domain.get("competencies"))) for domain in domains)
    return gettext("%(domains)s domains, %(competencies)s competencies") % {
        "domains": format_number(len(domains)),
        "competencies": format_number(competencies),
    }


def quiz_summary(value: Any, _values: Mapping[str, Any]) -> str:
    """An ethics module's quiz settings: "10 questions an attempt, pass mark 80%"."""
    quiz = value if isinstance(value, dict) else {}
    return gettext("%(questions)s questions an attempt, pass mark %(mark)s%%") % {
        "questions": format_number(int(quiz.get("questions_per_attempt") or 0)),
        "mark": format_number(int(quiz.get("pass_mark_percent") or 0)),
    }


ORDER = FieldWords(N_("Order"))

VOCABULARY = Vocabulary(
    record_types=(
        RecordType("course", N_("Course"), course_names),
        RecordType("course_module", N_("Module"), module_names),
        RecordType("competency_framework", N_("Competency framework"), framework_names),
        RecordType("competency_domain", N_("Competency domain"), domain_names),
        RecordType("competency", N_("Competency"), competency_names),
        RecordType("quiz_question", N_("Quiz question"), question_names),
    ),
    actions={
        "course.create": N_("Course created"),
        "course.update": N_("Course changed"),
        "course.competencies": N_("Course competencies changed"),
        "course.publish": N_("Course published"),
        "course.archive": N_("Course archived"),
        "course.new_version": N_("New course version made"),
        "course_module.create": N_("Module added"),
        "course_module.update": N_("Module changed"),
        "course_module.delete": N_("Module deleted"),
        "ethics_quiz.update": N_("Ethics quiz settings changed"),
        "quiz_question.create": N_("Quiz question added"),
        "quiz_question.update": N_("Quiz question changed"),
        "quiz_question.delete": N_("Quiz question deleted"),
        "competency_framework.create": N_("Competency framework created"),
        "competency_framework.update": N_("Competency framework changed"),
        "competency_framework.import": N_("Competency framework imported from a file"),
        "competency_domain.create": N_("Competency domain added"),
        "competency_domain.update": N_("Competency domain changed"),
        "competency.create": N_("Competency added"),
        "competency.update": N_("Competency changed"),
    },
    fields={
        "code": FieldWords(N_("Code")),
        "version": FieldWords(N_("Version")),
        "title_km": FieldWords(N_("Title in Khmer")),
        "title_en": FieldWords(N_("Title in English")),
        "description_km": FieldWords(N_("Description in Khmer")),
        "description_en": FieldWords(N_("Description in English")),
        "criteria_km": FieldWords(N_("Performance criteria in Khmer")),
        "criteria_en": FieldWords(N_("Performance criteria in English")),
        "category": FieldWords(N_("Category")),
        "hours": FieldWords(N_("Hours")),
        "issues_certificate": FieldWords(N_("Issues a certificate")),
        "validity_months": FieldWords(N_("Validity (months)")),
        "requires_approval": FieldWords(N_("Certificates need approval")),
        "min_attendance_percent": FieldWords(N_("Minimum attendance (%)")),
        "pledge_required": FieldWords(N_("Pledge required")),
        "certificate_title_km": FieldWords(N_("Certificate title in Khmer")),
        "certificate_title_en": FieldWords(N_("Certificate title in English")),
        "signatory_name_km": FieldWords(N_("Signatory's name in Khmer")),
        "signatory_name_en": FieldWords(N_("Signatory's name in English")),
        "signatory_title_km": FieldWords(N_("Signatory's title in Khmer")),
        "signatory_title_en": FieldWords(N_("Signatory's title in English")),
        "published_at": FieldWords(N_("Published")),
        "course.status": FieldWords(N_("Status"), values=COURSE_STATUS_NAMES),
        "previous_version_id": FieldWords(N_("Previous version"), refers_to="course"),
        "copied_from": FieldWords(N_("Copied from"), refers_to="course"),
        "replaced_by": FieldWords(N_("Replaced by"), refers_to="course"),
        "course_id": FieldWords(N_("Course"), refers_to="course"),
        "module_id": FieldWords(N_("Module"), refers_to="course_module"),
        "module_ids": FieldWords(N_("Modules"), refers_to="course_module"),
        "framework_id": FieldWords(N_("Competency framework"), refers_to="competency_framework"),
        "domain_id": FieldWords(N_("Competency domain"), refers_to="competency_domain"),
        "competency_id": FieldWords(N_("Competency"), refers_to="competency"),
        "competencies": FieldWords(N_("Competencies"), summary=targets_summary),
        "course_module.kind": FieldWords(N_("Kind"), values=MODULE_KIND_NAMES),
        "course_module.position": ORDER,
        "competency_domain.position": ORDER,
        "competency.position": ORDER,
        "quiz_question.position": ORDER,
        "required": FieldWords(N_("Required")),
        "quiz": FieldWords(N_("Ethics quiz"), summary=quiz_summary),
        "questions_per_attempt": FieldWords(N_("Questions an attempt")),
        "pass_mark_percent": FieldWords(N_("Pass mark (%)")),
        "attempts_allowed": FieldWords(N_("Attempts allowed")),
        "pledge_km": FieldWords(N_("Pledge in Khmer")),
        "pledge_en": FieldWords(N_("Pledge in English")),
        "quiz_question.kind": FieldWords(N_("Kind"), values=QUESTION_KIND_NAMES),
        "text_km": FieldWords(N_("Text in Khmer")),
        "text_en": FieldWords(N_("Text in English")),
        "explanation_km": FieldWords(N_("Explanation in Khmer")),
        "explanation_en": FieldWords(N_("Explanation in English")),
        "options": FieldWords(N_("Options"), summary=options_summary),
        "file": FieldWords(N_("File")),
        "domains": FieldWords(N_("Content"), summary=domains_summary),
    },
)
