"""Administrators set up an ethics module's quiz and pledge, keep its question bank, and preview the quiz."""

import random
from itertools import count
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from courses.forms import answers_by_question
from courses.models import EthicsQuizInput, QuestionInput, QuestionKind
from courses.pages import QUIZ_PATH, quiz_url
from courses.services import ethics
from foundation.errors import InvalidInput
from foundation.forms import form_values, validated
from foundation.guards import requires_admin
from foundation.http import actor_of

OPTION_ROWS = 6  # empty rows offered on the question form; more can be added after saving
EMPTY_QUESTION: dict[str, Any] = {
    "kind": QuestionKind.single.value,
    "text_km": "",
    "text_en": "",
    "explanation_km": "",
    "explanation_en": "",
    "options": [],
}


def _question_values(form: FormMultiDict) -> dict[str, Any]:
    """The question form as QuestionInput expects it; option rows left empty are ignored."""
    values = {key: form.get(key, "") for key in EMPTY_QUESTION if key != "options"}
    options = []
    for n in count(1):
        if f"option_{n}_km" not in form:
            break
        text_km, text_en = form.get(f"option_{n}_km", "").strip(), form.get(f"option_{n}_en", "").strip()
        if text_km or text_en:
            options.append({"text_km": text_km, "text_en": text_en, "correct": f"option_{n}_correct" in form})
    return values | {"options": options}


def _question_form_values(question: ethics.BankQuestion) -> dict[str, Any]:
    options = [option.model_dump(include={"text_km", "text_en", "correct"}) for option in question.options]
    return question.question.model_dump() | {"options": options}


def _secret_key(request: Request) -> str:
    return str(request.app.state.settings.resolve_secret_key())


async def _quiz_page(
    db: AsyncSession,
    course_id: int,
    module_id: int,
    *,
    settings: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    quiz = await ethics.get_quiz(db, course_id, module_id)
    context = {
        "quiz": quiz,
        "settings": settings or quiz.quiz.model_dump(),
        "errors": errors or {},
        "quiz_url": quiz_url(course_id, module_id),
    }
    return Template("courses/ethics/quiz.html", context=context, status_code=status_code)


async def _question_form(
    db: AsyncSession,
    course_id: int,
    module_id: int,
    question: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    status_code: int = 200,
) -> Template:
    quiz = await ethics.get_quiz(db, course_id, module_id)
    options = question["options"] + [{"text_km": "", "text_en": "", "correct": False}] * OPTION_ROWS
    context = {
        "quiz": quiz,
        "question": question,
        "option_rows": options[: max(OPTION_ROWS, len(question["options"]))],
        "kinds": list(QuestionKind),
        "errors": errors,
        "action": action,
        "quiz_url": quiz_url(course_id, module_id),
    }
    return Template("courses/ethics/question.html", context=context, status_code=status_code)


class EthicsQuizController(Controller):
    path = "/admin" + QUIZ_PATH
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def show_quiz(self, db: AsyncSession, course_id: int, module_id: int) -> Template:
        return await _quiz_page(db, course_id, module_id)

    @post("/")
    async def update_quiz(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int
    ) -> Template | Redirect:
        values = form_values(await request.form())
        try:
            data = validated(EthicsQuizInput, values)
            await ethics.update_quiz(db, actor_of(request), course_id, module_id, data)
        except InvalidInput as invalid:
            return await _quiz_page(
                db, course_id, module_id, settings=values, errors=invalid.field_errors, status_code=422
            )
        return Redirect(f"{quiz_url(course_id, module_id)}?notice=saved", status_code=303)

    @get("/questions/new")
    async def new_question(self, db: AsyncSession, course_id: int, module_id: int) -> Template:
        action = f"{quiz_url(course_id, module_id)}/questions/new"
        return await _question_form(db, course_id, module_id, EMPTY_QUESTION, {}, action=action)

    @post("/questions/new")
    async def create_question(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int
    ) -> Template | Redirect:
        values = _question_values(await request.form())
        action = f"{quiz_url(course_id, module_id)}/questions/new"
        try:
            data = validated(QuestionInput, values)
            await ethics.create_question(db, actor_of(request), course_id, module_id, data)
        except InvalidInput as invalid:
            return await _question_form(
                db, course_id, module_id, values, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(f"{quiz_url(course_id, module_id)}?notice=created", status_code=303)

    @get("/questions/{question_id:int}")
    async def edit_question(
        self, db: AsyncSession, course_id: int, module_id: int, question_id: int
    ) -> Template:
        question = await ethics.get_question(db, course_id, module_id, question_id)
        action = f"{quiz_url(course_id, module_id)}/questions/{question_id}"
        return await _question_form(
            db, course_id, module_id, _question_form_values(question), {}, action=action
        )

    @post("/questions/{question_id:int}")
    async def update_question(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int, question_id: int
    ) -> Template | Redirect:
        values = _question_values(await request.form())
        action = f"{quiz_url(course_id, module_id)}/questions/{question_id}"
        try:
            data = validated(QuestionInput, values)
            await ethics.update_question(db, actor_of(request), course_id, module_id, question_id, data)
        except InvalidInput as invalid:
            values["id"] = question_id
            return await _question_form(
                db, course_id, module_id, values, invalid.field_errors, action=action, status_code=422
            )
        return Redirect(f"{quiz_url(course_id, module_id)}?notice=saved", status_code=303)

    @post("/questions/{question_id:int}/delete")
    async def delete_question(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int, question_id: int
    ) -> Redirect:
        await ethics.delete_question(db, actor_of(request), course_id, module_id, question_id)
        return Redirect(f"{quiz_url(course_id, module_id)}?notice=deleted", status_code=303)

    @post("/questions/{question_id:int}/move")
    async def move_question(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int, question_id: int
    ) -> Redirect:
        steps = -1 if (await request.form()).get("direction") == "up" else 1
        await ethics.move_question(db, actor_of(request), course_id, module_id, question_id, steps)
        return Redirect(f"{quiz_url(course_id, module_id)}#question-{question_id}", status_code=303)

    @get("/preview")
    async def preview_quiz(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int
    ) -> Template:
        """The quiz as a trainee gets it: random questions, shuffled options, no answers in the page."""
        quiz, drawn = await ethics.draw_preview(db, course_id, module_id, random.SystemRandom())
        context = {
            "quiz": quiz,
            "drawn": drawn,
            "draw": ethics.sign_draw(module_id, drawn, _secret_key(request)),
            "quiz_url": quiz_url(course_id, module_id),
        }
        return Template("courses/ethics/preview.html", context=context)

    @post("/preview", status_code=200)
    async def grade_preview(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int
    ) -> Template:
        """Graded here on the server; nothing is recorded."""
        form = await request.form()
        quiz, result = await ethics.grade_preview(
            db, course_id, module_id, form.get("draw", ""), answers_by_question(form), _secret_key(request)
        )
        context = {"quiz": quiz, "result": result, "quiz_url": quiz_url(course_id, module_id)}
        return Template("courses/ethics/result.html", context=context)
