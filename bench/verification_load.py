"""Benchmark: the public verification JSON under load, against a bare JSON endpoint of the same process,
and how soon a revocation shows on another app instance.

    .venv/bin/python -m bench.verification_load [--database sqlite|postgresql|both] [--certificates 150000]
                                                [--connections 32] [--duration 15]

Builds a migrated database of many certificates (inserted in bulk with their snapshots and a credential
signed once per course), serves the real app (`nisa serve`, one uvicorn worker) twice on it, and with wrk
hits /api/v1/verify/{code} on the first with codes cycling through thousands of real certificates and a few
unknown ones, from many client addresses (X-Forwarded-For from the trusted local proxy, as behind the
production reverse proxy). The rate limit is set so high that it never refuses, but every lookup still
counts the client's recent lookups and is logged. The baseline is /health/live of the same process: a bare
Litestar handler returning a small dict.
"""

import argparse
import asyncio
import dataclasses
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import (
    BACKENDS,
    BASE_URL,
    AppServer,
    Backend,
    BenchCourse,
    Row,
    app_server,
    bench_settings,
    insert_numbered,
    make_admin,
    make_cohorts,
    make_course,
    migrated_database,
    print_table,
    trainee_rows,
    verdict,
)
from certificates.authority import IssuingAuthority
from certificates.codes import grouped, new_code
from certificates.document import AchievedCompetency, CertificateDocument, Issuer, Signatory
from certificates.keys import create_key
from certificates.models import Certificate, CertificateStatus
from certificates.services.issuance import revoke
from foundation.audit import Actor
from foundation.database import create_engine, create_sessionmaker, unit_of_work
from foundation.settings import Settings
from nisa.demo.national import sample_credential
from people.models import Trainee
from tests.postgres import free_port

TARGET_RATIO = 0.25
TARGET_P99_MS = 50.0
TARGET_REVOCATION_SECONDS = 5.0
COURSES = 5
SAMPLED_CODES = 20_000  # distinct certificates the load cycles through
UNKNOWN_SHARE = 0.02  # well-formed codes of no certificate (404)
CLIENTS = 2_000  # distinct client addresses the load comes from
WARM_UP_SECONDS = 3
FOUND_OR_NOT = (200, 404)  # what lookups of real and unknown codes answer
# The mix of what employers find: most valid, some expired, revoked or replaced by a reissue.
STATUS_MIX = (("valid", 0.90), ("expired", 0.04), ("revoked", 0.03), ("superseded", 0.03))


# ---------------------------------------------------------------- the data set


@dataclass(frozen=True)
class Population:
    codes: list[str]  # every certificate's stored code, in id order
    ids: list[int]
    statuses: list[str]
    actor: Actor


def snapshot_template(course: BenchCourse, number: int) -> CertificateDocument:
    """What certificates of this course say, apart from holder, code and dates."""
    return CertificateDocument(
        code="",
        verification_url="",
        holder_name_km="",
        holder_name_latin="",
        course_code=course.code,
        course_title_km=f"មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច {number}",
        course_title_en=f"Foundations of social work {number}",
        hours=Decimal(40),
        completed_on=date.today(),
        issued_on=date.today(),
        expires_on=None,
        certificate_title_km="វិញ្ញាបនបត្របញ្ជាក់ការសិក្សា",
        certificate_title_en="Certificate of completion",
        competencies=tuple(
            AchievedCompetency(
                f"D1.{c}",
                f"អនុវត្តក្រមសីលធម៌នៃការងារសង្គមកិច្ច {c}",
                f"Applies the social work code of ethics in case {c}",
                f"{BASE_URL}/catalogue/{course.code}#D1.{c}",
            )
            for c in range(1, 7)
        ),
        signatory=Signatory("ជា សុផល", "Chea Sophal", "នាយកវិទ្យាស្ថាន", "Director"),
        issuer=Issuer(url=BASE_URL),
    )


@dataclass(frozen=True)
class Enrolled:
    enrolment_id: int
    trainee_id: int
    cohort_id: int
    course_id: int


