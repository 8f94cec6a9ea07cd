"""Benchmark: the key pages as their users open them, under wrk against `nisa serve` on a national database:
p50/p95 latency of each.

    .venv/bin/python -m bench.pages [--database sqlite|postgresql] [--trainees 1000] [--duration 8]
                                    [--connections 1]

The pages: trainee search (the enrol page's live results, as the demo trainer types names in either script,
phone digits or an employer), the admin trainee list (its first five pages, as its pager walks them), the
roster of the demo trainer's cohort of 500 (its cohort page), the demo trainee's progress page, the demo
trainer's dashboard and the public verification page of certificates of every status. Each is loaded by
wrk, signed in with the session cookie of its user, for a short warm-up and then `--duration` seconds, with
`--connections` connections (one: the time a page takes, without queueing behind others).
"""

import argparse
import asyncio
import sys
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select, text
from sqlmodel import col

from bench.common import SECRET_KEY, AppServer, Backend, app_server, print_table, resident_mb
from bench.national import WorkingCopy, national_arguments, national_run
from bench.verification_load import WRK_REPORT, Load, run_wrk
from certificates.codes import grouped
from certificates.models import Certificate
from foundation.database import create_engine, create_sessionmaker
from foundation.http import SESSION_COOKIE
from foundation.settings import Settings
from nisa.demo.people import DEMO_PASSWORD
from tests.postgres import free_port
from training.models import Cohort

ADMIN, TRAINER, TRAINEE = "admin@nisa.example.org", "trainer@nisa.example.org", "trainee@nisa.example.org"
BIG_COHORT = "CP201-%-T001"  # the demo trainer's running cohort of 500 (nisa/demo/national.py)
WARM_UP_SECONDS = 2
VERIFIED_CODES = 2_000
# What a trainer types to find someone to enrol: names in either script (whole or in part), phone digits,
# an employer's province.
SEARCHES = [
    "sok",
    "Sreymom",
    "chan dara",
    "សុខ",
    "ស្រីមុំ",
    "ហេង សុភា",
    "012 2",
    "0772",
    "Battambang",
    "pov th",
    "vich",
    "ចន្ទ្រា",
]


@dataclass(frozen=True)
class KeyPage:
    name: str
    user: str | None  # who opens it (None: the public)
    paths: list[str]


def app_settings(copy: WorkingCopy, folder: Path) -> Settings:
    """Production mode, no access log, and a verification rate limit so high it never refuses."""
    return Settings(
        env="production",
        database_url=copy.url,
        data_dir=folder / "data",
        keys_dir=copy.keys_dir,
        base_url="http://127.0.0.1:8000",
        secret_key=SECRET_KEY,
        log_level="WARNING",
        verify_rate_limit=10**9,
    )


def signed_in(server: AppServer, email: str) -> dict[str, str]:
    """The cookies of a browser signed in as this demo user (session and CSRF token)."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.get("/login")
        token = client.cookies["csrftoken"]
        answer = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": token})
        if answer.status_code != 303 or SESSION_COOKIE not in client.cookies:
            raise RuntimeError(f"could not sign in as {email}: {answer.status_code}")
        return dict(client.cookies.items())


async def key_pages(url: str) -> list[KeyPage]:
    """The pages to load, with what they show found in the database."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            big = await session.scalar(select(col(Cohort.id)).where(col(Cohort.code).like(BIG_COHORT)))
            sampled = select(col(Certificate.code)).order_by(text("random()")).limit(VERIFIED_CODES)
            codes = (await session.execute(sampled)).scalars()
            sample = [f"/v/{grouped(code)}" for code in codes]
    finally:
        await engine.dispose()
    searches = [f"/cohorts/{big}/enrol/candidates?q={urllib.parse.quote(q)}" for q in SEARCHES]
    return [
        KeyPage("trainee search", TRAINER, searches),
        KeyPage("admin trainee list", ADMIN, [f"/admin/trainees?page={p}" for p in range(1, 6)]),
        KeyPage("cohort roster (500)", TRAINER, [f"/cohorts/{big}"]),
        KeyPage("trainee progress", TRAINEE, ["/me"]),
        KeyPage("trainer dashboard", TRAINER, ["/"]),
        KeyPage("verification page", None, sample),
    ]


WRK_SCRIPT = (
    """
-- Written by bench/pages.py: cycles through the paths with the signed-in browser's cookie.
local paths = {%(paths)s}
local cookie = "%(cookie)s"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  next_one = 0
end

function request()
  next_one = next_one %% #paths + 1
  if cookie == "" then
    return wrk.format("GET", paths[next_one])
  end
  return wrk.format("GET", paths[next_one], {["Cookie"] = cookie})
end
"""
    + WRK_REPORT
)


def measure_pages(
    server: AppServer, url: str, folder: Path, *, seconds: int, connections: int
) -> dict[str, Load]:
    """Each key page under wrk: a warm-up, then `seconds` of load."""
    pages = asyncio.run(key_pages(url))
    cookies = {
        user: "; ".join(f"{name}={value}" for name, value in signed_in(server, user).items())
        for user in {p.user for p in pages}
        if user is not None
    }
    measured = {}
    for number, page in enumerate(pages):
        script = folder / f"page-{number}.lua"
        quoted = ",".join(f'"{path}"' for path in page.paths)
        script.write_text(WRK_SCRIPT % {"paths": quoted, "cookie": cookies.get(page.user or "", "")})
        run_wrk(server, script, connections, WARM_UP_SECONDS, page.name)
        measured[page.name] = run_wrk(server, script, connections, seconds, page.name)
        print(f"  {page.name}: p95 {measured[page.name].p95_ms:.1f} ms", file=sys.stderr)
    return measured


def page_rows(measured: dict[str, Load]) -> list[list[object]]:
    return [
        [name, load.rate, load.p50_ms, load.p95_ms, load.p99_ms, load.unexpected([200])]
        for name, load in measured.items()
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    national_arguments(parser)
    parser.add_argument("--duration", type=int, default=8, help="seconds of load on each page")
    parser.add_argument("--connections", type=int, default=1)
    args = parser.parse_args(argv)
    backend: Backend = args.database
    with (
        national_run(backend, args.trainees) as (copy, folder),
        app_server(app_settings(copy, folder), free_port(), folder / "app.log") as server,
    ):
        measured = measure_pages(
            server, copy.url, folder, seconds=args.duration, connections=args.connections
        )
        _, peak = resident_mb(server.process.pid)
    print(f"\nKey pages on {backend}, {args.trainees:,} trainees, {args.connections} connection(s):")
    print_table(["page", "requests/s", "p50 ms", "p95 ms", "p99 ms", "unexpected"], page_rows(measured))
    print(f"server peak RSS: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
