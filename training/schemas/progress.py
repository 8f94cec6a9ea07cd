"""What the progress JSON API gives: checklists of enrolments, a trainee's own progress, a cohort overview."""

import enum
from datetime import date, time

from sqlmodel import SQLModel

from training.models import EnrolmentStatus


class Requirement(enum.StrEnum):
    """The kinds of completion requirement; also the overview's filter by missing item."""

    sessions = "sessions"  # the course delivered: every session of the cohort held (or cancelled)
    attendance = "attendance"
    modules = "modules"
    competencies = "competencies"
    quiz = "quiz"
    pledge = "pledge"


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
    cancelled_reason: str | None = None  # a cancelled session is still listed, with why


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
