"""The audit log in people's words: each package registers what its records, actions and fields are called,
how a batch of its record ids becomes names and links, and how its special values read (the log knows none).

Entries are described a page at a time: every id on the page (records, actors, ids in the values) is
gathered first, then each record type turns all of its ids into names with one query."""

import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foundation.audit import AuditEntry
from foundation.formatting import format_date, format_datetime, format_number, in_digits_of
from foundation.i18n import N_, current_language, gettext
from foundation.numbers import LARGEST

USERS = "user_account"  # the record type of the people who act (their names come from its registration)
HIDDEN_FIELDS = frozenset({"id", "created_at", "updated_at"})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECIMAL = re.compile(r"^\d+\.\d+$")  # hours as the log keeps them ("40.0"); not codes, not phones
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class Named:
    """A record as people know it: its name, and its page if it has one."""

    name: str
    url: str | None = None


# Ids (as stored in the log: text) -> their names; ONE query for the whole batch. Ids not found are left out.
NameFinder = Callable[[AsyncSession, Collection[int]], Awaitable[Mapping[int, Named]]]
# A special value (quiz answers, a drawn quiz) -> a short phrase in the current language; gets the values
# of the whole snapshot, for summaries that need a neighbour (answers and their score).
Summary = Callable[[Any, Mapping[str, Any]], str]


@dataclass(frozen=True)
class RecordType:
    value: str  # AuditEntry.entity_type: the table's name
    label: str  # a catalog msgid
    names: NameFinder | None = None


@dataclass(frozen=True)
class FieldWords:
    label: str  # a catalog msgid
    refers_to: str | None = None  # the record type whose id (or list of ids) the value is
    values: Mapping[Any, str] = field(default_factory=dict)  # stored value (a str or StrEnum) -> msgid
    summary: Summary | None = None


@dataclass(frozen=True)
class Vocabulary:
    """One package's words: registered from the composition root. Field words are found by field name, or by
    "entity_type.field" where one type's field means something else."""

    record_types: Sequence[RecordType] = ()
    actions: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, FieldWords] = field(default_factory=dict)


RECORD_TYPES: dict[str, RecordType] = {}
ACTIONS: dict[str, str] = {}
FIELDS: dict[str, FieldWords] = {}


def register(*vocabularies: Vocabulary) -> None:
    """Make words known to the audit log page and its export; the composition root calls this at start-up."""
    for vocabulary in vocabularies:
        RECORD_TYPES.update((kind.value, kind) for kind in vocabulary.record_types)
        ACTIONS.update(vocabulary.actions)
        FIELDS.update(vocabulary.fields)
    _words_for.cache_clear()


def readable(code: str) -> str:
    """A code nobody gave words to (added later), still readable: "quiz_attempt.paper" > "Quiz attempt
    paper"."""
    words = re.sub(r"[._]+", " ", code).strip()
    return words[:1].upper() + words[1:]


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return gettext(label) if label else readable(action)


def record_type_label(entity_type: str) -> str:
    kind = RECORD_TYPES.get(entity_type)
    return gettext(kind.label) if kind else readable(entity_type)


def record_type_choices() -> list[tuple[str, str]]:
    """(value, label) of every registered record type, in the current language's order."""
    return sorted(((value, record_type_label(value)) for value in RECORD_TYPES), key=lambda c: c[1])


def words_for(entity_type: str, name: str) -> FieldWords | None:
    return _words_for(entity_type, name)


@lru_cache(maxsize=4096)
def _words_for(entity_type: str, name: str) -> FieldWords | None:
    """Looked up for every value of every entry of an export: kept (`register` forgets them)."""
    return FIELDS.get(f"{entity_type}.{name}") or FIELDS.get(name)


def field_label(entity_type: str, name: str) -> str:
    words = words_for(entity_type, name)
    return gettext(words.label) if words else readable(name)


def as_id(value: object) -> int | None:
    """A stored id (an int, or text of digits) within the database's range; anything else is no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 0 < number <= LARGEST else None


# ---------------------------------------------------------------- described entries


@dataclass(frozen=True)
class Change:
    label: str
    before: list[Named] | None  # None: the record did not exist before (or was deleted after)
    after: list[Named] | None


@dataclass(frozen=True)
class DescribedEntry:
    id: int
    at: datetime
    when: str  # Phnom Penh time, in the one format
    actor: Named | None  # None: the system (a job, a command)
    ip: str | None
    action: str
    action_label: str
    entity_type: str
    entity_id: str
    record_type: str
    record: Named
    changes: list[Change]


class _Names:
    """Every id a page names, gathered first and then found with one query per record type."""

    def __init__(self) -> None:
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.found: dict[str, Mapping[int, Named]] = {}

    def want(self, entity_type: str | None, value: object) -> None:
        if entity_type is None:
            return
        for item in value if isinstance(value, list) else [value]:
            if (number := as_id(item)) is not None:
                self.wanted[entity_type].add(number)

    async def find(self, session: AsyncSession) -> None:
        for entity_type, ids in self.wanted.items():
            kind = RECORD_TYPES.get(entity_type)
            if kind is not None and kind.names is not None and ids:
                self.found[entity_type] = await kind.names(session, ids)

    def named(self, entity_type: str, value: object) -> Named:
        number = as_id(value)
        known = self.found.get(entity_type, {}).get(number) if number is not None else None
        return known or Named(f"#{_shown_number(value)}")


def _shown_number(value: object) -> str:
    """An id is no quantity: its digits in the language's script, without grouping."""
    return in_digits_of(str(value))


