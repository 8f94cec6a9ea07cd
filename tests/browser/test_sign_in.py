"""Signing in and out in a real browser, what each role's menu offers, and the sign-in page on a phone."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SignIn, demo_login, save_screenshot, sign_in_through_form

pytestmark = pytest.mark.browser

# Links are found by address: their text depends on the signed-in user's language.
USERS_LINK = "nav.main-nav a[href='/admin/users']"
AUDIT_LINK = "nav.main-nav a[href='/admin/audit']"


def test_admin_signs_in_through_the_form_and_sees_the_admin_menu(page: Page, live_server: str) -> None:
    sign_in_through_form(page, *demo_login("admin"))

    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(USERS_LINK)).to_be_visible()
    expect(page.locator(AUDIT_LINK)).to_be_visible()
    expect(page.locator(".session-tools .who")).to_have_text("Demo Admin")
    save_screenshot(page, "admin-home.png")


def test_wrong_password_shows_an_error_and_stays_on_the_sign_in_page(page: Page, live_server: str) -> None:
    email, _ = demo_login("admin")
    sign_in_through_form(page, email, "not-the-password")

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).not_to_be_empty()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator("#f-email")).to_have_value(email)
    expect(page.locator(USERS_LINK)).to_have_count(0)


def test_sign_out_returns_to_the_sign_in_page(page: Page, live_server: str, sign_in: SignIn) -> None:
    sign_in(page, "admin")
    page.locator("form[action='/logout'] button[type=submit]").click()

    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator("#f-password")).to_be_visible()
    page.goto("/admin/users")  # the session is really gone, not just the menu
    expect(page).to_have_url(f"{live_server}/login?next=/admin/users")


def test_trainee_has_no_users_link_and_is_refused_the_users_page(page: Page, sign_in: SignIn) -> None:
    sign_in(page, "trainee")
    expect(page.locator(".session-tools .who")).to_be_visible()
    expect(page.locator(USERS_LINK)).to_have_count(0)

    answer = page.goto("/admin/users")

    assert answer is not None and answer.status == 403
    expect(page.locator(".error-page .status-code")).to_have_text("403")
    expect(page.locator("table.records")).to_have_count(0)


def test_sign_in_page_fits_a_phone_screen(new_page: Callable[..., Page]) -> None:
    phone = new_page(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    phone.goto("/login")
    phone.evaluate("async () => { await document.fonts.ready; }")

    expect(phone.locator("#f-email")).to_be_visible()
    save_screenshot(phone, "login-phone.png")
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the page scrolls sideways on a phone: {scroll_width}px wide"


def test_sign_in_button_in_the_header_is_readable(page: Page) -> None:
    page.goto("/")
    colours = page.locator(".session-tools a[href='/login']").evaluate(
        "link => { const s = getComputedStyle(link); return [s.color, s.backgroundColor]; }"
    )
    assert colours[0] != colours[1], f"text and background are both {colours[0]}"


def test_the_admin_menu_folds_behind_a_menu_button_on_a_phone_without_javascript(
    new_page: Callable[..., Page], sign_in: SignIn
) -> None:
    phone = new_page(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    sign_in_through_form(phone, *demo_login("admin"))
    users = phone.locator(USERS_LINK)
    expect(users).to_be_hidden()
    phone.locator("label.menu-button").click()
    expect(users).to_be_visible()
    assert users.bounding_box()["height"] >= 44  # a finger's worth
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    save_screenshot(phone, "admin-menu-open-360.png")

    desktop = new_page(viewport={"width": 1366, "height": 800})
    sign_in(desktop, "admin")
    expect(desktop.locator("label.menu-button")).to_be_hidden()
    expect(desktop.locator(USERS_LINK)).to_be_visible()
