"""A trainee finds their certificate (issued in the demo cohort), downloads the PDF and opens the page its
QR code points to; a trainer sees the cohort's certificates with the ZIP and the print file."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import SignIn, save_screenshot


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
