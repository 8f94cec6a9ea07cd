"""Text checks shared by every bilingual input: Khmer script where Khmer is asked for, blanks as nothing."""

import re
from typing import Any

from foundation.i18n import N_

KHMER_LETTERS = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def khmer_text(value: str) -> str:
    if not KHMER_LETTERS.search(value):
        raise ValueError(N_("Write this in Khmer script."))
    return value
