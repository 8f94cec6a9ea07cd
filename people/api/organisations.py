"""The JSON API of organisations, the employers (/api/v1/organisations)."""

from typing import Any

from litestar import Controller, Request, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.api import INVALID, SESSION, IncludeInactive, JsonObjectAs, PageNumber, PerPage, Q, ResultPage
from foundation.forms import validated
from foundation.guards import requires_admin
from foundation.http import actor_of
from people.models import OrganisationCreate, OrganisationRead, OrganisationUpdate
from people.services import organisations


class OrganisationApi(Controller):
    path = "/api/v1/organisations"
    guards = [requires_admin]
    tags = ["Organisations"]
    security = SESSION

    @get("/")
    async def list_organisations(
        self,
        db: AsyncSession,
        q: Q = "",
        page: PageNumber = 1,
        per_page: PerPage = 25,
        include_inactive: IncludeInactive = False,
    ) -> ResultPage[OrganisationRead]:
        found = await organisations.search_organisations(
            db, q, page=page, per_page=per_page, include_inactive=include_inactive
        )
        items = [OrganisationRead.model_validate(o) for o in found.items]
        return ResultPage[OrganisationRead].of(found, items)

    @get("/{organisation_id:int}")
    async def get_organisation(self, db: AsyncSession, organisation_id: int) -> OrganisationRead:
        return OrganisationRead.model_validate(await organisations.get_organisation(db, organisation_id))

    @post("/", dto=JsonObjectAs[OrganisationCreate], responses=INVALID)
    async def create_organisation(
        self, request: Request, db: AsyncSession, data: dict[str, Any]
    ) -> OrganisationRead:
        organisation = await organisations.create_organisation(
            db, actor_of(request), validated(OrganisationCreate, data)
        )
        return OrganisationRead.model_validate(organisation)

    @put("/{organisation_id:int}", dto=JsonObjectAs[OrganisationUpdate], responses=INVALID)
    async def update_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int, data: dict[str, Any]
    ) -> OrganisationRead:
        organisation = await organisations.update_organisation(
            db, actor_of(request), organisation_id, validated(OrganisationUpdate, data)
        )
        return OrganisationRead.model_validate(organisation)

    @post("/{organisation_id:int}/deactivate", status_code=200)
    async def deactivate_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int
    ) -> OrganisationRead:
        await organisations.set_organisation_active(db, actor_of(request), organisation_id, False)
        return OrganisationRead.model_validate(await organisations.get_organisation(db, organisation_id))

    @post("/{organisation_id:int}/reactivate", status_code=200)
    async def reactivate_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int
    ) -> OrganisationRead:
        await organisations.set_organisation_active(db, actor_of(request), organisation_id, True)
        return OrganisationRead.model_validate(await organisations.get_organisation(db, organisation_id))
