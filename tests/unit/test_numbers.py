"""Whole numbers from outside: ASCII digits only, bounded by what the database stores."""

import pytest
from litestar.datastructures import FormMultiDict

from courses.forms import answers_by_question
from foundation.numbers import LARGEST, unstorable_numbers, whole_number


@pytest.mark.parametrize("text", ["²", "៣", "١", "", " ", "-1", "1.5", "9" * 25, str(LARGEST + 1), None])
def test_what_is_not_a_storable_whole_number(text):
    assert whole_number(text) is None


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("12", 12), (" 7 ", 7), (str(LARGEST), LARGEST)])
def test_whole_numbers(text, number):
    assert whole_number(text) == number


def test_json_bodies_are_walked_for_numbers_and_depth():
    assert unstorable_numbers({"a": [1, {"b": True}], "c": -LARGEST}) is None
    assert unstorable_numbers({"a": [1, {"b": LARGEST + 1}]}) == "number too large"
    deep: list[object] = []
    for _ in range(100):
        deep = [deep]
    assert unstorable_numbers({"a": deep}) == "nested too deep"


def test_quiz_answers_ignore_digits_int_cannot_read():
    form = FormMultiDict([("q12", "1"), ("q12", "²"), ("q²", "1"), (f"q{'9' * 25}", "1"), ("q13", "៣")])
    assert answers_by_question(form) == {12: {1}, 13: set()}
