"""What the attendance register's JSON API takes and gives: marks of one session, the register; what a
session's printed sheet shows."""

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from sqlmodel import Field, SQLModel

from training.models import AttendanceStatus


class AttendanceMark(SQLModel):
    enrolment_id: int
    status: AttendanceStatus


class AttendanceMarks(SQLModel):
    """Marks of one session; trainees left out keep what they have."""

    marks: list[AttendanceMark]


class RegisterRowRead(SQLModel):
    enrolment_id: int
    trainee_id: int
    name_km: str
    name_latin: str
    status: AttendanceStatus | None
    attendance_rate: Decimal | None = Field(description="Percent of the sessions held so far.")


class RegisterRead(SQLModel):
    cohort_id: int
    session_id: int
    day: date
    editable: bool
    rows: list[RegisterRowRead]


@dataclass(frozen=True)
class SheetTrainee:
    name_km: str
    name_latin: str


@dataclass(frozen=True)
class AttendanceSheet:
    """What the sheet prints: the session, its cohort and course, and the seated trainees in order."""

    course_code: str
    course_title_km: str
    course_title_en: str
    cohort_code: str
    venue_km: str
    venue_en: str
    day: date
    starts_at: time | None
    ends_at: time | None
    trainers: tuple[str, ...]
    trainees: tuple[SheetTrainee, ...]
