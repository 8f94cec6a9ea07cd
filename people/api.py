"""The JSON API (/api/v1) for users, trainees, organisations and locations."""

from typing import Annotated, Any, TypeVar

from litestar import Controller, Request, Response, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from foundation.api import INVALID, SESSION, JsonObjectAs, PageNumber, PerPage, Q, ResultPage
from foundation.errors import DuplicateSuspected
from foundation.forms import validated
from foundation.guards import requires_admin, requires_role, requires_sign_in
from foundation.http import actor_of
from foundation.i18n import gettext
from foundation.roles import Role
from people.models import (
    LocationRead,
    OrganisationCreate,
    OrganisationRead,
    OrganisationUpdate,
    TraineeCreate,
    TraineeRead,
    TraineeUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from people.services import locations, organisations, trainees, users

Model = TypeVar("Model")
Item = TypeVar("Item")


class InvitedUser(UserRead):
    invitation_url: str


class PasswordResetLink(SQLModel):
    reset_url: str


class DuplicateMatch(SQLModel):
    id: int
    name_km: str
    name_latin: str


class SuspectedDuplicates(SQLModel):
    status_code: int
    detail: str
    matches: list[DuplicateMatch]


IncludeInactive = Annotated[bool, Parameter(description="Also list deactivated records.")]
ConfirmDuplicate = Annotated[
    bool,
    Parameter(description="Save even though the trainee looks like one already recorded (after a 409)."),
]
DUPLICATE = {
    409: ResponseSpec(
        SuspectedDuplicates, description="Looks like a trainee already recorded.", generate_examples=False
    )
}


def _password_link(request: Request, token: str) -> str:
    return f"{request.app.state.settings.base_url}/password/{token}"


def on_suspected_duplicate(_: Request, exc: DuplicateSuspected) -> Response[SuspectedDuplicates]:
    matches = [DuplicateMatch(id=t.id, name_km=t.name_km, name_latin=t.name_latin) for t in exc.matches]
    answer = SuspectedDuplicates(status_code=409, detail=gettext(exc.message), matches=matches)
    return Response(answer, status_code=409)


def _confirmed(data: dict[str, Any], confirm_duplicate: bool) -> bool:
    """The confirmation may come as the query parameter or as a `confirm_duplicate: true` body field."""
    return confirm_duplicate or data.pop("confirm_duplicate", False) is True


# ---------------------------------------------------------------- controllers


class UserApi(Controller):
    path = "/api/v1/users"
    guards = [requires_admin]
    tags = ["Users"]
    security = SESSION

    @get("/")
    async def list_users(
        self,
        db: AsyncSession,
        q: Q = "",
        page: PageNumber = 1,
        per_page: PerPage = 25,
        role: Role | None = None,
    ) -> ResultPage[UserRead]:
        """Every user, active or not (see `active`), optionally with one role."""
        found = await users.search_users(db, q, role=role, page=page, per_page=per_page)
        return ResultPage[UserRead].of(found, found.items)

    @get("/{user_id:int}")
    async def get_user(self, db: AsyncSession, user_id: int) -> UserRead:
        return await users.get_user(db, user_id)

    @post("/", dto=JsonObjectAs[UserCreate], responses=INVALID)
    async def create_user(self, request: Request, db: AsyncSession, data: dict[str, Any]) -> InvitedUser:
        """A new user; they choose their password through the one-time `invitation_url`."""
        user, token = await users.create_user(db, actor_of(request), validated(UserCreate, data))
        return InvitedUser(**user.model_dump(), invitation_url=_password_link(request, token or ""))

    @put("/{user_id:int}", dto=JsonObjectAs[UserUpdate], responses=INVALID)
    async def update_user(
        self, request: Request, db: AsyncSession, user_id: int, data: dict[str, Any]
    ) -> UserRead:
        return await users.update_user(db, actor_of(request), user_id, validated(UserUpdate, data))

    @post("/{user_id:int}/deactivate", status_code=200)
    async def deactivate_user(self, request: Request, db: AsyncSession, user_id: int) -> UserRead:
        """Signs the user out everywhere; the account is kept and can be reactivated."""
        await users.set_user_active(db, actor_of(request), user_id, False)
        return await users.get_user(db, user_id)

    @post("/{user_id:int}/reactivate", status_code=200)
    async def reactivate_user(self, request: Request, db: AsyncSession, user_id: int) -> UserRead:
        await users.set_user_active(db, actor_of(request), user_id, True)
        return await users.get_user(db, user_id)

    @post("/{user_id:int}/reset-password", status_code=200)
    async def reset_password(self, request: Request, db: AsyncSession, user_id: int) -> PasswordResetLink:
        """The old password stops working at once; the user chooses a new one through `reset_url`."""
        token = await users.reset_password(db, actor_of(request), user_id)
        return PasswordResetLink(reset_url=_password_link(request, token))


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
        q: Q = "",
        page: PageNumber = 1,
        per_page: PerPage = 25,
        include_inactive: IncludeInactive = False,
    ) -> ResultPage[TraineeRead]:
        found = await trainees.search_trainees(
            db, q, page=page, per_page=per_page, include_inactive=include_inactive
        )
        items = [TraineeRead.model_validate(trainee) for trainee, _ in found.items]
        return ResultPage[TraineeRead].of(found, items)

    @get("/{trainee_id:int}")
    async def get_trainee(self, db: AsyncSession, trainee_id: int) -> TraineeRead:
        return TraineeRead.model_validate(await trainees.get_trainee(db, trainee_id))

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
        trainee_id: int,
        data: dict[str, Any],
        confirm_duplicate: ConfirmDuplicate = False,
    ) -> TraineeRead:
        confirmed = _confirmed(data, confirm_duplicate)
        trainee = await trainees.update_trainee(
            db, actor_of(request), trainee_id, validated(TraineeUpdate, data), confirm_duplicate=confirmed
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


class OrganisationApi(Controller):
    path = "/api/v1/organisations"
    guards = [requires_admin]
    tags = ["Organisations"]
    security = SESSION

    @get("/")
    async def list_organisations(
        self,
        db: AsyncSession,
        q: Q = "",
        page: PageNumber = 1,
        per_page: PerPage = 25,
        include_inactive: IncludeInactive = False,
    ) -> ResultPage[OrganisationRead]:
        found = await organisations.search_organisations(
            db, q, page=page, per_page=per_page, include_inactive=include_inactive
        )
        items = [OrganisationRead.model_validate(o) for o in found.items]
        return ResultPage[OrganisationRead].of(found, items)

    @get("/{organisation_id:int}")
    async def get_organisation(self, db: AsyncSession, organisation_id: int) -> OrganisationRead:
        return OrganisationRead.model_validate(await organisations.get_organisation(db, organisation_id))

    @post("/", dto=JsonObjectAs[OrganisationCreate], responses=INVALID)
    async def create_organisation(
        self, request: Request, db: AsyncSession, data: dict[str, Any]
    ) -> OrganisationRead:
        organisation = await organisations.create_organisation(
            db, actor_of(request), validated(OrganisationCreate, data)
        )
        return OrganisationRead.model_validate(organisation)

    @put("/{organisation_id:int}", dto=JsonObjectAs[OrganisationUpdate], responses=INVALID)
    async def update_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int, data: dict[str, Any]
    ) -> OrganisationRead:
        organisation = await organisations.update_organisation(
            db, actor_of(request), organisation_id, validated(OrganisationUpdate, data)
        )
        return OrganisationRead.model_validate(organisation)

    @post("/{organisation_id:int}/deactivate", status_code=200)
    async def deactivate_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int
    ) -> OrganisationRead:
        await organisations.set_organisation_active(db, actor_of(request), organisation_id, False)
        return OrganisationRead.model_validate(await organisations.get_organisation(db, organisation_id))

    @post("/{organisation_id:int}/reactivate", status_code=200)
    async def reactivate_organisation(
        self, request: Request, db: AsyncSession, organisation_id: int
    ) -> OrganisationRead:
        await organisations.set_organisation_active(db, actor_of(request), organisation_id, True)
        return OrganisationRead.model_validate(await organisations.get_organisation(db, organisation_id))


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
