"""What the audit log calls training's records (cohorts, sessions, enrolments, assessments, quiz attempts,
imports), their actions and fields, and how quiz answers read ("10 answers, 8 correct")."""

import math
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from courses.models import Competency, CourseModule
from foundation.audit_words import FieldWords, Named, RecordType, Vocabulary, in_language
from foundation.formatting import format_date, format_number
from foundation.i18n import N_, gettext
from people.models import Trainee
from training.models import Assessment, ClassSession, Cohort, Enrolment, EnrolmentImport, QuizAttempt
from training.services.assessments import METHOD_NAMES, RESULT_NAMES
from training.services.attendance import STATUS_NAMES as ATTENDANCE_STATUS_NAMES
from training.services.cohorts import COHORT_STATUS_NAMES
from training.services.completion import REQUIREMENT_TAGS
from training.services.enrolment import ENROLMENT_STATUS_NAMES
from training.services.enrolment_import.statuses import OUTCOME_NAMES

QUIZ_MODE_NAMES = {"online": N_("Online"), "paper": N_("On paper")}


async def cohort_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    rows = await session.execute(select(col(Cohort.id), col(Cohort.code)).where(col(Cohort.id).in_(ids)))
    return {row.id: Named(row.code, f"/cohorts/{row.id}") for row in rows}


async def session_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = (
        select(col(ClassSession.id), col(ClassSession.cohort_id), col(ClassSession.day), col(Cohort.code))
        .join(Cohort, col(Cohort.id) == ClassSession.cohort_id)
        .where(col(ClassSession.id).in_(ids))
    )
    return {
        row.id: Named(f"{row.code} {format_date(row.day)}", f"/cohorts/{row.cohort_id}/sessions/{row.id}")
        for row in await session.execute(query)
    }


async def enrolment_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    """An enrolment is its trainee in a cohort: named by both, linked to the trainee."""
    query = (
        select(
            col(Enrolment.id),
            col(Enrolment.trainee_id),
            col(Trainee.name_km),
            col(Trainee.name_latin),
            col(Cohort.code),
        )
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
        .join(Cohort, col(Cohort.id) == Enrolment.cohort_id)
        .where(col(Enrolment.id).in_(ids))
    )
    return {
        row.id: Named(
            f"{in_language(row.name_km, row.name_latin)} ({row.code})", f"/admin/trainees/{row.trainee_id}"
        )
        for row in await session.execute(query)
    }


async def assessment_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = (
        select(
            col(Assessment.id),
            col(Assessment.enrolment_id),
            col(Assessment.competency_id),
            col(Enrolment.cohort_id),
        )
        .add_columns(col(Competency.code), col(Trainee.name_km), col(Trainee.name_latin))
        .join(Enrolment, col(Enrolment.id) == Assessment.enrolment_id)
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
        .join(Competency, col(Competency.id) == Assessment.competency_id)
        .where(col(Assessment.id).in_(ids))
    )
    return {
        row.id: Named(
            f"{in_language(row.name_km, row.name_latin)}: {row.code}",
            f"/cohorts/{row.cohort_id}/assessments/{row.enrolment_id}/{row.competency_id}",
        )
        for row in await session.execute(query)
    }


async def attempt_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = (
        select(col(QuizAttempt.id), col(Enrolment.trainee_id), col(Trainee.name_km), col(Trainee.name_latin))
        .add_columns(col(CourseModule.title_km), col(CourseModule.title_en))
        .join(Enrolment, col(Enrolment.id) == QuizAttempt.enrolment_id)
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
        .join(CourseModule, col(CourseModule.id) == QuizAttempt.module_id)
        .where(col(QuizAttempt.id).in_(ids))
    )
    return {
        row.id: Named(
            f"{in_language(row.name_km, row.name_latin)}: {in_language(row.title_km, row.title_en)}",
            f"/admin/trainees/{row.trainee_id}",
        )
        for row in await session.execute(query)
    }


async def import_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = select(col(EnrolmentImport.id), col(EnrolmentImport.cohort_id), col(EnrolmentImport.file_name))
    rows = await session.execute(query.where(col(EnrolmentImport.id).in_(ids)))
    return {
        row.id: Named(row.file_name or f"#{row.id}", f"/cohorts/{row.cohort_id}/import/{row.id}")
        for row in rows
    }


def answers_summary(value: Any, values: Mapping[str, Any]) -> str:
    """Quiz answers (question id > chosen options) as "10 answers, 8 correct". The log keeps the score as a
    percentage rounded down of the drawn questions, so the count correct is the least that gives it."""
    answered = len(value) if isinstance(value, dict) else 0
    asked = (
        len((values.get("draw") or {}).get("questions") or []) if isinstance(values.get("draw"), dict) else 0
    )
    score = values.get("score_percent")
    if not isinstance(score, int) or not asked:
        return gettext("%(answers)s answers") % {"answers": format_number(answered)}
    correct = math.ceil(score * asked / 100)
    return gettext("%(answers)s answers, %(correct)s correct") % {
        "answers": format_number(answered),
        "correct": format_number(correct),
    }


def draw_summary(value: Any, _values: Mapping[str, Any]) -> str:
    questions = (value.get("questions") or []) if isinstance(value, dict) else []
    return gettext("%(questions)s questions drawn") % {"questions": format_number(len(questions))}


