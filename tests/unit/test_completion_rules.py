"""The completion rules, without a database: each requirement alone, then together, table-driven."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from courses.models import Competency, CompetencyDomain, CompetencyFramework, CourseModule, EthicsQuiz
from courses.services.courses import CompletionChecklist, Target
from foundation.i18n import current_language
from training.models import QuizAttempt
from training.schemas.progress import Requirement
from training.services.completion import (
    Delivery,
    EnrolmentFacts,
    Meeting,
    PledgeRecord,
    QuizRecord,
    completion_checklist,
    completion_day,
    course_delivery,
    quiz_record,
    session_held,
)

ETHICS = 9


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


def module(module_id: int, title: str, kind: str = "regular") -> CourseModule:
    return CourseModule(
        id=module_id, course_id=1, title_km="ម៉ូឌុល", title_en=title, hours=Decimal(4), kind=kind
    )


def target(competency_id: int, code: str) -> Target:
    framework = CompetencyFramework(id=1, code="FW", title_km="ក", title_en="F")
    domain = CompetencyDomain(id=1, framework_id=1, code="D1", title_km="ដ", title_en="D")
    competency = Competency(
        id=competency_id, framework_id=1, domain_id=1, code=code, title_km="ស", title_en="C"
    )
    return Target(competency, domain, framework, required=True)


RULES = CompletionChecklist(
    min_attendance_percent=80,
    required_modules=[module(1, "Basics"), module(2, "Case planning"), module(ETHICS, "Ethics", "ethics")],
    required_competencies=[target(11, "CM.1"), target(12, "CM.2"), target(13, "CM.3")],
    ethics_quizzes=[(module(ETHICS, "Ethics", "ethics"), EthicsQuiz(module_id=ETHICS, pass_mark_percent=80))],
    pledge_required=True,
)
DELIVERED = Delivery(held=4, total=4, ends_on=date(2026, 12, 11), delivered=True)
DONE = EnrolmentFacts(
    delivery=DELIVERED,
    attendance_percent=Decimal("92.5"),
    completed_module_ids=frozenset({1, 2, ETHICS}),
    competency_results={11: "competent", 12: "competent", 13: "competent"},
    quizzes={ETHICS: QuizRecord(online_attempts=1, best_percent=90, passed=True)},
    pledges={ETHICS: PledgeRecord(on_paper=False, signed_on=date(2026, 12, 1))},
)
NOTHING_DONE = EnrolmentFacts()

# (case, what differs from DONE, the requirement affected, is it met, what the checklist says about it)
ONE_RULE_AT_A_TIME: list[tuple[str, dict[str, Any], Requirement, bool, str]] = [
    ("every session held", {}, Requirement.sessions, True, "Course ends 11 Dec 2026: 4 of 4 sessions held"),
    (
        "sessions to come",
        {"delivery": Delivery(held=1, total=4, ends_on=date(2026, 12, 11))},
        Requirement.sessions,
        False,
        "Course ends 11 Dec 2026: 1 of 4 sessions held",
    ),
    (
        "no sessions, before the end date",
        {"delivery": Delivery(ends_on=date(2026, 12, 11))},
        Requirement.sessions,
        False,
        "Course ends 11 Dec 2026: no sessions scheduled",
    ),
    ("attendance above", {}, Requirement.attendance, True, "Attendance 92.5% of 80% required"),
    (
        "attendance at the threshold",
        {"attendance_percent": Decimal("80.0")},
        Requirement.attendance,
        True,
        "Attendance 80% of 80% required",
    ),
    (
        "attendance below",
        {"attendance_percent": Decimal("70")},
        Requirement.attendance,
        False,
        "Attendance 70% of 80% required",
    ),
    (
        "attendance not taken yet",
        {"attendance_percent": None},
        Requirement.attendance,
        False,
        "Attendance: not taken yet (80% required)",
    ),
    ("modules all done", {}, Requirement.modules, True, "Modules: 3 of 3 done"),
    (
        "a module missing",
        {"completed_module_ids": frozenset({1, ETHICS})},
        Requirement.modules,
        False,
        "Modules: 2 of 3 done (missing: Case planning)",
    ),
    (
        "modules that are not required do not count",
        {"completed_module_ids": frozenset({1, 2, ETHICS, 77})},
        Requirement.modules,
        True,
        "Modules: 3 of 3 done",
    ),
    ("competencies all competent", {}, Requirement.competencies, True, "Competencies: 3 of 3 competent"),
    (
        "latest assessment not yet competent",
        {"competency_results": {11: "competent", 12: "competent", 13: "not_yet_competent"}},
        Requirement.competencies,
        False,
        "Competencies: 2 of 3 competent (missing: CM.3)",
    ),
    (
        "competencies never assessed",
        {"competency_results": {12: "competent"}},
        Requirement.competencies,
        False,
        "Competencies: 1 of 3 competent (missing: CM.1, CM.3)",
    ),
    ("quiz passed", {}, Requirement.quiz, True, "Ethics quiz: passed (best 90%, pass mark 80%)"),
    (
        "quiz not taken",
        {"quizzes": {}},
        Requirement.quiz,
        False,
        "Ethics quiz: not taken yet (pass mark 80%, 3 attempts allowed)",
    ),
    (
        "quiz failed twice",
        {"quizzes": {ETHICS: QuizRecord(online_attempts=2, best_percent=60, passed=False)}},
        Requirement.quiz,
        False,
        "Ethics quiz: not passed yet (best 60%, pass mark 80%, 1 of 3 attempts left)",
    ),
    (
        "quiz failed every attempt",
        {"quizzes": {ETHICS: QuizRecord(online_attempts=3, best_percent=70, passed=False)}},
        Requirement.quiz,
        False,
        "Ethics quiz: not passed yet (best 70%, pass mark 80%, 0 of 3 attempts left)",
    ),
    (
        "quiz passed on paper after failing online",
        {"quizzes": {ETHICS: QuizRecord(online_attempts=3, best_percent=85, passed=True)}},
        Requirement.quiz,
        True,
        "Ethics quiz: passed (best 85%, pass mark 80%)",
    ),
    ("pledge accepted", {}, Requirement.pledge, True, "Code of ethics pledge: accepted online (1 Dec 2026)"),
    (
        "pledge signed on paper",
        {"pledges": {ETHICS: PledgeRecord(on_paper=True, signed_on=date(2026, 11, 30))}},
        Requirement.pledge,
        True,
        "Code of ethics pledge: signed on paper (30 Nov 2026)",
    ),
    (
        "pledge not accepted",
        {"pledges": {}},
        Requirement.pledge,
        False,
        "Code of ethics pledge: not accepted",
    ),
]


@pytest.mark.parametrize(
    ("changes", "requirement", "met", "text"),
    [case[1:] for case in ONE_RULE_AT_A_TIME],
    ids=[case[0] for case in ONE_RULE_AT_A_TIME],
)
def test_each_rule_alone(changes, requirement, met, text):
    checklist = completion_checklist(RULES, replace(DONE, **changes))
    (item,) = [item for item in checklist.items if item.requirement == requirement]
    assert (item.met, item.text()) == (met, text)
    # Every other requirement is still met, so completion turns on this one alone.
    assert all(other.met for other in checklist.items if other is not item)
    assert checklist.complete is met
    assert checklist.missing == ([] if met else [requirement])


def test_everything_done_is_complete():
    checklist = completion_checklist(RULES, DONE)
    assert checklist.complete
    assert [item.requirement for item in checklist.items] == list(Requirement)


def test_nothing_done_misses_every_requirement_and_says_so():
    checklist = completion_checklist(RULES, NOTHING_DONE)
    assert not checklist.complete
    assert checklist.missing == list(Requirement)
    assert [item.text() for item in checklist.items] == [
        "Sessions: none scheduled yet",
        "Attendance: not taken yet (80% required)",
        "Modules: 0 of 3 done (missing: Basics, Case planning, Ethics)",
        "Competencies: 0 of 3 competent (missing: CM.1, CM.2, CM.3)",
        "Ethics quiz: not taken yet (pass mark 80%, 3 attempts allowed)",
        "Code of ethics pledge: not accepted",
    ]
    quiz, pledge = checklist.items[4:]
    assert quiz.module_id == pledge.module_id == ETHICS


# (case, rules changed, facts, complete, requirements checked)
RULE_SETS: list[tuple[str, dict[str, Any], EnrolmentFacts, bool, list[Requirement]]] = [
    (
        "no minimum attendance: met before any is taken",
        {"min_attendance_percent": 0},
        replace(DONE, attendance_percent=None),
        True,
        list(Requirement),
    ),
    (
        "no required modules: no modules item",
        {"required_modules": []},
        replace(DONE, completed_module_ids=frozenset()),
        True,
        [
            Requirement.sessions,
            Requirement.attendance,
            Requirement.competencies,
            Requirement.quiz,
            Requirement.pledge,
        ],
    ),
    (
        "no required competencies: no competencies item",
        {"required_competencies": []},
        replace(DONE, competency_results={}),
        True,
        [
            Requirement.sessions,
            Requirement.attendance,
            Requirement.modules,
            Requirement.quiz,
            Requirement.pledge,
        ],
    ),
    (
        "no pledge required: no pledge item",
        {"pledge_required": False},
        replace(DONE, pledges={}),
        True,
        [
            Requirement.sessions,
            Requirement.attendance,
            Requirement.modules,
            Requirement.competencies,
            Requirement.quiz,
        ],
    ),
    (
        "two ethics modules: each quiz and pledge counts",
        {
            "ethics_quizzes": [
                *RULES.ethics_quizzes,
                (module(10, "Ethics 2", "ethics"), EthicsQuiz(module_id=10, pass_mark_percent=70)),
            ]
        },
        DONE,
        False,
        [*Requirement, Requirement.quiz, Requirement.pledge],
    ),
]


@pytest.mark.parametrize(
    ("rule_changes", "facts", "complete", "checked"),
    [case[1:] for case in RULE_SETS],
    ids=[case[0] for case in RULE_SETS],
)
def test_the_course_rules_decide_what_is_checked(rule_changes, facts, complete, checked):
    checklist = completion_checklist(replace(RULES, **rule_changes), facts)
    assert [item.requirement for item in checklist.items] == checked
    assert checklist.complete is complete


def test_the_checklist_speaks_the_readers_language():
    token = current_language.set("km")
    try:
        text = completion_checklist(RULES, replace(DONE, attendance_percent=Decimal("70"))).items[1].text()
    finally:
        current_language.reset(token)
    assert "៧០" in text and "៨០" in text  # Khmer digits


# ---------------------------------------------------------------- quiz_record: which attempts count


def attempt(mode: str, score: int | None, passed: bool | None, submitted: bool = True) -> QuizAttempt:
    return QuizAttempt(
        enrolment_id=1,
        module_id=ETHICS,
        mode=mode,
        score_percent=score,
        passed=passed,
        submitted_at=datetime.now(UTC) if submitted else None,
    )


QUIZ_RECORDS = [
    ("no attempts", [], QuizRecord(0, None, False)),
    ("failed online", [attempt("online", 60, False)], QuizRecord(1, 60, False)),
    (
        "passed on the second online attempt",
        [attempt("online", 60, False), attempt("online", 90, True)],
        QuizRecord(2, 90, True),
    ),
    (
        "a later failure does not undo a pass",
        [attempt("online", 90, True), attempt("paper", 50, False)],
        QuizRecord(1, 90, True),
    ),
    (
        "a paper pass counts; paper does not use up online attempts",
        [attempt("online", 40, False), attempt("paper", 85, True)],
        QuizRecord(1, 85, True),
    ),
    (
        "an unsubmitted attempt counts for nothing",
        [attempt("online", None, None, submitted=False)],
        QuizRecord(),
    ),
]


@pytest.mark.parametrize(
    ("attempts", "expected"), [case[1:] for case in QUIZ_RECORDS], ids=[case[0] for case in QUIZ_RECORDS]
)
def test_quiz_record(attempts, expected):
    assert quiz_record(attempts) == expected


# ---------------------------------------------------------------- the course delivered: sessions held

NOW = datetime(2026, 12, 8, 14, 0)  # Phnom Penh wall clock, 8 December at 14:00
DAY_1, DAY_2 = date(2026, 12, 8), date(2026, 12, 9)

HELD = [
    ("yesterday's session", Meeting(date(2026, 12, 7)), True),
    ("today's session that ended at noon", Meeting(DAY_1, ends_at=time(12, 0)), True),
    ("today's session that ends at 16:00", Meeting(DAY_1, ends_at=time(16, 0)), False),
    ("today's session without an end time: held at the end of the day", Meeting(DAY_1), False),
    ("today's session whose register was taken", Meeting(DAY_1, time(16, 0), register_taken=True), True),
    ("tomorrow's session", Meeting(DAY_2), False),
    ("a cancelled session, even a past one", Meeting(date(2026, 12, 1), cancelled=True), False),
]


@pytest.mark.parametrize(("meeting", "held"), [c[1:] for c in HELD], ids=[c[0] for c in HELD])
def test_a_session_is_held_once_it_ended_or_its_register_was_taken(meeting, held):
    assert session_held(meeting, NOW) is held
    assert session_held(meeting, NOW.replace(tzinfo=UTC)) is held  # the wall clock, whatever its zone


DELIVERIES = [
    (
        "day 1 of a 4-day cohort",
        [Meeting(DAY_1, register_taken=True), *(Meeting(date(2026, 12, d)) for d in (9, 10, 11))],
        Delivery(1, 4, date(2026, 12, 11), False),
    ),
    (
        "the last days cancelled: delivered once the others are held",
        [Meeting(date(2026, 12, 7)), Meeting(DAY_1, register_taken=True), Meeting(DAY_2, cancelled=True)],
        Delivery(2, 2, DAY_1, True),
    ),
    ("no sessions: delivered on the cohort's end date", [], Delivery(0, 0, DAY_1, True)),
    (
        "every session cancelled: by its end date",
        [Meeting(DAY_1, cancelled=True)],
        Delivery(0, 0, DAY_1, True),
    ),
]


@pytest.mark.parametrize(
    ("meetings", "expected"), [c[1:] for c in DELIVERIES], ids=[c[0] for c in DELIVERIES]
)
def test_a_course_is_delivered_when_every_session_not_cancelled_was_held(meetings, expected):
    assert course_delivery(meetings, DAY_1, NOW) == expected


def test_a_cohort_without_sessions_ending_later_is_not_delivered():
    assert course_delivery([], DAY_2, NOW) == Delivery(0, 0, DAY_2, False)


COMPLETION_DAYS = [
    ("records done early wait for the last session", [date(2026, 12, 8)], date(2026, 12, 11)),
    ("a requirement met after the last session", [date(2026, 12, 15), None], date(2026, 12, 15)),
    ("never after the certificate's issue", [date(2026, 12, 30)], date(2026, 12, 20)),
]


@pytest.mark.parametrize(
    ("days", "expected"), [c[1:] for c in COMPLETION_DAYS], ids=[c[0] for c in COMPLETION_DAYS]
)
def test_the_completion_day_is_when_the_last_requirement_was_met_never_before_the_last_session(
    days, expected
):
    assert completion_day(DELIVERED, days, issued_on=date(2026, 12, 20)) == expected
