"""Ethics modules' quiz settings, pledge and question bank, and the preview, over HTTP on both databases."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import Course, CourseModule, EthicsQuiz, QuizOption, QuizQuestion
from foundation.audit import AuditEntry
from foundation.roles import Role
from tests.conftest import csrf_token, post_form
from tests.curriculum_factories import make_course

QUESTION = {
    "kind": "single",
    "text_km": "តើបុគ្គលិកសង្គមកិច្ចត្រូវរក្សាការសម្ងាត់ដែរឬទេ?",
    "text_en": "Must a social worker keep information confidential?",
    "explanation_km": "ការសម្ងាត់ការពារអតិថិជន។",
    "explanation_en": "Confidentiality protects the client.",
    "option_1_km": "បាទ/ចាស",
    "option_1_en": "Yes",
    "option_1_correct": "1",
    "option_2_km": "ទេ",
    "option_2_en": "No",
    "option_3_km": "",
    "option_3_en": "",
}
SETTINGS = {
    "questions_per_attempt": "5",
    "pass_mark_percent": "70",
    "attempts_allowed": "2",
    "pledge_km": "ខ្ញុំសន្យាគោរពក្រមសីលធម៌។",
    "pledge_en": "I pledge to respect the code of ethics.",
}


async def ethics_module(db: AsyncSession, course: Course) -> int:
    query = select(CourseModule.id).where(CourseModule.course_id == course.id, CourseModule.kind == "ethics")
    return int((await db.execute(query)).scalar_one())


async def quiz_url(db: AsyncSession, **fields: object) -> tuple[str, int, int]:
    course = await make_course(db, **fields)  # type: ignore[arg-type]
    module_id = await ethics_module(db, course)
    return f"/admin/courses/{course.id}/modules/{module_id}/quiz", int(course.id or 0), module_id


async def published_quiz_url(db: AsyncSession) -> tuple[str, int, int]:
    return await quiz_url(db, status="published", published_at=datetime.now(UTC))


async def questions(db: AsyncSession, module_id: int) -> list[QuizQuestion]:
    await db.rollback()
    db.expire_all()
    query = select(QuizQuestion).where(QuizQuestion.module_id == module_id).order_by(QuizQuestion.position)
    return [QuizQuestion(**q.model_dump()) for q in (await db.execute(query)).scalars()]  # detached copies


async def options(db: AsyncSession, question_id: int) -> list[QuizOption]:
    query = select(QuizOption).where(QuizOption.question_id == question_id).order_by(QuizOption.position)
    return [QuizOption(**o.model_dump()) for o in (await db.execute(query)).scalars()]


async def settings_of(db: AsyncSession, module_id: int) -> EthicsQuiz:
    await db.rollback()
    db.expire_all()
    quiz = await db.get(EthicsQuiz, module_id)
    assert quiz is not None
    return quiz


async def audit_actions(db: AsyncSession) -> list[str]:
    await db.rollback()
    query = select(AuditEntry.action).where(~AuditEntry.action.startswith("user.")).order_by(AuditEntry.id)
    return list((await db.execute(query)).scalars())


@pytest.fixture
async def admin(as_role):  # type: ignore[no-untyped-def]
    return await as_role(Role.admin, language="en")


# ---------------------------------------------------------------- settings and pledge


async def test_admin_sees_the_settings_and_the_question_bank(client, db, admin):
    url, course_id, _ = await quiz_url(db, questions=3)
    page = await client.get(url)
    assert page.status_code == 200
    assert 'name="pass_mark_percent"' in page.text and 'value="80"' in page.text
    assert "Question 1" in page.text and "Question 3" in page.text and "3 questions" in page.text
    assert f'href="/admin/courses/{course_id}"' in page.text
    assert "fewer questions than an attempt draws" not in page.text
    await post_form(client, url, SETTINGS | {"questions_per_attempt": "4"})
    # Fewer questions than an attempt draws: the admin is warned.
    assert "fewer questions than an attempt draws" in (await client.get(url)).text


async def test_settings_and_pledge_are_saved_and_logged(client, db, admin):
    url, _, module_id = await quiz_url(db)
    response = await post_form(client, url, SETTINGS)
    assert response.status_code == 303 and response.headers["location"] == f"{url}?notice=saved"
    quiz = await settings_of(db, module_id)
    assert (quiz.questions_per_attempt, quiz.pass_mark_percent, quiz.attempts_allowed) == (5, 70, 2)
    assert quiz.pledge_en == "I pledge to respect the code of ethics."
    entry = (
        await db.execute(select(AuditEntry).where(AuditEntry.action == "ethics_quiz.update"))
    ).scalar_one()
    assert entry.before["pass_mark_percent"] == 80 and entry.after["pass_mark_percent"] == 70
    assert entry.entity_id == str(module_id)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pass_mark_percent", "101", "Must be at most 100."),
        ("questions_per_attempt", "0", "Must be at least 1."),
        ("attempts_allowed", "many", "Write a whole number."),
    ],
)
async def test_bad_settings_are_answered_next_to_the_field_and_nothing_is_saved(
    client, db, admin, field, value, message
):
    url, _, module_id = await quiz_url(db)
    response = await post_form(client, url, SETTINGS | {field: value})
    assert response.status_code == 422
    assert message in response.text and 'aria-invalid="true"' in response.text
    assert f'value="{value}"' in response.text  # what was typed is kept
    quiz = await settings_of(db, module_id)
    assert (quiz.questions_per_attempt, quiz.pass_mark_percent, quiz.attempts_allowed) == (10, 80, 3)
    assert "ethics_quiz.update" not in await audit_actions(db)


async def test_a_module_without_a_quiz_gets_the_defaults_on_first_access(client, db, admin):
    url, _, module_id = await quiz_url(db)
    quiz = await db.get(EthicsQuiz, module_id)
    await db.delete(quiz)
    await db.commit()
    assert (await client.get(url)).status_code == 200
    assert (await settings_of(db, module_id)).pass_mark_percent == 80


async def test_unknown_and_regular_modules_have_no_quiz(client, db, admin):
    url, course_id, module_id = await quiz_url(db)
    regular = (
        await db.execute(
            select(CourseModule.id).where(CourseModule.course_id == course_id, CourseModule.kind == "regular")
        )
    ).scalar_one()
    other_course = await make_course(db)
    for wrong in (
        f"/admin/courses/{course_id}/modules/{regular}/quiz",
        f"/admin/courses/{course_id}/modules/999999/quiz",
        f"/admin/courses/{other_course.id}/modules/{module_id}/quiz",
        f"{url}/questions/999999",
    ):
        response = await client.get(wrong)
        assert response.status_code == 404, wrong


# ---------------------------------------------------------------- the question bank


async def test_admin_adds_a_question_and_empty_option_rows_are_ignored(client, db, admin):
    url, _, module_id = await quiz_url(db, questions=2)
    form = await client.get(f"{url}/questions/new")
    assert form.status_code == 200 and 'name="option_6_km"' in form.text
    response = await post_form(client, f"{url}/questions/new", QUESTION)
    assert response.status_code == 303 and response.headers["location"] == f"{url}?notice=created"
    *_, added = await questions(db, module_id)
    assert (added.position, added.text_en, added.explanation_en) == (
        3,
        QUESTION["text_en"],
        QUESTION["explanation_en"],
    )
    stored = await options(db, int(added.id or 0))
    assert [(o.text_en, o.correct) for o in stored] == [("Yes", True), ("No", False)]
    entry = (
        await db.execute(select(AuditEntry).where(AuditEntry.action == "quiz_question.create"))
    ).scalar_one()
    assert entry.after["options"][0]["text_en"] == "Yes"


async def test_a_multiple_choice_question_may_have_several_right_options(client, db, admin):
    url, _, module_id = await quiz_url(db, questions=0)
    data = QUESTION | {
        "kind": "multiple",
        "option_2_correct": "1",
        "option_3_km": "មិនដឹង",
        "option_3_en": "Maybe",
    }
    assert (await post_form(client, f"{url}/questions/new", data)).status_code == 303
    [added] = await questions(db, module_id)
    assert added.kind == "multiple"
    assert [o.correct for o in await options(db, int(added.id or 0))] == [True, True, False]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"option_2_km": "", "option_2_en": ""}, "Give at least two options."),
        ({"option_1_correct": None}, "A single-choice question needs exactly one correct option."),
        ({"option_2_correct": "1"}, "A single-choice question needs exactly one correct option."),
        ({"kind": "multiple", "option_1_correct": None}, "Mark at least one option as correct."),
        ({"text_en": ""}, "This field is required."),
        ({"option_2_en": ""}, "This field is required."),
    ],
)
async def test_bad_questions_are_answered_clearly_and_nothing_is_saved(client, db, admin, change, message):
    url, _, module_id = await quiz_url(db, questions=1)
    data = {k: v for k, v in (QUESTION | change).items() if v is not None}
    response = await post_form(client, f"{url}/questions/new", data)
    assert response.status_code == 422
    assert message in response.text
    assert QUESTION["text_km"] in response.text or not data["text_en"]  # the typed text is kept
    assert len(await questions(db, module_id)) == 1
    assert "quiz_question.create" not in await audit_actions(db)


async def test_admin_edits_a_question_and_its_options(client, db, admin):
    url, _, module_id = await quiz_url(db, questions=2)
    first, _ = await questions(db, module_id)
    form = await client.get(f"{url}/questions/{first.id}")
    assert (
        form.status_code == 200 and ">Option 3</textarea>" in form.text and 'name="option_6_en"' in form.text
    )
    response = await post_form(client, f"{url}/questions/{first.id}", QUESTION)
    assert response.status_code == 303
    first, _ = await questions(db, module_id)
    assert first.text_en == QUESTION["text_en"] and first.position == 1
    assert [o.text_en for o in await options(db, int(first.id or 0))] == ["Yes", "No"]
    assert "quiz_question.update" in await audit_actions(db)
    refused = await post_form(client, f"{url}/questions/{first.id}", QUESTION | {"option_2_correct": "1"})
    assert refused.status_code == 422
    assert [o.correct for o in await options(db, int(first.id or 0))] == [True, False]


async def test_admin_reorders_and_deletes_questions(client, db, admin):
    url, _, module_id = await quiz_url(db, questions=3)
    one, two, three = await questions(db, module_id)
    response = await post_form(client, f"{url}/questions/{three.id}/move", {"direction": "up"})
    assert response.status_code == 303
    assert [q.id for q in await questions(db, module_id)] == [one.id, three.id, two.id]
    await post_form(client, f"{url}/questions/{one.id}/move", {"direction": "down"})
    await post_form(client, f"{url}/questions/{two.id}/move", {"direction": "down"})  # already last
    ordered = await questions(db, module_id)
    assert [q.id for q in ordered] == [three.id, one.id, two.id] and [q.position for q in ordered] == [
        1,
        2,
        3,
    ]
    response = await post_form(client, f"{url}/questions/{one.id}/delete")
    assert response.status_code == 303 and response.headers["location"] == f"{url}?notice=deleted"
    assert [q.id for q in await questions(db, module_id)] == [three.id, two.id]
    assert await options(db, int(one.id or 0)) == []
    actions = await audit_actions(db)
    assert "quiz_question.delete" in actions and actions.count("quiz_question.update") >= 3
    assert "Deleted." in (await client.get(f"{url}?notice=deleted")).text


async def test_a_published_courses_quiz_is_read_but_not_changed(client, db, admin):
    url, _, module_id = await published_quiz_url(db)
    page = await client.get(url)
    assert page.status_code == 200 and "new version" in page.text
    assert "Add a question" not in page.text and "disabled" in page.text
    first, *_ = await questions(db, module_id)
    attempts = [
        (url, SETTINGS),
        (f"{url}/questions/new", QUESTION),
        (f"{url}/questions/{first.id}", QUESTION),
        (f"{url}/questions/{first.id}/move", {"direction": "down"}),
        (f"{url}/questions/{first.id}/delete", {}),
    ]
    for target, data in attempts:
        response = await post_form(client, target, data)
        assert response.status_code == 409, target
        assert "Make a new version of the course" in response.text
    assert len(await questions(db, module_id)) == 12
    assert (await settings_of(db, module_id)).pass_mark_percent == 80
    assert await audit_actions(db) == []
    assert (await client.get(f"{url}/questions/{first.id}")).status_code == 200  # reading is allowed
    assert (await client.get(f"{url}/preview")).status_code == 200


# ---------------------------------------------------------------- preview


def drawn_questions(page: str) -> dict[int, list[str]]:
    """Question id > the English texts of its options, in the order the preview offers them."""
    offered: dict[int, list[str]] = {}
    for question_id, position, text in re.findall(r'name="q(\d+)" value="(\d+)"> ([^<]+)</label>', page):
        options = offered.setdefault(int(question_id), [])
        assert int(position) == len(options) + 1  # answers are positions, never option ids
        options.append(text.strip())
    return offered


def hidden_draw(page: str) -> str:
    match = re.search(r'name="draw" value="([^"]+)"', page)
    assert match
    return match.group(1)


def right_position(options: list[str]) -> str:
    """The factory's questions have "Option 1" as the right answer."""
    return str(options.index("Option 1") + 1)


