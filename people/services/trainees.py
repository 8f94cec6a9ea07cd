"""Trainees: the people of the workforce, with the duplicate check that keeps one record per person."""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Boolean, ColumnElement, bindparam, func, or_, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import col, select

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import table
from foundation.errors import DuplicateSuspected, Forbidden, InvalidInput, NotFound
from foundation.i18n import LATIN_DIGITS, N_
from foundation.paging import Page
from people.models import Organisation, Trainee, TraineeCreate, TraineeUpdate
from people.services.activation import set_active
from people.services.locations import require_commune
from people.services.same_person import may_be_same

# The shortest text the trigram indexes can look up; shorter text is matched by scanning.
TRIGRAM = 3
TRAINEE = table(Trainee)
EXACT_COUNT_UP_TO = 10_000  # longer unfiltered lists may show PostgreSQL's estimate of their length


@dataclass(frozen=True)
class TraineeScope:
    """The trainees a user may see and change: every one, or those its `conditions` keep.

    Trainers see the trainees of their own cohorts only; cohorts are training's, a floor above, so the
    conditions are built there (training.services.access.trainee_scope) and handed down by the composition
    root as the `trainee_scope` dependency of the trainee pages and API."""

    conditions: tuple[ColumnElement[bool], ...] = ()


EVERY_TRAINEE = TraineeScope()
NOT_YOURS = N_("This trainee is not in one of your cohorts.")


class TextSearch(ColumnElement[bool]):
    """Trainees whose name (either script) or phone contains a text: `matching` (ILIKE, served by pg_trgm
    indexes on PostgreSQL), or on SQLite the same question put to the FTS5 trigram index `trainee_search`
    (an external-content table over `trainee`, kept in step by triggers; see the migrations)."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [
        ("matching", InternalTraversal.dp_clauseelement),
        ("query", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, matching: ColumnElement[bool], query: str) -> None:
        self.matching = matching
        self.query: BindParameter[str] = bindparam("trainee_search", query, unique=True)

    def self_group(self, against: Any = None) -> "TextSearch":
        # A whole condition, not a boolean value: SQLite would otherwise get `... = 1`, which keeps its
        # planner from starting at the index.
        return self


@compiles(TextSearch)
def _compile_matching(element: TextSearch, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.matching.self_group(against=operators.and_), **kw)


@compiles(TextSearch, "sqlite")
def _compile_full_text(element: TextSearch, compiler: SQLCompiler, **kw: Any) -> str:
    trainee_id = compiler.process(TRAINEE.c.id, **kw)
    query = compiler.process(element.query, **kw)
    return f"{trainee_id} IN (SELECT rowid FROM trainee_search WHERE trainee_search MATCH {query})"


def _phrase(text: str) -> str:
    """Text as one FTS5 string: matched as a substring by the trigram index, quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def search_condition(q: str) -> ColumnElement[bool]:
    """Substring match on either script (Khmer has no spaces between words) or on the phone's digits,
    through the trigram indexes when the texts are long enough for them (else by scanning). Text without a
    letter but with three digits or more (in either script) is a phone number: names are not searched for
    it (none holds a digit, and testing each name for digits made PostgreSQL's walk down the name index for
    a rare number several times longer)."""
    digits = re.sub(r"\D", "", q.translate(LATIN_DIGITS))
    is_phone = len(digits) >= 3
    alternatives: list[ColumnElement[bool]] = []
    phrases, searched = [], []
    if not is_phone or any(character.isalpha() for character in q):
        pattern = f"%{q}%"
        alternatives += [col(Trainee.name_km).ilike(pattern), col(Trainee.name_latin).ilike(pattern)]
        phrases.append(f"{{name_km name_latin}} : {_phrase(q)}")
        searched.append(q)
    if is_phone:
        number = digits.lstrip("0")
        alternatives.append(col(Trainee.phone).contains(number))
        phrases.append(f"{{phone}} : {_phrase(number)}")
        searched.append(number)
    matching = or_(*alternatives)
    if any(len(text) < TRIGRAM for text in searched):
        return matching
    return TextSearch(matching, " OR ".join(phrases))


# The active trainees, counted as all of them less the inactive (few): SQLite counts a whole table from its
# pages (microseconds) but rows meeting a condition one by one (3 ms at 100,000, on every page of the list).
_ACTIVE_COUNT = select(
    select(func.count()).select_from(TRAINEE).scalar_subquery()
    - select(func.count()).select_from(TRAINEE).where(TRAINEE.c.active.is_(False)).scalar_subquery()
)


