"""The trainee's ethics quiz and pledge, and trainers' paper-based results, over HTTP on both databases."""

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import EthicsQuiz, QuizOption, QuizQuestion
from foundation.audit import AuditEntry
from foundation.clock import today
from foundation.formatting import format_date
from foundation.i18n import current_language
from foundation.roles import Role
from people.models import UserRead
from tests.conftest import post_form
from tests.integration.test_progress import Setup, enrol_new, enrol_user, running_course
from training.models import Cohort, CohortTrainer, Enrolment, PledgeAcceptance, QuizAttempt


async def read(db: AsyncSession, query: Any) -> list[Any]:
    """What the app committed, read through a session of its own (the test's objects stay as they are)."""
    async with AsyncSession(db.bind, expire_on_commit=False) as reader:
        return list((await reader.execute(query)).all())


async def attempts_of(db: AsyncSession, enrolment_id: int) -> list[QuizAttempt]:
    query = select(QuizAttempt).where(QuizAttempt.enrolment_id == enrolment_id).order_by(QuizAttempt.id)
    return [attempt for (attempt,) in await read(db, query)]


async def audit_count(db: AsyncSession, action: str) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    return int((await read(db, query))[0][0])


async def pledged(db: AsyncSession, enrolment_id: int, module_id: int) -> bool:
    query = select(PledgeAcceptance).where(
        PledgeAcceptance.enrolment_id == enrolment_id, PledgeAcceptance.module_id == module_id
    )
    return bool(await read(db, query))


def drawn(attempt: QuizAttempt) -> list[tuple[int, list[int]]]:
    return [(q, options) for q, options in (attempt.draw or {})["questions"]]


async def right_options(db: AsyncSession, module_id: int) -> dict[int, int]:
    """The right option of each question of the bank (the factory's questions are single choice)."""
    query = (
        select(QuizOption.question_id, QuizOption.id)
        .join(QuizQuestion, QuizQuestion.id == QuizOption.question_id)
        .where(QuizQuestion.module_id == module_id, QuizOption.correct)
    )
    return {question_id: option_id for question_id, option_id in await read(db, query)}


async def answers(db: AsyncSession, attempt: QuizAttempt, module_id: int, *, right: bool) -> dict[str, str]:
    """The form a trainee sends: for each drawn question the position (1 = first shown) of the right
    option, or of a wrong one."""
    correct = await right_options(db, module_id)
    form = {}
    for question_id, option_ids in drawn(attempt):
        position = option_ids.index(correct[question_id]) + 1
        form[f"q{question_id}"] = str(position if right else position % len(option_ids) + 1)
    return form


class Quiz:
    """A trainee signed in, enrolled in a running cohort of a course with an ethics module of 12 questions
    (10 drawn per attempt, pass mark 80%, 3 attempts)."""

    def __init__(self, setup: Setup, trainee: UserRead, enrolment: Enrolment):
        self.setup = setup
        self.trainee = trainee
        self.enrolment = enrolment
        self.module_id = int(setup.ethics.id or 0)
        self.url = f"/me/enrolments/{enrolment.id}/ethics/{self.module_id}"

    async def start(self, client) -> str:  # type: ignore[no-untyped-def]
        answer = await post_form(client, f"{self.url}/attempts")
        assert answer.status_code == 303, answer.text
        return str(answer.headers["location"])

    async def take(self, client, db: AsyncSession, *, right: bool) -> QuizAttempt:  # type: ignore[no-untyped-def]
        location = await self.start(client)
        attempt = (await attempts_of(db, int(self.enrolment.id or 0)))[-1]
        answer = await post_form(client, location, await answers(db, attempt, self.module_id, right=right))
        assert answer.status_code == 303, answer.text
        return attempt


@pytest.fixture
async def quiz(client, db, as_role) -> Quiz:  # type: ignore[no-untyped-def]
    trainee = await as_role(Role.trainee, language="en")
    setup = await running_course(db)
    return Quiz(setup, trainee, await enrol_user(db, setup.cohort, trainee))


