"""Trainers and administrators enrol trainees in a cohort (found or new), withdraw them, get its roster."""

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.errors import DuplicateSuspected, InvalidInput
from foundation.forms import form_values, validated, wants_next_places
from foundation.guards import STAFF
from foundation.http import actor_of
from foundation.responses import download
from foundation.spreadsheets import as_csv, as_xlsx
from people.models import Sex, Trainee, TraineeCreate
from people.services import locations, organisations
from training.pages import COHORTS, cohort_url
from training.schemas.enrolment import EnrolmentInput, WithdrawalInput
from training.services import enrolment as enrolment_service


async def _enrol_page(
    request: Request,
    db: AsyncSession,
    cohort_id: int,
    *,
    q: str = "",
    done: int | None = None,
    trainee: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    duplicates: list[Trainee] | None = None,
    status_code: int = 200,
) -> Template:
    page = await enrolment_service.enrol_page(db, request.user, cohort_id, q, done)
    trainee = trainee or {}
    context = {
        "page": page,
        "trainee": dict.fromkeys(TraineeCreate.model_fields, "") | trainee,
        "new_trainee_open": bool(trainee),
        "errors": errors or {},
        "duplicates": duplicates or [],
        "sexes": list(Sex),
        "organisations": await organisations.active_organisations(db),
        "places": await locations.location_choices(db, trainee),
    }
    return Template("training/cohorts/enrol.html", context=context, status_code=status_code)


async def _withdraw_form(
    request: Request,
    db: AsyncSession,
    cohort_id: int,
    enrolment_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    enrolment, trainee = await enrolment_service.withdrawal_of(db, request.user, cohort_id, enrolment_id)
    context = {
        "cohort_id": cohort_id,
        "enrolment": enrolment,
        "trainee": trainee,
        "reason": values.get("reason", ""),
        "errors": errors,
    }
    return Template("training/cohorts/withdraw.html", context=context, status_code=status_code)


class EnrolmentController(Controller):
    path = COHORTS
    guards = STAFF
    include_in_schema = False

    @get("/{cohort_id:int}/enrol")
    async def enrol_trainees(
        self, request: Request, db: AsyncSession, cohort_id: int, q: str = "", done: int | None = None
    ) -> Template:
        return await _enrol_page(request, db, cohort_id, q=q, done=done)

    @get("/{cohort_id:int}/enrol/candidates")
    async def candidates(self, request: Request, db: AsyncSession, cohort_id: int, q: str = "") -> Template:
        """The live search results (htmx), the same list the enrol page shows."""
        page = await enrolment_service.enrol_page(db, request.user, cohort_id, q, None)
        return Template("training/cohorts/_candidates.html", context={"page": page})

    @post("/{cohort_id:int}/enrolments")
    async def enrol(self, request: Request, db: AsyncSession, cohort_id: int) -> Redirect:
        values = form_values(await request.form())
        data = validated(EnrolmentInput, values)
        enrolment = await enrolment_service.enrol(
            db, actor_of(request), request.user, cohort_id, data.trainee_id
        )
        q = str(values.get("q") or "")
        return Redirect(f"{cohort_url(cohort_id)}/enrol?done={enrolment.id}&q={quote(q)}", status_code=303)

    @post("/{cohort_id:int}/enrolments/new-trainee")
    async def enrol_new_trainee(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> Template | Redirect:
        form = await request.form()
        values = form_values(form)
        confirmed = bool(values.pop("confirm_duplicate", None))
        if wants_next_places(form):
            return await _enrol_page(request, db, cohort_id, trainee=values)
        try:
            data = validated(TraineeCreate, values)
            enrolment = await enrolment_service.enrol_new_trainee(
                db, actor_of(request), request.user, cohort_id, data, confirm_duplicate=confirmed
            )
        except InvalidInput as invalid:
            return await _enrol_page(
                request, db, cohort_id, trainee=values, errors=invalid.field_errors, status_code=422
            )
        except DuplicateSuspected as suspected:
            return await _enrol_page(
                request, db, cohort_id, trainee=values, duplicates=suspected.matches, status_code=409
            )
        return Redirect(f"{cohort_url(cohort_id)}/enrol?done={enrolment.id}", status_code=303)

    @get("/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw")
    async def withdrawal_form(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int
    ) -> Template:
        return await _withdraw_form(request, db, cohort_id, enrolment_id, {}, {})

    @post("/{cohort_id:int}/enrolments/{enrolment_id:int}/withdraw")
    async def withdraw(
        self, request: Request, db: AsyncSession, cohort_id: int, enrolment_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form())
        try:
            data = validated(WithdrawalInput, values)
            await enrolment_service.withdraw(
                db, actor_of(request), request.user, cohort_id, enrolment_id, data
            )
        except InvalidInput as invalid:
            return await _withdraw_form(
                request, db, cohort_id, enrolment_id, values, invalid.field_errors, status_code=422
            )
        return Redirect(f"{cohort_url(cohort_id)}?notice=saved#roster", status_code=303)

    # ------------------------------------------------------------ roster files

    @get("/{cohort_id:int}/roster.csv")
    async def roster_csv(self, request: Request, db: AsyncSession, cohort_id: int) -> Response[bytes]:
        roster = await enrolment_service.get_roster(db, request.user, cohort_id)
        content = as_csv(*enrolment_service.roster_table(roster))
        code = roster.schedule.row.cohort.code
        return download(content, "text/csv", f"{code}-roster.csv")

    @get("/{cohort_id:int}/roster.xlsx")
    async def roster_xlsx(self, request: Request, db: AsyncSession, cohort_id: int) -> Response[bytes]:
        roster = await enrolment_service.get_roster(db, request.user, cohort_id)
        code = roster.schedule.row.cohort.code
        content = as_xlsx(code, *enrolment_service.roster_table(roster))
        media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return download(content, media_type, f"{code}-roster.xlsx")
