"""Trainees take their ethics module's quiz and accept its pledge; trainers record paper-based results and
pledges signed on paper."""

import random
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from courses.forms import answers_by_question
from foundation.clock import today
from foundation.columns import row_id
from foundation.errors import InvalidInput
from foundation.forms import form_values, validated
from foundation.guards import requires_role
from foundation.http import actor_of
from foundation.roles import Role
from training.schemas.ethics import PaperPledgeInput, PaperResultInput
from training.services import ethics_attempts
from training.services.ethics_attempts import EthicsModuleStatus

TRAINEE_PATH = "/me/enrolments/{enrolment_id:int}/ethics/{module_id:int}"
PAPER_PATH = "/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/ethics/{module_id:int}/paper"
PAPER_PLEDGE_PATH = (
    "/cohorts/{cohort_id:int}/enrolments/{enrolment_id:int}/ethics/{module_id:int}/paper-pledge"
)


def _module_url(enrolment_id: int, module_id: int) -> str:
    return f"/me/enrolments/{enrolment_id}/ethics/{module_id}"


def _module_page(status: EthicsModuleStatus, errors: dict[str, str], status_code: int = 200) -> Template:
    context = {"status": status, "errors": errors}
    return Template("training/quiz/module.html", context=context, status_code=status_code)


class TraineeEthicsController(Controller):
    """Only the enrolment's own trainee; another trainee's enrolment answers 403."""

    path = TRAINEE_PATH
    guards = [requires_role(Role.trainee)]
    include_in_schema = False

    @get("/")
    async def show_module(
        self, request: Request, db: AsyncSession, enrolment_id: int, module_id: int
    ) -> Template:
        status = await ethics_attempts.ethics_status(db, request.user, enrolment_id, module_id)
        return _module_page(status, {})

    @post("/attempts")
    async def start_attempt(
        self, request: Request, db: AsyncSession, enrolment_id: int, module_id: int
    ) -> Redirect:
        """A new attempt, or the one not yet submitted."""
        attempt = await ethics_attempts.start_attempt(
            db, request.user, actor_of(request), enrolment_id, module_id, random.SystemRandom()
        )
        return Redirect(f"{_module_url(enrolment_id, module_id)}/attempts/{row_id(attempt)}", status_code=303)

    @get("/attempts/{attempt_id:int}")
    async def show_attempt(
        self, request: Request, db: AsyncSession, enrolment_id: int, module_id: int, attempt_id: int
    ) -> Template:
        """The questions (no right answers in the page) until submitted; then the result."""
        view = await ethics_attempts.attempt_view(db, request.user, enrolment_id, module_id, attempt_id)
        page = "training/quiz/result.html" if view.result else "training/quiz/attempt.html"
        return Template(page, context={"view": view, "status": view.status, "given": {}, "errors": {}})

    @post("/attempts/{attempt_id:int}")
    async def submit_attempt(
        self, request: Request, db: AsyncSession, enrolment_id: int, module_id: int, attempt_id: int
    ) -> Template | Redirect:
        """An incomplete submission comes back with the answers given kept and each unanswered question
        marked; nothing is recorded."""
        answers = answers_by_question(await request.form())
        try:
            await ethics_attempts.submit_attempt(
                db, request.user, actor_of(request), enrolment_id, module_id, attempt_id, answers
            )
        except InvalidInput as invalid:
            view = await ethics_attempts.attempt_view(db, request.user, enrolment_id, module_id, attempt_id)
            context = {"view": view, "status": view.status, "given": answers, "errors": invalid.field_errors}
            return Template("training/quiz/attempt.html", context=context, status_code=422)
        return Redirect(f"{_module_url(enrolment_id, module_id)}/attempts/{attempt_id}", status_code=303)

    @post("/pledge")
    async def accept_pledge(
        self, request: Request, db: AsyncSession, enrolment_id: int, module_id: int
    ) -> Template | Redirect:
        accepted = (await request.form()).get("accept") == "1"
        try:
            await ethics_attempts.accept_pledge(
                db, request.user, actor_of(request), enrolment_id, module_id, accepted
            )
        except InvalidInput as invalid:
            status = await ethics_attempts.ethics_status(db, request.user, enrolment_id, module_id)
            return _module_page(status, invalid.field_errors, status_code=422)
        return Redirect(f"{_module_url(enrolment_id, module_id)}?notice=saved#pledge", status_code=303)


def _paper_url(cohort_id: int, enrolment_id: int, module_id: int) -> str:
    return f"/cohorts/{cohort_id}/enrolments/{enrolment_id}/ethics/{module_id}/paper"


def _paper_pledge_url(cohort_id: int, enrolment_id: int, module_id: int) -> str:
    return f"/cohorts/{cohort_id}/enrolments/{enrolment_id}/ethics/{module_id}/paper-pledge"


async def _paper_page(
    request: Request,
    db: AsyncSession,
    ids: tuple[int, int, int],
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    *,
    pledge: bool = False,
) -> Template:
    """The form of a paper quiz result, or (pledge) of a pledge signed on paper."""
    status = await ethics_attempts.paper_result_status(db, request.user, *ids)
    page, action = (
        ("paper_pledge.html", _paper_pledge_url(*ids)) if pledge else ("paper.html", _paper_url(*ids))
    )
    context = {"status": status, "values": values, "errors": errors, "action": action}
    return Template(f"training/quiz/{page}", context=context, status_code=status_code)


class PaperResultController(Controller):
    """Admins and the cohort's trainers (another trainer's cohort: 403; a closed cohort: 409 on saving)."""

    path = PAPER_PATH
    guards = [requires_role(Role.admin, Role.trainer)]
    include_in_schema = False

    @get("/")
    async def paper_form(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int, module_id: int
    ) -> Template:
        values = {"score_percent": "", "taken_on": today().isoformat(), "note": ""}
        return await _paper_page(request, db, (cohort_id, enrolment_id, module_id), values, {})

    @post("/")
    async def record_paper_result(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int, module_id: int
    ) -> Template | Redirect:
        ids = (cohort_id, enrolment_id, module_id)
        return await _record_on_paper(request, db, ids, PaperResultInput, ethics_attempts.record_paper_result)


async def _record_on_paper(
    request: Request,
    db: AsyncSession,
    ids: tuple[int, int, int],
    schema: Any,
    record: Any,
    *,
    pledge: bool = False,
) -> Template | Redirect:
    """A paper quiz result or pledge: recorded, or the form again with what is wrong (nothing saved)."""
    values = form_values(await request.form())
    try:
        await record(db, request.user, actor_of(request), *ids, validated(schema, values))
    except InvalidInput as invalid:
        return await _paper_page(request, db, ids, values, invalid.field_errors, 422, pledge=pledge)
    return Redirect(f"/cohorts/{ids[0]}/overview?notice=saved", status_code=303)


class PaperPledgeController(Controller):
    """Admins and the cohort's trainers, as for paper results; once per enrolment and module (409 after)."""

    path = PAPER_PLEDGE_PATH
    guards = [requires_role(Role.admin, Role.trainer)]
    include_in_schema = False

    @get("/")
    async def paper_pledge_form(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int, module_id: int
    ) -> Template:
        values = {"signed_on": today().isoformat(), "note": ""}
        return await _paper_page(request, db, (cohort_id, enrolment_id, module_id), values, {}, pledge=True)

    @post("/")
    async def record_paper_pledge(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int, module_id: int
    ) -> Template | Redirect:
        ids = (cohort_id, enrolment_id, module_id)
        return await _record_on_paper(
            request, db, ids, PaperPledgeInput, ethics_attempts.record_paper_pledge, pledge=True
        )
