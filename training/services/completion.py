"""The completion rules, without a database: an enrolment's checklist from what it has done."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from courses.models import CourseModule, EthicsQuiz
from courses.services.courses import Bilingual, CompletionChecklist, Problem, Target
from foundation.columns import row_id
from foundation.formatting import format_date
from foundation.i18n import N_
from training.models import AssessmentResult, QuizAttempt
from training.schemas.progress import Requirement

# Short tags for the overview (what is missing) and its filter.
REQUIREMENT_TAGS = {
    Requirement.sessions: N_("Sessions"),
    Requirement.attendance: N_("Attendance"),
    Requirement.modules: N_("Modules"),
    Requirement.competencies: N_("Competencies"),
    Requirement.quiz: N_("Ethics quiz"),
    Requirement.pledge: N_("Pledge"),
}


@dataclass(frozen=True)
class QuizRecord:
    """One enrolment's submitted attempts at one ethics module's quiz, online and on paper."""

    online_attempts: int = 0
    best_percent: int | None = None
    passed: bool = False


def quiz_record(attempts: Iterable[QuizAttempt]) -> QuizRecord:
    """Passed if ANY submitted attempt passed, online or on paper; only online attempts use up the limit
    (a paper result is the trainer's decision, whatever happened online). Unsubmitted attempts count for
    nothing."""
    submitted = [a for a in attempts if a.submitted_at is not None]
    scores = [a.score_percent for a in submitted if a.score_percent is not None]
    return QuizRecord(
        online_attempts=sum(1 for a in submitted if a.mode == "online"),
        best_percent=max(scores, default=None),
        passed=any(a.passed for a in submitted),
    )


# ---------------------------------------------------------------- the course delivered


@dataclass(frozen=True)
class Meeting:
    """A session as the rules see it: its end, whether it was cancelled, whether its register was taken."""

    day: date
    ends_at: time | None = None
    cancelled: bool = False
    register_taken: bool = False


def session_held(meeting: Meeting, now: datetime) -> bool:
    """Whether a session has taken place at `now` (Phnom Penh wall-clock time): not cancelled, and either
    its end has passed (the end of its day when it has no end time) or its register has been taken (the
    trainer recorded who came, so the meeting happened: the last day's certificates need not wait for
    midnight)."""
    if meeting.cancelled:
        return False
    if meeting.register_taken:
        return True
    return datetime.combine(meeting.day, meeting.ends_at or time.max) <= now.replace(tzinfo=None)


@dataclass(frozen=True)
class Delivery:
    """How far a cohort's course has been delivered: its sessions (cancelled ones left out) held so far."""

    held: int = 0
    total: int = 0
    ends_on: date | None = None  # the last session's day; the cohort's end date when it has no sessions
    delivered: bool = False


def course_delivery(meetings: Sequence[Meeting], end_date: date, now: datetime) -> Delivery:
    """Delivered when every session not cancelled has been held; a cohort without any session (or whose
    sessions were all cancelled) is delivered on its end date."""
    counted = [m for m in meetings if not m.cancelled]
    if not counted:
        return Delivery(0, 0, end_date, end_date <= now.date())
    held = sum(1 for m in counted if session_held(m, now))
    return Delivery(held, len(counted), max(m.day for m in counted), held == len(counted))


@dataclass(frozen=True)
class Day:
    """A date for a sentence, in the reader's language."""

    value: date

    def __str__(self) -> str:
        return format_date(self.value)


def completion_day(delivery: Delivery, requirement_days: Iterable[date | None], issued_on: date) -> date:
    """The day the course was completed: the day the last requirement was met, never before the cohort's
    last session, and never after the certificate's issue."""
    days = [day for day in (delivery.ends_on, *requirement_days) if day is not None]
    return min(max(days, default=issued_on), issued_on)


# ---------------------------------------------------------------- the checklist


@dataclass(frozen=True)
class PledgeRecord:
    """How and when an enrolment's pledge to one ethics module was given."""

    on_paper: bool
    signed_on: date


@dataclass(frozen=True)
class EnrolmentFacts:
    """What an enrolment has done so far, as recorded, and how far its cohort's course has come."""

    attendance_percent: Decimal | None = None  # None while no attendance has been taken
    completed_module_ids: frozenset[int] = frozenset()
    competency_results: Mapping[int, str] = field(default_factory=dict)  # latest result by competency id
    quizzes: Mapping[int, QuizRecord] = field(default_factory=dict)  # by ethics module id
    pledges: Mapping[int, PledgeRecord] = field(default_factory=dict)  # by ethics module id
    delivery: Delivery = Delivery()
    last_record_on: date | None = None  # the latest day a module, quiz or pledge was done


@dataclass(frozen=True)
class Listing:
    """Names joined for a sentence, each in the reader's language."""

    names: tuple[Bilingual | str, ...]

    def __str__(self) -> str:
        return ", ".join(map(str, self.names))


@dataclass(frozen=True)
class ChecklistItem:
    """One requirement, met or missing, said with its numbers (a catalog msgid and the values it names)."""

    requirement: Requirement
    met: bool
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    missing: tuple[Bilingual | str, ...] = ()  # the modules or competency codes still to do
    module_id: int | None = None  # the ethics module a quiz or pledge item is about

    def text(self) -> str:
        return Problem(self.message, self.params).text()


@dataclass(frozen=True)
class Checklist:
    items: list[ChecklistItem]

    @property
    def complete(self) -> bool:
        return all(item.met for item in self.items)

    @property
    def missing(self) -> list[Requirement]:
        """The kinds of requirement not met yet, each once, in checklist order."""
        return list(dict.fromkeys(item.requirement for item in self.items if not item.met))


def _sessions(delivery: Delivery) -> ChecklistItem:
    if delivery.ends_on is None:
        return ChecklistItem(Requirement.sessions, False, N_("Sessions: none scheduled yet"))
    params: dict[str, Any] = {"end": Day(delivery.ends_on), "held": delivery.held, "total": delivery.total}
    if not delivery.total:
        message = N_("Course ends %(end)s: no sessions scheduled")
    else:
        message = N_("Course ends %(end)s: %(held)s of %(total)s sessions held")
    return ChecklistItem(Requirement.sessions, delivery.delivered, message, params)


def _attendance(required: int, rate: Decimal | None) -> ChecklistItem:
    if rate is None:
        message = N_("Attendance: not taken yet (%(required)s%% required)")
        return ChecklistItem(Requirement.attendance, required == 0, message, {"required": required})
    return ChecklistItem(
        Requirement.attendance,
        rate >= required,
        N_("Attendance %(rate)s%% of %(required)s%% required"),
        {"rate": rate, "required": required},
    )


def _modules(required: Sequence[CourseModule], done: frozenset[int]) -> ChecklistItem:
    missing = tuple(Bilingual(m.title_km, m.title_en) for m in required if row_id(m) not in done)
    params: dict[str, Any] = {"done": len(required) - len(missing), "total": len(required)}
    if not missing:
        return ChecklistItem(Requirement.modules, True, N_("Modules: %(done)s of %(total)s done"), params)
    message = N_("Modules: %(done)s of %(total)s done (missing: %(missing)s)")
    return ChecklistItem(Requirement.modules, False, message, params | {"missing": Listing(missing)}, missing)


def _competencies(required: Sequence[Target], results: Mapping[int, str]) -> ChecklistItem:
    missing = tuple(
        t.competency.code for t in required if results.get(row_id(t.competency)) != AssessmentResult.competent
    )
    params: dict[str, Any] = {"done": len(required) - len(missing), "total": len(required)}
    if not missing:
        message = N_("Competencies: %(done)s of %(total)s competent")
        return ChecklistItem(Requirement.competencies, True, message, params)
    message = N_("Competencies: %(done)s of %(total)s competent (missing: %(missing)s)")
    return ChecklistItem(
        Requirement.competencies, False, message, params | {"missing": Listing(missing)}, missing
    )


def _quiz(module_id: int, quiz: EthicsQuiz, record: QuizRecord) -> ChecklistItem:
    mark, allowed = quiz.pass_mark_percent, quiz.attempts_allowed
    if record.passed:
        message = N_("Ethics quiz: passed (best %(best)s%%, pass mark %(mark)s%%)")
        params = {"best": record.best_percent or 0, "mark": mark}
    elif record.best_percent is None:
        message = N_("Ethics quiz: not taken yet (pass mark %(mark)s%%, %(allowed)s attempts allowed)")
        params = {"mark": mark, "allowed": allowed}
    else:
        message = N_(
            "Ethics quiz: not passed yet (best %(best)s%%, pass mark %(mark)s%%, "
            "%(left)s of %(allowed)s attempts left)"
        )
        left = max(allowed - record.online_attempts, 0)
        params = {"best": record.best_percent, "mark": mark, "left": left, "allowed": allowed}
    return ChecklistItem(Requirement.quiz, record.passed, message, params, module_id=module_id)


def _pledge(module_id: int, pledge: PledgeRecord | None) -> ChecklistItem:
    if pledge is None:
        message = N_("Code of ethics pledge: not accepted")
        return ChecklistItem(Requirement.pledge, False, message, module_id=module_id)
    if pledge.on_paper:
        message = N_("Code of ethics pledge: signed on paper (%(date)s)")
    else:
        message = N_("Code of ethics pledge: accepted online (%(date)s)")
    return ChecklistItem(Requirement.pledge, True, message, {"date": pledge.signed_on}, module_id=module_id)


def completion_checklist(rules: CompletionChecklist, facts: EnrolmentFacts) -> Checklist:
    """One item per requirement of the course, met or missing, with the numbers.

    The course delivered (every session held) and attendance are always checked; modules and competencies
    when the course requires any; the quiz (and,
    if the course asks for it, the pledge) of every ethics module. The pledge is a requirement of its own:
    it may be accepted before or after the quiz is passed.
    """
    items = [_sessions(facts.delivery), _attendance(rules.min_attendance_percent, facts.attendance_percent)]
    if rules.required_modules:
        items.append(_modules(rules.required_modules, facts.completed_module_ids))
    if rules.required_competencies:
        items.append(_competencies(rules.required_competencies, facts.competency_results))
    for module, quiz in rules.ethics_quizzes:
        module_id = row_id(module)
        items.append(_quiz(module_id, quiz, facts.quizzes.get(module_id, QuizRecord())))
        if rules.pledge_required:
            items.append(_pledge(module_id, facts.pledges.get(module_id)))
    return Checklist(items)
