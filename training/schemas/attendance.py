"""What the attendance register's JSON API takes and gives: marks of one session, the register."""

from datetime import date
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
