"""Sign-in under attack (issue 16): parallel guessing, timing, old links, CSRF tokens, password policy."""

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from statistics import median
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlmodel import col

from foundation.access_log import ACCESS_LOGGER
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.errors import SignInRefused, TooManyAttempts
from foundation.roles import Role
from foundation.settings import Settings
from nisa.app import create_app
from people.models import TokenPurpose, User, WebSession
from people.services import auth, users
from tests.conftest import csrf_token, post_form, sign_in, use_english
from tests.factories import DEFAULT_PASSWORD, make_user


class CountingHasher(PasswordHasher):
    """Argon2 that notes each verification: how many, on which thread, how many at once."""

    def __init__(self, pause: float = 0.2, **parameters: Any) -> None:
        super().__init__(**parameters)
        self.pause = pause
        self.verified = 0
        self.threads: set[int] = set()
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.verified += 1
            self.threads.add(threading.get_ident())
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(self.pause)  # long enough for parallel verifications to overlap if they may
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def hasher() -> Iterator[CountingHasher]:
    yield from _hashing_with(CountingHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def production_hasher() -> Iterator[CountingHasher]:
    """Argon2 at the cost production uses (the rest of the suite hashes cheaply)."""
    yield from _hashing_with(CountingHasher(pause=0))


def _hashing_with(hasher: CountingHasher) -> Iterator[CountingHasher]:
    quick = auth.password_hasher
    auth.password_hasher = hasher
    yield hasher
    auth.password_hasher = quick


BASE_URL = "http://testserver.local"


@asynccontextmanager
async def instance(settings: Settings) -> AsyncIterator[httpx.ASGITransport]:
    """An app instance of its own (its own engine) that answers requests at the same time, in the test's
    event loop: Litestar's test client answers one request after the other."""
    app = create_app(settings)
    async with app.lifespan():
        yield httpx.ASGITransport(app=app)


async def _login(transport: httpx.ASGITransport, account: str, password: str) -> int:
    """A visitor opening the sign-in page, then signing in."""
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        await client.get("/login")
        data = {"email": account, "password": password, "_csrf_token": client.cookies["csrftoken"]}
        return (await client.post("/login", data=data)).status_code


async def test_parallel_wrong_passwords_on_two_instances_never_pass_the_limit(settings, db, hasher):
    """The review's probe: twelve wrong passwords at once, here spread over two app instances (two engines)
    sharing the database; five are checked, the rest refused before any password is looked at."""
    user = await make_user(db, [Role.admin])
    async with instance(settings) as one, instance(settings) as two:
        hasher.verified = 0
        answers = await asyncio.gather(
            *(_login(client, user.email, "wrong password!") for client in [one, two] * 6)
        )
    assert sorted(answers) == [401] * 5 + [429] * 7
    assert hasher.verified == 5


async def test_argon2_runs_off_the_event_loop_a_bounded_number_at_a_time(settings, db, hasher):
    settings.password_hash_threads = 2
    users = [await make_user(db, [Role.admin]) for _ in range(6)]
    async with instance(settings) as client:
        answers = await asyncio.gather(*(_login(client, u.email, DEFAULT_PASSWORD) for u in users))
    assert answers == [303] * 6
    assert threading.get_ident() not in hasher.threads
    assert hasher.most_at_once == 2


async def test_unknown_inactive_and_wrong_password_cost_the_same(settings, db, production_hasher):
    """The review's timing probe: each failure path verifies exactly one hash at production cost, so the three
    take about the same time (medians of several tries, within 2x of each other) and say the same thing."""
    settings.login_max_failures_per_account = settings.login_max_failures_per_ip = 100
    known = await make_user(db, [Role.admin])
    inactive = await make_user(db, [Role.admin])
    await db.execute(update(User).where(col(User.id) == inactive.id).values(active=False))
    await db.commit()
    accounts = {"unknown": "nobody@example.org", "wrong": known.email, "inactive": inactive.email}
    password = {"unknown": "wrong password!", "wrong": "wrong password!", "inactive": DEFAULT_PASSWORD}
    times: dict[str, list[float]] = {path: [] for path in accounts}
    async with instance(settings) as transport:
        await _login(transport, "warm@example.org", "warm up the dummy hash")
        for _ in range(5):
            for path, account in accounts.items():
                production_hasher.verified = 0
                started = time.perf_counter()
                assert await _login(transport, account, password[path]) == 401
                times[path].append(time.perf_counter() - started)
                assert production_hasher.verified == 1, path
    medians = sorted(median(taken) for taken in times.values())
    assert medians[-1] < 2 * medians[0], times


async def test_a_new_reset_link_voids_the_earlier_one(client, db):
    """The review's probe: after a second reset, the first link no longer sets a password."""
    user = await make_user(db, [Role.trainer])
    first = await users.reset_password(db, Actor(None, "127.0.0.1"), user.id)
    second = await users.reset_password(db, Actor(None, "127.0.0.1"), user.id)
    await db.commit()
    new_password = {"password": "a long new password", "repeat": "a long new password"}
    assert (await post_form(client, f"/password/{first}", new_password)).status_code == 410
    assert (await post_form(client, f"/password/{second}", new_password)).status_code == 303


def test_the_access_log_never_shows_a_link_token(settings, caplog):
    """Lines as uvicorn writes them, through the access logger the app configures."""
    create_app(settings)
    access = logging.getLogger(ACCESS_LOGGER)
    access.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, ACCESS_LOGGER):
            for path in ("/password/SECRET-TOKEN", "/card/SECRET-TOKEN?lang=km"):
                access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET", path, "1.1", 200)
    finally:
        access.removeHandler(caplog.handler)
    assert "SECRET-TOKEN" not in caplog.text
    assert "GET /password/[redacted] HTTP/1.1" in caplog.text
    assert "GET /card/[redacted]?lang=km HTTP/1.1" in caplog.text