async def set_cohort_status(db: AsyncSession, cohort: Cohort, status: str) -> None:
    await db.execute(update(Cohort).where(Cohort.id == cohort.id).values(status=status))
    await db.commit()


# ---------------------------------------------------------------- taking the quiz


async def test_starting_draws_and_stores_the_questions_and_shows_no_answers(client, db, quiz):
    page = (await client.get(quiz.url)).text
    assert "Start attempt" in page and "I pledge to follow the code of ethics." in page
    location = await quiz.start(client)
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    assert location == f"{quiz.url}/attempts/{attempt.id}"
    assert (attempt.mode, attempt.submitted_at, attempt.score_percent) == ("online", None, None)
    assert len(drawn(attempt)) == 10
    page = (await client.get(location)).text
    shown = re.findall(r'name="q(\d+)" value="(\d+)"', page)
    assert [int(q) for q in dict.fromkeys(q for q, _ in shown)] == [q for q, _ in drawn(attempt)]
    assert {int(position) for _, position in shown} == {1, 2, 3}  # positions, never option ids
    for marker in ("right-answer", "Right answer", "correct", "Because", "answered-"):
        assert marker not in page
    assert await audit_count(db, "quiz_attempt.start") == 1


async def test_the_questions_are_in_the_trainees_language(client, db, as_role):
    trainee = await as_role(Role.trainee)  # Khmer
    setup = await running_course(db)
    enrolment = await enrol_user(db, setup.cohort, trainee)
    answer = await post_form(client, f"/me/enrolments/{enrolment.id}/ethics/{setup.ethics.id}/attempts")
    page = (await client.get(answer.headers["location"])).text
    assert "សំណួរ" in page and "ជម្រើស" in page
    assert "Question 1" not in page and "Option 1" not in page


async def test_an_unsubmitted_attempt_is_resumed_not_replaced(client, db, quiz):
    first = await quiz.start(client)
    assert await quiz.start(client) == first
    assert len(await attempts_of(db, quiz.enrolment.id)) == 1
    assert "Continue your attempt" in (await client.get(quiz.url)).text


async def test_answers_are_graded_on_the_server_and_the_result_explains(client, db, quiz):
    attempt = await quiz.take(client, db, right=True)
    (graded,) = await attempts_of(db, quiz.enrolment.id)
    assert (graded.score_percent, graded.passed) == (100, True)
    assert graded.submitted_at is not None
    assert set(graded.answers or {}) == {str(q) for q, _ in drawn(attempt)}
    page = (await client.get(f"{quiz.url}/attempts/{attempt.id}")).text
    assert "Passed" in page and "10 of 10 right (100%)" in page
    assert "Right answer" in page and "Because" in page
    assert await audit_count(db, "quiz_attempt.submit") == 1
    checklist = (await client.get("/api/v1/me/progress")).json()["enrolments"][0]["checklist"]
    assert {"requirement": "quiz", "met": True}.items() <= checklist[4].items()


async def test_a_failed_attempt_is_recorded_with_its_score(client, db, quiz):
    attempt = await quiz.take(client, db, right=False)
    (graded,) = await attempts_of(db, quiz.enrolment.id)
    assert (graded.score_percent, graded.passed) == (0, False)
    page = (await client.get(f"{quiz.url}/attempts/{attempt.id}")).text
    assert "Not passed" in page and "0 of 10 right (0%)" in page
    assert "2 of 3 attempts left" in (await client.get(quiz.url)).text


async def test_answers_to_questions_that_were_not_drawn_are_ignored(client, db, quiz):
    location = await quiz.start(client)
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    correct = await right_options(db, quiz.module_id)
    not_drawn = set(correct) - {q for q, _ in drawn(attempt)}
    assert len(not_drawn) == 2
    form = await answers(db, attempt, quiz.module_id, right=False)
    form |= {f"q{q}": "1" for q in not_drawn}  # the bank's first option is right: forged, drawn or not
    form |= {"q999999": "1"}
    assert (await post_form(client, location, form)).status_code == 303
    (graded,) = await attempts_of(db, quiz.enrolment.id)
    assert graded.score_percent == 0
    assert set(graded.answers or {}) == {str(q) for q, _ in drawn(attempt)}


