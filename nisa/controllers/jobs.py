"""Administrators see the scheduled jobs (last run, next run, recent runs) and ask for a run now."""

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.clock import utcnow
from foundation.guards import requires_admin
from foundation.http import actor_of, is_htmx
from foundation.scheduling import services
from foundation.scheduling.models import INTERRUPTED
from nisa.jobs import scheduled_jobs


async def _overview(request: Request, db: AsyncSession) -> Template:
    """The whole page, or (polled by htmx while a run is waiting or running) the part that changes."""
    settings = request.app.state.settings
    overview = await services.jobs_overview(
        db, scheduled_jobs(settings), utcnow(), settings.scheduler_tick_seconds
    )
    page = "training/jobs/_overview.html" if is_htmx(request) else "training/jobs/list.html"
    return Template(page, context={"overview": overview, "INTERRUPTED": INTERRUPTED})


class JobController(Controller):
    include_in_schema = False
    path = "/admin/jobs"
    guards = [requires_admin]

    @get("/")
    async def list_jobs(self, request: Request, db: AsyncSession) -> Template:
        return await _overview(request, db)

    @post("/{name:str}/run")
    async def run_now(self, request: Request, db: AsyncSession, name: str) -> Template | Redirect:
        await services.request_run(db, actor_of(request), scheduled_jobs(request.app.state.settings), name)
        if is_htmx(request):
            return await _overview(request, db)
        return Redirect("/admin/jobs", status_code=303)

    @get("/{name:str}")
    async def show_job(self, request: Request, db: AsyncSession, name: str) -> Template:
        job = services.find_job(scheduled_jobs(request.app.state.settings), name)
        context = {"job": job, "runs": await services.recent_runs(db, job), "INTERRUPTED": INTERRUPTED}
        return Template("training/jobs/job.html", context=context)
