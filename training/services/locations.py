"""Cambodia's provinces, districts and communes (official gazetteer codes)."""

from dataclasses import dataclass

from sqlmodel import col, select
from sqlalchemy.ext.asyncio import AsyncSession

from training.errors import InvalidInput
from training.i18n import N_
from training.models import Commune, District, Province


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
