"""Trainers and administrators run cohorts: details, sessions, enrolment, withdrawal, roster (HTML, JSON)."""

from datetime import time
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.api import INVALID, SESSION, JsonObjectAs, PageNumber, PerPage, Q, ResultPage
from foundation.columns import row_id
from foundation.errors import DuplicateSuspected, InvalidInput
from foundation.forms import form_values, validated, wants_next_places
from foundation.guards import STAFF
from foundation.http import actor_of
from foundation.roles import Role
from foundation.spreadsheets import as_csv, as_xlsx
from people.models import Sex, Trainee, TraineeCreate
from people.services import locations, organisations
from training.models import CohortStatus
from training.schemas.enrolment import EnrolmentInput, EnrolmentRead, WithdrawalInput
from training.services import cohorts as cohort_service
from training.services import enrolment as enrolment_service
from training.services.cohorts import (
    COHORT_STATUS_NAMES,
    CohortCreate,
    CohortFilters,
    CohortRead,
    CohortUpdate,
    SessionInput,
    SessionRead,
    StatusChange,
)

COHORTS = "/cohorts"
EMPTY_SESSION: dict[str, Any] = {"day": "", "starts_at": "", "ends_at": "", "module_ids": []}


def cohort_url(cohort_id: int) -> str:
    return f"{COHORTS}/{cohort_id}"


def _clock(moment: time | None) -> str:
    """A time as a time input shows it (HH:MM)."""
    return moment.strftime("%H:%M") if moment else ""


def _filters(q: str, status: str, course_id: str, province: str) -> CohortFilters:
    """The list's filters from the query string; anything unrecognised is no filter."""
    return CohortFilters(
        q=q,
        status=CohortStatus(status) if status in CohortStatus.__members__ else None,
        course_id=int(course_id) if course_id.isdigit() else None,
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
        "modules": await cohort_service.course_modules(db, request.user, cohort_id),
        "meeting": EMPTY_SESSION | values,
        "chosen_modules": {str(m) for m in values.get("module_ids", [])},
        "errors": errors,
        "action": action,
    }
    return Template("training/cohorts/session_form.html", context=context, status_code=status_code)


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


async def _enrol_page(
    request: Request,
    db: AsyncSession,
    cohort_id: int,
    *,
    q: str = "",
    done: int | None = None,
    trainee: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    duplicates: list[Trainee] | None = None,
    status_code: int = 200,
) -> Template:
    page = await enrolment_service.enrol_page(db, request.user, cohort_id, q, done)
    trainee = trainee or {}
    context = {
        "page": page,
        "trainee": dict.fromkeys(TraineeCreate.model_fields, "") | trainee,
        "new_trainee_open": bool(trainee),
        "errors": errors or {},
        "duplicates": duplicates or [],
        "sexes": list(Sex),
        "organisations": await organisations.active_organisations(db),
        "places": await locations.location_choices(db, trainee),
    }
    return Template("training/cohorts/enrol.html", context=context, status_code=status_code)


