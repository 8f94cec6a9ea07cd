"""An administrator adds a trainee in a real browser, with the htmx province > district > commune selects."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SignIn, save_screenshot

pytestmark = pytest.mark.browser

NAME_KM = "កែវ ស្រីល័ក្ខ"
NAME_LATIN = "Keo Sreyleak"  # no demo trainee has this given name, so a search finds only ours
PHONE = "012 345 678"
PHONE_KHMER_DIGITS = "០១២ ៣៤៥ ៦៧៨"
# Official gazetteer codes: Siem Reap > Banteay Srei > Preah Dak.
PROVINCE, DISTRICT, COMMUNE = "17", "1703", "170303"


def _search(page: Page, text: str) -> None:
    page.locator("form.search #q").fill(text)
    page.locator("form.search button[type=submit]").click()


def test_admin_adds_a_trainee_with_a_workplace_chosen_from_the_cascading_selects(
    page: Page, live_server: str, sign_in: SignIn
) -> None:
    sign_in(page, "admin")
    page.goto("/admin/trainees")
    page.locator(".page-head a[href='/admin/trainees/new']").click()
    expect(page).to_have_url(f"{live_server}/admin/trainees/new")

    page.locator("#f-name_km").fill(NAME_KM)
    page.locator("#f-name_latin").fill(NAME_LATIN)
    page.locator("#f-sex").select_option("female")
    page.locator("#f-phone").fill(PHONE)

    page.locator("#f-province").select_option(PROVINCE)
    district_choice = page.locator(f"#f-district option[value='{DISTRICT}']")
    expect(district_choice).to_be_attached()  # filled in by htmx from /locations/districts
    page.locator("#f-district").select_option(DISTRICT)
    expect(page.locator(f"#f-commune_code option[value='{COMMUNE}']")).to_be_attached()
    page.locator("#f-commune_code").select_option(COMMUNE)
    expect(page.locator("#f-commune_code")).to_have_value(COMMUNE)
    save_screenshot(page, "trainee-form.png")

    page.locator("form[action='/admin/trainees/new'] button[type=submit]").click()

    expect(page).to_have_url(f"{live_server}/admin/trainees?notice=created")
    expect(page.get_by_role("status")).to_be_visible()
    _search(page, NAME_LATIN)
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(NAME_KM)
    expect(rows.first).to_contain_text(NAME_LATIN)
    save_screenshot(page, "trainees-search.png")

    _search(page, PHONE)  # the phone as people write it finds the stored +855 number
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(NAME_LATIN)
    _search(page, PHONE_KHMER_DIGITS)  # typed on a Khmer keyboard
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(NAME_LATIN)
    save_screenshot(page, "trainees-search-khmer-digits.png")

    rows.first.get_by_role("link", name=NAME_LATIN).click()
    expect(page.locator("#f-province")).to_have_value(PROVINCE)
    expect(page.locator("#f-district")).to_have_value(DISTRICT)
    expect(page.locator("#f-commune_code")).to_have_value(COMMUNE)