async def test_preview_draws_the_set_number_of_questions_and_never_shows_the_answers(client, db, admin):
    url, _, _ = await quiz_url(db, questions=12)
    await post_form(client, url, SETTINGS | {"questions_per_attempt": "4"})
    page = await client.get(f"{url}/preview")
    assert page.status_code == 200
    offered = drawn_questions(page.text)
    assert len(offered) == 4 and all(
        sorted(o) == ["Option 1", "Option 2", "Option 3"] for o in offered.values()
    )
    assert "I pledge to respect the code of ethics." in page.text
    text = page.text.lower()
    assert "correct" not in text and "right-answer" not in text and "right answer" not in text
    assert "because" not in text  # explanations come only after the attempt
    # Another draw is (almost surely) another set or order of questions.
    draws = {tuple(drawn_questions((await client.get(f"{url}/preview")).text)) for _ in range(5)}
    assert len(draws | {tuple(offered)}) > 1


async def test_preview_is_shown_in_the_current_language(client, db, admin):
    url, _, _ = await quiz_url(db, questions=3)
    await post_form(client, "/language", {"language": "km", "next": "/"})
    page = await client.get(f"{url}/preview")
    assert "សំណួរ 1" in page.text and "Question 1" not in page.text


async def test_preview_is_graded_on_the_server_with_the_answers_and_explanations(client, db, admin):
    url, _, _ = await quiz_url(db, questions=12)
    await post_form(client, url, SETTINGS | {"questions_per_attempt": "5", "pass_mark_percent": "80"})
    page = await client.get(f"{url}/preview")
    offered, draw = drawn_questions(page.text), hidden_draw(page.text)
    answers = {f"q{q}": right_position(options) for q, options in offered.items()}
    result = await post_form(client, f"{url}/preview", {"draw": draw} | answers)
    assert result.status_code == 200
    assert "Passed" in result.text and "5 of 5 right (100%)" in result.text
    assert result.text.count("Because") == 5 and result.text.count('class="answered-right"') == 5

    first, second, third, *_ = offered
    answers[f"q{first}"] = str(offered[first].index("Option 2") + 1)  # a wrong answer
    answers[f"q{second}"] = "9"  # no such option
    answers[f"q{third}"] = "abc"
    result = await post_form(client, f"{url}/preview", {"draw": draw} | answers)
    assert "Not passed" in result.text and "2 of 5 right (40%)" in result.text
    assert "The pass mark is 80%." in result.text
    assert await audit_actions(db) == ["ethics_quiz.update"]  # nothing recorded by the preview