async def test_the_same_attempt_is_graded_once(client, db, quiz):
    location = await quiz.start(client)
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    form = await answers(db, attempt, quiz.module_id, right=False)
    assert (await post_form(client, location, form)).status_code == 303
    right = await answers(db, attempt, quiz.module_id, right=True)
    assert (await post_form(client, location, right)).status_code == 409
    (graded,) = await attempts_of(db, quiz.enrolment.id)
    assert graded.score_percent == 0
    assert await audit_count(db, "quiz_attempt.submit") == 1


async def test_attempts_are_limited_and_the_limit_is_explained(client, db, quiz):
    await db.execute(
        update(EthicsQuiz).where(EthicsQuiz.module_id == quiz.module_id).values(attempts_allowed=2)
    )
    await db.commit()
    for _ in range(2):
        await quiz.take(client, db, right=False)
    answer = await post_form(client, f"{quiz.url}/attempts")
    assert answer.status_code == 409
    assert "You have used all 2 attempts at this quiz" in answer.text
    assert len(await attempts_of(db, quiz.enrolment.id)) == 2
    page = (await client.get(quiz.url)).text
    assert "Start attempt" not in page and "You have used all your attempts" in page


async def test_no_new_attempt_once_passed(client, db, quiz):
    await quiz.take(client, db, right=True)
    answer = await post_form(client, f"{quiz.url}/attempts")
    assert answer.status_code == 409 and "You have passed this quiz already." in answer.text
    assert len(await attempts_of(db, quiz.enrolment.id)) == 1
    assert "Start attempt" not in (await client.get(quiz.url)).text


@pytest.mark.parametrize("cohort_status", ["planned", "closed"])
async def test_the_quiz_is_taken_only_while_the_cohort_is_open_or_running(client, db, quiz, cohort_status):
    await set_cohort_status(db, quiz.setup.cohort, cohort_status)
    page = (await client.get(quiz.url)).text
    assert "Start attempt" not in page and "only while you are enrolled" in page
    assert (await post_form(client, f"{quiz.url}/attempts")).status_code == 409
    assert (await post_form(client, f"{quiz.url}/pledge", {"accept": "1"})).status_code == 409
    assert await attempts_of(db, quiz.enrolment.id) == []
    assert not await pledged(db, quiz.enrolment.id, quiz.module_id)


async def test_an_attempt_started_before_the_cohort_closed_cannot_be_submitted_after(client, db, quiz):
    location = await quiz.start(client)
    await set_cohort_status(db, quiz.setup.cohort, "closed")
    assert (await post_form(client, location, {})).status_code == 409
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    assert attempt.submitted_at is None


async def test_a_withdrawn_trainee_cannot_take_the_quiz(client, db, quiz):
    await db.execute(update(Enrolment).where(Enrolment.id == quiz.enrolment.id).values(status="withdrawn"))
    await db.commit()
    assert (await post_form(client, f"{quiz.url}/attempts")).status_code == 409
    assert await attempts_of(db, quiz.enrolment.id) == []


# ---------------------------------------------------------------- only the enrolment's own trainee


async def test_another_trainee_can_neither_see_nor_use_my_quiz(client, db, quiz, as_role):
    location = await quiz.start(client)
    client.cookies.clear()
    other = await as_role(Role.trainee, language="en")
    await enrol_user(db, quiz.setup.cohort, other)
    assert (await client.get(quiz.url)).status_code == 403
    assert (await client.get(location)).status_code == 403
    assert (await post_form(client, location, {})).status_code == 403
    assert (await post_form(client, f"{quiz.url}/attempts")).status_code == 403
    assert (await post_form(client, f"{quiz.url}/pledge", {"accept": "1"})).status_code == 403
    assert (await client.get(f"/me/enrolments/999999/ethics/{quiz.module_id}")).status_code == 404
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    assert attempt.submitted_at is None
    assert not await pledged(db, quiz.enrolment.id, quiz.module_id)


