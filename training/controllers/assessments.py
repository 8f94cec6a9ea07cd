"""Trainers record competency assessments (a grid per cohort, every attempt kept) and module completion."""

import re
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.clock import today
from foundation.errors import InvalidInput, NotFound
from foundation.forms import form_values, validated
from foundation.guards import STAFF
from foundation.http import actor_of, is_htmx
from foundation.i18n import N_
from foundation.numbers import whole_number
from training.models import AssessmentMethod
from training.schemas.assessments import AssessmentCreate, GridSettings
from training.services import assessments, group_assessment
from training.services.assessments import METHOD_NAMES, RESULT_NAMES, AssessmentGrid
from training.services.group_assessment import CellChoice

NAMES = {"RESULT_NAMES": RESULT_NAMES, "METHOD_NAMES": METHOD_NAMES}
CELL = re.compile(r"(\d{1,9})-(\d{1,9})", re.ASCII)  # `<enrolment id>-<competency id>`
BULK = re.compile(r"(competency|trainee)-(\d{1,9})", re.ASCII)
ID = re.compile(r"\d{1,9}", re.ASCII)


def _id(value: Any) -> int | None:
    return int(value) if ID.fullmatch(str(value or "")) else None


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


def _screen(values: dict[str, Any]) -> dict[str, str]:
    """The grid's settings as the screen shows them: what was chosen, else observation today."""
    return {
        "method": str(values.get("method") or AssessmentMethod.observation.value),
        "assessed_on": str(values.get("assessed_on") or today().isoformat()),
    }


def _choices(form: Any) -> list[CellChoice]:
    """The grid's cells: `result-<cell>` competent, not_yet_competent or blank; `evidence-<cell>` a note."""
    choices = []
    for name in form:
        if name.startswith("result-") and (cell := CELL.fullmatch(name.removeprefix("result-"))):
            result = str(form.get(name) or "").strip() or None
            evidence = str(form.get(f"evidence-{cell[0]}") or "").strip()
            choices.append(CellChoice(int(cell[1]), int(cell[2]), result, evidence))
    return choices


def _grid_url(cohort_id: int, screen: dict[str, str], **more: Any) -> str:
    query = urlencode(screen | {key: value for key, value in more.items() if value})
    return f"/cohorts/{cohort_id}/assessments?{query}"


def _off_the_grid(grid: AssessmentGrid, errors: dict[str, str]) -> list[str]:
    """Problems of posted cells the grid does not show (a trainee withdrawn since, a foreign competency)."""

    def shown(name: str) -> bool:
        cell = CELL.fullmatch(name)
        return cell is None or (
            grid.row_of(int(cell[1])) is not None and grid.column_of(int(cell[2])) is not None
        )

    return sorted({message for name, message in errors.items() if not shown(name)})


def _grid_page(
    grid: AssessmentGrid,
    screen: dict[str, str],
    *,
    current: Any = None,
    errors: dict[str, str] | None = None,
    chosen: list[CellChoice] | None = None,
) -> Template:
    """The grid; `current` is the trainee shown on a phone (the first one unless chosen)."""
    context = {
        "grid": grid,
        "screen": screen,
        "current": _id(current),
        "errors": errors or {},
        "elsewhere": _off_the_grid(grid, errors or {}),
        "chosen": {choice.key: choice for choice in chosen or []},
    } | NAMES
    return Template("training/assessments/grid.html", context=context, status_code=422 if errors else 200)


def _bulk_ids(values: Any) -> tuple[int | None, int | None]:
    """`competency=<id>` or `trainee=<enrolment id>`: the column or row of "all competent"."""
    return _id(values.get("competency")), _id(values.get("trainee"))


def _confirmation_page(grid: AssessmentGrid, values: dict[str, Any], errors: dict[str, str]) -> Template:
    """What "all competent" records for a competency (`competency=`) or a trainee (`trainee=`), to confirm."""
    competency, trainee = _bulk_ids(values)
    cells = grid.bulk_cells(competency_id=competency, enrolment_id=trainee)
    if cells is None:
        raise NotFound(N_("No such trainee or competency in this cohort."))
    context = {
        "grid": grid,
        "screen": _screen(values),
        "cells": cells,
        "competency_id": competency,
        "enrolment_id": trainee,
        "errors": errors,
    } | NAMES
    return Template(
        "training/assessments/all_competent.html", context=context, status_code=422 if errors else 200
    )


class AssessmentController(Controller):
    path = "/cohorts/{cohort_id:int}"
    guards = STAFF
    include_in_schema = False

    @get("/assessments")
    async def assessment_grid(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        """Trainees x competencies; `?trainee=` the one a phone shows
        `?method=&assessed_on=` the screen's."""
        grid = await assessments.assessment_grid(db, request.user, cohort_id)
        query = request.query_params
        return _grid_page(grid, _screen(dict(query)), current=query.get("trainee"))

    @post("/assessments")
    async def record_grid(self, request: Request, db: AsyncSession, cohort_id: int) -> Template | Redirect:
        """The whole grid (without JavaScript), or one cell (htmx); then `go` shows another trainee on a
        phone, `everyone` asks to confirm "all competent" for a column or a row."""
        form = await request.form()
        values, choices = form_values(form), _choices(form)
        screen = _screen(values)
        try:
            settings = validated(GridSettings, screen)
            grid = await group_assessment.record_cells(
                db, actor_of(request), request.user, cohort_id, settings, choices
            )
        except InvalidInput as invalid:
            grid = await assessments.assessment_grid(db, request.user, cohort_id)
            errors = invalid.field_errors
            if is_htmx(request):  # a problem with the screen's method or date shows on the cell too
                screen_problem = errors.get("assessed_on") or errors.get("method") or ""
                errors = {choice.key: screen_problem for choice in choices} | errors
                page = _grid_page(grid, screen, errors=errors, chosen=choices)
                return Template(
                    "training/assessments/_grid_cells.html", context=page.context, status_code=422
                )
            return _grid_page(grid, screen, current=values.get("go"), errors=errors, chosen=choices)
        if is_htmx(request):
            page = _grid_page(grid, screen, chosen=choices)
            return Template("training/assessments/_grid_cells.html", context=page.context | {"saved": True})
        if bulk := BULK.fullmatch(str(values.get("everyone") or "")):
            confirm = f"/cohorts/{cohort_id}/assessments/all-competent?"
            return Redirect(confirm + urlencode(screen | {bulk[1]: bulk[2]}), status_code=303)
        return Redirect(
            _grid_url(cohort_id, screen, trainee=values.get("go"), notice="saved"), status_code=303
        )

    @get("/assessments/all-competent")
    async def confirm_all_competent(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        """What "all competent" would record for a competency (`?competency=`) or a trainee (`?trainee=`)."""
        grid = await assessments.assessment_grid(db, request.user, cohort_id)
        return _confirmation_page(grid, dict(request.query_params), {})

    @post("/assessments/all-competent")
    async def record_all_competent(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form())
        competency, trainee = _bulk_ids(values)
        screen = _screen(values)
        try:
            await group_assessment.all_competent(
                db,
                actor_of(request),
                request.user,
                cohort_id,
                validated(GridSettings, screen),
                competency_id=competency,
                enrolment_id=trainee,
            )
        except InvalidInput as invalid:
            grid = await assessments.assessment_grid(db, request.user, cohort_id)
            return _confirmation_page(grid, values, invalid.field_errors)
        return Redirect(_grid_url(cohort_id, screen, trainee=trainee, notice="saved"), status_code=303)

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
