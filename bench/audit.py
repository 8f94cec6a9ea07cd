"""Benchmark: the audit log page and its export on a log of a million entries.

    .venv/bin/python -m bench.audit [--entries 1000000] [--database sqlite|postgresql|both] [--runs 40]

Builds (once, then kept) a migrated database holding staff users, 20,000 trainees and `--entries` audit
entries over a year, written oldest first with bulk inserts: a SQLite file in var/bench/audit-<key>/, and
on PostgreSQL a database on the benchmark server (bench/national.py: NISA_BENCH_POSTGRES_URL, or our own
server on var/bench/postgres). The mix: trainees 40 %, enrolments 25 %, quiz attempts 10 %, certificates
10 %, cohorts, users and courses 5 % each; one actor in ten is the system.

Measured, as the page does it (people.services.audit_log.list_entries, then foundation.audit_words.describe:
the names of every id on the page, one query per record type), each in a session of its own: the first
page and a page deep in the results (the cursor 90 % of the way down) of each filter: none, record type,
one record's history, who, a month, and all of these at once. p50 and p95 over `--runs` runs. Then the CSV
export of a month of entries (people.services.audit_log.all_entries in batches, described, written by
foundation.spreadsheets.csv_part): entries per second. Targets: every p95 under 150 ms, the export at least
2,000 entries a second.
"""

import argparse
import asyncio
import itertools
import random
import shutil
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from bench.common import (
    BACKENDS,
    Backend,
    insert_all,
    insert_numbered,
    percentile,
    print_table,
    trainee_rows,
    verdict,
)
from bench.national import CACHE, _administer, _exists, bench_postgres
from foundation import audit_words
from foundation.audit import AuditEntry
from foundation.database import alembic_config, code_heads, create_engine, create_sessionmaker
from foundation.i18n import current_language
from foundation.roles import Role
from foundation.spreadsheets import csv_part
from nisa.audit_words import register_audit_words
from people.models import Trainee, User, UserRole
from people.services.audit_log import AuditFilter, all_entries, list_entries, selection_of

TARGET_P95_MS = 150.0
TARGET_EXPORT_PER_SECOND = 2_000.0
STAFF = 40
TRAINEES = 20_000
START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 365
CHUNK = 20_000
DATA = 1  # the version of the generated entries, in the cache key
HOT_TRAINEE = 7  # one trainee with a long history (one entry in 2,000 is about them)
MIX = (
    ("trainee", "trainee.update", 0.40),
    ("enrolment", "enrolment.create", 0.25),
    ("quiz_attempt", "quiz_attempt.submit", 0.10),
    ("certificate", "certificate.revoke", 0.10),
    ("cohort", "cohort.update", 0.05),
    ("user_account", "user.update", 0.05),
    ("course", "course.update", 0.05),
)
CUMULATIVE = list(itertools.accumulate(share for *_, share in MIX))


def cache_key(entries: int) -> str:
    """What the data set is made by: its size, the schema, and DATA (raise it when `_entry` changes)."""
    heads = "_".join(sorted(code_heads()))
    return f"{entries}_{heads}_v{DATA}".lower().replace("-", "_")


# ---------------------------------------------------------------- the data


def _entry(n: int, entries: int, rng: random.Random, staff: Sequence[int]) -> dict[str, Any]:
    entity_type, action, _ = rng.choices(MIX, cum_weights=CUMULATIVE)[0]
    at = START + timedelta(seconds=n * DAYS * 86_400 / entries)
    actor = None if rng.random() < 0.1 else rng.choice(staff)
    if entity_type == "trainee":
        entity_id = HOT_TRAINEE if n % 2_000 == 0 else rng.randint(1, TRAINEES)
        before = {"organisation_id": None, "phone": "+85512345678", "position": "Social worker"}
        after = before | {"organisation_id": rng.randint(1, 50), "position": "Commune focal point"}
    elif entity_type == "certificate":
        entity_id = rng.randint(1, 100_000)
        before = {"status": "valid", "revoked_by": None, "trainee_id": rng.randint(1, TRAINEES)}
        after = before | {"status": "revoked", "revoked_by": actor, "revoked_at": at.isoformat()}
    elif entity_type == "quiz_attempt":
        entity_id = rng.randint(1, 200_000)
        draw = {"questions": [[q, [1, 2, 3, 4]] for q in range(10)]}
        before = {"answers": None, "draw": draw, "score_percent": None}
        after = {
            "answers": {str(q): [rng.randint(1, 4)] for q in range(10)},
            "draw": draw,
            "score_percent": 80,
        }
    else:
        entity_id = rng.randint(1, 5_000)
        before = {"status": "enrolled"}
        after = {"status": "completed", "trainee_id": rng.randint(1, TRAINEES)}
    return {
        "at": at,
        "actor_id": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "before": before,
        "after": after,
        "ip": "10.0.0.1" if actor else None,
    }