async def test_preview_refuses_a_forged_draw(client, db, admin):
    url, _, module_id = await quiz_url(db, questions=12)
    page = await client.get(f"{url}/preview")
    draw = hidden_draw(page.text)
    ids = [q.id for q in await questions(db, module_id)]
    payload, _, signature = draw.rpartition("~")
    forged = f"{payload.split(':')[0]}:{','.join(map(str, ids))}~{signature}"
    response = await post_form(client, f"{url}/preview", {"draw": forged})
    assert response.status_code == 400 and "Start the quiz again" in response.text
    other_url, _, _ = await quiz_url(db, questions=12)
    response = await post_form(client, f"{other_url}/preview", {"draw": draw})  # another module's draw
    assert response.status_code == 400


async def test_preview_of_an_empty_bank_says_so(client, db, admin):
    url, _, _ = await quiz_url(db, questions=0)
    page = await client.get(f"{url}/preview")
    assert page.status_code == 200 and "The question bank is empty" in page.text


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("role", [Role.trainer, Role.trainee])
async def test_trainers_and_trainees_may_not_open_the_quiz_pages(client, db, as_role, role):
    url, _, module_id = await quiz_url(db)
    await as_role(role)
    first, *_ = await questions(db, module_id)
    for page in (url, f"{url}/questions/new", f"{url}/questions/{first.id}", f"{url}/preview"):
        assert (await client.get(page)).status_code == 403, page
    assert (await post_form(client, url, SETTINGS)).status_code == 403
    assert (await post_form(client, f"{url}/questions/{first.id}/delete")).status_code == 403
    api = url.replace("/admin/", "/api/v1/")
    assert (await client.get(api)).status_code == 403
    assert len(await questions(db, module_id)) == 12


