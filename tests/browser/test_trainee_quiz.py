"""On a phone, a trainee opens My progress, takes the ethics quiz (an incomplete form is refused, a failed
attempt's review keeps the right answers back, the retake asks new questions and the pass explains), and
accepts the pledge."""

import secrets
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect

from foundation.clock import today
from tests.browser.conftest import SignIn, demo_login, save_screenshot

PHONE = {"width": 390, "height": 800}


def _api_headers(page: Page) -> dict[str, str]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"x-csrftoken": token}


def api(page: Page, path: str, data: dict[str, object] | None = None) -> dict:  # type: ignore[type-arg]
    """A JSON API call as the signed-in user: GET, or POST when there is a body."""
    if data is None:
        answer = page.request.get(path)
    else:
        answer = page.request.post(path, data=data, headers=_api_headers(page))
    assert answer.ok, f"{path}: {answer.status} {answer.text()}"
    return answer.json()  # type: ignore[no-any-return]


def running_demo_cohort(admin: Page) -> tuple[int, int]:
    """As the admin, a running cohort of a published demo course, trained by the demo trainer, with a
    session tomorrow. Returns (cohort, ethics module) ids."""
    # A demo course by its code: other browser tests publish small courses of their own.
    [course] = [
        c for c in api(admin, "/api/v1/courses?status=published&q=SW101")["items"] if c["code"] == "SW101"
    ]
    modules = api(admin, f"/api/v1/courses/{course['id']}")["modules"]
    ethics_id = next(m["id"] for m in modules if m["kind"] == "ethics")
    [trainer] = api(admin, f"/api/v1/users?q={demo_login('trainer')[0]}")["items"]
    cohort = api(
        admin,
        "/api/v1/cohorts",
        {
            "code": f"QUIZ-{secrets.token_hex(3).upper()}",
            "course_id": course["id"],
            "trainer_ids": [trainer["id"]],
            "venue_province_code": "12",
            "venue": "NISA, Phnom Penh",
            "start_date": today().isoformat(),
            "end_date": (today() + timedelta(days=5)).isoformat(),
            "capacity": 30,
        },
    )
    tomorrow = (today() + timedelta(days=1)).isoformat()
    api(admin, f"/api/v1/cohorts/{cohort['id']}/sessions", {"day": tomorrow, "module_ids": [ethics_id]})
    api(admin, f"/api/v1/cohorts/{cohort['id']}/status", {"status": "running"})
    return cohort["id"], ethics_id


def enrol(admin: Page, cohort_id: int, trainee_id: int) -> int:
    return int(api(admin, f"/api/v1/cohorts/{cohort_id}/enrolments", {"trainee_id": trainee_id})["id"])


def demo_trainee_id(admin: Page) -> int:
    """The trainee record of the demo trainee's login."""
    email, _ = demo_login("trainee")
    [user] = api(admin, f"/api/v1/users?q={email}")["items"]
    return int(user["trainee_id"])


def _enrol_the_demo_trainee(admin: Page) -> tuple[int, int, int]:
    """The demo trainee enrolled in a new running cohort. Returns (cohort, enrolment, ethics module) ids."""
    cohort_id, ethics_id = running_demo_cohort(admin)
    return cohort_id, enrol(admin, cohort_id, demo_trainee_id(admin)), ethics_id


def _right_options(admin: Page, module_id: int) -> dict[str, set[str]]:
    """The right options' texts by question text, in both languages, from the question bank (admins only)."""
    [course] = [
        c for c in api(admin, "/api/v1/courses?status=published&q=SW101")["items"] if c["code"] == "SW101"
    ]
    bank = api(admin, f"/api/v1/courses/{course['id']}/modules/{module_id}/quiz")["questions"]
    right: dict[str, set[str]] = {}
    for question in bank:
        texts = {text for o in question["options"] if o["correct"] for text in (o["text_km"], o["text_en"])}
        right[question["text_km"]] = right[question["text_en"]] = texts
    return right


def _answer(question: Locator, right: dict[str, set[str]], *, correctly: bool) -> None:
    """Ticks the right options of a question, or (not correctly) one wrong option."""
    expected = right[question.locator("legend").inner_text().strip()]
    choices = question.locator("label.choice")
    for index in range(choices.count()):
        choice = choices.nth(index)
        if (choice.inner_text().strip() in expected) == correctly:
            choice.locator("input").check()
            if not correctly:
                return


def _questions_asked(page: Page) -> set[str]:
    return {text.strip() for text in page.locator(".quiz-questions legend").all_inner_texts()}


