"""When two trainee records are the same person: one rule, asked of one record or of thousands at once."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.columns import table
from people.models import Trainee

MATCH_CHUNK = 1000  # people whose recorded matches are looked up by one query
PersonKey = tuple[str, ...]
TRAINEE = table(Trainee)


class Person(Protocol):
    """What the rule reads of a record: a trainee's form, a roster row, a recorded trainee."""

    @property
    def phone(self) -> str | None: ...
    @property
    def name_km(self) -> str: ...
    @property
    def name_latin(self) -> str: ...
    @property
    def date_of_birth(self) -> date | None: ...


def person_keys(person: Person) -> list[PersonKey]:
    """The rule: two records are the same person when they share a key, that is the same phone, or the same
    name in either script (Latin in any case) and the same date of birth."""
    keys: list[PersonKey] = [("phone", person.phone)] if person.phone else []
    if person.date_of_birth:
        born = person.date_of_birth.isoformat()
        keys += [("km", person.name_km, born), ("latin", person.name_latin.lower(), born)]
    return keys


def may_be_same(people: Sequence[Person]) -> ColumnElement[bool] | None:
    """Recorded trainees who may share a key with some of `people`, through indexes and IN lists: for one
    person exactly the rule; for many, also names born on another's date of birth (`recorded_matches`
    keeps the true matches: asked as row-value pairs, PostgreSQL compared every trainee with every pair).
    None if nobody has a key."""
    alternatives: list[ColumnElement[bool]] = []
    if phones := {p.phone for p in people if p.phone}:
        alternatives.append(TRAINEE.c.phone.in_(phones))
    if dated := [p for p in people if p.date_of_birth]:
        same_name = or_(
            TRAINEE.c.name_km.in_({p.name_km for p in dated}),
            func.lower(TRAINEE.c.name_latin).in_({p.name_latin.lower() for p in dated}),
        )
        alternatives.append(and_(TRAINEE.c.date_of_birth.in_({p.date_of_birth for p in dated}), same_name))
    return or_(*alternatives) if alternatives else None


@dataclass(frozen=True)
class RecordedMatches:
    """The recorded trainees who are some of the people asked about (their id, keys, names and whether
    active), by id and by each key they share with them."""

    trainees: dict[int, Row[Any]]
    by_key: dict[PersonKey, set[int]]

    def of(self, person: Person) -> set[int]:
        """The ids of the recorded trainees who are this person."""
        return {trainee_id for key in person_keys(person) for trainee_id in self.by_key.get(key, ())}


async def recorded_matches(
    session: AsyncSession, people: Sequence[Person], *, chunk: int = MATCH_CHUNK
) -> RecordedMatches:
    """The rule for many people at once (a roster of thousands): one query per `chunk` of them rather than
    one per person. Only the true matches are kept: common names born on a thousand dates were thousands of
    trainees a chunk at national scale, once all kept in memory as ORM objects."""
    trainees: dict[int, Row[Any]] = {}
    by_key: dict[PersonKey, set[int]] = defaultdict(set)
    columns = ("id", "phone", "name_km", "name_latin", "date_of_birth", "active")
    for start in range(0, len(people), chunk):
        some = people[start : start + chunk]
        condition = may_be_same(some)
        if condition is None:
            continue
        wanted = {key for person in some for key in person_keys(person)}
        for trainee in await session.execute(select(*(TRAINEE.c[name] for name in columns)).where(condition)):
            for key in wanted.intersection(person_keys(trainee)):
                trainees[trainee.id] = trainee
                by_key[key].add(trainee.id)
    return RecordedMatches(trainees, dict(by_key))
