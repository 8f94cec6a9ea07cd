"""Administrators and trainers record the people of the workforce: one record per person."""

from contextlib import suppress
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.errors import DuplicateSuspected, InvalidInput, NotFound
from foundation.forms import form_values, validated, wants_next_places
from foundation.guards import requires_admin, requires_role
from foundation.http import actor_of
from foundation.numbers import whole_number
from foundation.roles import Role
from people.models import Organisation, Sex, Trainee, TraineeCreate, TraineeUpdate, UserRead
from people.pages import password_link
from people.services import locations, organisations, trainees, users
from people.services.trainees import TraineeScope

EMPTY_TRAINEE: dict[str, Any] = {
    "name_km": "",
    "name_latin": "",
    "sex": "",
    "date_of_birth": None,
    "phone": "",
    "email": "",
    "organisation_id": None,
    "position": "",
    "commune_code": "",
}


async def _organisation_choices(db: AsyncSession, chosen: Any) -> list[Organisation]:
    """The active organisations, plus the trainee's own one if it has since been deactivated."""
    choices = await organisations.active_organisations(db)
    chosen_id = whole_number(chosen)
    if chosen_id is not None and all(o.id != chosen_id for o in choices):
        with suppress(NotFound):
            choices.append(await organisations.get_organisation(db, chosen_id))
    return choices


async def _form(
    db: AsyncSession,
    trainee: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    status_code: int = 200,
    duplicates: list[Trainee] | None = None,
    login: UserRead | None = None,
) -> Template:
    trainee = EMPTY_TRAINEE | trainee
    context = {
        "trainee": trainee,
        "errors": errors,
        "action": action,
        "sexes": list(Sex),
        "organisations": await _organisation_choices(db, trainee.get("organisation_id")),
        "places": await locations.location_choices(db, trainee),
        "duplicates": duplicates or [],
        "login": login,
    }
    return Template("training/trainees/form.html", context=context, status_code=status_code)


def _confirmed(values: dict[str, Any]) -> bool:
    return bool(values.pop("confirm_duplicate", None))


class TraineeController(Controller):
    path = "/admin/trainees"
    guards = [requires_role(Role.admin, Role.trainer)]
    include_in_schema = False

    @get("/")
    async def list_trainees(
        self,
        db: AsyncSession,
        trainee_scope: TraineeScope,
        q: str = "",
        page: int = 1,
        include_inactive: bool = False,
    ) -> Template:
        found = await trainees.search_trainees(
            db, q, page=page, include_inactive=include_inactive, estimate_total=True, scope=trainee_scope
        )
        context = {"page": found, "q": q, "include_inactive": include_inactive}
        return Template("training/trainees/list.html", context=context)

    @get("/new")
    async def new_trainee(self, db: AsyncSession) -> Template:
        return await _form(db, EMPTY_TRAINEE, {}, action="/admin/trainees/new")

    @post("/new")
    async def create_trainee(self, request: Request, db: AsyncSession) -> Template | Redirect:
        form = await request.form()
        values = form_values(form)
        confirmed = _confirmed(values)
        action = "/admin/trainees/new"
        if wants_next_places(form):
            return await _form(db, values, {}, action=action)
        try:
            data = validated(TraineeCreate, values)
            await trainees.create_trainee(db, actor_of(request), data, confirm_duplicate=confirmed)
        except InvalidInput as invalid:
            return await _form(db, values, invalid.field_errors, action=action, status_code=422)
        except DuplicateSuspected as suspected:
            return await _form(db, values, {}, action=action, status_code=409, duplicates=suspected.matches)
        return Redirect("/admin/trainees?notice=created", status_code=303)

    @get("/{trainee_id:int}")
    async def edit_trainee(self, db: AsyncSession, trainee_scope: TraineeScope, trainee_id: int) -> Template:
        trainee = await trainees.get_trainee(db, trainee_id, trainee_scope)
        login = await users.login_of_trainee(db, trainee_id)
        return await _form(db, trainee.model_dump(), {}, action=f"/admin/trainees/{trainee_id}", login=login)

    @post("/{trainee_id:int}")
    async def update_trainee(
        self, request: Request, db: AsyncSession, trainee_scope: TraineeScope, trainee_id: int
    ) -> Template | Redirect:
        form = await request.form()
        values = form_values(form)
        confirmed = _confirmed(values)
        current = await trainees.get_trainee(db, trainee_id, trainee_scope)
        action = f"/admin/trainees/{trainee_id}"
        if wants_next_places(form):
            return await _form(db, values | {"id": trainee_id, "active": current.active}, {}, action=action)
        try:
            data = validated(TraineeUpdate, values)
            await trainees.update_trainee(
                db, actor_of(request), trainee_id, data, confirm_duplicate=confirmed, scope=trainee_scope
            )
        except InvalidInput as invalid:
            values |= {"id": trainee_id, "active": current.active}
            return await _form(db, values, invalid.field_errors, action=action, status_code=422)
        except DuplicateSuspected as suspected:
            values |= {"id": trainee_id, "active": current.active}
            return await _form(db, values, {}, action=action, status_code=409, duplicates=suspected.matches)
        return Redirect("/admin/trainees?notice=saved", status_code=303)

    @post("/{trainee_id:int}/deactivate", guards=[requires_admin])
    async def deactivate_trainee(self, request: Request, db: AsyncSession, trainee_id: int) -> Redirect:
        await trainees.set_trainee_active(db, actor_of(request), trainee_id, False)
        return Redirect("/admin/trainees?notice=deactivated", status_code=303)

    @post("/{trainee_id:int}/reactivate", guards=[requires_admin])
    async def reactivate_trainee(self, request: Request, db: AsyncSession, trainee_id: int) -> Redirect:
        await trainees.set_trainee_active(db, actor_of(request), trainee_id, True)
        return Redirect("/admin/trainees?notice=reactivated", status_code=303)

    @post("/{trainee_id:int}/login", guards=[requires_admin])
    async def create_trainee_login(self, request: Request, db: AsyncSession, trainee_id: int) -> Template:
        """A login for the trainee from their own record: no record number to type."""
        try:
            user, invite = await users.create_trainee_login(db, actor_of(request), trainee_id)
        except InvalidInput as invalid:
            trainee = await trainees.get_trainee(db, trainee_id)
            action = f"/admin/trainees/{trainee_id}"
            return await _form(db, trainee.model_dump(), invalid.field_errors, action=action, status_code=422)
        link = password_link(request.app.state.settings.base_url, invite)
        context = {"user": user, "link": link, "purpose": "invite"}
        return Template("training/users/link.html", context=context, status_code=201)
