"""An administrator builds a course in Chromium: framework, draft, modules, competencies, quiz, publish."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SignIn, save_screenshot

pytestmark = pytest.mark.browser

CODE = "BRW-101"  # no demo course has this code


def _submit(page: Page, action: str) -> None:
    page.locator(f"form[action='{action}'] button[type=submit]").first.click()


def _id_in_url(page: Page, pattern: str) -> int:
    match = re.search(pattern, page.url)
    assert match, page.url
    return int(match.group(1))


def _fill(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.locator(f"#f-{name}").fill(value)


def _make_framework(page: Page) -> str:
    """A framework with one domain and one competency, through the framework pages; its competency's code."""
    page.goto("/admin/frameworks/new")
    _fill(page, {"code": "BRW-FW", "title_km": "ក្របខណ្ឌសាកល្បង", "title_en": "Browser framework"})
    _submit(page, "/admin/frameworks/new")
    framework_id = _id_in_url(page, r"/admin/frameworks/(\d+)")
    page.goto(f"/admin/frameworks/{framework_id}/domains/new")
    _fill(page, {"code": "BD1", "title_km": "ដែនសាកល្បង", "title_en": "Browser domain"})
    _submit(page, f"/admin/frameworks/{framework_id}/domains/new")
    page.goto(f"/admin/frameworks/{framework_id}/competencies/new")
    domain = page.locator("#f-domain_id option", has_text="Browser domain").get_attribute("value")
    page.locator("#f-domain_id").select_option(domain)
    _fill(page, {"code": "BD1.1", "title_km": "ការស្តាប់យ៉ាងយកចិត្តទុកដាក់", "title_en": "Listens actively"})
    _submit(page, f"/admin/frameworks/{framework_id}/competencies/new")
    expect(page.get_by_text("Listens actively").first).to_be_visible()
    return "BD1.1"


def _add_module(page: Page, course_id: int, title_km: str, title_en: str, hours: str, kind: str) -> None:
    page.locator(f"a[href='/admin/courses/{course_id}/modules/new']").click()
    _fill(page, {"title_km": title_km, "title_en": title_en, "hours": hours})
    page.locator(f"input[name=kind][value={kind}]").check()
    _submit(page, f"/admin/courses/{course_id}/modules/new")
    expect(page.locator("table.modules")).to_contain_text(title_en)


def _add_question(page: Page, quiz_url: str, n: int) -> None:
    page.goto(f"{quiz_url}/questions/new")
    _fill(
        page,
        {
            "text_km": f"សំណួរទី {n}",
            "text_en": f"Question {n}: what does the code of ethics ask first?",
            "option_1_km": "គោរពសេចក្តីថ្លៃថ្នូររបស់មនុស្ស",
            "option_1_en": "Respect for human dignity",
            "option_2_km": "ល្បឿន",
            "option_2_en": "Speed",
        },
    )
    page.locator("input[name=option_1_correct]").check()
    _submit(page, f"{quiz_url}/questions/new")


def test_admin_builds_and_publishes_a_course(page: Page, live_server: str, sign_in: SignIn) -> None:
    sign_in(page, "admin")
    page.locator("form.language-switch button[value=en]").click()
    competency_code = _make_framework(page)

    page.goto("/admin/courses")
    page.locator(".page-head a[href='/admin/courses/new']").click()
    _fill(
        page,
        {
            "code": CODE,
            "title_km": "មូលដ្ឋានគ្រឹះការងារសង្គមកិច្ច",
            "title_en": "Foundations of social work",
            "hours": "20",
            "min_attendance_percent": "80",
            "validity_months": "36",
            "certificate_title_en": "Certificate of completion",
            "signatory_name_en": "Director of NISA",
        },
    )
    _submit(page, "/admin/courses/new")
    course_id = _id_in_url(page, r"/admin/courses/(\d+)\?notice=created")
    expect(page.locator(".course-status")).to_contain_text("Draft")

    _add_module(page, course_id, "ការវាយតម្លៃករណី", "Case assessment", "14", "regular")
    _add_module(page, course_id, "ក្រមសីលធម៌", "Code of ethics", "6", "ethics")

    page.locator(f"a[href='/admin/courses/{course_id}/competencies']").click()
    row = page.locator("tr", has_text="Listens actively")
    row.locator("input[name=competency]").check()
    _submit(page, f"/admin/courses/{course_id}/competencies")
    expect(page.locator("#competencies")).to_contain_text(competency_code)

    page.locator("table.modules tr", has_text="Code of ethics").get_by_role(
        "link", name="Quiz and pledge"
    ).click()
    quiz_url = page.url.split("?")[0]
    assert re.search(rf"/admin/courses/{course_id}/modules/\d+/quiz$", quiz_url), quiz_url
    _fill(
        page,
        {
            "questions_per_attempt": "2",
            "pass_mark_percent": "80",
            "pledge_km": "ខ្ញុំសន្យាគោរពក្រមសីលធម៌",
            "pledge_en": "I pledge to follow the code of ethics.",
        },
    )
    _submit(page, quiz_url.removeprefix(live_server))
    for n in (1, 2):
        _add_question(page, quiz_url.removeprefix(live_server), n)

    page.goto(f"/admin/courses/{course_id}")
    expect(page.get_by_text("This draft is ready to be published.")).to_be_visible()
    page.locator(f"a[href='/admin/courses/{course_id}/publish']").click()  # publishing asks first
    expect(page.locator("section.confirm")).to_be_visible()
    _submit(page, f"/admin/courses/{course_id}/publish")
    expect(page).to_have_url(f"{live_server}/admin/courses/{course_id}?notice=published")
    expect(page.locator(".course-status")).to_contain_text("Published")
    expect(page.locator("#completion")).to_contain_text(
        "Passes the quiz of the ethics module “Code of ethics”"
    )
    save_screenshot(page, "course-published.png")
