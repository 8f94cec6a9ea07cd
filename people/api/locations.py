"""The JSON API of places (/api/v1/locations): provinces, their districts, the districts' communes."""

from litestar import Controller, get
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.api import SESSION
from foundation.guards import requires_sign_in
from people.models import LocationRead
from people.services import locations


class LocationApi(Controller):
    path = "/api/v1/locations"
    guards = [requires_sign_in]
    tags = ["Locations"]
    security = SESSION

    @get("/provinces")
    async def list_provinces(self, db: AsyncSession) -> list[LocationRead]:
        return [LocationRead.model_validate(p) for p in await locations.list_provinces(db)]

    @get("/provinces/{province_code:str}/districts")
    async def list_districts(self, db: AsyncSession, province_code: str) -> list[LocationRead]:
        """The province's districts; an unknown province has none."""
        return [LocationRead.model_validate(d) for d in await locations.list_districts(db, province_code)]

    @get("/districts/{district_code:str}/communes")
    async def list_communes(self, db: AsyncSession, district_code: str) -> list[LocationRead]:
        """The district's communes; an unknown district has none."""
        return [LocationRead.model_validate(c) for c in await locations.list_communes(db, district_code)]