async def _fill(url: str, entries: int) -> None:
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    rng = random.Random(17)
    async with maker() as session:
        users = [{"email": f"staff{n}@nisa.example.org", "display_name": f"Staff {n}"} for n in range(STAFF)]
        staff = await insert_numbered(session, User, users)
        roles = [Role.admin.value if n < 5 else Role.trainer.value for n in range(STAFF)]
        await insert_all(
            session, UserRole, [{"user_id": u, "role": r} for u, r in zip(staff, roles, strict=True)]
        )
        await insert_numbered(session, Trainee, trainee_rows(TRAINEES, rng))
        await session.commit()
        started = time.perf_counter()
        for first in range(0, entries, CHUNK):
            rows = [_entry(n, entries, rng, staff) for n in range(first, min(first + CHUNK, entries))]
            await session.execute(insert(AuditEntry), rows)
            await session.commit()
            done = first + len(rows)
            rate = done / (time.perf_counter() - started)
            print(f"\r  {done:,} entries ({rate:,.0f}/s)", end="", file=sys.stderr)
        print(file=sys.stderr)
    await engine.dispose()


@contextmanager
def audit_database(backend: Backend, entries: int) -> Iterator[str]:
    """The database of this size, built the first time (then kept in var/bench/ or on the bench server)."""
    key = cache_key(entries)
    if backend == "sqlite":
        folder = CACHE / f"audit-{key}"
        url = f"sqlite+aiosqlite:///{folder / 'audit.db'}"
        if not (folder / "complete").exists():
            for stale in CACHE.glob(f"audit-{entries}_*"):
                shutil.rmtree(stale, ignore_errors=True)
            folder.mkdir(parents=True)
            print(f"Building the audit log of {entries:,} entries in {folder}", file=sys.stderr)
            command.upgrade(alembic_config(url), "head")
            asyncio.run(_fill(url, entries))
            (folder / "complete").touch()
        yield url
        return
    with bench_postgres() as server_url:
        name = f"nisa_audit_{key}"
        if not _exists(server_url, name):
            building = f"{name}_building"
            asyncio.run(_administer(server_url, f"DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            asyncio.run(_administer(server_url, f"CREATE DATABASE {building}"))
            print(f"Building the audit log of {entries:,} entries on PostgreSQL", file=sys.stderr)
            command.upgrade(alembic_config(f"{server_url}/{building}"), "head")
            asyncio.run(_fill(f"{server_url}/{building}", entries))
            asyncio.run(_administer(server_url, f"ALTER DATABASE {building} RENAME TO {name}"))
        yield f"{server_url}/{name}"


# ---------------------------------------------------------------- the measures


@dataclass(frozen=True)
class Figures:
    name: str
    first_ms: tuple[float, float]
    deep_ms: tuple[float, float]


async def _deep_cursor(session: AsyncSession, wanted: AuditFilter) -> int | None:
    """The id 90 % of the way down the filter's results (found once, by a count and OFFSET: not timed)."""
    selection = await selection_of(session, wanted)
    conditions = selection.within() if selection else []
    entry_id = col(AuditEntry.id)
    count = (
        await session.execute(select(func.count()).select_from(AuditEntry).where(*conditions))
    ).scalar_one()
    query = select(entry_id).where(*conditions).order_by(entry_id.desc()).offset(int(count * 0.9)).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def _timed(
    maker: async_sessionmaker[AsyncSession], call: Callable[[AsyncSession], Awaitable[int]]
) -> float:
    async with maker() as session:
        started = time.perf_counter()
        await call(session)
        return (time.perf_counter() - started) * 1000


async def _page(session: AsyncSession, wanted: AuditFilter, before: int | None) -> int:
    page = await list_entries(session, wanted, before=before)
    return len(await audit_words.describe(session, page.entries))


async def measure(url: str, runs: int) -> tuple[list[Figures], tuple[int, float]]:
    register_audit_words()
    current_language.set("km")
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    async with maker() as session:
        admin = (await session.execute(select(func.min(User.id)))).scalar_one()
    month = (date(2026, 6, 1), date(2026, 6, 30))
    filters = {
        "none": AuditFilter(),
        "record type": AuditFilter(entity_type="certificate"),
        "one record": AuditFilter(entity_type="trainee", entity_id=str(HOT_TRAINEE)),
        "who": AuditFilter(actor_id=admin),
        "a month": AuditFilter(since=month[0], until=month[1]),
        "all at once": AuditFilter(entity_type="trainee", actor_id=admin, since=month[0], until=month[1]),
    }
    async with maker() as session:  # untimed: the catalogs compile, the connections open
        await _page(session, AuditFilter(), None)
    figures = []
    for name, wanted in filters.items():
        async with maker() as session:
            deep = await _deep_cursor(session, wanted)
        first = [await _timed(maker, lambda s, w=wanted: _page(s, w, None)) for _ in range(runs)]
        deeper = [await _timed(maker, lambda s, w=wanted, d=deep: _page(s, w, d)) for _ in range(runs)]
        figures.append(Figures(name, _p50_p95(first), _p50_p95(deeper)))
        print(f"  {name}: first {first[-1]:.1f} ms, deep {deeper[-1]:.1f} ms", file=sys.stderr)
    exported = 0
    started = time.perf_counter()
    async with maker() as session:
        size = len(csv_part([], audit_words.export_headings()))
        async for entries in all_entries(session, filters["a month"]):
            described = await audit_words.describe(session, entries)
            size += len(csv_part(audit_words.export_row(entry) for entry in described))
            exported += len(entries)
    seconds = time.perf_counter() - started
    await engine.dispose()
    return figures, (exported, seconds)


def _p50_p95(values: list[float]) -> tuple[float, float]:
    return percentile(values, 50), percentile(values, 95)


def report(backend: Backend, entries: int, figures: list[Figures], export: tuple[int, float]) -> bool:
    print(f"\nAudit log of {entries:,} entries on {backend} (one session a measure, Khmer words)")
    rows = [
        [f.name, f"{f.first_ms[0]:.1f} / {f.first_ms[1]:.1f}", f"{f.deep_ms[0]:.1f} / {f.deep_ms[1]:.1f}"]
        for f in figures
    ]
    print_table(["filter", "first page p50/p95 ms", "deep page p50/p95 ms"], rows)
    exported, seconds = export
    rate = exported / seconds if seconds else 0.0
    print(f"\nCSV export of a month: {exported:,} entries in {seconds:.1f} s, {rate:,.0f} entries/s")
    slowest = max(max(f.first_ms[1], f.deep_ms[1]) for f in figures)
    pages_pass = slowest < TARGET_P95_MS
    export_pass = rate >= TARGET_EXPORT_PER_SECOND
    pages = f"audit log page p95 {slowest:.1f} ms at worst (target < {TARGET_P95_MS:.0f} ms)"
    print(f"{pages} {verdict(pages_pass)}")
    export_line = f"audit log export {rate:,.0f} entries/s (target >= {TARGET_EXPORT_PER_SECOND:,.0f}/s)"
    print(f"{export_line} {verdict(export_pass)}")
    return pages_pass and export_pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database", choices=[*BACKENDS, "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args(argv)
    backends: list[Backend] = list(BACKENDS) if args.database == "both" else [args.database]
    passed = True
    for backend in backends:
        with audit_database(backend, args.entries) as url:
            figures, export = asyncio.run(measure(url, args.runs))
        passed = report(backend, args.entries, figures, export) and passed
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
