"""Public verification end to end over HTTP, on both databases: each status as a page and as JSON, the lookup
log, the shared rate limit, revocations seen at once, the page's weight, and the administrators' counts."""

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.codes import grouped, new_code
from certificates.models import Certificate, CertificateStatus, VerificationLookup
from certificates.services import verification
from foundation.clock import today, utcnow
from foundation.formatting import format_date
from foundation.roles import Role
from foundation.settings import Settings
from nisa.app import create_app
from tests.certificate_factories import make_certificate
from tests.conftest import use_english
from tests.postgres import free_port

BASE = "http://testserver.local"
PROXY = "127.0.0.1"  # trusted by default: its X-Forwarded-For names the visitor
VISITOR_IP = "203.0.113.77"
PHONE = (
    "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
MAX_PAGE_BYTES = 30_000

Visit = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@asynccontextmanager
async def visiting(
    app: Litestar, ip: str = VISITOR_IP, user_agent: str = PHONE
) -> AsyncIterator[httpx.AsyncClient]:
    """A phone behind our reverse proxy: the app sees the proxy as peer and the phone in X-Forwarded-For."""
    transport = httpx.ASGITransport(app=app, client=(PROXY, 50000))  # type: ignore[arg-type]
    headers = {"x-forwarded-for": ip, "user-agent": user_agent}
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=headers) as client:
        yield client


async def close(app: Litestar) -> None:
    """What the app's lifespan does at shutdown, for apps served here without one."""
    await app.state.certificate_finder.close()
    await app.state.engine.dispose()


@pytest.fixture
async def visit(app: Litestar) -> AsyncIterator[Visit]:
    yield lambda **options: visiting(app, **options)
    await close(app)


async def in_english(visitor: httpx.AsyncClient, page: str = "/verify") -> None:
    """Through the verification page's own language switch, as a visitor would."""
    opened = await visitor.get(page)
    token = visitor.cookies["csrftoken"]
    answer = await visitor.post("/language", data={"language": "en", "next": page, "_csrf_token": token})
    assert 'name="language" value="en"' in opened.text
    assert answer.status_code == 303 and answer.headers["location"] == page


async def settle(*apps: Litestar) -> None:
    """One round of each instance's lookup log: its lookups written, the others' read (once a second live)."""
    for app in apps:
        await app.state.lookup_log.settle(utcnow())


async def lookups(db: AsyncSession, app: Litestar) -> list[VerificationLookup]:
    await settle(app)
    db.expire_all()
    return list((await db.execute(select(VerificationLookup).order_by(VerificationLookup.id))).scalars())


def long_date(day: date) -> str:
    return format_date(day, "long", "en")


# ---------------------------------------------------------------- each status, as a page and as JSON


async def test_a_valid_certificate_says_so_with_what_it_certifies_and_nothing_more_personal(db, visit):
    expires = today() + timedelta(days=400)
    certificate = await make_certificate(db, expires_on=expires, email="sreymom@example.org")
    code = grouped(certificate.code)
    async with visit() as visitor:
        await in_english(visitor)
        page = await visitor.get(f"/v/{code}")
        answer = await visitor.get(f"/api/v1/verify/{code}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for shown in [
        "Valid certificate",
        f"Valid until {long_date(expires)}.",
        code,
        "សុខ ស្រីមុំ",
        "Sok Sreymom",
        "Foundations of social work",
        "មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច",
        "SW101 · 40 hours",
        "Applies the code of ethics",
        "SW-2.3",
        long_date(certificate.issued_on),
        "National Institute of Social Affairs",
        f'href="/v/{code}/credential.json"',
    ]:
        assert shown in page.text, shown
    assert "sreymom@example.org" not in page.text and "+85512" not in page.text
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body == {
        "code": code,
        "status": "valid",
        "status_text": "Valid certificate",
        "advice": None,
        "holder": {"name_km": "សុខ ស្រីមុំ", "name_latin": "Sok Sreymom"},
        "course": {
            "code": "SW101",
            "title_km": "មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច",
            "title_en": "Foundations of social work",
            "hours": certificate.snapshot["hours"],  # as recorded at issue
        },
        "competencies": [
            {"code": "SW-1.1", "title_km": "ក្រមសីលធម៌", "title_en": "Applies the code of ethics"},
            {"code": "SW-2.3", "title_km": "ការគ្រប់គ្រងករណី", "title_en": "Manages a case"},
        ],
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": expires.isoformat(),
        "expired_since": None,
        "revoked": None,
        "superseded_by": None,
        "issuer": {"name_km": "វិទ្យាស្ថានជាតិសង្គមកិច្ច", "name_en": "National Institute of Social Affairs"},
        "verification_url": f"{BASE}/v/{code}",
        "credential_url": f"{BASE}/v/{code}/credential.json",
    }
    assert certificate.snapshot["hours"] == "40"