async def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    url, _, _ = await quiz_url(db)
    response = await client.get(f"{url}/preview")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    assert (await client.get(url.replace("/admin/", "/api/v1/"))).status_code == 401


# ---------------------------------------------------------------- JSON API


async def send(client, method: str, url: str, body: object = None):  # type: ignore[no-untyped-def]
    return await client.request(method, url, json=body, headers={"x-csrftoken": await csrf_token(client)})


API_QUESTION = {
    "kind": "multiple",
    "text_km": "តើអ្វីខ្លះជាការរំលោភព្រំដែនវិជ្ជាជីវៈ?",
    "text_en": "Which of these cross professional boundaries?",
    "explanation_en": "Both create a dual relationship.",
    "options": [
        {"text_km": "ខ្ចីលុយពីអតិថិជន", "text_en": "Borrowing money from a client", "correct": True},
        {"text_km": "ធ្វើជំនួញជាមួយអតិថិជន", "text_en": "Doing business with a client", "correct": True},
        {"text_km": "ស្តាប់អតិថិជនដោយយកចិត្តទុកដាក់", "text_en": "Listening carefully to a client", "correct": False},
    ],
}


async def test_api_reads_and_changes_the_quiz(client, db, admin):
    url, course_id, module_id = await quiz_url(db, questions=2)
    api = url.replace("/admin/", "/api/v1/")
    quiz = (await client.get(api)).json()
    assert (quiz["course_id"], quiz["module_id"], quiz["editable"], quiz["pass_mark_percent"]) == (
        course_id,
        module_id,
        True,
        80,
    )
    assert [o["correct"] for o in quiz["questions"][0]["options"]] == [True, False, False]

    response = await send(
        client, "PUT", api, {"questions_per_attempt": 2, "pass_mark_percent": 75, "pledge_en": "I pledge."}
    )
    assert response.status_code == 200 and response.json()["pass_mark_percent"] == 75
    response = await send(client, "PUT", api, {"pass_mark_percent": 101})
    assert response.status_code == 422 and response.json()["errors"] == {
        "pass_mark_percent": "Must be at most 100."
    }

    created = await send(client, "POST", f"{api}/questions", API_QUESTION)
    assert created.status_code == 201
    question = created.json()
    assert question["position"] == 3 and [o["correct"] for o in question["options"]] == [True, True, False]

    changed = await send(
        client, "PUT", f"{api}/questions/{question['id']}", API_QUESTION | {"kind": "single"}
    )
    assert changed.status_code == 422
    assert changed.json()["errors"] == {
        "__all__": "A single-choice question needs exactly one correct option."
    }
    one_option = API_QUESTION | {"options": API_QUESTION["options"][:1]}
    assert (await send(client, "POST", f"{api}/questions", one_option)).json()["errors"] == {
        "__all__": "Give at least two options."
    }
    changed = await send(
        client, "PUT", f"{api}/questions/{question['id']}", API_QUESTION | {"text_en": "Which?"}
    )
    assert changed.status_code == 200 and changed.json()["text_en"] == "Which?"

    assert (await send(client, "DELETE", f"{api}/questions/{question['id']}")).status_code == 204
    assert (await send(client, "DELETE", f"{api}/questions/{question['id']}")).status_code == 404
    assert len((await client.get(api)).json()["questions"]) == 2
    assert await audit_actions(db) == [
        "ethics_quiz.update",
        "quiz_question.create",
        "quiz_question.update",
        "quiz_question.delete",
    ]


async def test_api_refuses_changes_to_a_published_course(client, db, admin):
    url, _, module_id = await published_quiz_url(db)
    api = url.replace("/admin/", "/api/v1/")
    assert (await client.get(api)).json()["editable"] is False
    first, *_ = await questions(db, module_id)
    for method, target, body in (
        ("PUT", api, {"pass_mark_percent": 50}),
        ("POST", f"{api}/questions", API_QUESTION),
        ("PUT", f"{api}/questions/{first.id}", API_QUESTION),
        ("DELETE", f"{api}/questions/{first.id}", None),
    ):
        response = await send(client, method, target, body)
        assert response.status_code == 409, (method, target)
        assert "new version" in response.json()["detail"]
    await db.rollback()
    assert (await db.execute(select(func.count()).select_from(QuizQuestion))).scalar_one() == 12
