"""Factories for test data: each builds valid records through the services, as the app would."""

import itertools
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foundation.audit import Actor
from foundation.roles import Role
from people.models import Organisation, OrganisationCreate, Trainee, TraineeCreate, UserCreate, UserRead
from people.services import organisations, trainees, users

DEFAULT_PASSWORD = "correct horse battery"
SYSTEM = Actor(None, "127.0.0.1")
PHNOM_PENH_COMMUNE = "120101"
_numbers = itertools.count(1)


async def make_user(
    session: AsyncSession, roles: list[Role], password: str | None = DEFAULT_PASSWORD, **fields: Any
) -> UserRead:
    n = next(_numbers)
    values = {"email": f"user{n}@example.org", "display_name": f"User {n}", "roles": roles} | fields
    if Role.trainee in roles and "trainee_id" not in fields:
        values["trainee_id"] = (await make_trainee(session)).id
    user, _ = await users.create_user(session, SYSTEM, UserCreate(**values), password=password)
    await session.commit()  # the factory is the caller: it owns the unit of work
    return user


async def make_organisation(session: AsyncSession, **fields: Any) -> Organisation:
    n = next(_numbers)
    values = {
        "name_km": f"អង្គការ {n}",
        "name_en": f"Organisation {n}",
        "kind": "ngo",
        "commune_code": PHNOM_PENH_COMMUNE,
    } | fields
    organisation = await organisations.create_organisation(session, SYSTEM, OrganisationCreate(**values))
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
    trainee = await trainees.create_trainee(session, SYSTEM, TraineeCreate(**values), confirm_duplicate=True)
    await session.commit()
    return trainee
