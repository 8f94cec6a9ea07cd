"""The audit log's words: every action the code writes has a label in both languages, special values read as
summaries, and what nobody gave words to stays readable."""

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from foundation import audit_words
from foundation.i18n import current_language, translations
from people.audit_words import TOKEN_PURPOSES
from training.audit_words import answers_summary

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("foundation", "people", "courses", "training", "certificates", "nisa")


def written_actions() -> tuple[set[str], set[str]]:
    """The actions passed to audit.record / record_many in the source: (literal codes, f-string patterns)."""
    codes: set[str] = set()
    patterns: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "record_many")
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit"
                    and len(node.args) >= 3
                ):
                    continue
                action = node.args[2]
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    codes.add(action.value)
                elif isinstance(action, ast.JoinedStr):
                    patterns.add(
                        "".join(
                            re.escape(part.value) if isinstance(part, ast.Constant) else r"\w+"
                            for part in action.values
                        )
                    )
    return codes, patterns


def test_the_source_writes_actions_this_test_can_find():
    codes, patterns = written_actions()
    assert {"certificate.revoke", "trainee.create", "quiz_attempt.paper"} <= codes
    assert len(codes) > 40 and patterns


def test_every_action_written_in_the_code_has_words():
    codes, patterns = written_actions()
    assert sorted(code for code in codes if code not in audit_words.ACTIONS) == []
    for pattern in patterns:
        assert any(re.fullmatch(pattern, action) for action in audit_words.ACTIONS), pattern
    # Actions made of parts: the purposes of a password link, and (de/re)activation of each kind of record
    # (people/services/activation.py names its action in a variable).
    assert {f"user.password_set_by_{purpose}" for purpose in TOKEN_PURPOSES} <= set(audit_words.ACTIONS)
    for table in ("user_account", "trainee", "organisation"):
        assert {f"{table}.deactivate", f"{table}.reactivate"} <= set(audit_words.ACTIONS)


def test_every_label_has_a_khmer_translation():
    khmer = translations("km")
    labels = [*audit_words.ACTIONS.values(), *(kind.label for kind in audit_words.RECORD_TYPES.values())]
    labels += [words.label for words in audit_words.FIELDS.values()]
    assert [label for label in labels if khmer.gettext(label) == label] == []


def test_every_record_type_written_has_a_name_finder():
    assert {
        "user_account",
        "trainee",
        "organisation",
        "course",
        "course_module",
        "cohort",
        "class_session",
        "enrolment",
        "assessment",
        "quiz_attempt",
        "certificate",
        "job_run",
        "outbox_message",
    } <= {value for value, kind in audit_words.RECORD_TYPES.items() if kind.names is not None}


@pytest.mark.parametrize(("asked", "correct"), [(10, 8), (9, 7), (3, 1), (7, 0), (7, 7), (100, 99)])
def test_quiz_answers_are_summarised_with_the_count_correct(asked, correct):
    current_language.set("en")
    values = {
        "draw": {"questions": [[n, [1, 2]] for n in range(asked)]},
        "score_percent": correct * 100 // asked,
    }
    answers = {str(n): [1] for n in range(asked)}
    assert answers_summary(answers, values) == f"{asked} answers, {correct} correct"


def test_quiz_answers_read_in_khmer_with_khmer_digits():
    current_language.set("km")
    try:
        values = {"draw": {"questions": [[n, [1]] for n in range(10)]}, "score_percent": 80}
        assert answers_summary({str(n): [1] for n in range(10)}, values) == "ចម្លើយ ១០ ត្រឹមត្រូវ ៨"
    finally:
        current_language.set("en")


def test_codes_nobody_gave_words_to_stay_readable():
    current_language.set("en")
    assert audit_words.action_label("session.cancel_everything") == "Session cancel everything"
    assert audit_words.record_type_label("sign_in_card") == "Sign in card"
    assert audit_words.field_label("sign_in_card", "printed_on") == "Printed on"


def test_values_are_formatted_for_people():
    current_language.set("km")
    try:
        assert audit_words.formatted(1234) == "១,២៣៤"
        assert audit_words.formatted("2026-03-05") == audit_words.format_date(date(2026, 3, 5))
        assert audit_words.formatted("2026-03-05T17:30:00+00:00") == "៦ មីនា ២០២៦ ម៉ោង ០០:៣០"
        assert audit_words.formatted(True) == translations("km").gettext("Yes")
        assert audit_words.formatted("40.5") == "៤០.៥" and audit_words.formatted("120101") == "120101"
        assert audit_words.formatted("2026-13-45") == "2026-13-45"  # shaped like a date, but none
    finally:
        current_language.set("en")
    assert audit_words.as_id("12") == 12 and audit_words.as_id("٣") is None
    assert audit_words.as_id("99999999999999999999") is None and audit_words.as_id(True) is None
