"""Signing in with a phone number in any common form, unknown numbers, logins with a phone and no email."""

import asyncio
from typing import Literal

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import select, text

from foundation.audit import AuditEntry
from foundation.database import alembic_config, create_engine
from foundation.roles import Role
from people.models import User, WebSession
from people.services import auth
from tests.conftest import csrf_token, post_form, sign_in, use_english
from tests.factories import make_trainee, make_user

TYPED_FORMS = [
    "012 345 678",
    "012-345-678",
    "012345678",
    "+855 12 345 678",
    "+85512345678",
    "855 12 345 678",
    "(012) 345 678",
    "០១២ ៣៤៥ ៦៧៨",  # Khmer digits
    "+៨៥៥ ១២ ៣៤៥ ៦៧៨",
    " 012 345 678 ",
]


@pytest.mark.parametrize("typed", TYPED_FORMS)
async def test_a_phone_login_signs_in_with_the_number_in_any_common_form(client, db, typed):
    await make_user(db, [Role.trainer], email=None, phone="012 345 678")
    await sign_in(client, typed)
    assert (await db.execute(select(WebSession))).first() is not None


async def test_the_phone_is_stored_in_one_form_whatever_was_typed(db):
    user = await make_user(db, [Role.trainer], email=None, phone="០១២-៣៤៥-៦៧៨")
    assert user.phone == "+85512345678"


async def test_an_unknown_number_gets_the_same_answer_and_work_as_an_unknown_email(client, db, monkeypatch):
    """Whether an account exists must not show: the same refusal, after verifying one password hash."""
    await make_user(db, [Role.trainer], email="known@example.org", phone="012 345 678")
    verified: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            verified.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(auth, "password_hasher", CountingHasher(time_cost=1, memory_cost=1024, parallelism=1))
    await use_english(client)
    answers = {}
    for typed in ("nobody@example.org", "097 765 4321", "not a number", "012 345 678"):
        verified.clear()
        response = await post_form(client, "/login", {"email": typed, "password": "wrong password!"})
        answers[typed] = (response.status_code, "Wrong email, phone number or password." in response.text)
        assert len(verified) == 1, f"{typed}: {len(verified)} hashes verified"
    assert set(answers.values()) == {(401, True)}, answers
    assert (await db.execute(select(WebSession))).first() is None


async def test_admin_creates_a_phone_only_login_and_email_or_phone_is_required(client, db):
    admin = await make_user(db, [Role.admin])
    await sign_in(client, admin.email)
    await use_english(client)
    values = {"display_name": "Field Trainer", "roles": "trainer", "language": "km"}
    nothing = await post_form(client, "/admin/users/new", values | {"email": "", "phone": ""})
    assert nothing.status_code == 422
    assert "Give an email or a phone number" in nothing.text
    wrong = await post_form(client, "/admin/users/new", values | {"phone": "12"})
    assert wrong.status_code == 422 and "Not a phone number" in wrong.text
    created = await post_form(client, "/admin/users/new", values | {"email": "", "phone": "+855 97 765 4321"})
    assert created.status_code == 201, created.text
    user = (await db.execute(select(User).where(User.phone == "+855977654321"))).scalar_one()
    assert user.email is None
    again = await post_form(client, "/admin/users/new", values | {"phone": "097 765 4321"})
    assert again.status_code == 422 and "Another user already has this phone number." in again.text
    assert len((await db.execute(select(User).where(User.phone == "+855977654321"))).all()) == 1


async def test_the_api_takes_a_phone_instead_of_an_email(client, db):
    admin = await make_user(db, [Role.admin])
    await sign_in(client, admin.email)
    trainee = await make_trainee(db)
    body = {"display_name": "Sok", "roles": ["trainee"], "trainee_id": trainee.id, "phone": "០៩៧ ៧៦៥ ៤៣២១"}
    headers = {"x-csrftoken": await csrf_token(client)}
    response = await client.post("/api/v1/users", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["phone"] == "+855977654321" and response.json()["email"] is None


async def test_admin_creates_a_login_from_the_trainees_page(client, db):
    admin = await make_user(db, [Role.admin])
    trainee = await make_trainee(db, phone="012 888 777")
    await sign_in(client, admin.email)
    await use_english(client)
    page = await client.get(f"/admin/trainees/{trainee.id}")
    assert f'action="/admin/trainees/{trainee.id}/login"' in page.text
    created = await post_form(client, f"/admin/trainees/{trainee.id}/login")
    assert created.status_code == 201, created.text
    assert "/password/" in created.text
    user = (await db.execute(select(User).where(User.trainee_id == trainee.id))).scalar_one()
    assert (user.phone, user.email, user.display_name) == ("+85512888777", None, trainee.name_latin)
    audit = (await db.execute(select(AuditEntry).where(AuditEntry.action == "user.create"))).scalars().all()
    assert [entry.entity_id for entry in audit] == [str(user.id)]
    page = await client.get(f"/admin/trainees/{trainee.id}")
    assert "+85512888777" in page.text and f'action="/admin/trainees/{trainee.id}/login"' not in page.text
    twice = await post_form(client, f"/admin/trainees/{trainee.id}/login")
    assert twice.status_code == 409 and "This trainee already has a login." in twice.text


async def test_a_trainee_without_phone_or_email_gets_no_login_and_is_told_why(client, db):
    admin = await make_user(db, [Role.admin])
    trainee = await make_trainee(db, phone=None)
    await sign_in(client, admin.email)
    await use_english(client)
    refused = await post_form(client, f"/admin/trainees/{trainee.id}/login")
    assert refused.status_code == 422
    assert "Give an email or a phone number" in refused.text
    assert (await db.execute(select(User).where(User.trainee_id == trainee.id))).first() is None


async def test_a_trainer_cannot_create_a_login_from_the_trainees_page(client, db):
    trainer = await make_user(db, [Role.trainer])
    trainee = await make_trainee(db)
    await sign_in(client, trainer.email)
    assert (await post_form(client, f"/admin/trainees/{trainee.id}/login")).status_code == 403
    assert (await db.execute(select(User).where(User.trainee_id == trainee.id))).first() is None


async def test_the_migration_goes_down_and_up_keeping_phone_only_logins(database_url, db):
    """Below phone sign-in, a phone-only login keeps its row (the audit log points at it), no-mail address."""
    user = await make_user(db, [Role.trainer], email=None, phone="012 345 678")
    await db.close()
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0008_paper_pledge")  # Alembic runs its own loop
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            email = await connection.scalar(
                text("SELECT email FROM user_account WHERE id = :id"), {"id": user.id}
            )
        assert email == "+85512345678@phone.invalid"
        await asyncio.to_thread(command.upgrade, config, "head")
        async with engine.connect() as connection:
            columns = await connection.execute(
                text("SELECT email, phone FROM user_account WHERE id = :id"), {"id": user.id}
            )
            assert columns.one() == ("+85512345678@phone.invalid", None)
            assert await connection.scalar(text("SELECT count(*) FROM sign_in_card")) == 0
    finally:
        await engine.dispose()
