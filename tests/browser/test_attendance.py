"""A trainer takes a session's attendance on a phone: mark all present, one trainee absent by keyboard."""

import re
import secrets
from collections.abc import Callable

from playwright.sync_api import Page, expect

from foundation.clock import today
from tests.browser.conftest import SignIn, save_screenshot

PHONE = {"width": 390, "height": 800}


def _api_headers(page: Page) -> dict[str, str]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"x-csrftoken": token}


def _cohort_with_a_session_today(page: Page, trainees: int = 4) -> tuple[int, int]:
    """Creates a cohort and today's session through the pages, enrols demo trainees through the API."""
    page.goto("/cohorts/new")
    page.locator("#f-course_id").select_option(index=1)
    page.locator("#f-code").fill(f"ATT-{secrets.token_hex(3).upper()}")
    page.locator("#f-venue_province_code").select_option("12")
    page.locator("#f-start_date").fill(today().isoformat())
    page.locator("#f-end_date").fill(today().isoformat())
    page.locator("#f-capacity").fill("30")
    page.locator("form[action='/cohorts/new'] button[type=submit]").click()
    page.wait_for_url("**/cohorts/*?notice=created")
    cohort_id = int(page.url.split("/cohorts/")[1].split("?")[0])
    page.goto(f"/cohorts/{cohort_id}/sessions/new")
    page.locator("#f-day").fill(today().isoformat())
    page.locator("input[name=module_ids]").first.check()
    page.locator(f"form[action='/cohorts/{cohort_id}/sessions/new'] button[type=submit]").click()
    page.wait_for_url(f"**/cohorts/{cohort_id}*")
    headers = _api_headers(page)
    found = page.request.get(f"/api/v1/trainees?per_page={trainees}").json()["items"]
    for trainee in found:
        answer = page.request.post(
            f"/api/v1/cohorts/{cohort_id}/enrolments", data={"trainee_id": trainee["id"]}, headers=headers
        )
        assert answer.ok, answer.text()
    [meeting] = page.request.get(f"/api/v1/cohorts/{cohort_id}/sessions").json()
    return cohort_id, meeting["id"]


def test_trainer_takes_attendance_on_a_phone(new_page: Callable[..., Page], sign_in: SignIn) -> None:
    page = new_page(viewport=PHONE)
    sign_in(page, "trainer")
    cohort_id, session_id = _cohort_with_a_session_today(page)
    register = f"/cohorts/{cohort_id}/sessions/{session_id}/attendance"
    page.goto(register)

    page.locator("form.mark-all button[name=mark_all]").click()
    page.wait_for_url(f"**{register}?notice=saved")
    rows = page.locator(".register-row")
    expect(rows).to_have_count(4)
    for index in range(4):
        expect(rows.nth(index).locator("input[value=present]")).to_be_checked()

    # The keyboard: focus the second trainee's group (on its checked radio), then arrow round to "absent".
    second = rows.nth(1)
    second.locator("input[value=present]").focus()
    page.keyboard.press("ArrowLeft")  # from the first choice, the arrow wraps round to the last: absent
    expect(second.locator("input[value=absent]")).to_be_checked()
    expect(second.locator("input[value=absent]")).to_be_focused()
    expect(second.locator(".row-state .saved")).to_be_visible()
    expect(page.locator("#tally .count-absent strong")).to_have_text(
        re.compile("^[1១]$")
    )  # Khmer or Latin digits

    # Nothing scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(page, "attendance-phone.png")

    page.reload()
    expect(rows.nth(1).locator("input[value=absent]")).to_be_checked()
    for index in (0, 2, 3):
        expect(rows.nth(index).locator("input[value=present]")).to_be_checked()


def test_trainer_records_an_assessment_and_a_module_on_a_phone(
    new_page: Callable[..., Page], sign_in: SignIn
) -> None:
    page = new_page(viewport=PHONE)
    sign_in(page, "trainer")
    cohort_id, _ = _cohort_with_a_session_today(page, trainees=2)

    page.goto(f"/cohorts/{cohort_id}/assessments")
    first_cell = page.locator(".assessment-grid tbody td.grid-cell").first
    first_cell.locator("select.result").select_option("competent")  # htmx saves the cell, no reload
    expect(first_cell.locator(".cell-state .saved")).to_be_visible()
    assert page.url.endswith(f"/cohorts/{cohort_id}/assessments")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(page, "assessments-phone.png")
    first_cell.locator(".note summary").click()  # the cell's history: every attempt, and a form for one more
    first_cell.locator(".note a").click()
    panel = page.locator("#assessment-panel form")
    expect(page.locator("ol.attempts li")).to_have_count(1)
    panel.locator("input[name=result][value=not_yet_competent]").check()
    panel.locator("input[name=method][value=observation]").check()
    panel.locator("#f-evidence").fill("Role play of a home visit")
    save_screenshot(page, "assessment-form-phone.png")
    panel.locator("button[type=submit]").click()
    page.wait_for_url(f"**/cohorts/{cohort_id}/assessments?notice=saved*")
    expect(page.locator(".assessment-grid tbody select.result").first).to_have_value("not_yet_competent")

    page.goto(f"/cohorts/{cohort_id}/modules")
    toggle = page.locator(".module-cell button.toggle").first
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.focus()
    page.keyboard.press("Space")  # htmx swaps the cell; the button keeps the focus
    expect(page.locator(".module-cell button.toggle").first).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".module-cell button.toggle").first).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(page, "modules-phone.png")
    page.reload()
    expect(page.locator(".module-cell button.toggle").first).to_have_attribute("aria-pressed", "true")
