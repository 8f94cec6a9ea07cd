"""Sign-in, sign-out, throttling, CSRF and the one-time password links, over HTTP on both databases."""

from sqlalchemy import select

from foundation.roles import Role
from people.models import UserToken, WebSession
from tests.conftest import csrf_token, post_form, sign_in, use_english
from tests.factories import DEFAULT_PASSWORD, make_user


async def test_sign_in_then_out(client, db):
    user = await make_user(db, [Role.admin])
    await sign_in(client, user.email)
    home = await client.get("/")
    assert user.display_name in home.text
    assert "nisa_session" in client.cookies
    cookie_header = [h for h in home.headers.get_list("set-cookie")]
    assert not any("nisa_session" in h for h in cookie_header)
    response = await post_form(client, "/logout")
    assert response.status_code == 303
    assert (await db.execute(select(WebSession))).first() is None
    assert (await client.get("/admin/users")).status_code == 303


async def test_session_cookie_flags(client, db):
    user = await make_user(db, [Role.trainer])
    token = await csrf_token(client)
    response = await client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "_csrf_token": token}
    )
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("nisa_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


async def test_wrong_password_is_refused_in_the_users_language(client, db):
    user = await make_user(db, [Role.admin])
    response = await post_form(client, "/login", {"email": user.email, "password": "not the password"})
    assert response.status_code == 401
    assert "ពាក្យសម្ងាត់" in response.text  # Khmer is the default language
    await use_english(client)
    response = await post_form(client, "/login", {"email": user.email, "password": "not the password"})
    assert "Wrong email, phone number or password." in response.text


async def test_throttle_per_account_blocks_even_the_right_password(client, db):
    user = await make_user(db, [Role.admin])
    await use_english(client)
    for _ in range(5):
        await post_form(client, "/login", {"email": user.email, "password": "wrong password!"})
    response = await post_form(client, "/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text


async def test_throttle_per_ip_across_accounts(client, db):
    await use_english(client)
    for n in range(20):
        await post_form(client, "/login", {"email": f"nobody{n}@example.org", "password": "wrong password!"})
    user = await make_user(db, [Role.admin])
    response = await post_form(client, "/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429


async def test_form_without_csrf_token_is_refused(client, db):
    user = await make_user(db, [Role.admin])
    await client.get("/login")
    await use_english(client)
    response = await client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert (await db.execute(select(WebSession))).first() is None


async def test_next_parameter_only_goes_to_our_own_pages(client, db):
    user = await make_user(db, [Role.admin])
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={
            "email": user.email,
            "password": DEFAULT_PASSWORD,
            "next": "//evil.example.com/x",
            "_csrf_token": token,
        },
    )
    assert response.headers["location"] == "/"


async def test_invitation_link_sets_the_password_once(client, db):
    admin = await make_user(db, [Role.admin])
    await sign_in(client, admin.email)
    response = await post_form(
        client,
        "/admin/users/new",
        {
            "email": "new.trainer@example.org",
            "display_name": "New Trainer",
            "roles": "trainer",
            "language": "en",
        },
    )
    assert response.status_code == 201
    link = response.text.split('value="http://testserver.local')[1].split('"')[0]
    assert link.startswith("/password/")
    await post_form(client, "/logout")
    short = await post_form(client, link, {"password": "short", "repeat": "short"})
    assert short.status_code == 422
    done = await post_form(client, link, {"password": "a long new password", "repeat": "a long new password"})
    assert done.status_code == 303
    again = await post_form(client, link, {"password": "another password!", "repeat": "another password!"})
    assert again.status_code == 410
    await sign_in(client, "new.trainer@example.org", "a long new password")
    used = (await db.execute(select(UserToken))).scalar_one()
    assert used.used_at is not None
