"""The audit log in a real browser, on the demo's entries: people's words on a phone and a laptop, in Khmer
and English, its filter and a record's history."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from foundation import audit_words
from tests.browser.conftest import SignIn, save_screenshot

pytestmark = pytest.mark.browser

SCREENS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", ["km", "en"])
def test_the_log_reads_in_words_on_every_screen(
    new_page: Callable[..., Page], sign_in: SignIn, screen: str, language: str
) -> None:
    page = new_page(viewport=SCREENS[screen])
    sign_in(page, "admin")
    page.goto("/admin/audit")
    if language == "en":
        page.locator("form.language-switch").get_by_role("button", name="English", exact=True).click()
        page.wait_for_load_state()
        page.goto("/admin/audit")
    page.evaluate("async () => { await document.fonts.ready; }")

    rows = page.locator("table.audit tbody tr")
    expect(rows.first).to_be_visible()
    table = page.locator("table.audit tbody").inner_text()
    codes = [code for code in audit_words.ACTIONS if code in table]
    assert not codes, f"action codes on the page: {codes}"
    assert "_id" not in table and not re.search(r"\d{4}-\d\d-\d\dT", table)  # no column names, ISO times
    if language == "km":
        assert re.search("[០-៩]{2}:[០-៩]{2}", table), "times in Khmer digits"
    save_screenshot(page, f"audit-log-{language}-{screen}.png")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SCREENS[screen]["width"], f"the page scrolls sideways: {width}px wide"


def test_filter_by_record_type_then_open_a_records_history(page: Page, sign_in: SignIn) -> None:
    sign_in(page, "admin")
    page.goto("/admin/audit")
    page.locator("select[name=entity]").select_option("certificate")
    page.locator("form.audit-filter button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/admin/audit\?entity=certificate"))
    first = page.locator("table.audit tbody tr").first
    expect(first.locator("a.history-link")).to_be_visible()
    first.locator("a.history-link").click()

    expect(page).to_have_url(re.compile(r"entity=certificate&record=\d+"))
    expect(page.locator("p.history strong a")).to_have_attribute(
        "href", re.compile(r"^/admin/certificates/\d+$")
    )
    save_screenshot(page, "audit-log-history.png")
