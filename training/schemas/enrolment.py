"""Read and write schemas of enrolments: enrolling a trainee, withdrawing, an enrolment as read."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import SQLModel

from training.models import EnrolmentStatus


class EnrolmentInput(SQLModel):
    trainee_id: int


class WithdrawalInput(SQLModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class EnrolmentRead(SQLModel):
    id: int
    cohort_id: int
    trainee_id: int
    name_km: str
    name_latin: str
    status: EnrolmentStatus
    waitlist_position: int | None
    requested_at: datetime
    status_changed_at: datetime
    withdrawn_reason: str | None
    attendance_percent: Decimal | None
