"""The JSON API of competency assessments (every attempt kept) and module completion, per cohort."""

from typing import Any

from litestar import Controller, Request, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.api import INVALID, SESSION, JsonObjectAs
from foundation.forms import validated
from foundation.guards import STAFF
from foundation.http import actor_of
from training.schemas.assessments import (
    AssessmentCreate,
    AssessmentRead,
    ModuleCompletedBy,
    ModuleCompletionRead,
)
from training.services import assessments
from training.services.assessments import ModuleGrid


def _completions(grid: ModuleGrid, module_id: int | None = None) -> list[ModuleCompletionRead]:
    return [
        ModuleCompletionRead.model_validate(done)
        for done in grid.completions
        if module_id is None or done.module_id == module_id
    ]


class AssessmentApi(Controller):
    path = "/api/v1/cohorts/{cohort_id:int}"
    guards = STAFF
    tags = ["Assessments"]
    security = SESSION

    @get("/assessments")
    async def list_assessments(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> list[AssessmentRead]:
        """Every attempt of the cohort's trainees, oldest first; `latest` marks the one that counts."""
        return await assessments.cohort_assessments(db, request.user, cohort_id)

    @post("/assessments", dto=JsonObjectAs[AssessmentCreate], responses=INVALID)
    async def record_assessment(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> AssessmentRead:
        """A new attempt by the signed-in assessor (date: today if not given); it becomes the latest."""
        created = await assessments.record_assessment(
            db, actor_of(request), request.user, cohort_id, validated(AssessmentCreate, data)
        )
        return AssessmentRead(**created.model_dump(), latest=True)

    @get("/module-completions")
    async def list_module_completions(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> list[ModuleCompletionRead]:
        return _completions(await assessments.module_grid(db, request.user, cohort_id))

    @put("/module-completions/{module_id:int}", dto=JsonObjectAs[ModuleCompletedBy], responses=INVALID)
    async def set_module_completions(
        self, request: Request, db: AsyncSession, cohort_id: int, module_id: int, data: dict[str, Any]
    ) -> list[ModuleCompletionRead]:
        """Exactly the listed enrolments have this module done: missing ones are recorded, others undone."""
        wanted = set(validated(ModuleCompletedBy, data).enrolment_ids)
        grid = await assessments.set_module_completed_by(
            db, actor_of(request), request.user, cohort_id, module_id, wanted
        )
        return _completions(grid, module_id)
