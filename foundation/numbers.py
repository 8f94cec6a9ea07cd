"""Whole numbers from outside (paths, queries, forms, JSON bodies): ASCII digits only, never more than the
database stores. Ids and page numbers are bounded here, and only here."""

from typing import Any

# PostgreSQL's INTEGER, the type of every id column: a larger number names no record of ours, and the
# driver refuses it with an error, not an empty result.
LARGEST = 2**31 - 1
# Page numbers start at 1: page 0 would ask the database for a negative offset.
LOWEST = {"page": 1}
# JSON nesting: our bodies go three levels deep; a body nested 100,000 deep exhausts the decoder's stack.
DEEPEST = 32


def whole_number(value: object) -> int | None:
    """The number written in a form field or query, if it is one we can store; otherwise None.

    `str.isdigit()` also takes '²' and Khmer digits, on which `int()` fails or gives what nobody wrote."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(LARGEST)):
        return None
    number = int(text)
    return number if number <= LARGEST else None


def in_bounds(name: str, number: int) -> bool:
    return LOWEST.get(name, 0) <= number <= LARGEST


def unstorable_numbers(value: Any, depth: int = 0) -> str | None:
    """What is wrong with a decoded JSON body's numbers or nesting, or None: one linear walk."""
    if depth > DEEPEST:
        return "nested too deep"
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -LARGEST <= value <= LARGEST else "number too large"
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        problem = unstorable_numbers(child, depth + 1)
        if problem:
            return problem
    return None
