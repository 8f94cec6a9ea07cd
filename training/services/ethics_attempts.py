"""The ethics quiz as trainees take it (online attempts drawn and graded on the server), the code of ethics
pledge, and paper-based results and pledges recorded by the cohort's trainers."""

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from courses.services import ethics
from courses.services.ethics import BankQuestion, EthicsModuleQuiz, QuizResult
from foundation import audit
from foundation.audit import Actor
from foundation.clock import cambodian_day, utcnow
from foundation.columns import row_id
from foundation.errors import Conflict, Forbidden, InvalidInput, NotFound
from foundation.formatting import format_date
from foundation.i18n import N_, gettext
from people.services.auth import CurrentUser
from training.models import CohortStatus, Enrolment, EnrolmentStatus, PledgeAcceptance, QuizAttempt
from training.schemas.ethics import PaperPledgeInput, PaperResultInput
from training.services.access import cohort_for
from training.services.completion import QuizRecord, quiz_record
from training.services.progress import Progress, enrolment_progress

# A trainee takes the quiz and accepts the pledge only while enrolled in a cohort that is under way.
TAKING = frozenset({CohortStatus.open.value, CohortStatus.running.value})
NOT_TAKING = N_(
    "The ethics quiz and the pledge can be taken only while you are enrolled in a cohort that is open or "
    "running."
)


@dataclass(frozen=True)
class EthicsModuleStatus:
    """Where an enrolment stands with one ethics module: its quiz attempts and its pledge."""

    progress: Progress
    quiz: EthicsModuleQuiz
    attempts: list[QuizAttempt]  # online and paper, oldest first
    pledge: PledgeAcceptance | None

    @property
    def record(self) -> QuizRecord:
        return quiz_record(self.attempts)

    @property
    def submitted(self) -> list[QuizAttempt]:
        return [a for a in self.attempts if a.submitted_at is not None]

    @property
    def open_attempt(self) -> QuizAttempt | None:
        """The online attempt started but not submitted: it is resumed, never replaced by a new one."""
        return next((a for a in self.attempts if a.mode == "online" and a.submitted_at is None), None)

    @property
    def attempts_left(self) -> int:
        return max(self.quiz.quiz.attempts_allowed - self.record.online_attempts, 0)

    @property
    def taking(self) -> bool:
        """Whether the trainee may take the quiz and accept the pledge now."""
        return (
            self.progress.enrolment.status == EnrolmentStatus.enrolled
            and self.progress.cohort.status in TAKING
        )

    @property
    def seen_question_ids(self) -> set[int]:
        """The questions shown in this enrolment's online attempts so far."""
        return {question_id for a in self.attempts if a.mode == "online" for question_id, _ in _drawn(a)}

    @property
    def can_start(self) -> bool:
        return (
            self.taking
            and self.open_attempt is None
            and not self.record.passed
            and self.attempts_left > 0
            and bool(self.quiz.questions)
        )


@dataclass(frozen=True)
class AttemptView:
    """An online attempt's questions as they were shown, and its result once submitted."""

    status: EthicsModuleStatus
    attempt: QuizAttempt
    questions: list[BankQuestion]
    result: QuizResult | None

    @property
    def reveals_answers(self) -> bool:
        """The right answers and explanations show only once the quiz is passed or no attempt is left: after
        a failed attempt the review says which questions were wrong, and the retake cannot copy it."""
        return self.status.record.passed or self.status.attempts_left == 0


# ---------------------------------------------------------------- loading


async def _status(session: AsyncSession, enrolment: Enrolment, module_id: int) -> EthicsModuleStatus:
    enrolment_id = row_id(enrolment)
    progress = (await enrolment_progress(session, [enrolment_id]))[enrolment_id]
    # Refuses a module that is not an ethics module of the cohort's course (404).
    quiz = await ethics.get_quiz(session, row_id(progress.course), module_id)
    attempts = await session.execute(
        select(QuizAttempt)
        .where(col(QuizAttempt.enrolment_id) == enrolment_id, col(QuizAttempt.module_id) == module_id)
        .order_by(col(QuizAttempt.id))
    )
    pledge = await session.get(PledgeAcceptance, (enrolment_id, module_id))
    return EthicsModuleStatus(progress, quiz, list(attempts.scalars()), pledge)


async def _own_enrolment(session: AsyncSession, user: CurrentUser, enrolment_id: int) -> Enrolment:
    enrolment = await session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound(N_("No such enrolment."))
    if user.trainee_id is None or enrolment.trainee_id != user.trainee_id:
        raise Forbidden(N_("This enrolment is not yours."))
    return enrolment


async def ethics_status(
    session: AsyncSession, user: CurrentUser, enrolment_id: int, module_id: int
) -> EthicsModuleStatus:
    """The trainee's own standing with an ethics module (another trainee's enrolment: 403)."""
    return await _status(session, await _own_enrolment(session, user, enrolment_id), module_id)


