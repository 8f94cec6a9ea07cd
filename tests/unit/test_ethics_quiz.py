"""Drawing and grading an ethics quiz, and the signed draw: pure functions, no database."""

import random

import pytest

from courses.models import QuestionKind, QuizOption, QuizQuestion
from courses.services.ethics import (
    BankQuestion,
    as_shown,
    chosen_options,
    draw_questions,
    grade,
    read_draw,
    sign_draw,
)
from foundation.errors import DomainError

KEY = "unit-test-secret-" + "k" * 32


def question(question_id: int, correct: tuple[int, ...] = (1,), options: int = 4) -> BankQuestion:
    """Question `question_id` with options numbered question_id*10 + 1.. ; `correct` are their positions."""
    kind = QuestionKind.multiple if len(correct) > 1 else QuestionKind.single
    row = QuizQuestion(
        id=question_id, module_id=1, kind=kind, text_km="សំណួរ", text_en=f"Question {question_id}"
    )
    choices = tuple(
        QuizOption(
            id=question_id * 10 + n,
            question_id=question_id,
            position=n,
            text_km="ក",
            text_en=f"{n}",
            correct=n in correct,
        )
        for n in range(1, options + 1)
    )
    return BankQuestion(row, choices)


BANK = [question(1), question(2, correct=(2,)), question(3, correct=(1, 3)), question(4, correct=(4,))]


def right_answers(questions: list[BankQuestion]) -> dict[int, set[int]]:
    return {q.id: set(q.correct_option_ids) for q in questions}


def test_draws_the_asked_number_of_different_questions_with_the_same_options_shuffled():
    drawn = draw_questions(BANK, 3, random.Random(7))
    assert len(drawn) == 3 and len({q.id for q in drawn}) == 3
    for q in drawn:
        original = next(b for b in BANK if b.id == q.id)
        assert sorted(o.id for o in q.options) == sorted(o.id for o in original.options)
    orders = {
        tuple(o.id for o in q.options)
        for seed in range(20)
        for q in draw_questions(BANK[:1], 1, random.Random(seed))
    }
    assert len(orders) > 1  # options come in varying order


@pytest.mark.parametrize("seed", range(20))
def test_a_retake_draws_questions_not_seen_before_where_the_bank_allows(seed):
    rng = random.Random(seed)
    assert {q.id for q in draw_questions(BANK, 2, rng, seen={1, 2})} == {3, 4}
    # Too few new ones: every new one, topped up with seen ones.
    topped_up = [q.id for q in draw_questions(BANK, 3, rng, seen={1, 2, 3})]
    assert 4 in topped_up and len(set(topped_up)) == 3
    assert {q.id for q in draw_questions(BANK, 4, rng, seen={1, 2, 3, 4})} == {1, 2, 3, 4}


def test_the_questions_asked_again_are_not_always_last():
    places = {
        [q.id for q in draw_questions(BANK, 4, random.Random(seed), seen={1, 2, 3})].index(4)
        for seed in range(20)
    }
    assert len(places) > 1


def test_a_small_bank_gives_all_its_questions():
    assert {q.id for q in draw_questions(BANK, 10, random.Random(1))} == {1, 2, 3, 4}
    assert draw_questions([], 10, random.Random(1)) == []


def test_all_right_passes_with_full_marks():
    result = grade(BANK, right_answers(BANK), pass_mark_percent=80)
    assert (result.score, result.total, result.percent, result.passed) == (4, 4, 100, True)
    assert all(outcome.correct for outcome in result.outcomes)


def test_one_wrong_answer_is_counted_and_checked_against_the_pass_mark():
    answers = right_answers(BANK) | {2: {21}}
    result = grade(BANK, answers, pass_mark_percent=75)
    assert (result.score, result.percent, result.passed) == (3, 75, True)
    assert [o.correct for o in result.outcomes] == [True, False, True, True]
    assert grade(BANK, answers, pass_mark_percent=80).passed is False


def test_no_rounding_up_to_the_pass_mark():
    bank = [question(n) for n in range(1, 10)]
    answers = right_answers(bank[:7])  # 7 of 9 = 77.8%
    assert grade(bank, answers, pass_mark_percent=78).passed is False
    assert grade(bank, answers, pass_mark_percent=77).passed is True


def test_a_partly_right_multiple_choice_is_wrong():
    q = question(3, correct=(1, 3))
    assert grade([q], {3: {31}}, 50).outcomes[0].correct is False  # one of the two
    assert grade([q], {3: {31, 32, 33}}, 50).outcomes[0].correct is False  # both, and a wrong one
    assert grade([q], {3: {31, 33}}, 50).outcomes[0].correct is True


def test_two_choices_on_a_single_choice_question_are_wrong():
    assert grade([question(1)], {1: {11, 12}}, 50).outcomes[0].correct is False


def test_forged_option_ids_count_for_nothing():
    q = question(1)
    # 21 is the right option of another question, 999 exists nowhere: both are ignored.
    result = grade([q], {1: {21, 999}}, 50)
    assert result.outcomes[0].chosen_option_ids == frozenset() and result.score == 0
    assert grade([q], {1: {11, 999}}, 50).outcomes[0].correct is True
    # Answers to questions that were not drawn do not count either.
    assert grade([q], {2: {22}, 1: {12}}, 50).score == 0


def test_an_unanswered_quiz_fails():
    result = grade(BANK, {}, 80)
    assert (result.score, result.passed) == (0, False)
    assert grade([], {}, 0).passed is False


def test_the_signed_draw_keeps_the_questions_and_the_order_of_their_options():
    drawn = draw_questions(BANK, 3, random.Random(3))
    token = sign_draw(5, drawn, KEY)
    read = read_draw(token, 5, KEY)
    assert read == [(q.id, [o.id for o in q.options]) for q in drawn]
    shown = as_shown(BANK, read)
    assert [(q.id, [o.id for o in q.options]) for q in shown] == read


def test_the_signed_draw_refuses_forgeries():
    drawn = draw_questions(BANK, 3, random.Random(3))
    token = sign_draw(5, drawn, KEY)
    payload, _, signature = token.rpartition("~")
    forged = [
        f"5:1-11.12.13.14,2-21.22.23.24~{signature}",  # other questions, same signature
        "6" + token[1:],  # the same draw, said to be for another module
        f"{payload}~{'0' * len(signature)}",
        "",
        "garbage",
    ]
    for bad in forged:
        with pytest.raises(DomainError):
            read_draw(bad, 5, KEY)
    with pytest.raises(DomainError):
        read_draw(token, 6, KEY)  # a draw for module 5 is not one for module 6
    with pytest.raises(DomainError):
        read_draw(token, 5, "another-key-" + "x" * 32)


def test_deleted_questions_drop_out_of_a_draw():
    shown = as_shown(BANK[:2], [(2, [24, 23, 22, 21]), (3, [31, 32, 33, 34])])
    assert [(q.id, [o.id for o in q.options]) for q in shown] == [(2, [24, 23, 22, 21])]


def test_answers_are_positions_in_the_shown_order():
    [shown] = as_shown(BANK, [(2, [24, 22, 21, 23])])
    assert chosen_options([shown], {2: {2}}) == {2: {22}}  # the second option shown: the right one
    assert grade([shown], chosen_options([shown], {2: {2}}), 100).passed
    # Positions out of range, and answers to questions not shown, count for nothing.
    assert chosen_options([shown], {2: {0, 5, 99}, 3: {1}}) == {2: set()}