@pytest.mark.parametrize("role", [Role.trainer, Role.admin])
async def test_staff_do_not_take_trainees_quizzes(client, db, quiz, as_role, role):
    client.cookies.clear()
    await as_role(role)
    assert (await client.get(quiz.url)).status_code == 403


async def test_only_ethics_modules_of_the_enrolments_course(client, db, quiz):
    assert (
        await client.get(f"/me/enrolments/{quiz.enrolment.id}/ethics/{quiz.setup.regular.id}")
    ).status_code == 404
    elsewhere = await running_course(db)
    assert (
        await client.get(f"/me/enrolments/{quiz.enrolment.id}/ethics/{elsewhere.ethics.id}")
    ).status_code == 404


async def test_an_attempt_is_reached_only_through_its_own_enrolment_and_module(client, db, quiz, as_role):
    await quiz.start(client)
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    second = await running_course(db)
    mine_too = await enrol_user(db, second.cohort, quiz.trainee)
    wrong = f"/me/enrolments/{mine_too.id}/ethics/{second.ethics.id}/attempts/{attempt.id}"
    assert (await client.get(wrong)).status_code == 404
    assert (await client.get(f"{quiz.url}/attempts/999999")).status_code == 404


# ---------------------------------------------------------------- the pledge


async def test_the_pledge_needs_the_box_ticked_and_is_accepted_once(client, db, quiz):
    answer = await post_form(client, f"{quiz.url}/pledge", {})
    assert answer.status_code == 422 and "Tick the box to accept the pledge." in answer.text
    assert not await pledged(db, quiz.enrolment.id, quiz.module_id)
    # Before the quiz is passed: the pledge is a requirement of its own.
    answer = await post_form(client, f"{quiz.url}/pledge", {"accept": "1"})
    assert answer.status_code == 303
    assert (await post_form(client, f"{quiz.url}/pledge", {"accept": "1"})).status_code == 303
    assert await pledged(db, quiz.enrolment.id, quiz.module_id)
    assert await audit_count(db, "pledge.accept") == 1
    page = (await client.get(quiz.url)).text
    assert "You accepted this pledge on" in page and 'name="accept"' not in page
    checklist = (await client.get("/api/v1/me/progress")).json()["enrolments"][0]["checklist"]
    assert [(item["requirement"], item["met"]) for item in checklist[4:]] == [
        ("quiz", False),
        ("pledge", True),
    ]


# ---------------------------------------------------------------- paper-based results


def paper_url(quiz: Quiz) -> str:
    return f"/cohorts/{quiz.setup.cohort.id}/enrolments/{quiz.enrolment.id}/ethics/{quiz.module_id}/paper"


PAPER = {
    "score_percent": "85",
    "taken_on": today().isoformat(),
    "note": "Read aloud: the trainee cannot read.",
}


async def sign_in_as_trainer(client, db: AsyncSession, as_role, cohort: Cohort | None) -> UserRead:  # type: ignore[no-untyped-def]
    """A trainer signed in instead of the trainee: of this cohort, or (None) of none."""
    client.cookies.clear()
    trainer = await as_role(Role.trainer, language="en")
    if cohort is not None:
        db.add(CohortTrainer(cohort_id=cohort.id, user_id=trainer.id))
        await db.commit()
    return trainer


async def test_the_cohorts_trainer_records_a_paper_result(client, db, quiz, as_role):
    trainer = await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    page = (await client.get(paper_url(quiz))).text
    assert "Paper-based quiz result" in page and "80%" in page
    answer = await post_form(client, paper_url(quiz), PAPER)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cohorts/{quiz.setup.cohort.id}/overview?notice=saved"
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    assert (attempt.mode, attempt.score_percent, attempt.passed) == ("paper", 85, True)
    assert attempt.note == PAPER["note"] and attempt.recorded_by == trainer.id
    assert attempt.submitted_at is not None and attempt.submitted_at.date() == today()
    assert await audit_count(db, "quiz_attempt.paper") == 1
    body = (await client.get(f"/api/v1/cohorts/{quiz.setup.cohort.id}/overview")).json()
    assert body["missing_counts"]["quiz"] == 0