async def test_a_certificate_without_expiry_says_it_does_not_expire(db, visit):
    certificate = await make_certificate(db, expires_on=None)
    async with visit() as visitor:
        await in_english(visitor)
        page = await visitor.get(f"/v/{grouped(certificate.code)}")
    assert "This certificate does not expire." in page.text and "Does not expire" in page.text


async def test_an_expired_certificate_says_since_when(db, visit):
    expired = today() - timedelta(days=3)
    certificate = await make_certificate(db, issued_on=expired - timedelta(days=700), expires_on=expired)
    code = grouped(certificate.code)
    async with visit() as visitor:
        await in_english(visitor)
        page = await visitor.get(f"/v/{code}")
        answer = await visitor.get(f"/api/v1/verify/{code}")
    assert page.status_code == 200
    assert "Expired certificate" in page.text and f"Expired on {long_date(expired)}." in page.text
    assert 'class="status status-expired"' in page.text
    assert answer.status_code == 200
    assert answer.json()["status"] == "expired" and answer.json()["expired_since"] == expired.isoformat()


async def test_a_certificate_expiring_today_is_still_valid(db, visit):
    certificate = await make_certificate(db, expires_on=today())
    async with visit() as visitor:
        answer = await visitor.get(f"/api/v1/verify/{certificate.code}")
    assert answer.json()["status"] == "valid"


async def test_a_revoked_certificate_gives_the_reason_and_the_date(db, visit):
    certificate = await make_certificate(
        db, status=CertificateStatus.revoked, revoked_reason="Attendance records were falsified."
    )
    code = grouped(certificate.code)
    async with visit() as visitor:
        await in_english(visitor)
        page = await visitor.get(f"/v/{code}")
        answer = await visitor.get(f"/api/v1/verify/{code}")
    revoked_on = long_date(today())
    assert page.status_code == 200 and 'class="status status-revoked"' in page.text
    assert (
        "Revoked certificate" in page.text and f"NISA revoked this certificate on {revoked_on}." in page.text
    )
    assert "Reason: Attendance records were falsified." in page.text
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == "revoked"
    assert body["revoked"]["reason"] == "Attendance records were falsified." and body["revoked"]["at"]


async def test_a_superseded_certificate_points_to_the_new_one(db, visit):
    old = await make_certificate(db, status=CertificateStatus.superseded)
    new = await make_certificate(db)
    old.superseded_by_id, new.supersedes_id = new.id, old.id
    await db.commit()
    old_code, new_code_ = grouped(old.code), grouped(new.code)
    async with visit() as visitor:
        await in_english(visitor)
        page = await visitor.get(f"/v/{old_code}")
        answer = await visitor.get(f"/api/v1/verify/{old_code}")
        followed = await visitor.get(f"/v/{new_code_}")
    assert page.status_code == 200 and "Replaced by a newer certificate" in page.text
    assert f'<a href="/v/{new_code_}">Check the new certificate {new_code_}</a>' in page.text
    assert answer.json()["superseded_by"] == {"code": new_code_, "url": f"{BASE}/v/{new_code_}"}
    assert "Valid certificate" in followed.text


async def test_an_unknown_code_is_not_found_with_advice(db, visit):
    code = grouped(new_code())
    async with visit() as visitor:
        await in_english(visitor)
        page = await visitor.get(f"/v/{code}")
        answer = await visitor.get(f"/api/v1/verify/{code}")
    assert page.status_code == 404 and "No certificate has this code" in page.text
    assert "the letters O and I are read as the digits 0 and 1" in page.text
    assert "Ask the holder to show you the original certificate." in page.text
    assert "contact NISA" in page.text and f'value="{code}"' in page.text  # the form to try again
    assert answer.status_code == 404
    body = answer.json()
    assert body["status"] == "not_found" and body["status_text"] == "No certificate has this code"
    assert "Ask the holder" in body["advice"] and body["holder"] is None and body["verification_url"] is None


