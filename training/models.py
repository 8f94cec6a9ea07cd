"""Tables of training delivery: cohorts, their sessions and trainers, enrolments, attendance, assessments,
module completions, ethics results and enrolment imports."""

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from foundation.clock import utcnow
from foundation.columns import timestamp


class CohortStatus(enum.StrEnum):
    planned = "planned"
    open = "open"
    running = "running"
    closed = "closed"


class EnrolmentStatus(enum.StrEnum):
    waitlisted = "waitlisted"
    enrolled = "enrolled"
    completed = "completed"
    not_completed = "not_completed"
    withdrawn = "withdrawn"


class AttendanceStatus(enum.StrEnum):
    present = "present"
    late = "late"
    excused = "excused"
    absent = "absent"


class AssessmentResult(enum.StrEnum):
    competent = "competent"
    not_yet_competent = "not_yet_competent"


class AssessmentMethod(enum.StrEnum):
    observation = "observation"
    written = "written"
    case_study = "case_study"
    portfolio = "portfolio"


class Cohort(SQLModel, table=True):
    """One run of a published course version. `enrolled_count` guards capacity atomically."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    venue_province_code: str = Field(foreign_key="province.code", max_length=2, index=True)
    venue: str = Field(default="", max_length=200)
    start_date: date = Field(index=True)
    end_date: date
    capacity: int
    enrolled_count: int = 0
    status: str = Field(default=CohortStatus.planned.value, max_length=20, index=True)
    created_at: datetime = timestamp(default_factory=utcnow)
    updated_at: datetime = timestamp(default_factory=utcnow)


class CohortTrainer(SQLModel, table=True):
    __tablename__ = "cohort_trainer"

    cohort_id: int = Field(foreign_key="cohort.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)


class ClassSession(SQLModel, table=True):
    """A dated class meeting of a cohort (a "session" in the domain; not a database session)."""

    __tablename__ = "class_session"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    day: date = Field(index=True)
    starts_at: time | None = None
    ends_at: time | None = None
    # A cancelled session stays on record (with why, who and when) but no longer counts for anything.
    cancelled_at: datetime | None = timestamp(default=None)
    cancelled_by: int | None = Field(default=None, foreign_key="user_account.id")
    cancelled_reason: str | None = Field(default=None, max_length=500)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class SessionModule(SQLModel, table=True):
    __tablename__ = "session_module"

    session_id: int = Field(foreign_key="class_session.id", primary_key=True)
    module_id: int = Field(foreign_key="course_module.id", primary_key=True, index=True)


class Enrolment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("cohort_id", "trainee_id"),
        Index("ix_enrolment_cohort_status", "cohort_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id")
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    status: str = Field(default=EnrolmentStatus.enrolled.value, max_length=20)
    # Waitlisted trainees are promoted in the order they asked.
    requested_at: datetime = timestamp(default_factory=utcnow)
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    status_changed_at: datetime = timestamp(default_factory=utcnow)


class Attendance(SQLModel, table=True):
    enrolment_id: int = Field(foreign_key="enrolment.id", primary_key=True)
    session_id: int = Field(foreign_key="class_session.id", primary_key=True, index=True)
    status: str = Field(max_length=20)
    recorded_by: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = timestamp(default_factory=utcnow)


class Assessment(SQLModel, table=True):
    """One attempt; every attempt is kept and the latest (by id) counts."""

    __table_args__ = (Index("ix_assessment_enrolment_competency", "enrolment_id", "competency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id")
    competency_id: int = Field(foreign_key="competency.id")
    result: str = Field(max_length=30)
    method: str = Field(max_length=30)
    evidence: str = Field(default="", max_length=2000)
    assessed_on: date
    assessor_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = timestamp(default_factory=utcnow)


class ModuleCompletion(SQLModel, table=True):
    __tablename__ = "module_completion"

    enrolment_id: int = Field(foreign_key="enrolment.id", primary_key=True)
    module_id: int = Field(foreign_key="course_module.id", primary_key=True)
    completed_on: date
    recorded_by: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = timestamp(default_factory=utcnow)


class QuizAttempt(SQLModel, table=True):
    """An ethics quiz attempt: taken online (graded on the server) or recorded from paper by a trainer."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (Index("ix_quiz_attempt_enrolment_module", "enrolment_id", "module_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id")
    module_id: int = Field(foreign_key="course_module.id")
    mode: str = Field(default="online", max_length=10)
    started_at: datetime = timestamp(default_factory=utcnow)
    submitted_at: datetime | None = timestamp(default=None)
    # The drawn questions and option order (online), and the answers given.
    draw: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    answers: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    score_percent: int | None = None
    passed: bool | None = None
    note: str = Field(default="", max_length=2000)
    recorded_by: int | None = Field(default=None, foreign_key="user_account.id")


class PledgeAcceptance(SQLModel, table=True):
    """A code of ethics pledge: accepted online by the trainee, or signed on paper and recorded by a trainer
    (then `accepted_at` is noon UTC of the day signed, as a paper quiz result's date)."""

    __tablename__ = "pledge_acceptance"

    enrolment_id: int = Field(foreign_key="enrolment.id", primary_key=True)
    module_id: int = Field(foreign_key="course_module.id", primary_key=True)
    accepted_at: datetime = timestamp(default_factory=utcnow)
    mode: str = Field(default="online", max_length=10)
    note: str = Field(default="", max_length=2000)
    recorded_by: int | None = Field(default=None, foreign_key="user_account.id")


class EnrolmentImport(SQLModel, table=True):
    """A bulk enrolment file: parsed to a preview, confirmed by the trainer, committed in one transaction."""

    __tablename__ = "enrolment_import"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    file_name: str = Field(default="", max_length=200)
    status: str = Field(default="parsing", max_length=20)
    total_rows: int = 0
    processed_rows: int = 0
    preview: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = timestamp(default_factory=utcnow)
    finished_at: datetime | None = timestamp(default=None)
