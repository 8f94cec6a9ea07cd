"""The JSON API of user accounts (/api/v1/users): roles, invitations, deactivation, password resets."""

from typing import Any

from litestar import Controller, Request, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from foundation.api import INVALID, SESSION, JsonObjectAs, PageNumber, PerPage, Q, ResultPage
from foundation.forms import validated
from foundation.guards import requires_admin
from foundation.http import actor_of
from foundation.roles import Role
from people.models import UserCreate, UserRead, UserUpdate
from people.pages import password_link
from people.services import users


class InvitedUser(UserRead):
    invitation_url: str


class PasswordResetLink(SQLModel):
    reset_url: str


def _password_link(request: Request, token: str) -> str:
    return password_link(request.app.state.settings.base_url, token)


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
