"""A demo trainer records the code of ethics pledge a trainee without a login signed on paper; the cohort's
checklist then shows it signed on paper and nobody is missing the pledge."""

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from foundation.clock import today
from tests.browser.conftest import SignIn, save_screenshot
from tests.browser.test_trainee_quiz import api, demo_trainee_id, enrol, running_demo_cohort

SIGNED_ON_PAPER = re.compile("signed on paper|បានចុះហត្ថលេខាលើក្រដាស")


def test_a_trainer_records_a_paper_pledge_and_the_checklist_shows_it(
    new_page: Callable[..., Page], live_server: str, sign_in: SignIn
) -> None:
    admin = new_page()
    sign_in(admin, "admin")
    cohort_id, module_id = running_demo_cohort(admin)
    # A trainee of the demo data other than the one with a login.
    trainee = next(t for t in api(admin, "/api/v1/trainees")["items"] if t["id"] != demo_trainee_id(admin))
    enrolment_id = enrol(admin, cohort_id, trainee["id"])
    pledge_url = f"/cohorts/{cohort_id}/enrolments/{enrolment_id}/ethics/{module_id}/paper-pledge"

    page = new_page()
    sign_in(page, "trainer")
    page.goto(f"/cohorts/{cohort_id}/overview?missing=pledge")
    row = page.locator("table.overview tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(trainee["name_latin"])
    row.locator("summary").click()
    pledge_item = row.locator(".progress-checklist li").last
    expect(pledge_item).to_have_class("missing")
    row.locator(f"a[href='{pledge_url}']").click()
    expect(page).to_have_url(f"{live_server}{pledge_url}")

    expect(page.locator("#f-signed_on")).to_have_value(today().isoformat())
    page.locator("#f-note").fill("Signed on the first morning; the form is in the cohort binder.")
    save_screenshot(page, "paper-pledge-form.png")
    page.locator(f"form[action='{pledge_url}'] button[type=submit]").click()
    page.wait_for_url(f"**/cohorts/{cohort_id}/overview?notice=saved")

    row.locator("summary").click()
    expect(pledge_item).to_have_class("met")
    expect(pledge_item).to_contain_text(SIGNED_ON_PAPER)
    expect(row.locator(f"a[href='{pledge_url}']")).to_have_count(0)
    save_screenshot(page, "paper-pledge-checklist.png")

    # Recorded once: the form now says when and how it was signed, and nobody is missing the pledge.
    page.goto(pledge_url)
    expect(page.locator("form button[type=submit].primary")).to_have_count(0)
    expect(page.locator("main .notice")).to_contain_text(SIGNED_ON_PAPER)
    page.goto(f"/cohorts/{cohort_id}/overview?missing=pledge")
    expect(page.locator("table.overview tbody tr td[colspan]")).to_have_count(1)