async def test_a_certificate_awaiting_approval_is_not_found(db, visit, app):
    certificate = await make_certificate(db, status=CertificateStatus.pending_approval)
    async with visit() as visitor:
        page = await visitor.get(f"/v/{grouped(certificate.code)}")
        answer = await visitor.get(f"/api/v1/verify/{certificate.code}")
    assert page.status_code == 404 and "សុខ ស្រីមុំ" not in page.text
    assert answer.status_code == 404 and answer.json()["status"] == "not_found"
    assert [row.certificate_id for row in await lookups(db, app)] == [None, None]


@pytest.mark.parametrize("typed", ["hello", "K7QM-3XPD", "K7QM-3XPD-9RTA-2VHC-XXXX", "%00%01abc", "ថ្ងៃ"])
async def test_a_malformed_code_is_answered_clearly_and_logged_as_malformed(db, visit, app, typed):
    async with visit() as visitor:
        await in_english(visitor)
        page = await visitor.get(f"/v/{typed}")
        answer = await visitor.get(f"/api/v1/verify/{typed}")
    assert page.status_code == 404 and "This is not a certificate code" in page.text
    assert "A certificate code has 16 letters and digits" in page.text
    assert answer.status_code == 400 and answer.json()["status"] == "malformed"
    rows = await lookups(db, app)
    assert [(row.result, row.channel, row.certificate_id) for row in rows] == [
        ("malformed", "page", None),
        ("malformed", "json", None),
    ]
    assert "\x00" not in rows[0].code and len(rows[0].code) <= 40


@pytest.mark.parametrize(
    "shape", [str.lower, lambda code: " ".join(grouped(code).split("-")), lambda code: code, grouped]
)
async def test_lowercase_spaced_or_dashless_codes_find_the_certificate(db, visit, shape):
    certificate = await make_certificate(db)
    async with visit() as visitor:
        answer = await visitor.get(f"/api/v1/verify/{shape(certificate.code)}")
    assert answer.status_code == 200 and answer.json()["code"] == grouped(certificate.code)


async def test_letters_o_and_i_are_read_as_zero_and_one(db, visit):
    certificate = await make_certificate(db)
    certificate.code = "0123456789ABCDEF"
    await db.commit()
    async with visit() as visitor:
        answer = await visitor.get("/api/v1/verify/oI23-4567-89ab-cdef")
    assert answer.status_code == 200 and answer.json()["code"] == "0123-4567-89AB-CDEF"


# ---------------------------------------------------------------- the form


async def test_the_form_sends_a_typed_code_on_to_its_page(db, visit, app):
    certificate = await make_certificate(db)
    code = grouped(certificate.code)
    async with visit() as visitor:
        form = await visitor.get("/verify")
        sent = await visitor.get("/verify", params={"code": f" {certificate.code.lower()} "})
        page = await visitor.get(sent.headers["location"])
    assert form.status_code == 200 and 'name="code"' in form.text and 'action="/verify"' in form.text
    assert sent.status_code == 303 and sent.headers["location"] == f"/v/{code}?via=form"
    assert page.status_code == 200
    assert [(row.result, row.channel) for row in await lookups(db, app)] == [("valid", "form")]


async def test_the_form_shows_a_malformed_code_again_with_the_error(db, visit, app):
    async with visit() as visitor:
        await in_english(visitor)
        empty = await visitor.get("/verify", params={"code": "  "})
        wrong = await visitor.get("/verify", params={"code": "12345"})
    assert empty.status_code == 200 and 'aria-invalid="true"' not in empty.text
    assert wrong.status_code == 422 and "This is not a certificate code" in wrong.text
    assert 'value="12345"' in wrong.text and 'aria-invalid="true"' in wrong.text
    assert [(row.result, row.channel, row.code) for row in await lookups(db, app)] == [
        ("malformed", "form", "12345")
    ]


# ---------------------------------------------------------------- the lookup log


