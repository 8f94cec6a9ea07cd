"""Sign-in under attack (issue 16): parallel guessing, timing, old links, CSRF tokens, password policy."""

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
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
from foundation.roles import Role
from foundation.settings import Settings
from nisa.app import create_app
from people.models import User
from people.services import auth, users
from tests.conftest import csrf_token, post_form, sign_in
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
