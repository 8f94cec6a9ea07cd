"""Ethics modules: quiz settings, code-of-ethics pledge, question bank, and how a quiz is drawn and graded."""

import hashlib
import hmac
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from courses.models import (
    Course,
    CourseModule,
    CourseStatus,
    EthicsQuiz,
    EthicsQuizInput,
    ModuleKind,
    QuestionInput,
    QuizOption,
    QuizQuestion,
)
from foundation import audit
from foundation.audit import Actor
from foundation.columns import row_id
from foundation.errors import Conflict, DomainError, NotFound
from foundation.i18n import N_

# ---------------------------------------------------------------- drawing and grading (no database)


@dataclass(frozen=True)
class BankQuestion:
    """A question of the bank with its options, in the order they are shown."""

    question: QuizQuestion
    options: tuple[QuizOption, ...]

    @property
    def id(self) -> int:
        return row_id(self.question)

    @property
    def correct_option_ids(self) -> frozenset[int]:
        return frozenset(row_id(option) for option in self.options if option.correct)


@dataclass(frozen=True)
class QuestionOutcome:
    question: BankQuestion
    chosen_option_ids: frozenset[int]

    @property
    def correct(self) -> bool:
        """Right only if exactly the correct options were chosen (a partly right multiple choice is wrong)."""
        return self.chosen_option_ids == self.question.correct_option_ids


@dataclass(frozen=True)
class QuizResult:
    outcomes: list[QuestionOutcome]
    pass_mark_percent: int

    @property
    def score(self) -> int:
        return sum(outcome.correct for outcome in self.outcomes)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def percent(self) -> int:
        return self.score * 100 // self.total if self.total else 0

    @property
    def passed(self) -> bool:
        # Compared without rounding: 7 of 9 (77.8%) does not reach a pass mark of 78%.
        return self.total > 0 and self.score * 100 >= self.pass_mark_percent * self.total


def draw_questions(
    bank: Sequence[BankQuestion], count: int, rng: random.Random, seen: Collection[int] = ()
) -> list[BankQuestion]:
    """`count` different questions at random (all of them if the bank is smaller), their options shuffled.

    Questions whose ids are in `seen` (shown in earlier attempts) are drawn only when the others are too
    few: a retake asks new questions where the bank allows, so a review cannot be copied into a pass.
    """
    fresh = [q for q in bank if q.id not in seen]
    again = [q for q in bank if q.id in seen]
    drawn = rng.sample(fresh, min(count, len(fresh)))
    if again and len(drawn) < count:
        drawn += rng.sample(again, min(count - len(drawn), len(again)))
        rng.shuffle(drawn)  # the questions asked again are not all at the end
    return [BankQuestion(q.question, tuple(rng.sample(q.options, len(q.options)))) for q in drawn]


def grade(
    questions: Sequence[BankQuestion], answers: Mapping[int, Collection[int]], pass_mark_percent: int
) -> QuizResult:
    """Grade the answers (question id > chosen option ids) to the drawn questions.

    Answers to other questions, and option ids that are not options of their question, count for nothing.
    """
    outcomes = []
    for question in questions:
        own_options = {row_id(option) for option in question.options}
        chosen = frozenset(own_options.intersection(answers.get(question.id, ())))
        outcomes.append(QuestionOutcome(question, chosen))
    return QuizResult(outcomes, pass_mark_percent)


def _draw_signature(payload: str, secret_key: str) -> str:
    message = f"ethics-quiz-draw:{payload}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def sign_draw(module_id: int, questions: Sequence[BankQuestion], secret_key: str) -> str:
    """The drawn questions and the order of their options, signed: answers are graded later without state."""
    shown = ",".join(f"{q.id}-{'.'.join(str(row_id(o)) for o in q.options)}" for q in questions)
    payload = f"{module_id}:{shown}"
    return f"{payload}~{_draw_signature(payload, secret_key)}"


def read_draw(token: str, module_id: int, secret_key: str) -> list[tuple[int, list[int]]]:
    """(question id, option ids in the order shown) of a token made by `sign_draw` for this module.

    A forged token, or one made for another module, is refused.
    """
    payload, _, signature = token.rpartition("~")
    signed_module, _, shown = payload.partition(":")
    valid = hmac.compare_digest(signature, _draw_signature(payload, secret_key))
    if not valid or signed_module != str(module_id):
        raise DomainError(N_("This quiz form is not valid. Start the quiz again."))
    drawn = []
    for question in filter(None, shown.split(",")):
        question_id, _, option_ids = question.partition("-")
        drawn.append((int(question_id), [int(option_id) for option_id in option_ids.split(".") if option_id]))
    return drawn


