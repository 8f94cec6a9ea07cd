"""An employer checks certificates on a phone: the QR code's page in Khmer and English, and the code form."""

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from certificates.codes import grouped, new_code
from certificates.models import CertificateStatus
from foundation.clock import today
from foundation.database import create_engine, create_sessionmaker
from tests.browser.conftest import save_screenshot
from tests.certificate_factories import make_certificate

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36"
    ),
}


async def _make_certificates(database_url: str) -> dict[str, str]:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as db:
        valid = await make_certificate(db, expires_on=today() + timedelta(days=700))
        expired = await make_certificate(
            db, issued_on=today() - timedelta(days=800), expires_on=today() - timedelta(days=35)
        )
        revoked = await make_certificate(
            db,
            status=CertificateStatus.revoked,
            revoked_reason="ឯកសារវត្តមានមិនត្រឹមត្រូវ / Attendance records were wrong.",
        )
        old = await make_certificate(db, status=CertificateStatus.superseded)
        old.superseded_by_id = valid.id
        await db.commit()
        codes = {
            name: grouped(c.code)
            for name, c in [("valid", valid), ("expired", expired), ("revoked", revoked)]
        }
        codes["superseded"] = grouped(old.code)
    await engine.dispose()
    return codes


@pytest.fixture(scope="module")
def codes(live_database_url: str) -> dict[str, str]:
    """Certificates in each state, written into the live server's database (the demo has no expired one)."""
    # Playwright keeps its own event loop on this thread: the factories run on a thread of their own.
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, _make_certificates(live_database_url)).result()


@pytest.fixture
def phone(new_page, live_server: str) -> Iterator[tuple[Page, list[str]]]:  # type: ignore[no-untyped-def]
    """A phone-sized page, and the origins of every request it makes (all must be our own)."""
    opened: Page = new_page(**PHONE)
    origins: list[str] = []

    def note(request: Request) -> None:
        origins.append(f"{urlsplit(request.url).scheme}://{urlsplit(request.url).netloc}")

    opened.on("request", note)
    yield opened, origins
    assert set(origins) <= {live_server}, f"requests to other origins: {set(origins) - {live_server}}"


def _switch_to(page: Page, language: str) -> None:
    page.locator("header form button[name=language]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_the_qr_codes_page_of_a_valid_certificate_in_khmer_then_english(phone, codes) -> None:  # type: ignore[no-untyped-def]
    page, _ = phone
    page.goto(f"/v/{codes['valid']}")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.locator(".status-valid")).to_be_visible()
    expect(page.locator(".name-km")).to_have_text("សុខ ស្រីមុំ")
    save_screenshot(page, "verify-valid-km.png")

    _switch_to(page, "en")
    expect(page).to_have_url(f"/v/{codes['valid']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Valid certificate")
    expect(page.locator(".facts")).to_contain_text("Foundations of social work")
    expect(page.locator(".facts")).to_contain_text("Applies the code of ethics")
    save_screenshot(page, "verify-valid-en.png")
    _switch_to(page, "km")  # leave the cookie as a visitor's first visit finds it


@pytest.mark.parametrize(
    ("state", "heading"),
    [
        ("expired", "Expired certificate"),
        ("revoked", "Revoked certificate"),
        ("superseded", "Replaced by a newer certificate"),
    ],
)
def test_expired_revoked_and_superseded_certificates_say_so(phone, codes, state: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    page, _ = phone
    page.goto(f"/v/{codes[state]}")
    save_screenshot(page, f"verify-{state}-km.png")
    _switch_to(page, "en")
    expect(page.locator(f".status-{state}")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    save_screenshot(page, f"verify-{state}-en.png")
    if state == "superseded":
        page.locator(".status a").click()
        expect(page).to_have_url(f"/v/{codes['valid']}")
        expect(page.locator(".status-valid")).to_be_visible()


def test_a_typed_code_is_checked_and_a_wrong_one_gets_advice(phone, codes) -> None:  # type: ignore[no-untyped-def]
    page, _ = phone
    page.goto("/verify")
    save_screenshot(page, "verify-form-km.png")
    _switch_to(page, "en")
    page.locator("#code").fill(codes["valid"].replace("-", " ").lower())
    page.get_by_role("button", name="Check").click()
    expect(page).to_have_url(f"/v/{codes['valid']}?via=form")
    expect(page.locator(".status-valid")).to_be_visible()

    page.goto("/verify")
    page.locator("#code").fill("12345")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#code-error")).to_have_text("This is not a certificate code")
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    save_screenshot(page, "verify-form-error-en.png")

    page.locator("#code").fill(grouped(new_code()))
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("No certificate has this code")
    expect(page.locator(".advice li")).to_have_count(4)
    save_screenshot(page, "verify-not-found-en.png")
    _switch_to(page, "km")
    save_screenshot(page, "verify-not-found-km.png")


def test_an_admin_sees_how_often_each_certificate_was_checked(phone, page: Page, codes, sign_in) -> None:  # type: ignore[no-untyped-def]
    employer, _ = phone
    employer.goto(f"/v/{codes['revoked']}")
    expect(employer.locator(".status-revoked")).to_be_visible()
    sign_in(page, "admin")
    page.goto("/admin/verifications")
    row = page.locator("table.records tbody tr", has_text=codes["revoked"])
    expect(row).to_be_visible()
    expect(row.locator("a[href^='/admin/certificates/']")).to_have_text(codes["revoked"])
    save_screenshot(page, "verify-admin-counts.png")