async def test_a_paper_score_below_the_pass_mark_is_not_a_pass(client, db, quiz, as_role):
    await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    assert (await post_form(client, paper_url(quiz), PAPER | {"score_percent": "79"})).status_code == 303
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    assert attempt.passed is False


async def test_paper_results_do_not_use_up_online_attempts(client, db, quiz, as_role):
    await quiz.take(client, db, right=False)
    trainee_cookies = dict(client.cookies)
    await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    for _ in range(3):
        await post_form(client, paper_url(quiz), PAPER | {"score_percent": "10"})
    client.cookies.clear()
    client.cookies.update(trainee_cookies)
    assert "2 of 3 attempts left" in (await client.get(quiz.url)).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("note", "  ", "This field is required."),
        ("score_percent", "150", "Must be at most 100."),
        ("score_percent", "", "Write a whole number."),
        ("taken_on", (today() + timedelta(days=1)).isoformat(), "This date is in the future."),
    ],
)
async def test_a_paper_result_needs_a_score_a_past_date_and_a_note(
    client, db, quiz, as_role, field, value, message
):
    await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    answer = await post_form(client, paper_url(quiz), PAPER | {field: value})
    assert answer.status_code == 422
    assert message in answer.text and f'id="e-{field}"' in answer.text
    assert await attempts_of(db, quiz.enrolment.id) == []


async def test_paper_results_are_for_the_cohorts_trainers_and_admins_only(client, db, quiz, as_role):
    assert (await client.get(paper_url(quiz))).status_code == 403  # the trainee themself
    await sign_in_as_trainer(client, db, as_role, None)
    assert (await client.get(paper_url(quiz))).status_code == 403
    assert (await post_form(client, paper_url(quiz), PAPER)).status_code == 403
    client.cookies.clear()
    await as_role(Role.admin, language="en")
    assert (await post_form(client, paper_url(quiz), PAPER)).status_code == 303
    assert len(await attempts_of(db, quiz.enrolment.id)) == 1


async def test_no_paper_result_in_a_closed_cohort_or_for_another_cohorts_enrolment(client, db, quiz, as_role):
    await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    elsewhere = await enrol_new(db, (await running_course(db)).cohort)
    wrong = f"/cohorts/{quiz.setup.cohort.id}/enrolments/{elsewhere.id}/ethics/{quiz.module_id}/paper"
    assert (await client.get(wrong)).status_code == 404
    await set_cohort_status(db, quiz.setup.cohort, "closed")
    assert "This cohort is closed" in (await client.get(paper_url(quiz))).text
    assert (await post_form(client, paper_url(quiz), PAPER)).status_code == 409
    assert await attempts_of(db, quiz.enrolment.id) == []


# ---------------------------------------------------------------- every question answered; what reviews show


async def set_quiz(db: AsyncSession, quiz: Quiz, **settings: int) -> None:
    await db.execute(update(EthicsQuiz).where(EthicsQuiz.module_id == quiz.module_id).values(**settings))
    await db.commit()