async def test_each_lookup_writes_one_row_and_changes_nothing_else(db, visit, app):
    certificate = await make_certificate(db, expires_on=today() + timedelta(days=30))
    before = certificate.model_dump()
    certificate_id, code = certificate.id, certificate.code
    async with visit() as visitor:
        await visitor.get(f"/v/{code}")
        await visitor.get(f"/api/v1/verify/{code.lower()}")
    async with visit(ip="198.51.100.4", user_agent="curl/8.5.0") as tool:
        await tool.get(f"/api/v1/verify/{grouped(new_code())}")
    rows = await lookups(db, app)
    assert [(r.result, r.channel, r.certificate_id, r.code, r.user_agent_family) for r in rows] == [
        ("valid", "page", certificate_id, code, "Chrome"),
        ("valid", "json", certificate_id, code, "Chrome"),
        ("not_found", "json", None, rows[2].code, "tool"),
    ]
    assert rows[0].client_hash == rows[1].client_hash != rows[2].client_hash
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", row.client_hash)
        assert not any(
            ip in str(value) for value in row.model_dump().values() for ip in (VISITOR_IP, "198.51.100.4")
        )
    db.expire_all()
    assert (await db.get_one(Certificate, certificate_id)).model_dump() == before


async def test_the_client_hash_is_salted_with_the_apps_secret():
    first = verification.client_hash(VISITOR_IP, "one-secret-key-" + "x" * 32)
    assert first == verification.client_hash(VISITOR_IP, "one-secret-key-" + "x" * 32)
    assert first != verification.client_hash(VISITOR_IP, "another-secret-" + "x" * 32)
    assert first != verification.client_hash("203.0.113.78", "one-secret-key-" + "x" * 32)


# ---------------------------------------------------------------- the rate limit, shared by every instance


@pytest.fixture
def strict_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"verify_rate_limit": 3, "verify_rate_window_seconds": 60})


@pytest.fixture
async def strict_apps(strict_settings: Settings) -> AsyncIterator[list[Litestar]]:
    """Two instances of the app on one database, as behind a load balancer."""
    apps = [create_app(strict_settings), create_app(strict_settings)]
    yield apps
    for app in apps:
        await close(app)


async def test_over_the_limit_a_client_gets_a_clear_429_and_others_do_not(db, strict_apps):
    certificate = await make_certificate(db)
    app = strict_apps[0]
    async with visiting(app) as visitor, visiting(app, ip="203.0.113.99") as neighbour:
        await in_english(visitor, "/verify")  # opening the form looks nothing up
        for _ in range(3):
            assert (await visitor.get(f"/v/{certificate.code}")).status_code == 200
        page = await visitor.get(f"/v/{certificate.code}")
        answer = await visitor.get(f"/api/v1/verify/{certificate.code}")
        form = await visitor.get("/verify", params={"code": "nonsense"})
        other = await neighbour.get(f"/api/v1/verify/{certificate.code}")
    assert page.status_code == 429 and 0 < int(page.headers["retry-after"]) <= 60
    assert "Too many verifications from your connection. Please wait a minute and try again." in page.text
    assert "You can check again in" in page.text and '<html lang="en">' in page.text
    assert answer.status_code == 429 and 0 < int(answer.headers["retry-after"]) <= 60
    body = answer.json()
    assert body["status_code"] == 429 and body["retry_after"] == int(answer.headers["retry-after"])
    assert body["detail"].startswith("Too many verifications")
    assert form.status_code == 429
    assert other.status_code == 200 and other.json()["status"] == "valid"
    assert len(await lookups(db, app)) == 4  # refused lookups are not logged


async def test_the_limit_is_counted_across_instances(db, strict_apps):
    certificate = await make_certificate(db)
    first, second = strict_apps
    async with visiting(first) as on_first, visiting(second) as on_second:
        assert (await on_first.get(f"/api/v1/verify/{certificate.code}")).status_code == 200
        assert (await on_second.get(f"/api/v1/verify/{certificate.code}")).status_code == 200
        assert (await on_first.get(f"/api/v1/verify/{certificate.code}")).status_code == 200
        await settle(first, second, first)  # a round on each: what one saw is written, the other reads it
        assert (await on_second.get(f"/api/v1/verify/{certificate.code}")).status_code == 429
        assert (await on_first.get(f"/v/{certificate.code}")).status_code == 429


async def test_an_instance_does_not_count_its_own_logged_lookups_twice(db, strict_apps):
    certificate = await make_certificate(db)
    app = strict_apps[0]
    async with visiting(app) as visitor:
        for _ in range(2):
            assert (await visitor.get(f"/api/v1/verify/{certificate.code}")).status_code == 200
        await settle(app, app)  # its two rows written and read back
        assert (await visitor.get(f"/api/v1/verify/{certificate.code}")).status_code == 200
        assert (await visitor.get(f"/api/v1/verify/{certificate.code}")).status_code == 429


