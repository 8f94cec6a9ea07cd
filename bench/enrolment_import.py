"""Benchmark: a bulk enrolment file of 10,000 rows, checked (preview) and confirmed (commit) through the
running app as a trainer does it, against a national database.

    .venv/bin/python -m bench.enrolment_import [--database sqlite|postgresql] [--trainees 1000] [--rows 10000]

The trainer creates a cohort for 10,000 (JSON API), uploads a CSV file (the import's own columns) of new
people, people already recorded (same phone: matched), a few repeated in the file and a few with mistakes,
waits for the check to finish (as the page's progress bar does) and opens the preview, then confirms. Timed:
upload to preview shown, and confirm to its answer; the cohort's enrolments are counted afterwards.
"""

import argparse
import asyncio
import csv
import io
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from bench.common import AppServer, Backend, app_server, print_table
from bench.national import national_arguments, national_run
from bench.pages import TRAINER, app_settings, signed_in
from courses.models import Course, CourseStatus
from foundation.database import create_engine, create_sessionmaker
from nisa.demo.people import FAMILY_NAMES, GIVEN_NAMES, POSITIONS
from people.models import Commune, Organisation, Sex, Trainee
from tests.postgres import free_port
from training.models import Enrolment, EnrolmentImport
from training.services.enrolment_import.statuses import TO_ENROL
from training.services.roster_uploads import COLUMNS

ROWS = 10_000
MATCHED_SHARE, REPEATED_SHARE, MISTAKEN_SHARE = 0.15, 0.03, 0.02
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ImportTiming:
    rows: int
    preview_seconds: float
    commit_seconds: float
    enrolled: int  # enrolments of the cohort after the commit
    expected: int  # rows the check found new or matched: each must be enrolled (or waitlisted)

    @property
    def total_seconds(self) -> float:
        return self.preview_seconds + self.commit_seconds


@dataclass(frozen=True)
class Reference:
    """What the file refers to: recorded people to match, employers and communes by their real names/codes."""

    recorded: list[dict[str, str]]
    organisations: list[str]
    communes: list[str]
    course_id: int


async def _reference(url: str, matched: int) -> Reference:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            people = await session.execute(
                select(
                    col(Trainee.name_km),
                    col(Trainee.name_latin),
                    col(Trainee.sex),
                    col(Trainee.date_of_birth),
                    col(Trainee.phone),
                )
                .where(col(Trainee.phone).is_not(None), col(Trainee.active))
                .order_by(func.random())
                .limit(matched)
            )
            recorded = [
                {
                    "name_km": km,
                    "name_latin": latin,
                    "sex": sex,
                    "date_of_birth": str(born or ""),
                    "phone": phone or "",
                }
                for km, latin, sex, born, phone in people
            ]
            organisations = list((await session.execute(select(col(Organisation.name_en)))).scalars())
            communes = list((await session.execute(select(col(Commune.code)).limit(300))).scalars())
            course = select(col(Course.id)).where(col(Course.status) == CourseStatus.published).limit(1)
            course_id = int((await session.execute(course)).scalar_one() or 0)
    finally:
        await engine.dispose()
    return Reference(recorded, organisations, communes, course_id)


def roster_file(reference: Reference, rows: int, rng: random.Random) -> bytes:
    """The CSV file: mostly new people, some already recorded, a few repeated, a few with a mistake."""
    lines: list[dict[str, str]] = []
    for n in range(rows - len(reference.recorded)):
        sex = rng.choice(list(Sex))
        (family_km, family), (given_km, given) = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES[sex])
        born = date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 33))
        lines.append(
            {
                "name_km": f"{family_km} {given_km}",
                "name_latin": f"{family} {given}",
                "sex": sex.value,
                "date_of_birth": born.isoformat(),
                "phone": f"015 {300_000 + n:06d}",  # 015 is not a prefix of the demo's numbers
                "email": f"{given.lower()}.{family.lower()}.import{n}@example.org",
                "organisation": rng.choice(reference.organisations),
                "position": rng.choice(POSITIONS),
                "commune_code": rng.choice(reference.communes),
            }
        )
    lines += [person | {"position": rng.choice(POSITIONS)} for person in reference.recorded]
    rng.shuffle(lines)
    repeated, mistaken = int(rows * REPEATED_SHARE), int(rows * MISTAKEN_SHARE)
    for n in range(repeated):  # the same person twice in the file: the second is a duplicate
        lines[len(lines) - 1 - n] = dict(lines[n])
    for n in range(repeated, repeated + mistaken):
        lines[n]["phone"] = "12"  # not a phone number
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(lines)
    return text.getvalue().encode("utf-8-sig")


