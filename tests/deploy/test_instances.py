"""The deployment proof: two `nisa serve` instances on one real PostgreSQL behind a real nginx using the
shipped site file, all on loopback; the shared state, the client's address, a killed instance and a
restarted database, seen through nginx as users see them.

One test, not several: its steps share one expensive set-up (a server, two apps, nginx) and must run in
order (the instance is killed last), which separate tests under pytest-xdist would not guarantee.
"""

import asyncio
import itertools
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from certificates import keys as issuer_keys
from certificates.models import VerificationLookup
from certificates.services.verification import client_hash
from foundation.audit import AuditEntry
from foundation.database import create_engine, create_sessionmaker
from foundation.roles import Role
from people.models import LoginFailure, Organisation, WebSession
from tests.certificate_factories import make_certificate
from tests.conftest import migrate
from tests.deploy.deployment import UPSTREAM_HEADER, AppInstance, Nginx, find_nginx
from tests.factories import DEFAULT_PASSWORD, PHNOM_PENH_COMMUNE, make_user
from tests.postgres import TemporaryPostgres, find_postgres_tools

SECRET_KEY = "deploy-proof-secret-" + "k" * 40
LOGIN_FAILURES = 3  # NISA_LOGIN_MAX_FAILURES_PER_ACCOUNT
VERIFY_LIMIT = 6  # NISA_VERIFY_RATE_LIMIT
LOG_LAG = 3.0  # seconds the instances may take to see each other's lookups (batched log, ~1-2 s)
REVOCATION_SEEN_WITHIN = 5.0
# Clients on distinct loopback addresses, each sending an X-Forwarded-For of its own that nginx must not
# let the app believe.
ADMIN_IP, EMPLOYER_IP, GUESSER_IP = "127.0.0.2", "127.0.0.3", "127.0.0.4"
SPOOFED = "198.51.100.66"
DATABASE_DOWN_EN = "The database cannot be reached"
DATABASE_DOWN_KM = "មិនអាចភ្ជាប់ទៅមូលដ្ឋានទិន្នន័យបានទេ"


@dataclass(frozen=True)
class Seed:
    admin_name: str
    admin_email: str
    trainer_email: str
    certificate_id: int
    code: str


@dataclass
class Deployment:
    postgres: TemporaryPostgres
    database_url: str
    instances: list[AppInstance]
    nginx: Nginx
    seed: Seed

    def client(self, ip: str, **headers: str) -> httpx.AsyncClient:
        """A visitor on its own loopback address, going through nginx."""
        transport = httpx.AsyncHTTPTransport(local_address=ip)
        headers = {"x-forwarded-for": SPOOFED, **headers}
        return httpx.AsyncClient(base_url=self.nginx.url, transport=transport, headers=headers, timeout=20)

    @property
    def addresses(self) -> set[str]:
        return {instance.address for instance in self.instances}

    def logs(self) -> str:
        return "\n".join(f"--- {i.log.name}\n{i.log.read_text()[-4000:]}" for i in self.instances)


def served_by(response: httpx.Response) -> str:
    """The instance that answered (nginx lists every one it tried, the answering one last)."""
    return response.headers[UPSTREAM_HEADER].split(",")[-1].strip()


async def seed(database_url: str) -> Seed:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        admin = await make_user(session, [Role.admin])
        trainer = await make_user(session, [Role.trainer])
        certificate = await make_certificate(session)
    await engine.dispose()
    assert certificate.id is not None
    return Seed(admin.display_name, admin.email, trainer.email, certificate.id, certificate.code)


@pytest.fixture
async def deployment(tmp_path: Path) -> AsyncIterator[Deployment]:
    tools, nginx_binary = find_postgres_tools(), find_nginx()
    if tools is None:
        pytest.skip("PostgreSQL is not installed here (no initdb/pg_ctl): apt-get install postgresql")
    if nginx_binary is None:
        pytest.skip("nginx is not installed here: apt-get install nginx")
    with TemporaryPostgres(tools) as postgres:
        admin = await asyncpg.connect(postgres.url.replace("postgresql+asyncpg", "postgresql") + "/postgres")
        await admin.execute("CREATE DATABASE nisa")
        await admin.close()
        database_url = f"{postgres.url}/nisa"
        migrate(database_url)
        seeded = await seed(database_url)
        issuer_keys.create_key(tmp_path / "keys")
        nginx = Nginx(nginx_binary, tmp_path)
        env = _environment(database_url, tmp_path, nginx.url)
        instances = [AppInstance(env, tmp_path), AppInstance(env, tmp_path)]
        try:
            for instance in instances:
                instance.start()  # both boot at once
            for instance in instances:
                instance.wait_ready()
            nginx.start(instances)
            yield Deployment(postgres, database_url, instances, nginx, seeded)
        finally:
            nginx.stop()
            for instance in instances:
                instance.stop()


