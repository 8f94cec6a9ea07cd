"""User accounts and their roles, managed by administrators; every change is audited."""

from typing import Any

from sqlalchemy import delete, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation import audit
from foundation.audit import Actor
from foundation.columns import row_id
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.i18n import N_
from foundation.paging import Page
from foundation.roles import Role
from people.messages import send_link
from people.models import TokenPurpose, Trainee, User, UserCreate, UserRead, UserRole, UserUpdate
from people.services import auth
from people.services.activation import set_active


def _read(user: User, roles: list[str]) -> UserRead:
    extra = {"roles": sorted(Role(r) for r in roles), "invited": user.password_hash is None}
    return UserRead.model_validate(user.model_dump() | extra)


async def _roles_of(session: AsyncSession, user_ids: list[int]) -> dict[int, list[str]]:
    rows = await session.execute(select(UserRole).where(col(UserRole.user_id).in_(user_ids)))
    roles: dict[int, list[str]] = {uid: [] for uid in user_ids}
    for row in rows.scalars():
        roles[row.user_id].append(row.role)
    return roles


async def search_users(
    session: AsyncSession, q: str = "", *, role: Role | None = None, page: int = 1, per_page: int = 25
) -> Page[UserRead]:
    conditions = []
    if q.strip():
        pattern = f"%{q.strip()}%"
        conditions.append(
            or_(
                col(User.email).ilike(pattern),
                col(User.phone).ilike(pattern),
                col(User.display_name).ilike(pattern),
            )
        )
    if role is not None:
        conditions.append(col(User.id).in_(select(UserRole.user_id).where(col(UserRole.role) == role.value)))
    total = (await session.execute(select(func.count()).select_from(User).where(*conditions))).scalar_one()
    rows = await session.execute(
        select(User)
        .where(*conditions)
        .order_by(col(User.display_name), col(User.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    users = list(rows.scalars())
    roles = await _roles_of(session, [row_id(u) for u in users])
    return Page([_read(u, roles[row_id(u)]) for u in users], total, page, per_page)


async def get_user(session: AsyncSession, user_id: int) -> UserRead:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    return _read(user, (await _roles_of(session, [user_id]))[user_id])


async def _taken(session: AsyncSession, column: Any, value: str | None, user_id: int | None) -> bool:
    """Whether another user already signs in with this email or phone number."""
    if value is None:
        return False
    return (
        await session.execute(select(User.id).where(column == value, col(User.id) != user_id))
    ).first() is not None


async def _check(session: AsyncSession, data: UserCreate | UserUpdate, user_id: int | None = None) -> None:
    if data.email is None and data.phone is None:
        raise InvalidInput(
            {"email": N_("Give an email or a phone number: the user signs in with one of them.")}
        )
    if await _taken(session, User.email, data.email, user_id):
        raise InvalidInput({"email": N_("Another user already has this email.")})
    if await _taken(session, User.phone, data.phone, user_id):
        raise InvalidInput({"phone": N_("Another user already has this phone number.")})
    if Role.trainee in data.roles and data.trainee_id is None:
        raise InvalidInput({"trainee_id": N_("A trainee login must be linked to a trainee record.")})
    if data.trainee_id is not None:
        if await session.get(Trainee, data.trainee_id) is None:
            raise InvalidInput({"trainee_id": N_("No such trainee.")})
        linked = select(User.id).where(col(User.trainee_id) == data.trainee_id, col(User.id) != user_id)
        if (await session.execute(linked)).first():
            raise InvalidInput({"trainee_id": N_("This trainee already has a login.")})


def _set_roles(session: AsyncSession, user_id: int, roles: list[Role]) -> None:
    session.add_all(UserRole(user_id=user_id, role=role.value) for role in roles)


async def create_user(
    session: AsyncSession, actor: Actor, data: UserCreate, *, password: str | None = None
) -> tuple[UserRead, str | None]:
    """A new user. Without a password they get an invitation link (returned, and mailed) to choose one."""
    await _check(session, data)
    user = User(**data.model_dump(exclude={"roles"}))
    if password is not None:
        user.password_hash = await auth.hash_password(password, user.display_name, user.email, user.phone)
    session.add(user)
    await session.flush()
    _set_roles(session, row_id(user), data.roles)
    invite = await auth.create_link(session, row_id(user), TokenPurpose.invite) if password is None else None
    if invite is not None:
        send_link(session, user, invite, TokenPurpose.invite)
    audit.record(session, actor, "user.create", user, None, audit.snapshot(user, roles=data.roles))
    return _read(user, list(data.roles)), invite


async def update_user(session: AsyncSession, actor: Actor, user_id: int, data: UserUpdate) -> UserRead:
    current = await get_user(session, user_id)
    if actor.user_id == user_id and Role.admin in current.roles and Role.admin not in data.roles:
        raise Conflict(N_("You cannot remove your own administrator role."))
    await _check(session, data, user_id)
    user = await session.get(User, user_id)
    assert user is not None
    before = audit.snapshot(user, roles=current.roles)
    user.sqlmodel_update(data.model_dump(exclude={"roles"}))
    await session.execute(delete(UserRole).where(col(UserRole.user_id) == user_id))
    _set_roles(session, user_id, data.roles)
    audit.record(session, actor, "user.update", user, before, audit.snapshot(user, roles=data.roles))
    return _read(user, list(data.roles))


async def set_user_active(session: AsyncSession, actor: Actor, user_id: int, active: bool) -> None:
    if actor.user_id == user_id and not active:
        raise Conflict(N_("You cannot deactivate your own account."))
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    if not active:
        await auth.end_all_sessions(session, user_id)
    await set_active(session, actor, user, active)


async def reset_password(session: AsyncSession, actor: Actor, user_id: int) -> str:
    """A one-time link (returned, and mailed) to choose a new password; the old one stops working at once."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    user.password_hash = None
    await auth.end_all_sessions(session, user_id)
    link = await auth.create_link(session, user_id, TokenPurpose.password_reset)
    send_link(session, user, link, TokenPurpose.password_reset)
    audit.record(session, actor, "user.password_reset", user, None, None)
    return link


async def login_of_trainee(session: AsyncSession, trainee_id: int) -> UserRead | None:
    """The login linked to a trainee record, if there is one."""
    user = (
        await session.execute(select(User).where(col(User.trainee_id) == trainee_id))
    ).scalar_one_or_none()
    return None if user is None else _read(user, (await _roles_of(session, [row_id(user)]))[row_id(user)])


async def create_trainee_login(session: AsyncSession, actor: Actor, trainee_id: int) -> tuple[UserRead, str]:
    """A trainee login made from the trainee's record (its name, phone and email), with an invitation link to
    choose a password: returned, and mailed when the trainee has an email."""
    trainee = await session.get(Trainee, trainee_id)
    if trainee is None:
        raise NotFound(N_("No such trainee."))
    if await login_of_trainee(session, trainee_id) is not None:
        raise Conflict(N_("This trainee already has a login."))
    data = UserCreate(
        email=trainee.email,
        phone=trainee.phone,
        display_name=trainee.name_latin,
        roles=[Role.trainee],
        trainee_id=trainee_id,
    )
    user, invite = await create_user(session, actor, data)
    assert invite is not None
    return user, invite