def _plant(client: AsyncTestClient[Litestar], token: str) -> None:
    """Put a csrftoken cookie in the client's jar, as an attacker who can set cookies for the site would."""
    client.cookies.delete("csrftoken")
    client.cookies.set("csrftoken", token, domain="testserver.local")


async def test_a_csrf_token_from_another_session_is_refused(settings, client, db):
    """The review's probe: the anonymous visitor's token, or another session's, does not pass with an admin's
    session; the token changes at sign-in and at sign-out."""
    admin, other = await make_user(db, [Role.admin]), await make_user(db, [Role.trainer])
    anonymous = await csrf_token(client)
    await sign_in(client, admin.email)
    own = client.cookies["csrftoken"]
    assert own != anonymous
    async with AsyncTestClient(app=create_app(settings), base_url=BASE_URL) as someone_else:
        someone_else.follow_redirects = False
        await sign_in(someone_else, other.email)
        foreign = someone_else.cookies["csrftoken"]
    for token in (anonymous, foreign):
        _plant(client, token)
        assert (await client.post("/logout", data={"_csrf_token": token})).status_code == 403
        assert (await client.get("/")).status_code == 200  # a page gives the session its own token back
        assert client.cookies["csrftoken"] not in (anonymous, foreign)
    _plant(client, own)
    assert (await client.post("/logout", data={"_csrf_token": own})).status_code == 303
    assert client.cookies["csrftoken"] not in (anonymous, own)


async def test_weak_and_guessable_passwords_are_refused(client, db):
    user = await make_user(db, [Role.trainer], email="sokha.chan@example.org", display_name="Sokha Chan")
    link = await users.reset_password(db, Actor(None, "127.0.0.1"), user.id)
    await db.commit()
    await use_english(client)
    for weak in ("password123456", "qwertyuiop12", "sokha.chan@example.org", "SokhaChan2026"):
        response = await post_form(client, f"/password/{link}", {"password": weak, "repeat": weak})
        assert response.status_code == 422, weak
        assert "too easy to guess" in response.text
    strong = {"password": "mango river lantern", "repeat": "mango river lantern"}
    assert (await post_form(client, f"/password/{link}", strong)).status_code == 303


async def test_changing_ones_password_ends_the_other_sessions(settings, client, db):
    user = await make_user(db, [Role.trainer])
    await sign_in(client, user.email)
    async with AsyncTestClient(app=create_app(settings), base_url=BASE_URL) as elsewhere:
        elsewhere.follow_redirects = False
        await sign_in(elsewhere, user.email)
        link = await auth.create_link(db, user.id, TokenPurpose.password_reset)
        await db.commit()
        await use_english(client)
        assert (await client.get("/account/password")).status_code == 200
        change = {"old_password": "not my password", "password": "mango river lantern"}
        wrong_old = await post_form(client, "/account/password", change | {"repeat": change["password"]})
        assert wrong_old.status_code == 422 and "not your current password" in wrong_old.text
        change["old_password"] = DEFAULT_PASSWORD
        done = await post_form(client, "/account/password", change | {"repeat": change["password"]})
        assert done.status_code == 303
        assert (await client.get("/account/password")).status_code == 200  # this session stays
        assert (await elsewhere.get("/account/password")).status_code == 303  # the other one ended
    assert (await client.get(f"/password/{link}")).status_code == 410  # and the reset link is void
    await post_form(client, "/logout")
    await sign_in(client, user.email, "mango river lantern")


async def test_a_session_ends_a_week_after_sign_in_however_active(client, db):
    user = await make_user(db, [Role.trainer])
    await sign_in(client, user.email)
    assert (await client.get("/account/password")).status_code == 200
    eight_days_ago = utcnow() - timedelta(days=8)
    await db.execute(update(WebSession).values(created_at=eight_days_ago, last_seen_at=utcnow()))
    await db.commit()
    assert (await client.get("/account/password")).status_code == 303


async def test_failures_from_one_address_do_not_lock_the_account_elsewhere(db):
    """Guessing from one address throttles that address only: the owner signs in from theirs."""
    user = await make_user(db, [Role.trainer])
    throttle = auth.Throttle(max_per_account=5, max_per_ip=20, window=timedelta(minutes=15))
    for _ in range(5):
        attempt = await auth.admit_attempt(db, user.email, "203.0.113.9", throttle)
        await db.commit()
        with pytest.raises(SignInRefused):
            await auth.sign_in(db, attempt, "wrong password!", user_agent="", hours=12)
    with pytest.raises(TooManyAttempts):
        await auth.admit_attempt(db, user.email, "203.0.113.9", throttle)
    await db.rollback()
    attempt = await auth.admit_attempt(db, user.email, "198.51.100.7", throttle)
    token, _ = await auth.sign_in(db, attempt, DEFAULT_PASSWORD, user_agent="", hours=12)
    assert token
