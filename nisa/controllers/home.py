"""The home page (a dashboard by role) and the Khmer web font."""

from pathlib import Path

import fontpkg_noto_sans_khmer
from litestar import Controller, Request, get
from litestar.response import File, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.services.listing import newest_statuses
from foundation.roles import Role
from training.services.dashboard import dashboard_for

KHMER_FONT = next((Path(fontpkg_noto_sans_khmer.__file__).parent / "files").glob("NotoSansKhmer*.ttf"))


class PageController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request, db: AsyncSession) -> Template:
        """Trainers (and admins who train) get their dashboard; everyone else the welcome page."""
        if request.user is not None and request.user.has_role(Role.trainer):
            dashboard = await dashboard_for(db, request.user, newest_statuses)
            return Template("training/dashboard.html", context={"dashboard": dashboard})
        return Template("training/home.html")

    @get("/fonts/noto-sans-khmer.ttf")
    async def khmer_font(self) -> File:
        response = File(KHMER_FONT, media_type="font/ttf", content_disposition_type="inline")
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response
