"""Shared fixtures: a real SQLite file and a real throwaway PostgreSQL server, one fresh database per test."""

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.database import create_engine, create_sessionmaker
from foundation.roles import Role
from foundation.settings import Settings
from nisa.app import create_app
from nisa.audit_words import register_audit_words
from nisa.messages import register_message_kinds
from people.services import auth
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.postgres import TemporaryPostgres, find_postgres_tools

BACKENDS = ["sqlite", "postgresql"]
ROOT = Path(__file__).resolve().parent.parent


def migrate(url: str) -> None:
    """Migrate through the real CLI, as an operator would."""
    env = os.environ | {"NISA_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "nisa.cli", "db", "upgrade"],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )


@pytest.fixture(scope="session", autouse=True)
def message_kinds_registered() -> None:
    """As the app and the scheduler do at start-up: tests that render or send mail, or describe the audit log,
    without an app need it."""
    register_message_kinds()
    register_audit_words()


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing() -> Iterator[None]:
    """Argon2 at production cost takes a quarter second a sign-in; tests need the logic, not the cost."""
    production = auth.password_hasher
    auth.password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth.password_hasher = production


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """The server's base URL with a migrated template database `nisa_template`; None if no PostgreSQL."""
    given = os.environ.get("NISA_TEST_POSTGRES_URL")
    if given:
        server_url = given.rstrip("/")
        yield _prepare_template(server_url)
        return
    tools = find_postgres_tools()
    if tools is None:
        yield None
        return
    with TemporaryPostgres(tools) as server:
        yield _prepare_template(server.url)


def _prepare_template(server_url: str) -> str:
    import asyncio

    async def recreate() -> None:
        connection = await asyncpg.connect(
            server_url.replace("postgresql+asyncpg", "postgresql") + "/postgres"
        )
        await connection.execute("DROP DATABASE IF EXISTS nisa_template WITH (FORCE)")
        await connection.execute("CREATE DATABASE nisa_template")
        await connection.close()

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(recreate())
    finally:
        loop.close()
    migrate(f"{server_url}/nisa_template")
    return server_url


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_template: str | None
) -> AsyncIterator[str]:
    """A freshly migrated database for one test, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "nisa.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    if postgres_template is None:
        pytest.skip("PostgreSQL is not installed here (no initdb/pg_ctl, no NISA_TEST_POSTGRES_URL)")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin_url = postgres_template.replace("postgresql+asyncpg", "postgresql") + "/postgres"
    connection = await asyncpg.connect(admin_url)
    await connection.execute(f"CREATE DATABASE {name} TEMPLATE nisa_template")
    try:
        yield f"{postgres_template}/{name}"
    finally:
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await connection.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret-key-" + "x" * 32,
        base_url="http://testserver.local",
    )


@pytest.fixture
async def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        test_client.follow_redirects = False  # we check each redirect ourselves
        yield test_client


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def csrf_token(client: AsyncTestClient[Litestar]) -> str:
    """The double-submit token, as a browser would have it after opening any page."""
    if "csrftoken" not in client.cookies:
        await client.get("/login")
    return str(client.cookies["csrftoken"])


async def sign_in(client: AsyncTestClient[Litestar], email: str, password: str = DEFAULT_PASSWORD) -> None:
    token = await csrf_token(client)
    response = await client.post("/login", data={"email": email, "password": password, "_csrf_token": token})
    assert response.status_code == 303, response.text


async def post_form(client: AsyncTestClient[Litestar], url: str, data: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    """A form POST with the CSRF token, as the browser sends it."""
    return await client.post(url, data={**(data or {}), "_csrf_token": await csrf_token(client)})


async def use_english(client: AsyncTestClient[Litestar]) -> None:
    """Switch the UI to English through the language switch, as a visitor would."""
    response = await post_form(client, "/language", {"language": "en", "next": "/"})
    assert response.status_code == 303


@pytest.fixture
def as_role(client: AsyncTestClient[Litestar], db: AsyncSession):  # type: ignore[no-untyped-def]
    """Sign the test client in as a new user with the given role; returns that user."""

    async def signer(role: Role, **fields: object):  # type: ignore[no-untyped-def]
        user = await make_user(db, [role], **fields)
        await sign_in(client, user.email)
        return user

    return signer