def _drawn(attempt: QuizAttempt) -> list[tuple[int, list[int]]]:
    """The stored draw: (question id, option ids in the order shown)."""
    return [(int(q), [int(o) for o in options]) for q, options in (attempt.draw or {}).get("questions", [])]


def _answers(attempt: QuizAttempt) -> dict[int, set[int]]:
    return {int(q): set(options) for q, options in (attempt.answers or {}).items()}


async def attempt_view(
    session: AsyncSession, user: CurrentUser, enrolment_id: int, module_id: int, attempt_id: int
) -> AttemptView:
    status = await ethics_status(session, user, enrolment_id, module_id)
    attempt = next((a for a in status.attempts if a.id == attempt_id and a.mode == "online"), None)
    if attempt is None:
        raise NotFound(N_("No such quiz attempt."))
    questions = ethics.as_shown(status.quiz.questions, _drawn(attempt))
    result = None
    if attempt.submitted_at is not None:
        result = ethics.grade(questions, _answers(attempt), status.quiz.quiz.pass_mark_percent)
    return AttemptView(status, attempt, questions, result)


# ---------------------------------------------------------------- the trainee's online attempts and pledge


def _require_taking(status: EthicsModuleStatus) -> None:
    if not status.taking:
        raise Conflict(NOT_TAKING)


def _require_attempt_left(status: EthicsModuleStatus) -> None:
    if status.attempts_left == 0:
        raise Conflict(
            N_(
                "You have used all %(allowed)s attempts at this quiz. Ask your trainer about taking it on "
                "paper."
            ),
            allowed=status.quiz.quiz.attempts_allowed,
        )


async def start_attempt(
    session: AsyncSession,
    user: CurrentUser,
    actor: Actor,
    enrolment_id: int,
    module_id: int,
    rng: random.Random,
) -> QuizAttempt:
    """A new online attempt with its questions drawn now and stored; an attempt not yet submitted is
    resumed instead. Refused (409) once passed, beyond the attempts allowed, or outside a running cohort."""
    status = await ethics_status(session, user, enrolment_id, module_id)
    _require_taking(status)
    if status.open_attempt is not None:
        return status.open_attempt
    if status.record.passed:
        raise Conflict(N_("You have passed this quiz already."))
    _require_attempt_left(status)
    if not status.quiz.questions:
        raise Conflict(N_("This quiz has no questions yet. Tell your trainer."))
    drawn = ethics.draw_questions(
        status.quiz.questions, status.quiz.quiz.questions_per_attempt, rng, status.seen_question_ids
    )
    attempt = QuizAttempt(
        enrolment_id=enrolment_id,
        module_id=module_id,
        mode="online",
        draw={"questions": [[q.id, [row_id(o) for o in q.options]] for q in drawn]},
    )
    session.add(attempt)
    await session.flush()
    audit.record(session, actor, "quiz_attempt.start", attempt, None, audit.snapshot(attempt))
    return attempt


