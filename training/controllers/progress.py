"""Progress pages: a trainee's own progress (My progress) and the cohort overview for its trainers."""

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.guards import requires_role
from foundation.roles import Role
from training.schemas.progress import Requirement
from training.services import progress, trainee_progress
from training.services.completion import REQUIREMENT_TAGS

requires_trainee = requires_role(Role.trainee)
requires_staff = requires_role(Role.admin, Role.trainer)


class MyProgressController(Controller):
    path = "/me"
    guards = [requires_trainee]
    include_in_schema = False

    @get("/")
    async def my_progress(self, request: Request, db: AsyncSession) -> Template:
        """Only the signed-in trainee's own enrolments (their login's trainee record)."""
        mine = await trainee_progress.my_progress(db, request.user)
        return Template("training/progress/me.html", context={"mine": mine})


class CohortOverviewController(Controller):
    path = "/cohorts/{cohort_id:int}/overview"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def cohort_overview(
        self, request: Request, db: AsyncSession, cohort_id: int, missing: Requirement | None = None
    ) -> Template:
        overview = await progress.overview_for(db, request.user, cohort_id, missing)
        context = {"overview": overview, "requirement_tags": REQUIREMENT_TAGS}
        return Template("training/progress/overview.html", context=context)