def _environment(database_url: str, folder: Path, public_url: str) -> dict[str, str]:
    return os.environ | {
        "NISA_ENV": "production",
        "NISA_SECRET_KEY": SECRET_KEY,
        "NISA_DATABASE_URL": database_url,
        "NISA_DATA_DIR": str(folder / "data"),
        "NISA_KEYS_DIR": str(folder / "keys"),
        "NISA_BASE_URL": public_url,
        "NISA_TRUSTED_PROXIES": "127.0.0.1",
        "NISA_LOGIN_MAX_FAILURES_PER_ACCOUNT": str(LOGIN_FAILURES),
        "NISA_VERIFY_RATE_LIMIT": str(VERIFY_LIMIT),
        "NISA_LOG_LEVEL": "INFO",
    }


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    if "csrftoken" not in client.cookies:
        await client.get("/login")
    form = {"email": email, "password": password, "_csrf_token": client.cookies["csrftoken"]}
    return await client.post("/login", data=form)


async def test_two_instances_behind_nginx(deployment: Deployment) -> None:
    d = deployment
    async with d.client(ADMIN_IP) as admin, d.client(EMPLOYER_IP) as employer:
        last_lookup = await lookups_are_counted_on_both_instances(d, employer)
        assert (await sign_in(admin, d.seed.admin_email, DEFAULT_PASSWORD)).status_code == 303
        await session_works_on_both_instances(d, admin)
        await login_throttle_counts_across_instances(d)
        await revocation_is_seen_by_the_other_instance(d, admin)
        await asyncio.sleep(max(0.0, last_lookup + LOG_LAG - time.monotonic()))
        await lookup_limit_holds_on_both_instances(d, employer)
        await the_app_saw_the_clients_not_nginx(d)
        await keys_are_shared(d, employer)
        await database_restart_answers_503_then_recovers(d, admin)
        await killed_instance_loses_no_answered_write(d, admin)


async def lookups_are_counted_on_both_instances(d: Deployment, employer: httpx.AsyncClient) -> float:
    served = set()
    for _ in range(VERIFY_LIMIT):
        answer = await employer.get(f"/api/v1/verify/{d.seed.code}")
        assert answer.status_code == 200, answer.text
        served.add(served_by(answer))
    assert served == d.addresses, "round robin should have spread the lookups over both instances"
    return time.monotonic()


async def lookup_limit_holds_on_both_instances(d: Deployment, employer: httpx.AsyncClient) -> None:
    """The limit's lookups were spread over both instances: each one now refuses this client."""
    served = set()
    for _ in range(2):
        answer = await employer.get(f"/api/v1/verify/{d.seed.code}")
        assert answer.status_code == 429, f"{served_by(answer)} answered {answer.status_code}: {answer.text}"
        assert int(answer.headers["retry-after"]) > 0
        served.add(served_by(answer))
    assert served == d.addresses


async def session_works_on_both_instances(d: Deployment, admin: httpx.AsyncClient) -> None:
    """Signed in through one instance, recognised by both: sessions live in the database."""
    served = set()
    for _ in range(4):
        answer = await admin.get("/admin/users")
        assert answer.status_code == 200, f"{served_by(answer)}: {answer.status_code}"
        assert d.seed.admin_name in answer.text
        served.add(served_by(answer))
    assert served == d.addresses


async def login_throttle_counts_across_instances(d: Deployment) -> None:
    """Each instance saw only some of the failures; together they reach the limit, so even the right
    password is refused now."""
    served = set()
    async with d.client(GUESSER_IP) as guesser:
        for attempt in range(LOGIN_FAILURES):
            answer = await sign_in(guesser, d.seed.trainer_email, f"wrong password {attempt}")
            assert answer.status_code == 401, answer.status_code
            served.add(served_by(answer))
        assert served == d.addresses
        throttled = await sign_in(guesser, d.seed.trainer_email, DEFAULT_PASSWORD)
    assert throttled.status_code == 429, throttled.status_code


