"""A trainee finds their certificate (issued in the demo cohort), downloads the PDF and opens the page its
QR code points to; a trainer sees the cohort's certificates with the ZIP and the print file."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import Page, expect
from sqlalchemy import select

from foundation.database import create_engine, create_sessionmaker
from people.models import User
from tests.browser.conftest import SignIn, demo_login, save_screenshot
from tests.integration.test_progress import enrol_new, record, running_course


def test_a_trainee_downloads_their_certificate_and_opens_its_verification_page(
    page: Page, sign_in: SignIn
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "trainee")
    page.goto("/me/certificates")
    card = page.locator(".certificate-card").filter(has=page.locator(".certificate-valid")).first
    expect(card).to_be_visible()
    save_screenshot(page, "my-certificates-km.png")
    with page.expect_download() as download:
        card.get_by_role("link", name="PDF").click()
    pdf = download.value
    assert pdf.suggested_filename.startswith("nisa-certificate-") and pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
    code = card.locator("code").inner_text()
    card.locator("code").click()
    expect(page).to_have_url(f"/v/{code}")
    expect(page.locator("body")).to_contain_text(code)


def test_a_trainer_sees_the_cohorts_certificates(page: Page, sign_in: SignIn) -> None:
    sign_in(page, "trainer")
    page.goto("/cohorts")
    page.get_by_role("link", name="SW101-DEMO-0").first.click()
    page.locator("nav.cohort-tabs a[href$='/certificates']").click()
    expect(page.locator("table.records tbody tr")).to_have_count(16)
    expect(page.locator("a[href$='/certificates/all.zip']")).to_be_visible()
    expect(page.locator("a[href$='/certificates/print.pdf']")).to_be_visible()
    save_screenshot(page, "cohort-certificates-km.png")


TRAINEES = 12  # more than one batch of the page's step-by-step issue


async def _delivered_cohort(database_url: str) -> int:
    """A cohort of the demo trainer, delivered a week ago, whose trainees all completed: none issued yet."""
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as db:
        trainer = (await db.execute(select(User).where(User.email == demo_login("trainer")[0]))).scalar_one()
        setup = await running_course(db, trainer_ids=[trainer.id])
        for _ in range(TRAINEES):
            await record(db, setup, await enrol_new(db, setup.cohort))
        cohort_id = int(setup.cohort.id or 0)
    await engine.dispose()
    return cohort_id


def test_a_bulk_issue_updates_the_table_row_by_row(
    page: Page, sign_in: SignIn, live_database_url: str
) -> None:
    # Playwright keeps its own event loop on this thread: the factories run on a thread of their own.
    with ThreadPoolExecutor(1) as worker:
        cohort_id = worker.submit(asyncio.run, _delivered_cohort(live_database_url)).result()
    sign_in(page, "trainer")
    page.goto(f"/cohorts/{cohort_id}/certificates")
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(TRAINEES)
    expect(rows.locator("form button")).to_have_count(TRAINEES)  # one "Issue" button per complete trainee
    page.locator("#certificate-actions button.primary").click()
    bar = page.locator("#issue-progress progress")
    # Two batches, each signing its certificates: slower than one click on a busy machine.
    expect(bar).to_have_attribute("value", str(TRAINEES), timeout=60_000)
    expect(bar).to_have_attribute("max", str(TRAINEES))
    expect(rows.locator("code")).to_have_count(TRAINEES)  # every row shows its certificate, no reload
    expect(rows.locator("form button")).to_have_count(0)
    expect(page.locator("#certificate-actions button")).to_have_count(0)
    expect(page.locator("#certificate-actions a[href$='/certificates/all.zip']")).to_be_visible()
    save_screenshot(page, "cohort-bulk-issue-km.png")