def test_trainee_takes_the_ethics_quiz_and_accepts_the_pledge_on_a_phone(
    new_page: Callable[..., Page], live_server: str, sign_in: SignIn
) -> None:
    admin = new_page()
    sign_in(admin, "admin")
    cohort_id, enrolment_id, module_id = _enrol_the_demo_trainee(admin)
    module_url = f"/me/enrolments/{enrolment_id}/ethics/{module_id}"

    page = new_page(viewport=PHONE)
    sign_in(page, "trainee")
    page.locator("main a[href='/me']").click()
    expect(page).to_have_url(f"{live_server}/me")
    # The new cohort's one session, beside those of the demo's running cohort.
    code = api(admin, f"/api/v1/cohorts/{cohort_id}")["code"]
    expect(page.locator(".upcoming-sessions li", has_text=code)).to_have_count(1)
    page.locator(f".progress-checklist a[href='{module_url}']").first.click()
    expect(page).to_have_url(f"{live_server}{module_url}")

    right = _right_options(admin, module_id)
    start = page.locator(f"form[action='{module_url}/attempts'] button[type=submit]")
    start.click()
    page.wait_for_url(f"**{module_url}/attempts/*")
    attempt_url = page.url
    questions = page.locator(".quiz-questions > li")
    expect(questions.first).to_be_visible()
    assert page.locator(".right-answer, .explanation").count() == 0  # nothing given away before submitting
    first_asked = _questions_asked(page)
    for index in range(questions.count() - 1):  # the last question left unanswered
        _answer(questions.nth(index), right, correctly=False)
    submit = page.locator("form.quiz button[type=submit]")
    # The server refuses it too (the browser's own warning set aside): the question is marked, nothing used.
    page.locator("form.quiz").evaluate("form => form.noValidate = true")
    submit.click()
    expect(page.locator(".alert[role=alert]")).to_be_visible()
    assert page.url == attempt_url
    unanswered = questions.last
    expect(unanswered.locator(".error")).to_be_visible()
    expect(unanswered.locator("input").first).to_have_attribute("aria-invalid", "true")
    expect(questions.first.locator("input:checked")).to_have_count(1)  # the answers given are kept
    assert page.locator("[aria-invalid=true]").count() == unanswered.locator("input").count()
    save_screenshot(page, "trainee-quiz-incomplete.png", full_page=False)
    _answer(unanswered, right, correctly=False)
    submit.click()

    # Failed: the review says what was wrong, not what was right.
    expect(page.locator(".quiz-result.failed .verdict")).to_be_visible()
    expect(page.locator(".quiz-questions > li.answered-wrong")).to_have_count(len(first_asked))
    assert page.locator(".right-answer, .explanation").count() == 0
    save_screenshot(page, "trainee-quiz-review.png", full_page=False)

    # The retake asks questions not seen before as far as the bank goes (18 in the bank, 10 an attempt).
    page.goto(module_url)
    start.click()
    page.wait_for_url(f"**{module_url}/attempts/*")
    expect(questions.first).to_be_visible()
    second_asked = _questions_asked(page)
    assert len(second_asked & first_asked) <= 2, second_asked & first_asked
    for index in range(questions.count()):
        _answer(questions.nth(index), right, correctly=True)
    submit.click()

    expect(page.locator(".quiz-result.passed .verdict")).to_be_visible()
    expect(page.locator(".quiz-result")).to_contain_text("%")
    expect(page.locator(".explanation").first).to_be_visible()
    expect(page.locator(".right-answer").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    save_screenshot(page, "trainee-quiz.png", full_page=False)  # the verdict and first answers

    page.locator(f"a.primary[href='{module_url}#pledge']").click()
    page.locator("#f-accept").check()
    page.locator(".pledge-form button[type=submit]").click()
    page.wait_for_url(f"**{module_url}?notice=saved*")
    expect(page.locator("#pledge .notice")).to_be_visible()
    expect(page.locator(".pledge-form")).to_have_count(0)
    save_screenshot(page, "trainee-pledge.png")

    page.goto("/me")
    # The demo trainee also has the demo cohort's enrolment: look at this cohort's card only.
    card = page.locator(f"article.enrolment-card:has(a[href='{module_url}'])")
    expect(card.locator(".progress-checklist li").last).to_have_class("met")  # the pledge, now accepted
    save_screenshot(page, "trainee-progress.png")

    # The cohort's overview says what the trainee still misses; the pledge is no longer among it.
    admin.set_viewport_size(PHONE)
    admin.goto(f"/cohorts/{cohort_id}/overview")
    row = admin.locator("table.overview tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".tag.missing")).not_to_have_count(0)
    admin.goto(f"/cohorts/{cohort_id}/overview?missing=pledge")
    expect(admin.locator("table.overview tbody tr td[colspan]")).to_have_count(1)  # nobody
    admin.goto(f"/cohorts/{cohort_id}/overview")
    row.locator("summary").click()
    save_screenshot(admin, "cohort-overview.png")