async def describe(session: AsyncSession, entries: Sequence[AuditEntry]) -> list[DescribedEntry]:
    """A page of entries in the current language: names for ids (one query per record type), labels for
    actions and fields, values formatted, times in Phnom Penh time."""
    names = _Names()
    for entry in entries:
        entity_type = entry.entity_type
        names.want(entity_type, entry.entity_id)
        names.want(USERS, entry.actor_id)
        for values in (entry.before or {}, entry.after or {}):
            for key, value in values.items():
                words = words_for(entity_type, key)
                if words is not None and words.refers_to is not None:
                    names.want(words.refers_to, value)
    await names.find(session)
    return [_described(entry, names) for entry in entries]


async def record_named(session: AsyncSession, entity_type: str, entity_id: str) -> Named:
    """One record by name (the record whose history a page shows)."""
    names = _Names()
    names.want(entity_type, entity_id)
    await names.find(session)
    return names.named(entity_type, entity_id)


def _described(entry: AuditEntry, names: _Names) -> DescribedEntry:
    return DescribedEntry(
        id=entry.id or 0,
        at=entry.at,
        when=when(entry.at),
        actor=names.named(USERS, entry.actor_id) if entry.actor_id is not None else None,
        ip=entry.ip,
        action=entry.action,
        action_label=action_label(entry.action),
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        record_type=record_type_label(entry.entity_type),
        record=names.named(entry.entity_type, entry.entity_id),
        changes=_changes(entry, names),
    )


def _changes(entry: AuditEntry, names: _Names) -> list[Change]:
    before, after = entry.before, entry.after
    keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
    changes = []
    for key in keys:
        old, new = (before or {}).get(key), (after or {}).get(key)
        if key in HIDDEN_FIELDS or (before is not None and after is not None and old == new):
            continue
        if (before is None or after is None) and _empty(old) and _empty(new):
            continue  # a record created or deleted: its empty fields say nothing
        changes.append(
            Change(
                field_label(entry.entity_type, key),
                None if before is None else _shown(entry.entity_type, key, old, before, names),
                None if after is None else _shown(entry.entity_type, key, new, after, names),
            )
        )
    return changes


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _shown(
    entity_type: str, key: str, value: object, values: Mapping[str, Any], names: _Names
) -> list[Named]:
    words = words_for(entity_type, key)
    if words is not None and words.refers_to is not None and value is not None:
        items = value if isinstance(value, list) else [value]
        return [names.named(words.refers_to, item) for item in items]
    if words is not None and words.summary is not None and value is not None:
        return [Named(words.summary(value, values))]
    if words is not None and words.values and isinstance(value, list):
        return [Named(_value_word(words, item)) for item in value] or [Named("—")]
    return [Named(_value_word(words, value) if words is not None else formatted(value))]


def _value_word(words: FieldWords, value: object) -> str:
    """A stored code (a status, a role) in words, if the field names its codes."""
    if isinstance(value, str) and value in words.values:
        return gettext(words.values[value])
    return formatted(value)


def formatted(value: object) -> str:
    """A stored value as people read it: dates and times in Phnom Penh, numbers with the language's digits."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext(N_("Yes")) if value else gettext(N_("No"))
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list):
        return ", ".join(formatted(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {formatted(item)}" for key, item in value.items()) or "—"
    text = str(value)
    try:
        if ISO_DATE.match(text):
            return format_date(date.fromisoformat(text))
        if ISO_DATETIME.match(text):
            moment = datetime.fromisoformat(text)
            return when(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except ValueError:  # shaped like a date, but none
        return text
    return format_number(Decimal(text)) if DECIMAL.match(text) else text


def when(moment: datetime) -> str:
    """A moment in Phnom Penh time, in the log's one format: 5 Mar 2026, 10:00; ៥ មីនា ២០២៦ ម៉ោង ១០:០០."""
    return format_datetime(moment)


def in_language(khmer: str, english: str) -> str:
    """A bilingual name in the current language, the other one when it is empty."""
    if current_language.get() == "km":
        return khmer or english
    return english or khmer


def joined(names: Iterable[Named]) -> str:
    """Names as one line of text (the CSV export's cell)."""
    return ", ".join(named.name for named in names)


# ---------------------------------------------------------------- the export


def export_headings() -> list[str]:
    return [
        gettext(heading) for heading in (N_("When"), N_("Who"), N_("What"), N_("Record type"), N_("Record"))
    ] + [gettext(N_("Changes"))]


def export_row(entry: DescribedEntry) -> list[str]:
    """An entry as the page shows it, in one row: the changes as "Field: before → after" lines."""
    who = entry.actor.name if entry.actor else gettext(N_("System"))
    return [entry.when, who, entry.action_label, entry.record_type, entry.record.name, _changes_text(entry)]


def _changes_text(entry: DescribedEntry) -> str:
    lines = []
    for change in entry.changes:
        after = "—" if change.after is None else joined(change.after)
        shown = after if change.before is None else f"{joined(change.before)} → {after}"
        lines.append(f"{change.label}: {shown}")
    return "\n".join(lines)
