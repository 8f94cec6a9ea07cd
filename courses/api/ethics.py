"""The JSON API of an ethics module's quiz: its settings, pledge and question bank (administrators)."""

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import EthicsQuizInput, EthicsQuizRead, OptionRead, QuestionInput, QuestionRead
from courses.pages import QUIZ_PATH
from courses.services import ethics
from foundation.api import INVALID, SESSION, JsonObjectAs
from foundation.forms import validated
from foundation.guards import requires_admin
from foundation.http import actor_of


def _question_read(question: ethics.BankQuestion) -> QuestionRead:
    options = [OptionRead.model_validate(option) for option in question.options]
    return QuestionRead.model_validate(question.question.model_dump() | {"options": options})


def _quiz_read(quiz: ethics.EthicsModuleQuiz) -> EthicsQuizRead:
    questions = [_question_read(question) for question in quiz.questions]
    return EthicsQuizRead.model_validate(
        quiz.quiz.model_dump()
        | {"course_id": quiz.course.id, "editable": quiz.editable, "questions": questions}
    )


class EthicsQuizApi(Controller):
    path = "/api/v1" + QUIZ_PATH
    guards = [requires_admin]
    tags = ["Ethics quizzes"]
    security = SESSION

    @get("/")
    async def get_quiz(self, db: AsyncSession, course_id: int, module_id: int) -> EthicsQuizRead:
        """The settings, the pledge and the whole question bank, with the right answers."""
        return _quiz_read(await ethics.get_quiz(db, course_id, module_id))

    @put("/", dto=JsonObjectAs[EthicsQuizInput], responses=INVALID)
    async def update_quiz(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int, data: dict[str, Any]
    ) -> EthicsQuizRead:
        """Replaces every setting (fields left out take their defaults). Only a draft course's quiz can
        change: otherwise 409, make a new version of the course."""
        await ethics.update_quiz(
            db, actor_of(request), course_id, module_id, validated(EthicsQuizInput, data)
        )
        return _quiz_read(await ethics.get_quiz(db, course_id, module_id))

    @post("/questions", dto=JsonObjectAs[QuestionInput], responses=INVALID)
    async def create_question(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int, data: dict[str, Any]
    ) -> QuestionRead:
        """A new question at the end of the bank."""
        question = await ethics.create_question(
            db, actor_of(request), course_id, module_id, validated(QuestionInput, data)
        )
        return _question_read(question)

    @put("/questions/{question_id:int}", dto=JsonObjectAs[QuestionInput], responses=INVALID)
    async def update_question(
        self,
        request: Request,
        db: AsyncSession,
        course_id: int,
        module_id: int,
        question_id: int,
        data: dict[str, Any],
    ) -> QuestionRead:
        """Replaces the text and all the options (the options get new ids)."""
        question = await ethics.update_question(
            db, actor_of(request), course_id, module_id, question_id, validated(QuestionInput, data)
        )
        return _question_read(question)

    @delete("/questions/{question_id:int}")
    async def delete_question(
        self, request: Request, db: AsyncSession, course_id: int, module_id: int, question_id: int
    ) -> None:
        await ethics.delete_question(db, actor_of(request), course_id, module_id, question_id)
