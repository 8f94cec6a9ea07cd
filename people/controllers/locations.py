"""Cascading province > district > commune choices: <option> lists for htmx."""

from litestar import Controller, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.guards import requires_sign_in
from people.services import locations


class LocationOptionsController(Controller):
    path = "/locations"
    guards = [requires_sign_in]
    include_in_schema = False

    @get("/districts")
    async def district_options(self, db: AsyncSession, province: str = "") -> Template:
        choices = await locations.list_districts(db, province)
        return Template("partials/location_options.html", context={"choices": choices, "level": "district"})

    @get("/communes")
    async def commune_options(self, db: AsyncSession, district: str = "") -> Template:
        choices = await locations.list_communes(db, district)
        return Template("partials/location_options.html", context={"choices": choices, "level": "commune"})