async def test_an_incomplete_submission_is_refused_with_the_unanswered_questions_marked(client, db, quiz):
    location = await quiz.start(client)
    (attempt,) = await attempts_of(db, quiz.enrolment.id)
    form = await answers(db, attempt, quiz.module_id, right=True)
    (first, _), (second, _), (third, _) = drawn(attempt)[:3]
    del form[f"q{first}"]
    form[f"q{second}"] = "9"  # no such position: not an answer
    answer = await post_form(client, location, form)
    assert answer.status_code == 422
    page = answer.text
    assert "Answer every question before you submit. Nothing was recorded and no attempt was used." in page
    for question in (first, second):
        assert f'aria-invalid="true" aria-describedby="e-q{question}"' in page
        assert f'<p class="error" id="e-q{question}">Answer this question.</p>' in page
    assert page.count('aria-invalid="true"') == len(re.findall(rf'name="q({first}|{second})"', page))
    assert f'name="q{third}" value="{form[f"q{third}"]}" checked' in page  # the answers given are kept
    assert "right-answer" not in page and "Because" not in page
    (kept,) = await attempts_of(db, quiz.enrolment.id)
    assert (kept.submitted_at, kept.answers, kept.score_percent) == (None, None, None)
    assert await audit_count(db, "quiz_attempt.submit") == 0
    assert "Continue your attempt" in (await client.get(quiz.url)).text
    # Completed, the same attempt is graded: it was never used up.
    complete = await answers(db, attempt, quiz.module_id, right=True)
    assert (await post_form(client, location, complete)).status_code == 303
    (graded,) = await attempts_of(db, quiz.enrolment.id)
    assert (graded.score_percent, graded.passed) == (100, True)


async def test_single_choice_questions_are_required_in_the_browser_too(client, db, quiz):
    page = (await client.get(await quiz.start(client))).text
    radios = re.findall(r'<input type="radio"[^>]*>', page)
    assert radios and all(" required" in radio for radio in radios)


async def review(client, quiz: Quiz, attempt: QuizAttempt) -> str:  # type: ignore[no-untyped-def]
    answer = await client.get(f"{quiz.url}/attempts/{attempt.id}")
    assert answer.status_code == 200
    return str(answer.text)


def shows_right_answers(page: str) -> bool:
    return "Right answer" in page or "right-answer" in page or "Because" in page


async def test_after_a_failed_attempt_the_review_shows_what_was_wrong_not_the_right_answers(client, db, quiz):
    attempt = await quiz.take(client, db, right=False)
    page = await review(client, quiz, attempt)
    assert "Not passed" in page and page.count(">Wrong<") == 10 and page.count("Your answer") == 10
    assert not shows_right_answers(page)
    assert "The right answers and explanations show once you pass, or after your last attempt." in page
    assert "Online: see the review" in (await client.get(quiz.url)).text
    # Nor through JSON: the trainee's progress says nothing of the answers, the bank is for admins only.
    progress = (await client.get("/api/v1/me/progress")).text
    assert "Because" not in progress and "correct" not in progress
    bank = await client.get(f"/api/v1/courses/{quiz.setup.course.id}/modules/{quiz.module_id}/quiz")
    assert bank.status_code == 403 and "Because" not in bank.text and "correct" not in bank.text


async def test_the_right_answers_show_after_the_last_attempt(client, db, quiz):
    await set_quiz(db, quiz, attempts_allowed=2)
    first = await quiz.take(client, db, right=False)
    assert not shows_right_answers(await review(client, quiz, first))
    second = await quiz.take(client, db, right=False)
    for attempt in (first, second):
        page = await review(client, quiz, attempt)
        assert page.count("Right answer") == 10 and "Because" in page
        assert "show once you pass" not in page


async def test_once_passed_every_review_shows_the_right_answers(client, db, quiz):
    failed = await quiz.take(client, db, right=False)
    passed = await quiz.take(client, db, right=True)
    for attempt in (failed, passed):
        page = await review(client, quiz, attempt)
        assert page.count("Right answer") == 10 and "Because" in page


async def test_a_retake_draws_questions_not_seen_before_where_the_bank_allows(client, db, quiz):
    await set_quiz(db, quiz, questions_per_attempt=5)  # a bank of 12
    for _ in range(3):
        await quiz.take(client, db, right=False)
    first, second, third = [{q for q, _ in drawn(a)} for a in await attempts_of(db, quiz.enrolment.id)]
    assert len(first) == len(second) == len(third) == 5
    assert not first & second  # 7 not seen: 5 new ones
    assert len(third - first - second) == 2  # only 2 left unseen: topped up with 3 seen ones
    assert len(first | second | third) == 12


