"""Administrators manage the employers (government units and NGOs) that trainees work for."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.errors import InvalidInput
from foundation.forms import form_values, validated, wants_next_places
from foundation.guards import requires_admin
from foundation.http import actor_of
from people.models import OrganisationCreate, OrganisationKind, OrganisationUpdate
from people.services import locations, organisations

EMPTY_ORGANISATION = {
    "name_km": "",
    "name_en": "",
    "kind": OrganisationKind.government.value,
    "commune_code": "",
}


async def _form(
    db: AsyncSession,
    organisation: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    status_code: int = 200,
) -> Template:
    organisation = EMPTY_ORGANISATION | organisation
    context = {
        "organisation": organisation,
        "errors": errors,
        "action": action,
        "kinds": list(OrganisationKind),
        "places": await locations.location_choices(db, organisation),
    }
    return Template("training/organisations/form.html", context=context, status_code=status_code)


class OrganisationController(Controller):
    path = "/admin/organisations"
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def list_organisations(
        self, db: AsyncSession, q: str = "", page: int = 1, include_inactive: bool = False
    ) -> Template:
        found = await organisations.search_organisations(
            db, q, page=max(page, 1), include_inactive=include_inactive
        )
        places = await locations.find_places(db, {o.commune_code for o in found.items})
        context = {"page": found, "q": q, "include_inactive": include_inactive, "places": places}
        return Template("training/organisations/list.html", context=context)

    @get("/new")
    async def new_organisation(self, db: AsyncSession) -> Template:
        return await _form(db, EMPTY_ORGANISATION, {}, action="/admin/organisations/new")

    @post("/new")
    async def create_organisation(self, request: Request, db: AsyncSession) -> Template | Redirect:
        form = await request.form()
        values = form_values(form)
        if wants_next_places(form):
            return await _form(db, values, {}, action="/admin/organisations/new")
        try:
            await organisations.create_organisation(
                db, actor_of(request), validated(OrganisationCreate, values)
            )
        except InvalidInput as invalid:
            return await _form(
                db, values, invalid.field_errors, action="/admin/organisations/new", status_code=422
            )
        return Redirect("/admin/organisations?notice=created", status_code=303)

    @get("/{organisation_id:int}")
    async def edit_organisation(self, db: AsyncSession, organisation_id: int) -> Template:
        organisation = await organisations.get_organisation(db, organisation_id)
        return await _form(
            db, organisation.model_dump(), {}, action=f"/admin/organisations/{organisation_id}"
        )

    @post("/{organisation_id:int}")
    async def update_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int
    ) -> Template | Redirect:
        form = await request.form()
        values = form_values(form)
        current = await organisations.get_organisation(db, organisation_id)
        action = f"/admin/organisations/{organisation_id}"
        if wants_next_places(form):
            return await _form(
                db, values | {"id": organisation_id, "active": current.active}, {}, action=action
            )
        try:
            data = validated(OrganisationUpdate, values)
            await organisations.update_organisation(db, actor_of(request), organisation_id, data)
        except InvalidInput as invalid:
            values |= {"id": organisation_id, "active": current.active}
            return await _form(db, values, invalid.field_errors, action=action, status_code=422)
        return Redirect("/admin/organisations?notice=saved", status_code=303)

    @post("/{organisation_id:int}/deactivate")
    async def deactivate_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int
    ) -> Redirect:
        await organisations.set_organisation_active(db, actor_of(request), organisation_id, False)
        return Redirect("/admin/organisations?notice=deactivated", status_code=303)

    @post("/{organisation_id:int}/reactivate")
    async def reactivate_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int
    ) -> Redirect:
        await organisations.set_organisation_active(db, actor_of(request), organisation_id, True)
        return Redirect("/admin/organisations?notice=reactivated", status_code=303)
