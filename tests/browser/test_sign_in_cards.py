"""A trainer prints sign-in cards; a trainee scans one on a phone, sets a password, lands on My progress."""

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SignIn, save_screenshot
from tests.unit.test_certificate_pdf import require
from tests.unit.test_sign_in_card_pdf import scanned_links

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
PASSWORD = "my own long password"


def _cohort_with_trainees_without_login(page: Page) -> int:
    """One of the trainer's open cohorts whose card page offers cards to print."""
    for cohort in page.request.get("/api/v1/cohorts?per_page=100").json()["items"]:
        if cohort["status"] == "closed":
            continue
        page.goto(f"/cohorts/{cohort['id']}/sign-in-cards")
        if page.locator(f"form[action='/cohorts/{cohort['id']}/sign-in-cards']").count():
            return int(cohort["id"])
    pytest.fail("the demo trainer has no cohort with trainees without a login")


def test_a_trainee_scans_a_printed_card_sets_a_password_and_lands_on_my_progress(
    new_page: Callable[..., Page], sign_in: SignIn, live_server: str, tmp_path: Path
) -> None:
    require("pdftoppm", "zbarimg")
    trainer = new_page()
    sign_in(trainer, "trainer")
    cohort_id = _cohort_with_trainees_without_login(trainer)
    names = trainer.locator("ul.sign-in-card-trainees li .latin-name").all_inner_texts()
    with trainer.expect_download() as printing:
        trainer.locator(f"form[action='/cohorts/{cohort_id}/sign-in-cards'] button[type=submit]").click()
    pdf = tmp_path / "cards.pdf"
    printing.value.save_as(pdf)
    links = [link for link in scanned_links(pdf, 1) if link]
    assert len(links) == min(len(names), 8)
    assert all(link.startswith(f"{live_server}/card/") for link in links)

    trainee = new_page(viewport=PHONE)
    trainee.goto(links[0])
    expect(trainee.locator("main")).to_contain_text(names[0])  # the cards come in the page's order
    trainee.locator("#f-phone").fill("០៩៩ ៨៧៦ ៥៤៣")
    trainee.locator("#f-password").fill(PASSWORD)
    trainee.locator("#f-repeat").fill(PASSWORD)
    trainee.locator(f"form[action='/card/{links[0].rsplit('/', 1)[1]}'] button[type=submit]").click()

    trainee.wait_for_url(f"{live_server}/me")
    expect(trainee.locator(".session-tools .who")).to_have_text(names[0])
    assert trainee.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(trainee, "sign-in-card-my-progress-375.png")

    trainee.goto(links[0])  # the card is used up, and says so
    expect(trainee.get_by_role("alert")).to_be_visible()
    expect(trainee.get_by_role("alert")).not_to_be_empty()
    save_screenshot(trainee, "sign-in-card-used-375.png")
