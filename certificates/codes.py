"""Public certificate codes: 80 random bits written in 16 unambiguous characters, read back forgivingly."""

import re
import secrets

# Crockford's base 32: digits and capitals without I, L, O and U, so nothing is misread aloud or in print.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16  # 16 characters x 5 bits = 80 bits
GROUP = 4
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐-―_.]+")
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_code() -> str:
    """A fresh code, as stored: 16 characters, no dashes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """The code as printed and read aloud: K7QM-3XPD-9RTA-2VHC."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(text: str) -> str | None:
    """The stored form of what someone typed (any case, spaces, dashes, O for 0); None if not a code."""
    code = _SEPARATORS.sub("", text.strip()).upper().translate(_MISREAD)
    return code if _VALID.fullmatch(code) else None