def _in_order(options: Sequence[QuizOption], option_ids: Sequence[int]) -> tuple[QuizOption, ...]:
    order = {option_id: n for n, option_id in enumerate(option_ids)}
    return tuple(sorted(options, key=lambda option: order.get(row_id(option), len(order))))


def as_shown(bank: Sequence[BankQuestion], drawn: Sequence[tuple[int, Sequence[int]]]) -> list[BankQuestion]:
    """The questions of a draw as they were shown, options in the shown order; deleted ones drop out."""
    by_id = {question.id: question for question in bank}
    return [
        BankQuestion(by_id[question_id].question, _in_order(by_id[question_id].options, option_ids))
        for question_id, option_ids in drawn
        if question_id in by_id
    ]


def chosen_options(
    questions: Sequence[BankQuestion], positions: Mapping[int, Collection[int]]
) -> dict[int, set[int]]:
    """Answers given as positions in the shown order (1 is the first option shown), as option ids.

    Forms carry positions, never option ids: ids follow the order the options were written in, and the
    right answer is often written first. Positions out of range are ignored.
    """
    return {
        q.id: {row_id(q.options[p - 1]) for p in positions.get(q.id, ()) if 1 <= p <= len(q.options)}
        for q in questions
    }


# ---------------------------------------------------------------- the quiz of an ethics module


@dataclass(frozen=True)
class EthicsModuleQuiz:
    course: Course
    module: CourseModule
    quiz: EthicsQuiz
    questions: list[BankQuestion]

    @property
    def editable(self) -> bool:
        return self.course.status == CourseStatus.draft


async def _ethics_module(
    session: AsyncSession, course_id: int, module_id: int
) -> tuple[Course, CourseModule]:
    module = await session.get(CourseModule, module_id)
    course = await session.get(Course, course_id)
    if course is None or module is None or module.course_id != course_id or module.kind != ModuleKind.ethics:
        raise NotFound(N_("No such ethics module."))
    return course, module


def _require_draft(course: Course) -> None:
    """Published and archived versions are never edited in place: changes go into a new version."""
    if course.status == CourseStatus.published:
        raise Conflict(
            N_(
                "This course is published, so its ethics quiz cannot be changed. "
                "Make a new version of the course and change the quiz there."
            )
        )
    if course.status != CourseStatus.draft:
        raise Conflict(
            N_(
                "This course is archived, so its ethics quiz cannot be changed. "
                "Make a new version of the course and change the quiz there."
            )
        )


async def _bank(session: AsyncSession, module_id: int, question_id: int | None = None) -> list[BankQuestion]:
    """The module's questions (or just one of them) with their options, in bank order: two queries."""
    query = select(QuizQuestion).where(col(QuizQuestion.module_id) == module_id)
    if question_id is not None:
        query = query.where(col(QuizQuestion.id) == question_id)
    questions = list(
        (await session.execute(query.order_by(col(QuizQuestion.position), col(QuizQuestion.id)))).scalars()
    )
    options: dict[int, list[QuizOption]] = {row_id(q): [] for q in questions}
    if options:
        rows = await session.execute(
            select(QuizOption)
            .where(col(QuizOption.question_id).in_(options))
            .order_by(col(QuizOption.position), col(QuizOption.id))
        )
        for option in rows.scalars():
            options[option.question_id].append(option)
    return [BankQuestion(q, tuple(options[row_id(q)])) for q in questions]


async def _settings(session: AsyncSession, module_id: int) -> EthicsQuiz:
    quiz = await session.get(EthicsQuiz, module_id)
    if quiz is None:
        # An ethics module gets its quiz when it is created; this repairs one without, using the defaults.
        quiz = EthicsQuiz(module_id=module_id)
        session.add(quiz)
    return quiz


async def get_quiz(session: AsyncSession, course_id: int, module_id: int) -> EthicsModuleQuiz:
    course, module = await _ethics_module(session, course_id, module_id)
    quiz = await _settings(session, module_id)
    return EthicsModuleQuiz(course, module, quiz, await _bank(session, module_id))


async def update_quiz(
    session: AsyncSession, actor: Actor, course_id: int, module_id: int, data: EthicsQuizInput
) -> EthicsQuiz:
    course, module = await _ethics_module(session, course_id, module_id)
    _require_draft(course)
    quiz = await _settings(session, module_id)
    before = audit.snapshot(quiz)
    quiz.sqlmodel_update(data.model_dump())
    # The quiz is keyed by its module (it has no id of its own), so the entry names the module.
    audit.record(session, actor, "ethics_quiz.update", module, before, audit.snapshot(quiz))
    return quiz


# ---------------------------------------------------------------- the question bank


def _question_snapshot(question: QuizQuestion, options: Sequence[QuizOption]) -> dict[str, object] | None:
    return audit.snapshot(question, options=[audit.snapshot(option) for option in options])


