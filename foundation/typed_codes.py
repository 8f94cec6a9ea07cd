"""Codes people read off paper and type back (certificate codes, sign-in cards): random characters in an
unambiguous alphabet, printed in groups, read back forgivingly."""

import re
import secrets

# Crockford's base 32: digits and capitals without I, L, O and U, so nothing is misread aloud or in print.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BITS_PER_CHARACTER = 5
GROUP = 4
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐-―_.]+")


def new_code(length: int) -> str:
    """A fresh code of `length` characters (5 random bits each), as stored: no dashes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def grouped(code: str) -> str:
    """The code as printed and read aloud, in groups of four: K7QM-3XPD-9RTA."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(text: str, length: int) -> str | None:
    """The stored form of what someone typed (any case, spaces, dashes, O for 0); None if not a code of
    `length` characters."""
    code = _SEPARATORS.sub("", text.strip()).upper().translate(_MISREAD)
    valid = len(code) == length and all(character in ALPHABET for character in code)
    return code if valid else None