async def revocation_is_seen_by_the_other_instance(d: Deployment, admin: httpx.AsyncClient) -> None:
    form = {
        "reason": "Issued in error (deploy proof).",
        "confirmed": "yes",  # the page asks first; this is the answer to it
        "_csrf_token": admin.cookies["csrftoken"],
    }
    revoked = await admin.post(f"/admin/certificates/{d.seed.certificate_id}/revoke", data=form)
    assert revoked.status_code == 303, revoked.text
    revoked_by, deadline = served_by(revoked), time.monotonic() + REVOCATION_SEEN_WITHIN
    # A new loopback address for each look, so the rate limit of one client never gets in the way.
    for host in itertools.count(10):
        async with d.client(f"127.0.0.{host}") as checker:
            answer = await checker.get(f"/api/v1/verify/{d.seed.code}")
        assert answer.status_code == 200, answer.text
        if served_by(answer) != revoked_by and answer.json()["status"] == "revoked":
            return
        assert time.monotonic() < deadline, (
            f"not revoked on the other instance after {REVOCATION_SEEN_WITHIN} s"
        )
        await asyncio.sleep(0.2)


async def the_app_saw_the_clients_not_nginx(d: Deployment) -> None:
    """Audit log, sessions, sign-in failures and the lookup log name the real clients, neither nginx's
    address nor the X-Forwarded-For the clients made up."""
    async with database(d) as session:
        revocation = await session.scalar(
            select(AuditEntry).where(col(AuditEntry.action) == "certificate.revoke")
        )
        assert revocation is not None and revocation.ip == ADMIN_IP
        sessions = set((await session.execute(select(col(WebSession.ip)))).scalars())
        assert sessions == {ADMIN_IP}
        failures = (await session.execute(select(col(LoginFailure.ip)))).scalars().all()
        assert failures == [GUESSER_IP] * LOGIN_FAILURES
        lookups = await _lookups_by(session, EMPLOYER_IP)
        assert lookups == VERIFY_LIMIT, f"{lookups} lookups logged for {EMPLOYER_IP}"
        assert await _lookups_by(session, "127.0.0.1") == 0


