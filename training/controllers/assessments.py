"""Trainers record competency assessments (a grid per cohort, every attempt kept) and module completion."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.errors import InvalidInput, NotFound
from foundation.forms import form_values, validated
from foundation.guards import STAFF
from foundation.http import actor_of, is_htmx
from foundation.i18n import N_
from foundation.numbers import whole_number
from training.schemas.assessments import AssessmentCreate
from training.services import assessments
from training.services.assessments import METHOD_NAMES, RESULT_NAMES

NAMES = {"RESULT_NAMES": RESULT_NAMES, "METHOD_NAMES": METHOD_NAMES}


def _cell_page(
    cell: assessments.AssessmentCell, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Template:
    context = {"cell": cell, "values": values, "errors": errors} | NAMES
    return Template("training/assessments/cell.html", context=context, status_code=status_code)


def _cell(value: Any) -> tuple[int, int]:
    """A module grid button's value `<enrolment id>-<module id>`."""
    enrolment, _, module = str(value).partition("-")
    enrolment_id, module_id = whole_number(enrolment), whole_number(module)
    if enrolment_id is None or module_id is None:
        raise NotFound(N_("No such trainee or module in this cohort."))
    return enrolment_id, module_id


class AssessmentController(Controller):
    path = "/cohorts/{cohort_id:int}"
    guards = STAFF
    include_in_schema = False

    @get("/assessments")
    async def assessment_grid(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        grid = await assessments.assessment_grid(db, request.user, cohort_id)
        return Template("training/assessments/grid.html", context={"grid": grid} | NAMES)

    @get("/assessments/{enrolment_id:int}/{competency_id:int}")
    async def assessment_cell(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int, competency_id: int
    ) -> Template:
        """One trainee at one competency: every attempt, newest first, and the form for a new one."""
        cell = await assessments.assessment_cell(db, request.user, cohort_id, enrolment_id, competency_id)
        return _cell_page(cell, {"assessed_on": cell.today.isoformat()}, {})

    @post("/assessments/{enrolment_id:int}/{competency_id:int}")
    async def record_assessment(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int, competency_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form())
        ids = {"enrolment_id": enrolment_id, "competency_id": competency_id}
        try:
            data = validated(AssessmentCreate, values | ids)
            await assessments.record_assessment(db, actor_of(request), request.user, cohort_id, data)
        except InvalidInput as invalid:
            cell = await assessments.assessment_cell(db, request.user, cohort_id, enrolment_id, competency_id)
            return _cell_page(cell, values, invalid.field_errors, status_code=422)
        anchor = f"cell-{enrolment_id}-{competency_id}"
        return Redirect(f"/cohorts/{cohort_id}/assessments?notice=saved#{anchor}", status_code=303)

    @get("/modules")
    async def module_grid(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        grid = await assessments.module_grid(db, request.user, cohort_id)
        return Template("training/assessments/modules.html", context={"grid": grid})

    @post("/modules")
    async def record_module_completion(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> Template | Redirect:
        """One cell (`complete` or `undo`: `<enrolment id>-<module id>`), or `complete_all` of a module."""
        form = await request.form()
        actor, user = actor_of(request), request.user
        if everyone := form.get("complete_all"):
            if (module_id := whole_number(everyone)) is None:
                raise NotFound(N_("No such trainee or module in this cohort."))
            await assessments.complete_module_for_everyone(db, actor, user, cohort_id, module_id)
            return Redirect(f"/cohorts/{cohort_id}/modules?notice=saved", status_code=303)
        done = "complete" in form
        enrolment_id, module_id = _cell(form.get("complete" if done else "undo"))
        grid = await assessments.set_module_completion(
            db, actor, user, cohort_id, module_id, enrolment_id, done
        )
        if is_htmx(request):
            context = {"grid": grid, "row": grid.row(enrolment_id), "index": grid.column(module_id)}
            return Template("training/assessments/_module_cell.html", context=context)
        return Redirect(f"/cohorts/{cohort_id}/modules?notice=saved", status_code=303)
