"""What assessments and module completion take and give: an attempt at a competency, who did a module."""

from datetime import date
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import SQLModel

from training.models import AssessmentMethod, AssessmentResult

Evidence = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class AssessmentInput(SQLModel):
    """One attempt, as the assessor records it; the date defaults to today."""

    result: AssessmentResult
    method: AssessmentMethod
    evidence: Evidence = ""
    assessed_on: date | None = None


class GridSettings(SQLModel):
    """Set once for the assessment grid's screen: how and when every attempt recorded on it was assessed."""

    method: AssessmentMethod
    assessed_on: date


class AssessmentCreate(AssessmentInput):
    enrolment_id: int
    competency_id: int


class AssessmentRead(SQLModel):
    id: int
    enrolment_id: int
    competency_id: int
    result: AssessmentResult
    method: AssessmentMethod
    evidence: str
    assessed_on: date
    assessor_id: int | None
    latest: bool


class ModuleCompletedBy(SQLModel):
    """Everyone who has completed one module; the others' completions are undone."""

    enrolment_ids: list[int]


class ModuleCompletionRead(SQLModel):
    enrolment_id: int
    module_id: int
    completed_on: date
    recorded_by: int | None
