"""People test data written straight into the tables (independent of the services under test)."""

import itertools
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foundation.audit import Actor
from foundation.columns import row_id
from foundation.roles import Role
from people.models import (
    Organisation,
    OrganisationCreate,
    Trainee,
    TraineeCreate,
    User,
    UserCreate,
    UserRead,
    UserRole,
)
from people.services import auth

DEFAULT_PASSWORD = "correct horse battery"
SYSTEM = Actor(None, "127.0.0.1")
PHNOM_PENH_COMMUNE = "120101"
_numbers = itertools.count(1)


async def make_user(
    session: AsyncSession, roles: list[Role], password: str | None = DEFAULT_PASSWORD, **fields: Any
) -> UserRead:
    """A login with `roles` that signs in with `password` (none: an invited user who has not chosen one);
    a trainee role comes with a trainee record unless `trainee_id` is given."""
    n = next(_numbers)
    values = {"email": f"user{n}@example.org", "display_name": f"User {n}", "roles": roles} | fields
    if Role.trainee in roles and "trainee_id" not in fields:
        values["trainee_id"] = (await make_trainee(session)).id
    data = UserCreate(**values)
    # The module's hasher at call time: the test configuration swaps in a quick one.
    password_hash = auth.password_hasher.hash(password) if password is not None else None
    user = User(**data.model_dump(exclude={"roles"}), password_hash=password_hash)
    session.add(user)
    await session.flush()
    session.add_all(UserRole(user_id=row_id(user), role=role.value) for role in data.roles)
    await session.commit()
    extra = {"roles": data.roles, "invited": password_hash is None}
    return UserRead.model_validate(user.model_dump() | extra)


async def make_organisation(session: AsyncSession, **fields: Any) -> Organisation:
    n = next(_numbers)
    values = {
        "name_km": f"អង្គការ {n}",
        "name_en": f"Organisation {n}",
        "kind": "ngo",
        "commune_code": PHNOM_PENH_COMMUNE,
    } | fields
    organisation = Organisation(**OrganisationCreate(**values).model_dump())
    session.add(organisation)
    await session.commit()
    return organisation


async def make_trainee(session: AsyncSession, **fields: Any) -> Trainee:
    n = next(_numbers)
    values = {
        "name_km": "សុខ ស្រីមុំ",
        "name_latin": "Sok Sreymom",
        "sex": "female",
        "phone": f"+85512{300000 + n}",
    } | fields
    trainee = Trainee(**TraineeCreate(**values).model_dump())
    session.add(trainee)
    await session.commit()
    return trainee
