"""Administrators manage user accounts, roles, invitations and password resets."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.errors import InvalidInput
from foundation.forms import form_values, validated
from foundation.guards import requires_admin
from foundation.http import actor_of
from foundation.roles import Role
from people.models import UserCreate, UserUpdate
from people.pages import password_link
from people.services import users

EMPTY_USER: dict[str, Any] = {
    "email": "",
    "phone": "",
    "display_name": "",
    "roles": [],
    "trainee_id": None,
    "language": "km",
}


def _form(user: Any, errors: dict[str, str], *, action: str, status_code: int = 200) -> Template:
    context = {"user": user, "errors": errors, "action": action, "roles": list(Role)}
    return Template("training/users/form.html", context=context, status_code=status_code)


def _link(request: Request, token: str) -> str:
    return password_link(request.app.state.settings.base_url, token)


class UserController(Controller):
    include_in_schema = False
    path = "/admin/users"
    guards = [requires_admin]

    @get("/")
    async def list_users(
        self, db: AsyncSession, q: str = "", page: int = 1, role: Role | None = None
    ) -> Template:
        found = await users.search_users(db, q, role=role, page=max(page, 1))
        return Template(
            "training/users/list.html", context={"page": found, "q": q, "role": role, "roles": list(Role)}
        )

    @get("/new")
    async def new_user(self) -> Template:
        return _form(EMPTY_USER, {}, action="/admin/users/new")

    @post("/new")
    async def create_user(self, request: Request, db: AsyncSession) -> Template:
        values = form_values(await request.form(), lists=("roles",))
        try:
            user, invite = await users.create_user(db, actor_of(request), validated(UserCreate, values))
        except InvalidInput as invalid:
            return _form(
                EMPTY_USER | values, invalid.field_errors, action="/admin/users/new", status_code=422
            )
        context = {"user": user, "link": _link(request, invite or ""), "purpose": "invite"}
        return Template("training/users/link.html", context=context, status_code=201)

    @get("/{user_id:int}")
    async def edit_user(self, db: AsyncSession, user_id: int) -> Template:
        user = await users.get_user(db, user_id)
        return _form(user.model_dump(), {}, action=f"/admin/users/{user_id}")

    @post("/{user_id:int}")
    async def update_user(self, request: Request, db: AsyncSession, user_id: int) -> Template | Redirect:
        values = form_values(await request.form(), lists=("roles",))
        await users.get_user(db, user_id)
        try:
            await users.update_user(db, actor_of(request), user_id, validated(UserUpdate, values))
        except InvalidInput as invalid:
            values = EMPTY_USER | values | {"id": user_id, "active": True}
            return _form(values, invalid.field_errors, action=f"/admin/users/{user_id}", status_code=422)
        return Redirect("/admin/users?notice=saved", status_code=303)

    @post("/{user_id:int}/deactivate")
    async def deactivate_user(self, request: Request, db: AsyncSession, user_id: int) -> Redirect:
        await users.set_user_active(db, actor_of(request), user_id, False)
        return Redirect("/admin/users?notice=deactivated", status_code=303)

    @post("/{user_id:int}/reactivate")
    async def reactivate_user(self, request: Request, db: AsyncSession, user_id: int) -> Redirect:
        await users.set_user_active(db, actor_of(request), user_id, True)
        return Redirect("/admin/users?notice=reactivated", status_code=303)

    @post("/{user_id:int}/reset-password")
    async def reset_password(self, request: Request, db: AsyncSession, user_id: int) -> Template:
        token = await users.reset_password(db, actor_of(request), user_id)
        user = await users.get_user(db, user_id)
        return Template(
            "training/users/link.html",
            context={"user": user, "link": _link(request, token), "purpose": "reset"},
        )