async def test_an_instance_started_later_counts_the_lookups_already_logged(db, strict_apps, strict_settings):
    certificate = await make_certificate(db)
    async with visiting(strict_apps[0]) as visitor:
        for _ in range(3):
            assert (await visitor.get(f"/api/v1/verify/{certificate.code}")).status_code == 200
    await settle(strict_apps[0])
    late = create_app(strict_settings)
    try:
        await settle(late)
        async with visiting(late) as visitor:
            assert (await visitor.get(f"/api/v1/verify/{certificate.code}")).status_code == 429
    finally:
        await close(late)


async def test_lookups_queued_at_shutdown_are_written(db, settings):
    certificate = await make_certificate(db)
    certificate_id, code = certificate.id, certificate.code
    app = create_app(settings)
    async with AsyncTestClient(app) as visitor:  # runs the app's lifespan, as a server does
        assert (await visitor.get(f"/api/v1/verify/{code}")).status_code == 200
    db.expire_all()
    rows = (await db.execute(select(VerificationLookup))).scalars().all()
    assert [(row.certificate_id, row.channel) for row in rows] == [(certificate_id, "json")]


async def test_the_429_page_is_in_khmer_by_default(db, strict_apps):
    async with visiting(strict_apps[0]) as visitor:
        for _ in range(4):
            page = await visitor.get("/v/whatever")
    assert page.status_code == 429 and '<html lang="km">' in page.text and page.headers["retry-after"]


async def test_with_the_database_server_gone_a_lookup_answers_503(settings):
    gone = settings.model_copy(
        update={"database_url": f"postgresql+asyncpg://nisa@127.0.0.1:{free_port()}/nisa"}
    )
    app = create_app(gone)
    try:
        async with visiting(app) as visitor:
            answer = await visitor.get(f"/api/v1/verify/{grouped(new_code())}")
    finally:
        await close(app)
    assert answer.status_code == 503 and answer.json()["status_code"] == 503


# ---------------------------------------------------------------- revocation shows at once


async def test_a_revocation_shows_at_the_next_lookup(db, visit):
    certificate = await make_certificate(db)
    async with visit() as visitor:
        assert (await visitor.get(f"/api/v1/verify/{certificate.code}")).json()["status"] == "valid"
        certificate.status = CertificateStatus.revoked.value
        certificate.revoked_at, certificate.revoked_reason = utcnow(), "Issued in error."
        await db.commit()
        answer = await visitor.get(f"/api/v1/verify/{certificate.code}")
        page = await visitor.get(f"/v/{certificate.code}")
    assert answer.json()["status"] == "revoked" and answer.json()["revoked"]["reason"] == "Issued in error."
    assert 'class="status status-revoked"' in page.text


# ---------------------------------------------------------------- light enough for a phone


async def page_weight(visitor: httpx.AsyncClient, path: str) -> tuple[int, list[str]]:
    """HTML bytes plus every stylesheet, script, image and font it references; and any foreign references."""
    page = await visitor.get(path)
    references = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    loaded = re.findall(r'<(?:link|script|img|source)\b[^>]*(?:href|src)="([^"]+)"', page.text)
    foreign = [
        url for url in references if urlsplit(urljoin(BASE + path, url)).netloc != urlsplit(BASE).netloc
    ]
    total = len(page.content)
    for url in loaded:
        asset = await visitor.get(url)
        assert asset.status_code == 200, url
        total += len(asset.content)
    return total, foreign


async def with_many_competencies(db: AsyncSession, certificate: Certificate, count: int) -> None:
    """A long course: many competencies with long Khmer and English titles (Khmer is 3 bytes a letter)."""
    competency = {
        "code": "SW-10.10",
        "title_km": "អនុវត្តក្រមសីលធម៌វិជ្ជាជីវៈការងារសង្គមកិច្ចក្នុងការគ្រប់គ្រងករណីកុមារ",
        "title_en": "Applies the professional code of ethics of social work in child case management",
        "url": "",
    }
    assert certificate.snapshot is not None
    certificate.snapshot = certificate.snapshot | {"competencies": [competency] * count}
    await db.commit()


