"""Cambodia's provinces, districts and communes (official gazetteer codes)."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation.errors import InvalidInput
from foundation.i18n import N_
from people.models import Commune, District, Province


@dataclass(frozen=True)
class Place:
    """A commune with the district and province it lies in."""

    commune: Commune
    district: District
    province: Province


async def list_provinces(session: AsyncSession) -> list[Province]:
    return list((await session.execute(select(Province).order_by(col(Province.code)))).scalars())


async def list_districts(session: AsyncSession, province_code: str) -> list[District]:
    query = select(District).where(col(District.province_code) == province_code).order_by(col(District.code))
    return list((await session.execute(query)).scalars())


async def list_communes(session: AsyncSession, district_code: str) -> list[Commune]:
    query = select(Commune).where(col(Commune.district_code) == district_code).order_by(col(Commune.code))
    return list((await session.execute(query)).scalars())


async def find_places(session: AsyncSession, commune_codes: set[str]) -> dict[str, Place]:
    """Every named commune with its district and province, in one query."""
    if not commune_codes:
        return {}
    query = (
        select(Commune, District, Province)
        .join(District, col(District.code) == Commune.district_code)
        .join(Province, col(Province.code) == District.province_code)
        .where(col(Commune.code).in_(commune_codes))
    )
    return {c.code: Place(c, d, p) for c, d, p in (await session.execute(query)).all()}


async def require_commune(session: AsyncSession, code: str | None, field: str = "commune_code") -> None:
    if code is not None and await session.get(Commune, code) is None:
        raise InvalidInput({field: N_("Unknown commune code.")})


async def location_choices(session: AsyncSession, values: dict[str, Any]) -> dict[str, Any]:
    """What the cascading province > district > commune selects show: the chosen place and its siblings.

    A stored commune decides its district and province, unless the user has since picked another
    province or district (a form sent back without JavaScript): then their newer choice wins.
    """
    commune = str(values.get("commune_code") or "")
    province = str(values.get("province") or "")
    district = str(values.get("district") or "")
    place = (await find_places(session, {commune})).get(commune) if commune else None
    if place and province in ("", place.province.code) and district in ("", place.district.code):
        province, district = place.province.code, place.district.code
    districts = await list_districts(session, province) if province else []
    if district not in {d.code for d in districts}:
        district = ""
    return {
        "province": province,
        "district": district,
        "commune": commune,
        "provinces": await list_provinces(session),
        "districts": districts,
        "communes": await list_communes(session, district) if district else [],
    }
