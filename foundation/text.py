"""Text checks shared by every input: Unicode NFC, no control or bidi-override characters, Khmer script where
Khmer is asked for, blanks as nothing. `checked_text` runs on every string of every form and JSON body
(foundation.forms.validated); `printable` cleans what older rows may hold before it is rendered."""

import re
import unicodedata
from typing import Any

from foundation.i18n import N_

KHMER_LETTERS = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
# C0 controls but tab and line ends (multi-line fields), DEL, C1 controls; the bidi embeddings, overrides and
# isolates (U+202A-202E, U+2066-2069) that make text display other than it reads; zero-width and invisible
# characters (ZWJ, word joiner, byte order mark, ...), line and paragraph separators.
REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\u2028\u2029\ufeff\ufff9-\ufffb\u200d]"
)
# ZWSP and ZWNJ mark word breaks and stop a subscript in Khmer: kept after a Khmer character, refused
# elsewhere.
ZERO_WIDTH_FOR_KHMER = re.compile(r"(?<![\u1780-\u17FF\u19E0-\u19FF\u200b\u200c])[\u200b\u200c]")
LINE_BREAKS = re.compile(r"[\t\r\n]")


def checked_text(value: str) -> str:
    """NFC, or ValueError with a message to show if the text holds characters nobody can see or type."""
    value = unicodedata.normalize("NFC", value)
    if REFUSED.search(value) or ZERO_WIDTH_FOR_KHMER.search(value):
        raise ValueError(
            N_("Remove the invisible or control characters from this text (e.g. copied from elsewhere).")
        )
    return value


def printable(value: str) -> str:
    """What an older row may hold, made safe to render, sign or export: NFC, without the characters
    `checked_text` refuses today."""
    return ZERO_WIDTH_FOR_KHMER.sub("", REFUSED.sub("", unicodedata.normalize("NFC", value)))


def one_line(value: str) -> str:
    """For names and positions: a line break or tab in them pollutes logs and lists."""
    if LINE_BREAKS.search(value):
        raise ValueError(N_("Write this on one line."))
    return value


def checked_values(values: Any) -> tuple[Any, str | None]:
    """A submitted value (text, or lists and objects of them) with each text checked; the first problem."""
    if isinstance(values, str):
        try:
            return checked_text(values), None
        except ValueError as refused:
            return values, str(refused)
    if isinstance(values, list | dict):
        keys = list(values) if isinstance(values, dict) else range(len(values))
        checked = {key: checked_values(values[key]) for key in keys}
        first = next((problem for _, problem in checked.values() if problem), None)
        items = {key: item for key, (item, _) in checked.items()}
        return (items if isinstance(values, dict) else list(items.values())), first
    return values, None


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def khmer_text(value: str) -> str:
    if not KHMER_LETTERS.search(value):
        raise ValueError(N_("Write this in Khmer script."))
    return value