async def _estimated_active(session: AsyncSession) -> int | None:
    """PostgreSQL's estimate of the active trainees, from its statistics (no rows read); None elsewhere.
    Counting 100,000 rows exactly costs tens of milliseconds on every page of the list."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    explained = text("EXPLAIN (FORMAT JSON) SELECT 1 FROM trainee WHERE active")
    return int((await session.execute(explained)).scalar_one()[0]["Plan"]["Plan Rows"])


async def search_trainees(
    session: AsyncSession,
    q: str = "",
    *,
    page: int = 1,
    per_page: int = 25,
    include_inactive: bool = False,
    estimate_total: bool = False,
    scope: TraineeScope = EVERY_TRAINEE,
) -> Page[tuple[Trainee, Organisation | None]]:
    """`estimate_total`: the unfiltered list of active trainees, when long, may give the database's
    estimate of its length (the admin page says "about"); the API always counts."""
    conditions = list(scope.conditions)
    if q.strip():
        conditions.append(search_condition(q.strip()))
    if not include_inactive:
        conditions.append(TRAINEE.c.active)  # bare, so PostgreSQL can match it to the index
    every_active = not q.strip() and not include_inactive and not scope.conditions
    estimate = await _estimated_active(session) if estimate_total and every_active else None
    approximate = estimate is not None and estimate > EXACT_COUNT_UP_TO
    if estimate is not None and approximate:
        total = estimate
    else:
        counted = (
            _ACTIVE_COUNT if every_active else select(func.count()).select_from(Trainee).where(*conditions)
        )
        total = (await session.execute(counted)).scalar_one()
    in_order = (col(Trainee.name_latin), col(Trainee.id))
    # The page's ids first, from the index (active, name_latin, id) alone, then only their rows: a deep page
    # skips index entries, not whole rows.
    page_ids = (
        select(col(Trainee.id))
        .where(*conditions)
        .order_by(*in_order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    query = (
        select(Trainee, Organisation)
        .outerjoin(Organisation, col(Organisation.id) == Trainee.organisation_id)
        .where(col(Trainee.id).in_(page_ids))
        .order_by(*in_order)
    )
    return Page([(t, o) for t, o in (await session.execute(query)).all()], total, page, per_page, approximate)


async def get_trainee(session: AsyncSession, trainee_id: int, scope: TraineeScope = EVERY_TRAINEE) -> Trainee:
    trainee = await session.get(Trainee, trainee_id)
    if trainee is None:
        raise NotFound(N_("No such trainee."))
    if scope.conditions:
        within = select(col(Trainee.id)).where(col(Trainee.id) == trainee_id, *scope.conditions)
        if (await session.execute(within)).first() is None:
            raise Forbidden(NOT_YOURS)
    return trainee


async def find_duplicates(
    session: AsyncSession, data: TraineeCreate | TraineeUpdate, exclude_id: int | None = None
) -> list[Trainee]:
    """Trainees who are the same person by the rule of people.services.same_person: the same phone, or the
    same name (either script) and date of birth."""
    condition = may_be_same([data])
    if condition is None:
        return []
    query = select(Trainee).where(condition)
    if exclude_id is not None:
        query = query.where(col(Trainee.id) != exclude_id)
    return list((await session.execute(query.order_by(col(Trainee.id)).limit(10))).scalars())


async def _check(session: AsyncSession, data: TraineeCreate | TraineeUpdate) -> None:
    await require_commune(session, data.commune_code)
    if data.organisation_id is not None and await session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput({"organisation_id": N_("No such organisation.")})


async def create_trainee(
    session: AsyncSession, actor: Actor, data: TraineeCreate, *, confirm_duplicate: bool = False
) -> Trainee:
    await _check(session, data)
    if not confirm_duplicate and (matches := await find_duplicates(session, data)):
        raise DuplicateSuspected(matches)
    trainee = Trainee(**data.model_dump())
    session.add(trainee)
    await session.flush()
    audit.record(session, actor, "trainee.create", trainee, None, audit.snapshot(trainee))
    return trainee


async def update_trainee(
    session: AsyncSession,
    actor: Actor,
    trainee_id: int,
    data: TraineeUpdate,
    *,
    confirm_duplicate: bool = False,
    scope: TraineeScope = EVERY_TRAINEE,
) -> Trainee:
    trainee = await get_trainee(session, trainee_id, scope)
    await _check(session, data)
    if not confirm_duplicate and (matches := await find_duplicates(session, data, exclude_id=trainee_id)):
        raise DuplicateSuspected(matches)
    before = audit.snapshot(trainee)
    trainee.sqlmodel_update(data.model_dump() | {"updated_at": utcnow()})
    audit.record(session, actor, "trainee.update", trainee, before, audit.snapshot(trainee))
    return trainee


async def set_trainee_active(session: AsyncSession, actor: Actor, trainee_id: int, active: bool) -> None:
    """Deactivate or reactivate: trainees are never deleted, their history stays."""
    await set_active(session, actor, await get_trainee(session, trainee_id), active)