USER = "user_account"

VOCABULARY = Vocabulary(
    record_types=(
        RecordType("cohort", N_("Cohort"), cohort_names),
        RecordType("class_session", N_("Session"), session_names),
        RecordType("enrolment", N_("Enrolment"), enrolment_names),
        RecordType("assessment", N_("Assessment"), assessment_names),
        RecordType("quiz_attempt", N_("Quiz attempt"), attempt_names),
        RecordType("enrolment_import", N_("Enrolment import"), import_names),
    ),
    actions={
        "cohort.create": N_("Cohort created"),
        "cohort.update": N_("Cohort changed"),
        "cohort.status": N_("Cohort status changed"),
        "session.create": N_("Session added"),
        "session.update": N_("Session changed"),
        "session.delete": N_("Session deleted"),
        "session.cancel": N_("Session cancelled"),
        "session.restore": N_("Session no longer cancelled"),
        "enrolment.create": N_("Trainee enrolled"),
        "enrolment.withdraw": N_("Trainee withdrawn"),
        "enrolment.promote": N_("Trainee moved from the waiting list"),
        "enrolment.settle": N_("Enrolment result settled"),
        "enrolment_import.commit": N_("Enrolment import confirmed"),
        "attendance.update": N_("Attendance recorded"),
        "assessment.create": N_("Competency assessed"),
        "module_completion.create": N_("Module marked done"),
        "module_completion.delete": N_("Module no longer marked done"),
        "quiz_attempt.start": N_("Ethics quiz started"),
        "quiz_attempt.submit": N_("Ethics quiz submitted"),
        "quiz_attempt.paper": N_("Paper quiz result recorded"),
        "pledge.accept": N_("Pledge accepted"),
        "pledge.paper": N_("Paper pledge recorded"),
    },
    fields={
        "cohort_id": FieldWords(N_("Cohort"), refers_to="cohort"),
        "session_id": FieldWords(N_("Session"), refers_to="class_session"),
        "enrolment_id": FieldWords(N_("Enrolment"), refers_to="enrolment"),
        "import_id": FieldWords(N_("Enrolment import"), refers_to="enrolment_import"),
        "trainer_ids": FieldWords(N_("Trainers"), refers_to=USER),
        "recorded_by": FieldWords(N_("Recorded by"), refers_to=USER),
        "assessor_id": FieldWords(N_("Assessor"), refers_to=USER),
        "created_by": FieldWords(N_("Created by"), refers_to=USER),
        "venue_province_code": FieldWords(N_("Province")),
        "venue": FieldWords(N_("Venue")),
        "start_date": FieldWords(N_("Start date")),
        "end_date": FieldWords(N_("End date")),
        "capacity": FieldWords(N_("Capacity")),
        "enrolled_count": FieldWords(N_("Enrolled")),
        "cohort.status": FieldWords(N_("Status"), values=COHORT_STATUS_NAMES),
        # Attendance is filed under its enrolment: its status shares the field.
        "enrolment.status": FieldWords(N_("Status"), values=ENROLMENT_STATUS_NAMES | ATTENDANCE_STATUS_NAMES),
        "requested_at": FieldWords(N_("Requested")),
        "withdrawn_reason": FieldWords(N_("Reason for withdrawal")),
        "status_changed_at": FieldWords(N_("Status changed")),
        "missing": FieldWords(N_("Still missing"), values=REQUIREMENT_TAGS),
        "day": FieldWords(N_("Day")),
        "cancelled_at": FieldWords(N_("Cancelled")),
        "cancelled_by": FieldWords(N_("Cancelled by"), refers_to=USER),
        "cancelled_reason": FieldWords(N_("Reason for cancelling")),
        "starts_at": FieldWords(N_("Starts")),
        "ends_at": FieldWords(N_("Ends")),
        "recorded_at": FieldWords(N_("Recorded")),
        "completed_on": FieldWords(N_("Completed on")),
        "accepted_at": FieldWords(N_("Accepted")),
        "result": FieldWords(N_("Result"), values=RESULT_NAMES),
        "method": FieldWords(N_("Method"), values=METHOD_NAMES),
        "evidence": FieldWords(N_("Evidence")),
        "assessed_on": FieldWords(N_("Assessed on")),
        "mode": FieldWords(N_("Taken"), values=QUIZ_MODE_NAMES),
        "started_at": FieldWords(N_("Started")),
        "submitted_at": FieldWords(N_("Submitted")),
        "draw": FieldWords(N_("Questions"), summary=draw_summary),
        "answers": FieldWords(N_("Answers"), summary=answers_summary),
        "score_percent": FieldWords(N_("Score (%)")),
        "passed": FieldWords(N_("Passed")),
        "note": FieldWords(N_("Note")),
        "file_name": FieldWords(N_("File")),
        "rows": FieldWords(N_("Rows")),
        **{
            f"enrolment_import.{outcome.value}": FieldWords(label) for outcome, label in OUTCOME_NAMES.items()
        },
        "enrolment_import.enrolled": FieldWords(N_("Enrolled")),
        "enrolment_import.waitlisted": FieldWords(N_("Waitlisted")),
    },
)