# ---------------------------------------------------------------- pledges signed on paper


def paper_pledge_url(quiz: Quiz) -> str:
    return paper_url(quiz).replace("/paper", "/paper-pledge")


def english_today() -> str:
    """Today as an English page writes it."""
    token = current_language.set("en")
    try:
        return format_date(today())
    finally:
        current_language.reset(token)


PAPER_PLEDGE = {"signed_on": today().isoformat(), "note": "Signed form filed in the cohort binder."}


async def pledges_of(db: AsyncSession, enrolment_id: int) -> list[PledgeAcceptance]:
    query = select(PledgeAcceptance).where(PledgeAcceptance.enrolment_id == enrolment_id)
    return [pledge for (pledge,) in await read(db, query)]


async def test_the_cohorts_trainer_records_a_paper_pledge_and_it_counts(client, db, quiz, as_role):
    trainee_cookies = dict(client.cookies)
    trainer = await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    overview = (await client.get(f"/cohorts/{quiz.setup.cohort.id}/overview")).text
    assert f'href="{paper_pledge_url(quiz)}"' in overview and "Record a paper pledge" in overview
    page = (await client.get(paper_pledge_url(quiz))).text
    assert "Pledge signed on paper" in page and "I pledge to follow the code of ethics." in page
    answer = await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cohorts/{quiz.setup.cohort.id}/overview?notice=saved"
    (pledge,) = await pledges_of(db, quiz.enrolment.id)
    assert (pledge.module_id, pledge.mode, pledge.note) == (quiz.module_id, "paper", PAPER_PLEDGE["note"])
    assert pledge.recorded_by == trainer.id and pledge.accepted_at.date() == today()
    assert await audit_count(db, "pledge.paper") == 1
    signed = f"Code of ethics pledge: signed on paper ({english_today()})"
    body = (await client.get(f"/api/v1/cohorts/{quiz.setup.cohort.id}/overview")).json()
    assert body["missing_counts"]["pledge"] == 0
    assert signed in [item["text"] for item in body["enrolments"][0]["checklist"]]
    overview = (await client.get(f"/cohorts/{quiz.setup.cohort.id}/overview")).text
    assert signed in overview and "Record a paper pledge" not in overview
    client.cookies.clear()
    client.cookies.update(trainee_cookies)
    assert signed in (await client.get("/me")).text
    module_page = (await client.get(quiz.url)).text
    assert "You signed this pledge on paper on" in module_page and 'name="accept"' not in module_page


async def test_an_online_pledge_reads_as_accepted_online(client, db, quiz):
    assert (await post_form(client, f"{quiz.url}/pledge", {"accept": "1"})).status_code == 303
    (pledge,) = await pledges_of(db, quiz.enrolment.id)
    assert (pledge.mode, pledge.recorded_by) == ("online", None)
    assert f"Code of ethics pledge: accepted online ({english_today()})" in (await client.get("/me")).text
    assert "You accepted this pledge online on" in (await client.get(quiz.url)).text


async def test_a_second_pledge_is_refused_saying_when_and_how(client, db, quiz, as_role):
    trainee_cookies = dict(client.cookies)
    await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    assert (await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE)).status_code == 303
    answer = await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE | {"note": "Again"})
    assert answer.status_code == 409
    assert f"This pledge was already signed on paper on {english_today()}." in answer.text
    assert "already signed on paper" in (await client.get(paper_pledge_url(quiz))).text
    (pledge,) = await pledges_of(db, quiz.enrolment.id)
    assert pledge.note == PAPER_PLEDGE["note"]
    assert await audit_count(db, "pledge.paper") == 1
    # The trainee accepting online afterwards changes nothing either.
    client.cookies.clear()
    client.cookies.update(trainee_cookies)
    assert (await post_form(client, f"{quiz.url}/pledge", {"accept": "1"})).status_code == 303
    assert [p.mode for p in await pledges_of(db, quiz.enrolment.id)] == ["paper"]


