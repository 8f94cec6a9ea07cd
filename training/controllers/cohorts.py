"""Trainers and administrators run cohorts: details, status and sessions (pages)."""

from datetime import time
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.columns import row_id
from foundation.errors import InvalidInput
from foundation.forms import form_values, validated
from foundation.guards import STAFF
from foundation.http import actor_of
from foundation.numbers import whole_number
from foundation.roles import Role
from people.services import locations
from training.models import CohortStatus
from training.pages import COHORTS, cohort_url
from training.schemas.cohorts import (
    CohortCreate,
    CohortUpdate,
    SessionCancellation,
    SessionInput,
    StatusChange,
)
from training.services import class_sessions
from training.services import cohorts as cohort_service
from training.services import enrolment as enrolment_service
from training.services.cohorts import COHORT_STATUS_NAMES, CohortFilters

EMPTY_SESSION: dict[str, Any] = {"day": "", "starts_at": "", "ends_at": "", "module_ids": []}


def _clock(moment: time | None) -> str:
    """A time as a time input shows it (HH:MM)."""
    return moment.strftime("%H:%M") if moment else ""


def _filters(q: str, status: str, course_id: str, province: str) -> CohortFilters:
    """The list's filters from the query string; anything unrecognised is no filter."""
    return CohortFilters(
        q=q,
        status=CohortStatus(status) if status in CohortStatus.__members__ else None,
        course_id=whole_number(course_id),
        province_code=province or None,
    )


# ---------------------------------------------------------------- forms shown again with their errors


async def _cohort_form(
    db: AsyncSession,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    status_code: int = 200,
    editing: Any = None,
) -> Template:
    """`editing`: the cohort's row as stored (None for a new cohort)."""
    context = {
        "cohort": values,
        "chosen_trainers": {str(t) for t in values.get("trainer_ids", [])},
        "errors": errors,
        "action": action,
        "editing": editing,
        "choices": await cohort_service.cohort_choices(db),
    }
    return Template("training/cohorts/form.html", context=context, status_code=status_code)


def _cohort_values(form: FormMultiDict) -> dict[str, Any]:
    return form_values(form, lists=("trainer_ids",))


async def _session_form(
    request: Request,
    db: AsyncSession,
    cohort_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    status_code: int = 200,
) -> Template:
    context = {
        "row": await cohort_service.get_cohort_row(db, request.user, cohort_id, write=True),
        "modules": await class_sessions.course_modules(db, request.user, cohort_id),
        "meeting": EMPTY_SESSION | values,
        "chosen_modules": {str(m) for m in values.get("module_ids", [])},
        "errors": errors,
        "action": action,
    }
    return Template("training/cohorts/session_form.html", context=context, status_code=status_code)


async def _stored_session_form(
    request: Request,
    db: AsyncSession,
    cohort_id: int,
    session_id: int,
    errors: dict[str, str],
    *,
    reason: str = "",
    status_code: int = 200,
) -> Template:
    """The form of a stored session (and its cancellation), with `errors` of the cancellation."""
    _, meeting = await class_sessions.get_session(db, request.user, cohort_id, session_id)
    action = f"{cohort_url(cohort_id)}/sessions/{session_id}"
    values = meeting.model_dump() | {
        "starts_at": _clock(meeting.starts_at),
        "ends_at": _clock(meeting.ends_at),
        "reason": reason,
    }
    return await _session_form(request, db, cohort_id, values, errors, action=action, status_code=status_code)


