"""Public certificate codes: 80 random bits written in 16 unambiguous characters, read back forgivingly."""

from foundation import typed_codes
from foundation.typed_codes import ALPHABET, grouped

__all__ = ["ALPHABET", "grouped", "new_code", "normalise"]

LENGTH = 16  # 16 characters x 5 bits = 80 bits


def new_code() -> str:
    """A fresh code, as stored: 16 characters, no dashes."""
    return typed_codes.new_code(LENGTH)


def normalise(text: str) -> str | None:
    """The stored form of what someone typed (any case, spaces, dashes, O for 0); None if not a code."""
    return typed_codes.normalise(text, LENGTH)