@asynccontextmanager
async def database(d: Deployment) -> AsyncIterator[AsyncSession]:
    """A session of our own on the deployment's database, to see what the instances stored."""
    engine = create_engine(d.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def _lookups_by(session: AsyncSession, ip: str) -> int:
    count = select(func.count()).where(col(VerificationLookup.client_hash) == client_hash(ip, SECRET_KEY))
    return int(await session.scalar(count) or 0)


async def keys_are_shared(d: Deployment, employer: httpx.AsyncClient) -> None:
    """Both instances publish the same signing key: NISA_KEYS_DIR is one folder for all."""
    published = {}
    for _ in range(2):
        answer = await employer.get("/.well-known/did.json")
        assert answer.status_code == 200
        published[served_by(answer)] = answer.json()["verificationMethod"]
    assert published.keys() == d.addresses and len({str(keys) for keys in published.values()}) == 1


# ---------------------------------------------------------------- failures


@dataclass
class Stream:
    """Requests sent one after another until told to stop, each answer kept with the time it came."""

    send: Callable[[int], Awaitable[httpx.Response]]
    answers: list[tuple[float, httpx.Response]] = field(default_factory=list)
    # A connection cut without a complete answer: never acceptable, a user would see a broken page.
    broken: list[str] = field(default_factory=list)
    running: bool = True

    async def run(self) -> None:
        for n in itertools.count():
            if not self.running:
                return
            try:
                answer = await self.send(n)
            except httpx.TransportError as error:
                self.broken.append(
                    f"{error.request.method} {error.request.url}: {type(error).__name__}: {error}"
                )
            else:
                self.answers.append((time.monotonic(), answer))
            await asyncio.sleep(0.02)

    def between(self, start: float, end: float) -> list[httpx.Response]:
        return [answer for at, answer in self.answers if start <= at <= end]


async def database_restart_answers_503_then_recovers(d: Deployment, admin: httpx.AsyncClient) -> None:
    """While PostgreSQL is down every answer is the clear 503 (a page in the visitor's language, JSON under
    /api, through the signed-in user's session look-up too); once it is back the same processes answer
    200 again by themselves."""
    async with d.client(EMPLOYER_IP) as khmer, d.client(EMPLOYER_IP, cookie="nisa_lang=en") as english:
        pages = [
            lambda n: khmer.get("/catalogue"),
            lambda n: english.get("/catalogue"),
            lambda n: khmer.get("/api/v1/catalogue"),
            lambda n: admin.get("/admin/users"),
        ]
        streams = [Stream(send) for send in pages]
        tasks = [asyncio.create_task(stream.run()) for stream in streams]
        await asyncio.sleep(1.0)
        stopping = time.monotonic()
        d.postgres.stop()
        down = time.monotonic()
        await asyncio.sleep(2.0)
        ready = [await _ready_status(i) for i in d.instances]
        up = time.monotonic()
        d.postgres.start()
        back = time.monotonic()
        await asyncio.sleep(4.0)
        for stream in streams:
            stream.running = False
        await asyncio.gather(*tasks)

    assert ready == [503, 503], "/health/ready must say the database is gone"
    for stream in streams:
        assert not stream.broken, f"{stream.broken}\n{d.logs()}"
        statuses = [answer.status_code for _, answer in stream.answers]
        assert set(statuses) <= {200, 503}, f"unexpected statuses {statuses}\n{d.logs()}"
        before = stream.between(0, stopping)
        assert before and {a.status_code for a in before} == {200}
        while_down = stream.between(down + 0.5, up)
        assert while_down and {a.status_code for a in while_down} == {503}
        recovered = stream.between(back + 2.0, float("inf"))
        assert recovered and {a.status_code for a in recovered} == {200}, [a.status_code for a in recovered]
    khmer_page, english_page, api, signed_in = (s.between(down + 0.5, up)[0] for s in streams)
    assert DATABASE_DOWN_KM in khmer_page.text and khmer_page.headers["retry-after"]
    assert DATABASE_DOWN_EN in english_page.text
    assert api.json()["status_code"] == 503 and DATABASE_DOWN_KM in api.json()["detail"]
    assert DATABASE_DOWN_KM in signed_in.text


async def _ready_status(instance: AppInstance) -> int:
    async with httpx.AsyncClient() as direct:
        return (await direct.get(f"{instance.url}/health/ready")).status_code


async def killed_instance_loses_no_answered_write(d: Deployment, admin: httpx.AsyncClient) -> None:
    """SIGKILL one instance in the middle of reads and writes: nginx sends everything to the other, reads
    never fail, and every write answered 201 is in the database."""
    csrf = {"x-csrftoken": admin.cookies["csrftoken"]}
    batch = uuid.uuid4().hex[:8]

    def writer(number: int) -> Stream:
        def create(n: int) -> Awaitable[httpx.Response]:
            name = f"Proof {batch} {number}-{n}"
            organisation = {"name_km": "អង្គការ", "name_en": name, "commune_code": PHNOM_PENH_COMMUNE}
            return admin.post("/api/v1/organisations", json=organisation, headers=csrf)

        return Stream(create)

    writers = [writer(1), writer(2)]
    reader = Stream(lambda n: admin.get("/api/v1/organisations", params={"q": batch}))
    streams = [*writers, reader]
    tasks = [asyncio.create_task(stream.run()) for stream in streams]
    await asyncio.sleep(1.5)
    victim, survivor = d.instances
    victim.kill()
    killed = time.monotonic()
    await asyncio.sleep(2.0)
    for stream in streams:
        stream.running = False
    await asyncio.gather(*tasks)

    assert not [stream.broken for stream in streams if stream.broken], f"{d.logs()}"
    assert {a.status_code for _, a in reader.answers} == {200}, "nginx must retry reads on the survivor"
    written = [a for stream in writers for _, a in stream.answers if a.status_code == 201]
    after_kill = [a for stream in writers for a in stream.between(killed + 0.5, float("inf"))]
    assert after_kill and {a.status_code for a in after_kill} == {201}
    assert {served_by(a) for a in after_kill} == {survivor.address}
    # Only a write that was inside the victim when it died may have failed (nginx never resends a POST).
    failed = [a for stream in writers for _, a in stream.answers if a.status_code != 201]
    assert len(failed) <= len(writers), [(a.status_code, a.text[:200]) for a in failed]
    async with database(d) as session:
        ours = select(col(Organisation.name_en)).where(col(Organisation.name_en).startswith(f"Proof {batch}"))
        stored = set((await session.execute(ours)).scalars())
    missing = {a.json()["name_en"] for a in written} - stored
    assert not missing, f"answered 201 but not stored: {missing}"