async def _cohort_page(
    request: Request,
    db: AsyncSession,
    cohort_id: int,
    *,
    page: int = 1,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    roster = await enrolment_service.get_roster(db, request.user, cohort_id, page=max(page, 1))
    context = {"roster": roster, "errors": errors or {}}
    return Template("training/cohorts/cohort.html", context=context, status_code=status_code)


# ---------------------------------------------------------------- pages


class CohortController(Controller):
    path = COHORTS
    guards = STAFF
    include_in_schema = False

    @get("/")
    async def list_cohorts(
        self,
        request: Request,
        db: AsyncSession,
        q: str = "",
        status: str = "",
        course_id: str = "",
        province: str = "",
        page: int = 1,
    ) -> Template:
        filters = _filters(q, status, course_id, province)
        found = await cohort_service.search_cohorts(db, request.user, filters, page=max(page, 1))
        context = {
            "page": found,
            "filters": filters,
            "statuses": COHORT_STATUS_NAMES.items(),
            "courses": await cohort_service.courses_with_cohorts(db, request.user),
            "provinces": await locations.list_provinces(db),
        }
        return Template("training/cohorts/list.html", context=context)

    @get("/new")
    async def new_cohort(self, request: Request, db: AsyncSession) -> Template:
        trainers = [request.user.id] if request.user.has_role(Role.trainer) else []
        return await _cohort_form(db, {"trainer_ids": trainers}, {}, action=f"{COHORTS}/new")

    @post("/new")
    async def create_cohort(self, request: Request, db: AsyncSession) -> Template | Redirect:
        values = _cohort_values(await request.form())
        try:
            data = validated(CohortCreate, values)
            cohort = await cohort_service.create_cohort(db, actor_of(request), request.user, data)
        except InvalidInput as invalid:
            return await _cohort_form(
                db, values, invalid.field_errors, action=f"{COHORTS}/new", status_code=422
            )
        return Redirect(f"{cohort_url(row_id(cohort))}?notice=created", status_code=303)

    @get("/{cohort_id:int}")
    async def show_cohort(
        self, request: Request, db: AsyncSession, cohort_id: int, page: int = 1
    ) -> Template:
        return await _cohort_page(request, db, cohort_id, page=page)

    @get("/{cohort_id:int}/edit")
    async def edit_cohort(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        row = await cohort_service.get_cohort_row(db, request.user, cohort_id, write=True)
        values = row.read.model_dump()
        return await _cohort_form(db, values, {}, action=f"{cohort_url(cohort_id)}/edit", editing=row)

    @post("/{cohort_id:int}/edit")
    async def update_cohort(self, request: Request, db: AsyncSession, cohort_id: int) -> Template | Redirect:
        values = _cohort_values(await request.form())
        try:
            data = validated(CohortUpdate, values)
            await cohort_service.update_cohort(db, actor_of(request), request.user, cohort_id, data)
        except InvalidInput as invalid:
            row = await cohort_service.get_cohort_row(db, request.user, cohort_id)
            action = f"{cohort_url(cohort_id)}/edit"
            values |= {"course_id": row.cohort.course_id}
            return await _cohort_form(
                db, values, invalid.field_errors, action=action, status_code=422, editing=row
            )
        return Redirect(f"{cohort_url(cohort_id)}?notice=saved", status_code=303)

    @post("/{cohort_id:int}/status")
    async def change_status(self, request: Request, db: AsyncSession, cohort_id: int) -> Template | Redirect:
        values = form_values(await request.form())
        values["confirm"] = "confirm" in values
        try:
            change = validated(StatusChange, values)
            await cohort_service.change_status(db, actor_of(request), request.user, cohort_id, change)
        except InvalidInput as invalid:
            return await _cohort_page(request, db, cohort_id, errors=invalid.field_errors, status_code=422)
        return Redirect(f"{cohort_url(cohort_id)}?notice=saved", status_code=303)

    # ------------------------------------------------------------ sessions

    @get("/{cohort_id:int}/sessions/new")
    async def new_session(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        action = f"{cohort_url(cohort_id)}/sessions/new"
        return await _session_form(request, db, cohort_id, {}, {}, action=action)

    @post("/{cohort_id:int}/sessions/new")
    async def add_session(self, request: Request, db: AsyncSession, cohort_id: int) -> Template | Redirect:
        values = form_values(await request.form(), lists=("module_ids",))
        try:
            data = validated(SessionInput, values)
            await class_sessions.add_session(db, actor_of(request), request.user, cohort_id, data)
        except InvalidInput as invalid:
            action = f"{cohort_url(cohort_id)}/sessions/new"
            return await _session_form(
                request, db, cohort_id, values, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(f"{cohort_url(cohort_id)}?notice=created#sessions", status_code=303)

    @get("/{cohort_id:int}/sessions/{session_id:int}")
    async def edit_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Template:
        return await _stored_session_form(request, db, cohort_id, session_id, {})

    @post("/{cohort_id:int}/sessions/{session_id:int}")
    async def update_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form(), lists=("module_ids",))
        try:
            data = validated(SessionInput, values)
            await class_sessions.update_session(
                db, actor_of(request), request.user, cohort_id, session_id, data
            )
        except InvalidInput as invalid:
            action = f"{cohort_url(cohort_id)}/sessions/{session_id}"
            values |= {"id": session_id}
            return await _session_form(
                request, db, cohort_id, values, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(f"{cohort_url(cohort_id)}?notice=saved#sessions", status_code=303)

    @post("/{cohort_id:int}/sessions/{session_id:int}/delete")
    async def remove_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Redirect:
        await class_sessions.remove_session(db, actor_of(request), request.user, cohort_id, session_id)
        return Redirect(f"{cohort_url(cohort_id)}?notice=deleted#sessions", status_code=303)

    @post("/{cohort_id:int}/sessions/{session_id:int}/cancel")
    async def cancel_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Template | Redirect:
        """Needs a reason; refused once the session has taken place."""
        values = form_values(await request.form())
        try:
            data = validated(SessionCancellation, values)
            await class_sessions.cancel_session(
                db, actor_of(request), request.user, cohort_id, session_id, data
            )
        except InvalidInput as invalid:
            return await _stored_session_form(
                request,
                db,
                cohort_id,
                session_id,
                invalid.field_errors,
                reason=values.get("reason", ""),
                status_code=422,
            )
        return Redirect(f"{cohort_url(cohort_id)}?notice=saved#sessions", status_code=303)

    @post("/{cohort_id:int}/sessions/{session_id:int}/restore")
    async def restore_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Redirect:
        await class_sessions.restore_session(db, actor_of(request), request.user, cohort_id, session_id)
        return Redirect(f"{cohort_url(cohort_id)}?notice=saved#sessions", status_code=303)
