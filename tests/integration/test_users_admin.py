"""Administrators manage users: invite, edit roles (audited), reset passwords, deactivate."""

from sqlalchemy import select

from foundation.audit import AuditEntry
from foundation.roles import Role
from people.models import User, UserRole, WebSession
from tests.conftest import post_form, sign_in, use_english
from tests.factories import DEFAULT_PASSWORD, make_user


async def roles_of(db, user_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The user's roles as stored, read afresh."""
    await db.rollback()
    query = select(UserRole.role).where(UserRole.user_id == user_id).order_by(UserRole.role)
    return list((await db.execute(query)).scalars())


async def is_active(db, user_id: int) -> bool:  # type: ignore[no-untyped-def]
    await db.rollback()
    return bool((await db.execute(select(User.active).where(User.id == user_id))).scalar_one())


async def test_role_change_is_audited_with_before_and_after(client, db, as_role):
    admin = await as_role(Role.admin)
    trainer = await make_user(db, [Role.trainer], display_name="Chan Dara")
    response = await post_form(
        client,
        f"/admin/users/{trainer.id}",
        {
            "email": trainer.email,
            "display_name": "Chan Dara",
            "roles": ["trainer", "admin"],
            "language": "km",
        },
    )
    assert response.status_code == 303
    entry = (await db.execute(select(AuditEntry).where(AuditEntry.action == "user.update"))).scalar_one()
    assert entry.actor_id == admin.id
    assert entry.before["roles"] == ["trainer"] and entry.after["roles"] == ["admin", "trainer"]
    assert entry.ip
    roles = (await db.execute(select(UserRole.role).where(UserRole.user_id == trainer.id))).scalars().all()
    assert sorted(roles) == ["admin", "trainer"]
    await use_english(client)
    page = await client.get("/admin/audit")
    assert "User changed" in page.text and f'<a href="/admin/users/{trainer.id}">Chan Dara</a>' in page.text
    assert "<dt>Roles</dt><dd><del>Trainer</del> → <ins>Admin, Trainer</ins></dd>" in page.text


async def test_bad_user_input_saves_nothing(client, db, as_role):
    await as_role(Role.admin)
    await use_english(client)
    before = len((await db.execute(select(User))).all())
    cases = [
        ({"email": "not-an-email", "display_name": "X", "roles": "trainer"}, "Not an email address"),
        ({"email": "x@example.org", "display_name": "", "roles": "trainer"}, "This field is required."),
        ({"email": "x@example.org", "display_name": "X" * 121, "roles": "trainer"}, "Too long"),
        ({"email": "x@example.org", "display_name": "X"}, "Choose at least one role."),
        ({"email": "x@example.org", "display_name": "X", "roles": "trainee"}, "must be linked to a trainee"),
        ({"email": "x@example.org", "display_name": "X", "roles": "wizard"}, "Choose one of the options."),
    ]
    for form, message in cases:
        response = await post_form(client, "/admin/users/new", form)
        assert response.status_code == 422, form
        assert message in response.text, (form, message)
    assert len((await db.execute(select(User))).all()) == before


async def test_duplicate_email_is_refused(client, db, as_role):
    await as_role(Role.admin)
    other = await make_user(db, [Role.trainer])
    await use_english(client)
    response = await post_form(
        client, "/admin/users/new", {"email": other.email.upper(), "display_name": "Copy", "roles": "trainer"}
    )
    assert response.status_code == 422
    assert "Another user already has this email." in response.text
    await db.rollback()
    assert (await db.execute(select(User.id).where(User.display_name == "Copy"))).first() is None


async def test_deactivation_signs_the_user_out_everywhere(client, db, as_role, app):
    trainer = await make_user(db, [Role.trainer])
    await sign_in(client, trainer.email)
    await post_form(client, "/logout")
    admin = await as_role(Role.admin)
    response = await post_form(client, f"/admin/users/{trainer.id}/deactivate")
    assert response.status_code == 303
    assert (await db.execute(select(WebSession).where(WebSession.user_id == trainer.id))).first() is None
    await post_form(client, "/logout")
    refused = await post_form(client, "/login", {"email": trainer.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 401
    await sign_in(client, admin.email)
    own = await post_form(client, f"/admin/users/{admin.id}/deactivate")
    assert own.status_code == 409
    assert await is_active(db, admin.id)


async def test_password_reset_gives_a_new_link_and_stops_the_old_password(client, db, as_role):
    await as_role(Role.admin)
    trainer = await make_user(db, [Role.trainer])
    response = await post_form(client, f"/admin/users/{trainer.id}/reset-password")
    assert response.status_code == 200
    assert "/password/" in response.text
    await post_form(client, "/logout")
    refused = await post_form(client, "/login", {"email": trainer.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 401


async def test_admin_cannot_drop_own_admin_role(client, db, as_role):
    admin = await as_role(Role.admin)
    response = await post_form(
        client,
        f"/admin/users/{admin.id}",
        {"email": admin.email, "display_name": admin.display_name, "roles": "trainer", "language": "km"},
    )
    assert response.status_code == 409
    assert await roles_of(db, admin.id) == ["admin"]
    assert (await db.execute(select(AuditEntry).where(AuditEntry.action == "user.update"))).first() is None


async def test_user_list_searches_and_filters_by_role(client, db, as_role):
    await as_role(Role.admin)
    await make_user(db, [Role.trainer], display_name="Sok Trainer")
    await make_user(db, [Role.admin], display_name="Keo Admin")
    found = await client.get("/admin/users", params={"q": "sok"})
    assert "Sok Trainer" in found.text and "Keo Admin" not in found.text
    trainers = await client.get("/admin/users", params={"role": "trainer"})
    assert "Sok Trainer" in trainers.text and "Keo Admin" not in trainers.text