def _create_cohort(client: httpx.Client, reference: Reference, rows: int) -> int:
    start = date.today() + timedelta(days=30)
    cohort = {
        "code": f"IMPORT-{random.randrange(10**6):06d}",
        "course_id": reference.course_id,
        "venue_province_code": "12",
        "venue": "NISA, Phnom Penh",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=4)).isoformat(),
        "capacity": rows,
    }
    answer = client.post("/api/v1/cohorts", json=cohort, headers={"x-csrftoken": client.cookies["csrftoken"]})
    answer.raise_for_status()
    return int(answer.json()["id"])


def _checked(client: httpx.Client, cohort_id: int, content: bytes) -> str:
    """Upload the file and wait until its check is over, as the progress bar does; the preview's address."""
    form = {"_csrf_token": client.cookies["csrftoken"]}
    files = {"file": ("trainees.csv", content, "text/csv")}
    answer = client.post(f"/cohorts/{cohort_id}/import", data=form, files=files)
    if answer.status_code != 303:
        raise RuntimeError(f"upload refused: {answer.status_code} {answer.text[:500]}")
    preview = answer.headers["location"]
    while "hx-refresh" not in client.get(f"{preview}/progress").headers:
        time.sleep(POLL_SECONDS)
    return preview


def measure_import(server: AppServer, url: str, rows: int = ROWS, seed: int = 5) -> ImportTiming:
    rng = random.Random(seed)
    reference = asyncio.run(_reference(url, int(rows * MATCHED_SHARE)))
    content = roster_file(reference, rows, rng)
    cookies = signed_in(server, TRAINER)
    with httpx.Client(base_url=server.url, cookies=cookies, timeout=300, follow_redirects=False) as client:
        cohort_id = _create_cohort(client, reference, rows)
        started = time.perf_counter()
        preview = _checked(client, cohort_id, content)
        client.get(preview).raise_for_status()
        checked = time.perf_counter()
        answer = client.post(f"{preview}/confirm", data={"_csrf_token": client.cookies["csrftoken"]})
        committed = time.perf_counter()
        if answer.status_code != 303:
            raise RuntimeError(f"confirm refused: {answer.status_code} {answer.text[:500]}")
    enrolled, expected = asyncio.run(_outcome(url, cohort_id))
    return ImportTiming(rows, checked - started, committed - checked, enrolled, expected)


async def _outcome(url: str, cohort_id: int) -> tuple[int, int]:
    """(the cohort's enrolments, the rows its import's preview classified as new or matched)."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            counted = select(func.count()).where(col(Enrolment.cohort_id) == cohort_id)
            enrolled = int((await session.execute(counted)).scalar_one())
            preview = select(col(EnrolmentImport.preview)).where(col(EnrolmentImport.cohort_id) == cohort_id)
            entries = (await session.execute(preview)).scalar_one() or []
    finally:
        await engine.dispose()
    return enrolled, sum(1 for entry in entries if entry["outcome"] in TO_ENROL)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.enrolment_import", description=__doc__.split("\n")[0]
    )
    national_arguments(parser)
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args(argv)
    backend: Backend = args.database
    with (
        national_run(backend, args.trainees) as (copy, folder),
        app_server(app_settings(copy, folder), free_port(), folder / "app.log") as server,
    ):
        timing = measure_import(server, copy.url, args.rows)
    print(f"\nBulk enrolment on {backend}, {args.trainees:,} trainees in the database:")
    rows = [[f"{timing.rows:,} rows", timing.preview_seconds, timing.commit_seconds, timing.total_seconds]]
    print_table(["file", "check + preview s", "commit s", "total s"], rows)
    print(f"enrolled {timing.enrolled:,} of {timing.expected:,} new and matched rows")
    return 0 if timing.enrolled == timing.expected else 1


if __name__ == "__main__":
    sys.exit(main())
