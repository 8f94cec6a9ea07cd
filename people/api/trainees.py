"""The JSON API of trainees (/api/v1/trainees): search, records, suspected duplicates, deactivation."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from foundation.api import INVALID, SESSION, IncludeInactive, JsonObjectAs, PageNumber, PerPage, Q, ResultPage
from foundation.errors import DuplicateSuspected
from foundation.forms import validated
from foundation.guards import requires_admin, requires_role
from foundation.http import actor_of
from foundation.i18n import gettext
from foundation.roles import Role
from people.models import TraineeCreate, TraineeRead, TraineeUpdate
from people.services import trainees
from people.services.trainees import TraineeScope


class DuplicateMatch(SQLModel):
    id: int
    name_km: str
    name_latin: str


class SuspectedDuplicates(SQLModel):
    status_code: int
    detail: str
    matches: list[DuplicateMatch]


ConfirmDuplicate = Annotated[
    bool,
    Parameter(description="Save even though the trainee looks like one already recorded (after a 409)."),
]
DUPLICATE = {
    409: ResponseSpec(
        SuspectedDuplicates, description="Looks like a trainee already recorded.", generate_examples=False
    )
}


def on_suspected_duplicate(_: Request, exc: DuplicateSuspected) -> Response[SuspectedDuplicates]:
    matches = [DuplicateMatch(id=t.id, name_km=t.name_km, name_latin=t.name_latin) for t in exc.matches]
    answer = SuspectedDuplicates(status_code=409, detail=gettext(exc.message), matches=matches)
    return Response(answer, status_code=409)


def _confirmed(data: dict[str, Any], confirm_duplicate: bool) -> bool:
    """The confirmation may come as the query parameter or as a `confirm_duplicate: true` body field."""
    return confirm_duplicate or data.pop("confirm_duplicate", False) is True


class TraineeApi(Controller):
    path = "/api/v1/trainees"
    guards = [requires_role(Role.admin, Role.trainer)]
    tags = ["Trainees"]
    security = SESSION
    exception_handlers = {DuplicateSuspected: on_suspected_duplicate}

    @get("/")
    async def list_trainees(
        self,
        db: AsyncSession,
        trainee_scope: TraineeScope,
        q: Q = "",
        page: PageNumber = 1,
        per_page: PerPage = 25,
        include_inactive: IncludeInactive = False,
    ) -> ResultPage[TraineeRead]:
        found = await trainees.search_trainees(
            db, q, page=page, per_page=per_page, include_inactive=include_inactive, scope=trainee_scope
        )
        items = [TraineeRead.model_validate(trainee) for trainee, _ in found.items]
        return ResultPage[TraineeRead].of(found, items)

    @get("/{trainee_id:int}")
    async def get_trainee(
        self, db: AsyncSession, trainee_scope: TraineeScope, trainee_id: int
    ) -> TraineeRead:
        """Trainers: a trainee of one of their cohorts (403 otherwise)."""
        return TraineeRead.model_validate(await trainees.get_trainee(db, trainee_id, trainee_scope))

    @post("/", dto=JsonObjectAs[TraineeCreate], responses=INVALID | DUPLICATE)
    async def create_trainee(
        self,
        request: Request,
        db: AsyncSession,
        data: dict[str, Any],
        confirm_duplicate: ConfirmDuplicate = False,
    ) -> TraineeRead:
        """A suspected duplicate answers 409 with the matches; send again with `confirm_duplicate` to save."""
        confirmed = _confirmed(data, confirm_duplicate)
        trainee = await trainees.create_trainee(
            db, actor_of(request), validated(TraineeCreate, data), confirm_duplicate=confirmed
        )
        return TraineeRead.model_validate(trainee)

    @put("/{trainee_id:int}", dto=JsonObjectAs[TraineeUpdate], responses=INVALID | DUPLICATE)
    async def update_trainee(
        self,
        request: Request,
        db: AsyncSession,
        trainee_scope: TraineeScope,
        trainee_id: int,
        data: dict[str, Any],
        confirm_duplicate: ConfirmDuplicate = False,
    ) -> TraineeRead:
        """Trainers: a trainee of one of their cohorts (403 otherwise)."""
        confirmed = _confirmed(data, confirm_duplicate)
        trainee = await trainees.update_trainee(
            db,
            actor_of(request),
            trainee_id,
            validated(TraineeUpdate, data),
            confirm_duplicate=confirmed,
            scope=trainee_scope,
        )
        return TraineeRead.model_validate(trainee)

    @post("/{trainee_id:int}/deactivate", status_code=200, guards=[requires_admin])
    async def deactivate_trainee(self, request: Request, db: AsyncSession, trainee_id: int) -> TraineeRead:
        await trainees.set_trainee_active(db, actor_of(request), trainee_id, False)
        return TraineeRead.model_validate(await trainees.get_trainee(db, trainee_id))

    @post("/{trainee_id:int}/reactivate", status_code=200, guards=[requires_admin])
    async def reactivate_trainee(self, request: Request, db: AsyncSession, trainee_id: int) -> TraineeRead:
        await trainees.set_trainee_active(db, actor_of(request), trainee_id, True)
        return TraineeRead.model_validate(await trainees.get_trainee(db, trainee_id))