async def submit_attempt(
    session: AsyncSession,
    user: CurrentUser,
    actor: Actor,
    enrolment_id: int,
    module_id: int,
    attempt_id: int,
    positions: Mapping[int, Collection[int]],
) -> QuizAttempt:
    """Grade the answers (question id > positions of the chosen options, as shown) against the STORED draw:
    answers to questions that were not drawn, and positions out of range, count for nothing. Every drawn
    question must be answered: otherwise nothing is recorded and the attempt stays open (422, each
    unanswered question named by its field)."""
    view = await attempt_view(session, user, enrolment_id, module_id, attempt_id)
    _require_taking(view.status)
    if view.attempt.submitted_at is not None:
        raise Conflict(N_("This attempt has been submitted already."))
    _require_attempt_left(view.status)
    chosen = ethics.chosen_options(view.questions, positions)
    unanswered = [question_id for question_id, options in chosen.items() if not options]
    if unanswered:
        message = gettext(N_("Answer this question."))
        raise InvalidInput(
            {f"q{q}": message for q in unanswered}, N_("Answer every question before you submit.")
        )
    result = ethics.grade(view.questions, chosen, view.status.quiz.quiz.pass_mark_percent)
    before = audit.snapshot(view.attempt)
    values = {
        "answers": {str(q): sorted(options) for q, options in chosen.items()},
        "score_percent": result.percent,
        "passed": result.passed,
        "submitted_at": utcnow(),
    }
    # Only if still unsubmitted: the same attempt sent twice (two tabs, a double tap) is graded once.
    done = await session.execute(
        update(QuizAttempt)
        .where(col(QuizAttempt.id) == attempt_id, col(QuizAttempt.submitted_at).is_(None))
        .values(**values)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(N_("This attempt has been submitted already."))
    audit.record(session, actor, "quiz_attempt.submit", view.attempt, before, audit.snapshot(view.attempt))
    return view.attempt


async def accept_pledge(
    session: AsyncSession, user: CurrentUser, actor: Actor, enrolment_id: int, module_id: int, accepted: bool
) -> PledgeAcceptance:
    """Accept the module's code of ethics pledge (the box must be ticked). It is a requirement of its own:
    it may be accepted before or after the quiz is passed. Accepting again changes nothing."""
    status = await ethics_status(session, user, enrolment_id, module_id)
    _require_taking(status)
    if not accepted:
        raise InvalidInput({"accept": gettext(N_("Tick the box to accept the pledge."))})
    if status.pledge is not None:
        return status.pledge
    pledge = PledgeAcceptance(enrolment_id=enrolment_id, module_id=module_id, mode="online")
    session.add(pledge)
    # The acceptance has no id of its own: the entry names the enrolment.
    audit.record(session, actor, "pledge.accept", status.progress.enrolment, None, audit.snapshot(pledge))
    return pledge


# ---------------------------------------------------------------- paper results and pledges, by trainers


def _noon(day: date) -> datetime:
    """The instant a paper record is dated at: noon UTC falls on the same day in Cambodia, so the date reads
    back as it was given."""
    return datetime.combine(day, time(12), tzinfo=UTC)


async def paper_result_status(
    session: AsyncSession,
    user: CurrentUser,
    cohort_id: int,
    enrolment_id: int,
    module_id: int,
    *,
    write: bool = False,
) -> EthicsModuleStatus:
    """An enrolment's standing with an ethics module, for an admin or one of the cohort's trainers."""
    await cohort_for(session, user, cohort_id, write=write)
    enrolment = await session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort_id:
        raise NotFound(N_("No such enrolment in this cohort."))
    return await _status(session, enrolment, module_id)


async def record_paper_result(
    session: AsyncSession,
    user: CurrentUser,
    actor: Actor,
    cohort_id: int,
    enrolment_id: int,
    module_id: int,
    data: PaperResultInput,
) -> QuizAttempt:
    """A paper-based quiz result: passed if the score reaches the pass mark. Not limited by the attempts
    allowed online; refused for a closed cohort and for trainees who are not enrolled."""
    status = await paper_result_status(session, user, cohort_id, enrolment_id, module_id, write=True)
    if status.progress.enrolment.status != EnrolmentStatus.enrolled:
        raise Conflict(N_("Results are recorded only for trainees who are enrolled."))
    taken_at = _noon(data.taken_on)
    attempt = QuizAttempt(
        enrolment_id=enrolment_id,
        module_id=module_id,
        mode="paper",
        started_at=taken_at,
        submitted_at=taken_at,
        score_percent=data.score_percent,
        passed=data.score_percent >= status.quiz.quiz.pass_mark_percent,
        note=data.note,
        recorded_by=actor.user_id,
    )
    session.add(attempt)
    await session.flush()
    audit.record(session, actor, "quiz_attempt.paper", attempt, None, audit.snapshot(attempt))
    return attempt


def _already_pledged(pledge: PledgeAcceptance) -> Conflict:
    """Says when and how: a paper form recorded twice reads differently from a trainee who pledged online."""
    signed_on = format_date(cambodian_day(pledge.accepted_at))
    if pledge.mode == "paper":
        return Conflict(N_("This pledge was already signed on paper on %(date)s."), date=signed_on)
    return Conflict(N_("This pledge was already accepted online on %(date)s."), date=signed_on)


async def record_paper_pledge(
    session: AsyncSession,
    user: CurrentUser,
    actor: Actor,
    cohort_id: int,
    enrolment_id: int,
    module_id: int,
    data: PaperPledgeInput,
) -> PledgeAcceptance:
    """A code of ethics pledge the trainee signed on paper: it counts for completion as one accepted online.
    Once per enrolment and module, however it was given; refused for a closed cohort, a course that asks for
    no pledge, a trainee who is not enrolled, and a date before the enrolment."""
    status = await paper_result_status(session, user, cohort_id, enrolment_id, module_id, write=True)
    enrolment = status.progress.enrolment
    if not status.progress.course.pledge_required:
        raise Conflict(N_("This course asks for no code of ethics pledge."))
    if enrolment.status != EnrolmentStatus.enrolled:
        raise Conflict(N_("Pledges are recorded only for trainees who are enrolled."))
    if status.pledge is not None:
        raise _already_pledged(status.pledge)
    enrolled_on = cambodian_day(enrolment.requested_at)
    if data.signed_on < enrolled_on:
        message = gettext(N_("The trainee enrolled on %(date)s: the pledge cannot be signed before."))
        raise InvalidInput({"signed_on": message % {"date": format_date(enrolled_on)}})
    pledge = PledgeAcceptance(
        enrolment_id=enrolment_id,
        module_id=module_id,
        accepted_at=_noon(data.signed_on),
        mode="paper",
        note=data.note,
        recorded_by=actor.user_id,
    )
    session.add(pledge)
    audit.record(session, actor, "pledge.paper", enrolment, None, audit.snapshot(pledge))
    return pledge