@pytest.mark.parametrize("english", [False, True])
async def test_the_page_weighs_under_30_kb_and_asks_nothing_from_elsewhere(db, visit, english):
    certificate = await make_certificate(db, expires_on=today() + timedelta(days=300))
    await with_many_competencies(db, certificate, 40)
    async with visit() as visitor:
        if english:
            await in_english(visitor)
        for path in (f"/v/{grouped(certificate.code)}", f"/v/{grouped(new_code())}", "/verify"):
            total, foreign = await page_weight(visitor, path)
            assert total < MAX_PAGE_BYTES, (path, total)
            assert not foreign, (path, foreign)
            page = await visitor.get(path)
            assert "<script" not in page.text and "@font-face" not in page.text
            assert 'name="viewport"' in page.text


async def test_khmer_pages_show_khmer_digits_in_dates(db, visit):
    certificate = await make_certificate(db, issued_on=date(2026, 1, 15), expires_on=date(2099, 1, 15))
    async with visit() as visitor:
        page = await visitor.get(f"/v/{certificate.code}")
    assert '<html lang="km">' in page.text and "២០២៦" in page.text and "២០៩៩" in page.text
    assert "English" in page.text  # the switch to the other language


# ---------------------------------------------------------------- for administrators


async def logged(db: AsyncSession, count: int) -> None:
    """Wait for a served app's own round (it runs in the test client's loop, so we cannot settle it)."""
    for _ in range(100):
        if await db.scalar(select(func.count()).select_from(VerificationLookup)) == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the lookup log never reached {count} rows")


async def test_admins_see_the_most_looked_up_certificates_with_counts(client, db, as_role):
    popular = await make_certificate(db, name_km="ចាន់ ដារា", name_latin="Chan Dara")
    quiet = await make_certificate(db, expires_on=today() - timedelta(days=1))
    # Looked up anonymously through the same client (one event loop for the app's database pool).
    for _ in range(3):
        await client.get(f"/v/{popular.code}")
    await client.get(f"/api/v1/verify/{quiet.code}")
    await client.get("/v/not-a-code")
    await logged(db, 5)
    await as_role(Role.admin)
    await use_english(client)
    page = await client.get("/admin/verifications")
    assert page.status_code == 200
    text = page.text
    assert text.index(grouped(popular.code)) < text.index(grouped(quiet.code))
    rows = {
        code: row for row in text.split("<tr>") for code in (popular.code, quiet.code) if grouped(code) in row
    }
    assert "Chan Dara" in rows[popular.code] and "Valid: 3" in rows[popular.code]
    assert ">Expired</td>" in rows[quiet.code] and "Expired: 1" in rows[quiet.code]  # the status today
    assert "<dt>Today</dt><dd>5</dd>" in text and "<dt>Last 7 days</dt><dd>5</dd>" in text
    assert "Not a code" in text
    assert await verification.lookup_counts(db, [popular.id, quiet.id]) == {popular.id: 3, quiet.id: 1}
    summary = await verification.lookup_summary(db, popular.id)
    assert summary.total == 3 and summary.by_result == {"valid": 3} and summary.last_at is not None
    assert await verification.lookup_summary(db, 0) == verification.LookupSummary()


async def test_the_admin_page_is_for_admins_only(client, as_role):
    anonymous = await client.get("/admin/verifications")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    await as_role(Role.trainer)
    assert (await client.get("/admin/verifications")).status_code == 403


async def test_the_most_looked_up_come_a_page_at_a_time(db, visit, app):
    certificates = [await make_certificate(db) for _ in range(3)]
    async with visit() as visitor:
        for certificate in certificates:
            await visitor.get(f"/api/v1/verify/{certificate.code}")
    await settle(app)
    found = await verification.most_looked_up(db, today(), page=2, per_page=2)
    assert found.total == 3 and found.pages == 2 and len(found.items) == 1


# ---------------------------------------------------------------- the API's documentation


async def test_the_openapi_schema_documents_the_verification_api(client):
    schema = (await client.get("/api/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/verify/{code}"]["get"]
    assert operation["tags"] == ["Verification"]
    assert {"200", "400", "404", "429"} <= set(operation["responses"])
    fields = schema["components"]["schemas"]["VerificationRead"]["properties"]
    assert {
        "code",
        "status",
        "status_text",
        "holder",
        "course",
        "competencies",
        "revoked",
        "superseded_by",
    } <= set(fields)