def certificate_row(
    template: CertificateDocument,
    credential: dict[str, Any],
    enrolment: Enrolled,
    holder: Row,
    status: str,
    rng: random.Random,
) -> Row:
    """One certificate as issuance leaves it, issued up to three years ago; `status` from STATUS_MIX."""
    code = new_code()
    issued_on = date.today() - timedelta(days=rng.randrange(1, 3 * 365))
    expires_on = issued_on + timedelta(days=3 * 365)
    if status == "expired":
        expires_on = date.today() - timedelta(days=rng.randrange(1, 365))
    document = dataclasses.replace(
        template,
        code=grouped(code),
        verification_url=f"{BASE_URL}/v/{grouped(code)}",
        holder_name_km=holder["name_km"],
        holder_name_latin=holder["name_latin"],
        completed_on=issued_on,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    revoked = status == CertificateStatus.revoked
    return {
        "code": code,
        "enrolment_id": enrolment.enrolment_id,
        "trainee_id": enrolment.trainee_id,
        "cohort_id": enrolment.cohort_id,
        "course_id": enrolment.course_id,
        "status": CertificateStatus.valid.value if status == "expired" else status,
        "snapshot": document.to_snapshot(),
        "credential": credential,
        "issued_on": issued_on,
        "expires_on": expires_on,
        "issued_at": datetime.combine(issued_on, datetime.min.time(), UTC),
        "revoked_at": datetime.now(UTC) if revoked else None,
        "revoked_reason": "Issued in error: the trainee did not attend the course." if revoked else None,
    }


async def build_population(session: AsyncSession, authority: IssuingAuthority, count: int) -> Population:
    """`count` certificates of as many trainees, in cohorts of 50 of five courses, with their snapshots and
    credentials."""
    rng = random.Random(7)
    trainees = trainee_rows(count, rng)
    trainee_ids = await insert_numbered(session, Trainee, trainees)
    holders = dict(zip(trainee_ids, trainees, strict=True))
    share = -(-count // COURSES)
    rows: list[Row] = []
    statuses = rng.choices([s for s, _ in STATUS_MIX], [w for _, w in STATUS_MIX], k=count)
    for number in range(1, COURSES + 1):
        course = await make_course(session, number)
        template = snapshot_template(course, number)
        credential = sample_credential(authority, template)
        for cohort in await make_cohorts(session, course, trainee_ids[(number - 1) * share : number * share]):
            for enrolment_id, trainee_id in zip(cohort.enrolment_ids, cohort.trainee_ids, strict=True):
                enrolled = Enrolled(enrolment_id, trainee_id, cohort.id, course.id)
                status = statuses[len(rows)]
                rows.append(certificate_row(template, credential, enrolled, holders[trainee_id], status, rng))
    ids = await insert_numbered(session, Certificate, rows)
    await _supersede(session, ids, statuses)
    actor, _ = await make_admin(session)
    await session.commit()
    return Population([row["code"] for row in rows], ids, statuses, actor)


async def _supersede(session: AsyncSession, ids: list[int], statuses: list[str]) -> None:
    """Point each superseded certificate at its successor (the next one, as good as any for lookups)."""
    links = [
        {"id": ids[n], "superseded_by_id": ids[n + 1]}
        for n, status in enumerate(statuses[:-1])
        if status == CertificateStatus.superseded
    ]
    if links:
        await session.execute(update(Certificate), links)


async def populate(settings: Settings, count: int) -> Population:
    """The data set in the settings' database, signed with a new key in the settings' key folder."""
    create_key(settings.effective_keys_dir)
    engine = create_engine(settings.effective_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await build_population(session, IssuingAuthority.from_settings(settings), count)
    finally:
        await engine.dispose()


# ---------------------------------------------------------------- load with wrk

# Counts the statuses and prints one RESULT line that run_wrk reads (a %-template: %% is one %).
WRK_REPORT = """
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%%d duration_us=%%d errors=%%d p50_us=%%d p95_us=%%d p99_us=%%d",
    summary.requests, summary.duration, errors, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  for status, count in pairs(counts) do
    io.write(string.format(" status_%%d=%%d", status, count))
  end
  io.write("\\n")
end
"""

WRK_SCRIPT = (
    """
-- Written by bench/verification_load.py: cycles through the paths, each request from one of the clients.
local paths = {%(paths)s}
local clients = %(clients)d
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  prepared = {}
  for i = 1, math.max(#paths, clients) do
    local client = (i + offset) %% clients
    local address = string.format("10.%%d.%%d.%%d", math.floor(client / 65536) %% 256,
      math.floor(client / 256) %% 256, client %% 256)
    prepared[i] = wrk.format("GET", paths[(i - 1) %% #paths + 1], {["X-Forwarded-For"] = address})
  end
  next_one = 0
end

function request()
  next_one = next_one %% #prepared + 1
  return prepared[next_one]
end
"""
    + WRK_REPORT
)


@dataclass(frozen=True)
class Load:
    """What wrk measured for one endpoint."""

    label: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def unexpected(self, expected: Sequence[int]) -> int:
        """Socket errors and answers with a status the endpoint should not give under this load."""
        return self.errors + sum(n for status, n in self.statuses.items() if status not in expected)

    def row(self, expected: Sequence[int]) -> list[object]:
        shown = ", ".join(f"{status}: {n:,}" for status, n in sorted(self.statuses.items()))
        return [
            self.label,
            self.rate,
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            shown,
            self.unexpected(expected),
        ]


def wrk_script(paths: Sequence[str], folder: Path, name: str) -> Path:
    script = folder / f"{name}.lua"
    quoted = ",".join(f'"{path}"' for path in paths)
    script.write_text(WRK_SCRIPT % {"paths": quoted, "clients": CLIENTS})
    return script


def run_wrk(server: AppServer, script: Path, connections: int, seconds: int, label: str) -> Load:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    output = subprocess.run([*command, server.url], check=True, capture_output=True, text=True).stdout
    found = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk gave no result:\n{output}")
    fields = {key: int(value) for key, value in (pair.split("=") for pair in found.group(1).split())}
    return Load(
        label,
        fields["requests"],
        fields["duration_us"] / 1e6,
        fields["errors"],
        fields["p50_us"] / 1000,
        fields["p95_us"] / 1000,
        fields["p99_us"] / 1000,
        {int(key.removeprefix("status_")): n for key, n in fields.items() if key.startswith("status_")},
    )


def lookup_paths(population: Population) -> list[str]:
    """Codes as the QR code prints them: a random sample of the certificates and a few unknown codes."""
    rng = random.Random(11)
    sample = rng.sample(population.codes, min(SAMPLED_CODES, len(population.codes)))
    unknown = [new_code() for _ in range(max(1, int(len(sample) * UNKNOWN_SHARE)))]
    paths = [f"/api/v1/verify/{grouped(code)}" for code in [*sample, *unknown]]
    rng.shuffle(paths)
    return paths


def measure_load(
    server: AppServer, population: Population, folder: Path, connections: int, seconds: int
) -> tuple[Load, Load]:
    """(the bare endpoint, the verification JSON), each after a short warm-up of its own."""
    bare = wrk_script(["/health/live"], folder, "bare")
    verify = wrk_script(lookup_paths(population), folder, "verify")
    measured = []
    for script, label in ((bare, "baseline: GET /health/live"), (verify, "ours: GET /api/v1/verify/{code}")):
        run_wrk(server, script, connections, WARM_UP_SECONDS, label)
        measured.append(run_wrk(server, script, connections, seconds, label))
    return measured[0], measured[1]


# ---------------------------------------------------------------- revocation on another instance


async def verified_status(client: httpx.AsyncClient, server: AppServer, code: str) -> str:
    answer = await client.get(f"{server.url}/api/v1/verify/{grouped(code)}")
    return str(answer.json()["status"])


async def revocation_delays(url: str, population: Population, servers: Sequence[AppServer]) -> list[float]:
    """Revoke a valid certificate through the revocation service and poll each instance until it answers
    `revoked`: the seconds each took (10 s at most)."""
    certificate_id, code = next(
        (i, c)
        for i, c, s in zip(population.ids, population.codes, population.statuses, strict=True)
        if s == "valid"
    )
    engine = create_engine(url)
    delays = []
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            # Each instance has answered `valid` first, so whatever it might cache is warm.
            for server in servers:
                if (status := await verified_status(client, server, code)) != "valid":
                    raise RuntimeError(f"certificate {code} is {status} before the revocation")
            async with unit_of_work(create_sessionmaker(engine)) as session:
                await revoke(session, population.actor, certificate_id, "Revoked by the benchmark")
            revoked_at = time.perf_counter()
            for server in servers:
                while await verified_status(client, server, code) != "revoked":
                    if time.perf_counter() - revoked_at > 2 * TARGET_REVOCATION_SECONDS:
                        break
                    await asyncio.sleep(0.01)
                delays.append(time.perf_counter() - revoked_at)
    finally:
        await engine.dispose()
    return delays


# ---------------------------------------------------------------- the command


@dataclass(frozen=True)
class Outcome:
    backend: Backend
    bare: Load
    ours: Load
    memory_mb: tuple[float, float]
    revocation_seconds: list[float]


def measure(backend: Backend, certificates: int, connections: int, seconds: int) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="nisa-bench-") as temporary:
        folder = Path(temporary)
        with migrated_database(backend, folder) as url:
            started = time.perf_counter()
            # Production mode, no access log line per request, a limit so high it never refuses.
            settings = bench_settings(
                url, folder, env="production", log_level="WARNING", verify_rate_limit=10**9
            )
            population = asyncio.run(populate(settings, certificates))
            print(
                f"{backend}: {certificates:,} certificates in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            with (
                app_server(settings, free_port(), folder / "app-a.log") as first,
                app_server(settings, free_port(), folder / "app-b.log") as second,
            ):
                bare, ours = measure_load(first, population, folder, connections, seconds)
                memory = first.memory_mb()
                delays = asyncio.run(revocation_delays(url, population, [first, second]))
    return Outcome(backend, bare, ours, memory, delays)


def report(outcome: Outcome, certificates: int, connections: int, seconds: int) -> bool:
    print(
        f"\nVerification JSON on {outcome.backend}: {certificates:,} certificates, wrk with {connections} "
        f"connections for {seconds} s, {CLIENTS:,} client addresses; one app process (one uvicorn worker)"
    )
    headers = ["", "requests/s", "p50 ms", "p95 ms", "p99 ms", "statuses", "unexpected"]
    print_table(headers, [outcome.bare.row([200]), outcome.ours.row(FOUND_OR_NOT)])
    ratio = outcome.ours.rate / outcome.bare.rate
    p99, unexpected = outcome.ours.p99_ms, outcome.ours.unexpected(FOUND_OR_NOT)
    first, second = outcome.revocation_seconds
    checks = [
        (f"ratio ours/baseline: {ratio:.2f}x (target >= {TARGET_RATIO:.2f}x)", ratio >= TARGET_RATIO),
        (f"p99 of ours: {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms)", p99 < TARGET_P99_MS),
        (f"answers other than 200/404, socket errors: {unexpected:,} (target 0)", unexpected == 0),
        (
            f"revocation visible on instance A after {first:.2f} s, on instance B after {second:.2f} s "
            f"(target < {TARGET_REVOCATION_SECONDS:.0f} s)",
            max(first, second) < TARGET_REVOCATION_SECONDS,
        ),
    ]
    for text, passed in checks:
        print(f"{text}  {verdict(passed)}")
    now, peak = outcome.memory_mb
    print(f"server RSS after the load: {now:.0f} MB (peak {peak:.0f} MB)")
    return all(passed for _, passed in checks)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.verification_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", choices=[*BACKENDS, "both"], default="sqlite")
    parser.add_argument("--certificates", type=int, default=150_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load on each endpoint")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed: apt-get install -y wrk (Debian/Ubuntu), then run this again.",
            file=sys.stderr,
        )
        return 2
    backends: Sequence[Backend] = BACKENDS if args.database == "both" else [args.database]
    passed = True
    for backend in backends:
        outcome = measure(backend, args.certificates, args.connections, args.duration)
        passed = report(outcome, args.certificates, args.connections, args.duration) and passed
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