async def test_a_paper_pledge_after_an_online_one_is_refused_in_the_trainers_language(
    client, db, quiz, as_role
):
    assert (await post_form(client, f"{quiz.url}/pledge", {"accept": "1"})).status_code == 303
    client.cookies.clear()
    trainer = await as_role(Role.trainer)  # Khmer
    db.add(CohortTrainer(cohort_id=quiz.setup.cohort.id, user_id=trainer.id))
    await db.commit()
    answer = await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE)
    assert answer.status_code == 409
    assert "សេចក្តីប្តេជ្ញានេះត្រូវបានទទួលយកតាមអនឡាញរួចហើយ" in answer.text
    assert [p.mode for p in await pledges_of(db, quiz.enrolment.id)] == ["online"]
    assert await audit_count(db, "pledge.paper") == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("note", "  ", "This field is required."),
        ("signed_on", "", "Not a date"),
        ("signed_on", (today() + timedelta(days=1)).isoformat(), "This date is in the future."),
        ("signed_on", (today() - timedelta(days=1)).isoformat(), "The trainee enrolled on"),
    ],
)
async def test_a_paper_pledge_needs_a_note_and_a_date_from_the_enrolment_to_today(
    client, db, quiz, as_role, field, value, message
):
    await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    answer = await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE | {field: value})
    assert answer.status_code == 422, answer.text
    assert message in answer.text and f'id="e-{field}"' in answer.text
    assert await pledges_of(db, quiz.enrolment.id) == []
    assert await audit_count(db, "pledge.paper") == 0


async def test_paper_pledges_are_for_the_cohorts_trainers_and_admins_only(client, db, quiz, as_role):
    assert (await client.get(paper_pledge_url(quiz))).status_code == 403  # the trainee themself
    assert (await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE)).status_code == 403
    await sign_in_as_trainer(client, db, as_role, None)  # another trainer's cohort
    assert (await client.get(paper_pledge_url(quiz))).status_code == 403
    answer = await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE)
    assert answer.status_code == 403 and "This cohort is not one of yours." in answer.text
    assert await pledges_of(db, quiz.enrolment.id) == []
    client.cookies.clear()
    await as_role(Role.admin, language="en")
    assert (await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE)).status_code == 303
    assert len(await pledges_of(db, quiz.enrolment.id)) == 1


async def test_no_paper_pledge_for_a_withdrawn_trainee_a_closed_cohort_or_elsewhere(
    client, db, quiz, as_role
):
    await sign_in_as_trainer(client, db, as_role, quiz.setup.cohort)
    elsewhere = await enrol_new(db, (await running_course(db)).cohort)
    wrong = paper_pledge_url(quiz).replace(
        f"/enrolments/{quiz.enrolment.id}/", f"/enrolments/{elsewhere.id}/"
    )
    assert (await post_form(client, wrong, PAPER_PLEDGE)).status_code == 404
    regular = paper_pledge_url(quiz).replace(
        f"/ethics/{quiz.module_id}/", f"/ethics/{quiz.setup.regular.id}/"
    )
    assert (await post_form(client, regular, PAPER_PLEDGE)).status_code == 404
    await db.execute(update(Enrolment).where(Enrolment.id == quiz.enrolment.id).values(status="withdrawn"))
    await db.commit()
    assert "only for trainees who are enrolled" in (await client.get(paper_pledge_url(quiz))).text
    answer = await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE)
    assert (
        answer.status_code == 409
        and "Pledges are recorded only for trainees who are enrolled." in answer.text
    )
    await db.execute(update(Enrolment).where(Enrolment.id == quiz.enrolment.id).values(status="enrolled"))
    await set_cohort_status(db, quiz.setup.cohort, "closed")
    assert (await post_form(client, paper_pledge_url(quiz), PAPER_PLEDGE)).status_code == 409
    assert await pledges_of(db, quiz.enrolment.id) == []
    assert await audit_count(db, "pledge.paper") == 0