async def get_question(
    session: AsyncSession, course_id: int, module_id: int, question_id: int
) -> BankQuestion:
    await _ethics_module(session, course_id, module_id)
    found = await _bank(session, module_id, question_id)
    if not found:
        raise NotFound(N_("No such question."))
    return found[0]


async def _editable_question(
    session: AsyncSession, course_id: int, module_id: int, question_id: int
) -> BankQuestion:
    question = await get_question(session, course_id, module_id, question_id)
    course, _ = await _ethics_module(session, course_id, module_id)  # already in the session: no query
    _require_draft(course)
    return question


def _options(question_id: int, data: QuestionInput) -> list[QuizOption]:
    return [
        QuizOption(question_id=question_id, position=n, **option.model_dump())
        for n, option in enumerate(data.options, start=1)
    ]


async def create_question(
    session: AsyncSession, actor: Actor, course_id: int, module_id: int, data: QuestionInput
) -> BankQuestion:
    course, _ = await _ethics_module(session, course_id, module_id)
    _require_draft(course)
    last = await session.execute(
        select(func.max(QuizQuestion.position)).where(col(QuizQuestion.module_id) == module_id)
    )
    question = QuizQuestion(
        module_id=module_id, position=(last.scalar_one() or 0) + 1, **data.model_dump(exclude={"options"})
    )
    session.add(question)
    await session.flush()
    options = _options(row_id(question), data)
    session.add_all(options)
    await session.flush()
    audit.record(
        session, actor, "quiz_question.create", question, None, _question_snapshot(question, options)
    )
    return BankQuestion(question, tuple(options))


async def update_question(
    session: AsyncSession, actor: Actor, course_id: int, module_id: int, question_id: int, data: QuestionInput
) -> BankQuestion:
    """Replace the text and options (only drafts change, and no attempt refers to a draft's options)."""
    current = await _editable_question(session, course_id, module_id, question_id)
    question = current.question
    before = _question_snapshot(question, current.options)
    await session.execute(delete(QuizOption).where(col(QuizOption.question_id) == question_id))
    question.sqlmodel_update(data.model_dump(exclude={"options"}))
    options = _options(question_id, data)
    session.add_all(options)
    await session.flush()
    audit.record(
        session, actor, "quiz_question.update", question, before, _question_snapshot(question, options)
    )
    return BankQuestion(question, tuple(options))


async def delete_question(
    session: AsyncSession, actor: Actor, course_id: int, module_id: int, question_id: int
) -> None:
    current = await _editable_question(session, course_id, module_id, question_id)
    audit.record(
        session,
        actor,
        "quiz_question.delete",
        current.question,
        _question_snapshot(current.question, current.options),
        None,
    )
    await session.execute(delete(QuizOption).where(col(QuizOption.question_id) == question_id))
    await session.delete(current.question)


async def move_question(
    session: AsyncSession, actor: Actor, course_id: int, module_id: int, question_id: int, steps: int
) -> None:
    """Move a question up (negative steps) or down the bank; every question whose place changes is logged."""
    course, _ = await _ethics_module(session, course_id, module_id)
    _require_draft(course)
    questions = [q.question for q in await _bank(session, module_id)]
    index = next((n for n, q in enumerate(questions) if q.id == question_id), None)
    if index is None:
        raise NotFound(N_("No such question."))
    target = max(0, min(len(questions) - 1, index + steps))
    questions.insert(target, questions.pop(index))
    for position, question in enumerate(questions, start=1):
        if question.position != position:
            before = audit.snapshot(question)
            question.position = position
            audit.record(session, actor, "quiz_question.update", question, before, audit.snapshot(question))


# ---------------------------------------------------------------- preview: the quiz as a trainee takes it


async def draw_preview(
    session: AsyncSession, course_id: int, module_id: int, rng: random.Random
) -> tuple[EthicsModuleQuiz, list[BankQuestion]]:
    """The quiz and one random draw of its questions; nothing is recorded."""
    quiz = await get_quiz(session, course_id, module_id)
    return quiz, draw_questions(quiz.questions, quiz.quiz.questions_per_attempt, rng)


async def grade_preview(
    session: AsyncSession,
    course_id: int,
    module_id: int,
    draw: str,
    positions: Mapping[int, Collection[int]],
    secret_key: str,
) -> tuple[EthicsModuleQuiz, QuizResult]:
    """Grade the answers (question id > positions of the chosen options) to a signed draw; nothing is
    recorded."""
    quiz = await get_quiz(session, course_id, module_id)
    questions = as_shown(quiz.questions, read_draw(draw, module_id, secret_key))
    return quiz, grade(questions, chosen_options(questions, positions), quiz.quiz.pass_mark_percent)
