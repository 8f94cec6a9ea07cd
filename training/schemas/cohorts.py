"""What the cohort forms and the JSON API take and give: a cohort, its status change, its sessions."""

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints, ValidationInfo, field_validator
from pydantic import Field as Limits
from sqlmodel import SQLModel

from courses.models import Code
from foundation.i18n import N_
from training.models import CohortStatus


def _chosen(message: str) -> BeforeValidator:
    """A select left on its empty option gets `message` rather than a type error."""

    def check(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(message)
        return value

    return BeforeValidator(check)


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


ProvinceCode = Annotated[str, _chosen(N_("Choose the province.")), StringConstraints(pattern=r"^\d{2}$")]
Venue = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Capacity = Annotated[int, Limits(ge=1, le=10000)]
OptionalTime = Annotated[time | None, BeforeValidator(_blank_to_none)]


class CohortBase(SQLModel):
    code: Code
    trainer_ids: list[int] = []
    venue_province_code: ProvinceCode
    venue: Venue = ""
    start_date: date
    end_date: date
    capacity: Capacity

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is not None and end < start:
            raise ValueError(N_("The end date is before the start date."))
        return end


class CohortCreate(CohortBase):
    """A new cohort; a trainer who creates one is always among its trainers."""

    course_id: Annotated[int, _chosen(N_("Choose a published course."))]


class CohortUpdate(CohortBase):
    """The course of a cohort is fixed when it is created."""


class StatusChange(SQLModel):
    status: CohortStatus
    confirm: bool = False


class SessionInput(SQLModel):
    day: date
    starts_at: OptionalTime = None
    ends_at: OptionalTime = None
    module_ids: list[int] = []

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, ends: time | None, info: ValidationInfo) -> time | None:
        starts = info.data.get("starts_at")
        if ends is not None and starts is not None and ends <= starts:
            raise ValueError(N_("The session must end after it starts."))
        return ends


class CohortRead(SQLModel):
    id: int
    code: str
    course_id: int
    trainer_ids: list[int]
    venue_province_code: str
    venue: str
    start_date: date
    end_date: date
    capacity: int
    enrolled_count: int
    waitlisted_count: int
    status: CohortStatus


class SessionCancellation(SQLModel):
    """Why a session will not take place: kept with it and shown wherever sessions are listed."""

    reason: Annotated[str, StringConstraints(max_length=500)]

    @field_validator("reason")
    @classmethod
    def _said(cls, reason: str) -> str:
        reason = " ".join(reason.split())
        if len(reason) < 3:
            raise ValueError(N_("Say why the session is cancelled (at least 3 characters): trainees see it."))
        return reason


class SessionRead(SQLModel):
    id: int
    cohort_id: int
    day: date
    starts_at: time | None
    ends_at: time | None
    module_ids: list[int]
    cancelled_at: datetime | None = None
    cancelled_reason: str | None = None