async def _withdraw_form(
    request: Request,
    db: AsyncSession,
    cohort_id: int,
    enrolment_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    enrolment, trainee = await enrolment_service.withdrawal_of(db, request.user, cohort_id, enrolment_id)
    context = {
        "cohort_id": cohort_id,
        "enrolment": enrolment,
        "trainee": trainee,
        "reason": values.get("reason", ""),
        "errors": errors,
    }
    return Template("training/cohorts/withdraw.html", context=context, status_code=status_code)


def _download(content: bytes, media_type: str, file_name: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{file_name}"', "cache-control": "no-store"},
    )


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
            await cohort_service.add_session(db, actor_of(request), request.user, cohort_id, data)
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
        _, meeting = await cohort_service.get_session(db, request.user, cohort_id, session_id)
        action = f"{cohort_url(cohort_id)}/sessions/{session_id}"
        values = meeting.model_dump() | {
            "starts_at": _clock(meeting.starts_at),
            "ends_at": _clock(meeting.ends_at),
        }
        return await _session_form(request, db, cohort_id, values, {}, action=action)

    @post("/{cohort_id:int}/sessions/{session_id:int}")
    async def update_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form(), lists=("module_ids",))
        try:
            data = validated(SessionInput, values)
            await cohort_service.update_session(
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
        await cohort_service.remove_session(db, actor_of(request), request.user, cohort_id, session_id)
        return Redirect(f"{cohort_url(cohort_id)}?notice=deleted#sessions", status_code=303)

    # ------------------------------------------------------------ enrolment

    @get("/{cohort_id:int}/enrol")
    async def enrol_trainees(
        self, request: Request, db: AsyncSession, cohort_id: int, q: str = "", done: int | None = None
    ) -> Template:
        return await _enrol_page(request, db, cohort_id, q=q, done=done)

    @get("/{cohort_id:int}/enrol/candidates")
    async def candidates(self, request: Request, db: AsyncSession, cohort_id: int, q: str = "") -> Template:
        """The live search results (htmx), the same list the enrol page shows."""
        page = await enrolment_service.enrol_page(db, request.user, cohort_id, q, None)
        return Template("training/cohorts/_candidates.html", context={"page": page})

    @post("/{cohort_id:int}/enrolments")
    async def enrol(self, request: Request, db: AsyncSession, cohort_id: int) -> Redirect:
        values = form_values(await request.form())
        data = validated(EnrolmentInput, values)
        enrolment = await enrolment_service.enrol(
            db, actor_of(request), request.user, cohort_id, data.trainee_id
        )
        q = str(values.get("q") or "")
        return Redirect(f"{cohort_url(cohort_id)}/enrol?done={enrolment.id}&q={quote(q)}", status_code=303)

    @post("/{cohort_id:int}/enrolments/new-trainee")
    async def enrol_new_trainee(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> Template | Redirect:
        form = await request.form()
        values = form_values(form)
        confirmed = bool(values.pop("confirm_duplicate", None))
        if wants_next_places(form):
            return await _enrol_page(request, db, cohort_id, trainee=values)
        try:
            data = validated(TraineeCreate, values)
            enrolment = await enrolment_service.enrol_new_trainee(
                db, actor_of(request), request.user, cohort_id, data, confirm_duplicate=confirmed
            )
        except InvalidInput as invalid:
            return await _enrol_page(
                request, db, cohort_id, trainee=values, errors=invalid.field_errors, status_code=422
            )
        except DuplicateSuspected as suspected:
            return await _enrol_page(
                request, db, cohort_id, trainee=values, duplicates=suspected.matches, status_code=409
            )
        return Redirect(f"{cohort_url(cohort_id)}/enrol?done={enrolment.id}", status_code=303)

    @get("/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw")
    async def withdrawal_form(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int
    ) -> Template:
        return await _withdraw_form(request, db, cohort_id, enrolment_id, {}, {})

    @post("/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw")
    async def withdraw(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form())
        try:
            data = validated(WithdrawalInput, values)
            await enrolment_service.withdraw(
                db, actor_of(request), request.user, cohort_id, enrolment_id, data
            )
        except InvalidInput as invalid:
            return await _withdraw_form(
                request, db, cohort_id, enrolment_id, values, invalid.field_errors, status_code=422
            )
        return Redirect(f"{cohort_url(cohort_id)}?notice=saved#roster", status_code=303)

    # ------------------------------------------------------------ roster files

    @get("/{cohort_id:int}/roster.csv")
    async def roster_csv(self, request: Request, db: AsyncSession, cohort_id: int) -> Response[bytes]:
        roster = await enrolment_service.get_roster(db, request.user, cohort_id)
        content = as_csv(*enrolment_service.roster_table(roster))
        code = roster.schedule.row.cohort.code
        return _download(content, "text/csv; charset=utf-8", f"{code}-roster.csv")

    @get("/{cohort_id:int}/roster.xlsx")
    async def roster_xlsx(self, request: Request, db: AsyncSession, cohort_id: int) -> Response[bytes]:
        roster = await enrolment_service.get_roster(db, request.user, cohort_id)
        code = roster.schedule.row.cohort.code
        content = as_xlsx(code, *enrolment_service.roster_table(roster))
        media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(content, media_type, f"{code}-roster.xlsx")


# ---------------------------------------------------------------- JSON API


class CohortApi(Controller):
    path = "/api/v1/cohorts"
    guards = STAFF
    tags = ["Cohorts"]
    security = SESSION

    @get("/")
    async def list_cohorts(
        self,
        request: Request,
        db: AsyncSession,
        q: Q = "",
        status: CohortStatus | None = None,
        course_id: int | None = None,
        province_code: str | None = None,
        page: PageNumber = 1,
        per_page: PerPage = 25,
    ) -> ResultPage[CohortRead]:
        """Admins see every cohort; a trainer sees the cohorts they train. `q` matches the code."""
        filters = CohortFilters(q=q, status=status, course_id=course_id, province_code=province_code)
        found = await cohort_service.search_cohorts(db, request.user, filters, page=page, per_page=per_page)
        return ResultPage[CohortRead].of(found, [row.read for row in found.items])

    @get("/{cohort_id:int}")
    async def get_cohort(self, request: Request, db: AsyncSession, cohort_id: int) -> CohortRead:
        return (await cohort_service.get_cohort_row(db, request.user, cohort_id)).read

    @post("/", dto=JsonObjectAs[CohortCreate], responses=INVALID)
    async def create_cohort(self, request: Request, db: AsyncSession, data: dict[str, Any]) -> CohortRead:
        """From a published course version; a trainer who creates it is always one of its trainers."""
        cohort = await cohort_service.create_cohort(
            db, actor_of(request), request.user, validated(CohortCreate, data)
        )
        return (await cohort_service.get_cohort_row(db, request.user, row_id(cohort))).read

    @put("/{cohort_id:int}", dto=JsonObjectAs[CohortUpdate], responses=INVALID)
    async def update_cohort(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> CohortRead:
        """A closed cohort answers 409. A larger capacity promotes waitlisted trainees."""
        await cohort_service.update_cohort(
            db, actor_of(request), request.user, cohort_id, validated(CohortUpdate, data)
        )
        return (await cohort_service.get_cohort_row(db, request.user, cohort_id)).read

    @post("/{cohort_id:int}/status", dto=JsonObjectAs[StatusChange], responses=INVALID, status_code=200)
    async def change_status(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> CohortRead:
        """Only forward; closing needs `confirm: true` and cannot be undone."""
        change = validated(StatusChange, data)
        await cohort_service.change_status(db, actor_of(request), request.user, cohort_id, change)
        return (await cohort_service.get_cohort_row(db, request.user, cohort_id)).read

    @get("/{cohort_id:int}/sessions")
    async def list_sessions(self, request: Request, db: AsyncSession, cohort_id: int) -> list[SessionRead]:
        schedule = await cohort_service.get_schedule(db, request.user, cohort_id)
        return [view.read for view in schedule.sessions]

    @post("/{cohort_id:int}/sessions", dto=JsonObjectAs[SessionInput], responses=INVALID)
    async def add_session(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> SessionRead:
        meeting = await cohort_service.add_session(
            db, actor_of(request), request.user, cohort_id, validated(SessionInput, data)
        )
        return (await cohort_service.get_session(db, request.user, cohort_id, row_id(meeting)))[1]

    @put("/{cohort_id:int}/sessions/{session_id:int}", dto=JsonObjectAs[SessionInput], responses=INVALID)
    async def update_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int, data: dict[str, Any]
    ) -> SessionRead:
        await cohort_service.update_session(
            db, actor_of(request), request.user, cohort_id, session_id, validated(SessionInput, data)
        )
        return (await cohort_service.get_session(db, request.user, cohort_id, session_id))[1]

    @delete("/{cohort_id:int}/sessions/{session_id:int}")
    async def remove_session(
        self, request: Request, db: AsyncSession, cohort_id: int, session_id: int
    ) -> None:
        """Refused (409) once attendance has been taken for the session."""
        await cohort_service.remove_session(db, actor_of(request), request.user, cohort_id, session_id)

    @get("/{cohort_id:int}/enrolments")
    async def list_enrolments(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> list[EnrolmentRead]:
        """Everyone on the cohort's list: seated by name, the waitlist in order, then who withdrew."""
        roster = await enrolment_service.get_roster(db, request.user, cohort_id)
        return [entry.read for entry in roster.entries]

    @post("/{cohort_id:int}/enrolments", dto=JsonObjectAs[EnrolmentInput], responses=INVALID)
    async def enrol(
        self, request: Request, db: AsyncSession, cohort_id: int, data: dict[str, Any]
    ) -> EnrolmentRead:
        """`enrolled` while seats are free, else `waitlisted`; the same trainee twice answers 409."""
        trainee_id = validated(EnrolmentInput, data).trainee_id
        enrolment = await enrolment_service.enrol(db, actor_of(request), request.user, cohort_id, trainee_id)
        return await enrolment_service.enrolment_read(db, request.user, cohort_id, row_id(enrolment))

    @post(
        "/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw",
        dto=JsonObjectAs[WithdrawalInput],
        responses=INVALID,
        status_code=200,
    )
    async def withdraw(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int, data: dict[str, Any]
    ) -> EnrolmentRead:
        """The reason is required. A freed seat goes to the first trainee on the waitlist."""
        await enrolment_service.withdraw(
            db, actor_of(request), request.user, cohort_id, enrolment_id, validated(WithdrawalInput, data)
        )
        return await enrolment_service.enrolment_read(db, request.user, cohort_id, enrolment_id)
