"""`make bench`: the benchmark suite, printed as one table with PASS/FAIL per target.

    .venv/bin/python -m bench.suite [--sizes 1000,100000] [--databases sqlite,postgresql] [--duration 8]
                                    [--connections 1] [--skip-certificates]

For each database and each size of national data set (built once by `nisa demo --trainees N` and cached in
var/bench/, see bench/national.py): the app's startup (three starts), then one `nisa serve` process that
serves the key pages under wrk (bench/pages.py) and a bulk enrolment of 10,000 rows
(bench/enrolment_import.py), its peak resident memory taken at the end. Then the two certificate benchmarks
run as they are (bench/certificate_issuance.py on each database, bench/verification_load.py on both), and
the audit log's (bench/audit.py on each), and their PASS/FAIL lines join the table. Progress goes to stderr,
the table to stdout; the exit status is 1 if any target is missed.
"""

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.common import BACKENDS, Backend, app_server, print_table, verdict
from bench.enrolment_import import ImportTiming, measure_import
from bench.national import bench_postgres, national_run
from bench.pages import app_settings, measure_pages
from bench.startup import startups
from bench.verification_load import Load
from tests.postgres import free_port

TARGET_RATIO = 2.0  # p95 at the largest size / p95 at the smallest, per page
TARGET_P95_MS = 150.0
TARGET_IMPORT_SECONDS = 20.0
TARGET_RSS_MB = 300.0
TARGET_STARTUP_SECONDS = 2.0
STARTS = 3
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """Everything measured on one database at one size."""

    backend: Backend
    trainees: int
    startup_seconds: list[float]
    pages: dict[str, Load]
    bulk_import: ImportTiming
    peak_rss_mb: float


def measure_run(
    backend: Backend, trainees: int, server_url: str | None, seconds: int, connections: int
) -> Run:
    print(f"\n== {backend}, {trainees:,} trainees", file=sys.stderr)
    with national_run(backend, trainees, server_url) as (copy, folder):
        settings = app_settings(copy, folder)
        starts = startups(settings, folder, STARTS)
        print(f"  first answer after start: {', '.join(f'{s:.2f} s' for s in starts)}", file=sys.stderr)
        with app_server(settings, free_port(), folder / "app.log") as server:
            pages = measure_pages(server, copy.url, folder, seconds=seconds, connections=connections)
            print(
                "  server RSS after the pages: {:.0f} MB (peak {:.0f} MB)".format(*server.memory_mb()),
                file=sys.stderr,
            )
            timing = measure_import(server, copy.url)
            _, peak = server.memory_mb()
            print(
                f"  bulk enrolment: {timing.total_seconds:.1f} s, server peak RSS {peak:.0f} MB",
                file=sys.stderr,
            )
    return Run(backend, trainees, starts, pages, timing, peak)


# ---------------------------------------------------------------- the certificate benchmarks, as they are


@dataclass(frozen=True)
class Verdict:
    measure: str
    backend: str
    figure: str
    target: str
    passed: bool


RESULT_LINE = re.compile(r"^(?P<figure>.*?)\s*(\(target (?P<target>[^)]*)\))?\s*(?P<verdict>PASS|FAIL)$")


def certificate_verdicts(backends: Sequence[Backend], server_url: str | None) -> Iterator[Verdict]:
    """Run the issuance benchmark on each database, the verification benchmark on all, the audit log's on
    each and the hostile uploads benchmark (no database), and take their PASS/FAIL lines (their own tables go
    to stderr with the progress)."""
    environment = os.environ | ({"NISA_BENCH_POSTGRES_URL": server_url} if server_url else {})
    both: str = "both" if len(backends) > 1 else backends[0]
    commands: list[tuple[str, str, list[str]]] = [
        ("bulk issuance", backend, ["bench.certificate_issuance", "--database", backend])
        for backend in backends
    ]
    commands.append(("verification", both, ["bench.verification_load", "--database", both]))
    commands += [("audit log", backend, ["bench.audit", "--database", backend]) for backend in backends]
    commands.append(("hostile uploads", both, ["bench.uploads"]))
    for measure, backend, arguments in commands:
        print(f"\n== {' '.join(arguments)}", file=sys.stderr)
        finished = subprocess.run(
            [sys.executable, "-m", *arguments], cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True
        )
        print(finished.stdout, file=sys.stderr)
        found = list(_verdicts(measure, backend, finished.stdout))
        if finished.returncode not in (0, 1) or not found:
            yield Verdict(measure, backend, f"did not finish (exit status {finished.returncode})", "", False)
        yield from found


def _verdicts(measure: str, backend: str, output: str) -> Iterator[Verdict]:
    for line in output.splitlines():
        for name in BACKENDS:  # the verification benchmark reports each database under a heading
            if f" on {name}" in line:
                backend = name
        if matched := RESULT_LINE.match(line.strip()):
            target = matched["target"] or ""
            yield Verdict(measure, backend, matched["figure"], target, matched["verdict"] == "PASS")


# ---------------------------------------------------------------- the table


def _ms(load: Load) -> str:
    return f"{load.p50_ms:.0f}/{load.p95_ms:.0f} ms"


def _pages_verdicts(small: Run, large: Run) -> Iterator[Verdict]:
    for name, at_large in large.pages.items():
        at_small = small.pages[name]
        ratio = at_large.p95_ms / at_small.p95_ms
        slowest = max(at_small.p95_ms, at_large.p95_ms)
        errors = at_small.unexpected([200]) + at_large.unexpected([200])
        figure = f"p50/p95 {_ms(at_small)} -> {_ms(at_large)}: {ratio:.2f}x" + (
            f", {errors} not 200" if errors else ""
        )
        passed = ratio <= TARGET_RATIO and slowest < TARGET_P95_MS and not errors
        yield Verdict(
            name, large.backend, figure, f"<= {TARGET_RATIO:.0f}x, p95 < {TARGET_P95_MS:.0f} ms", passed
        )


def _run_verdicts(runs: list[Run]) -> Iterator[Verdict]:
    backend = runs[0].backend
    sizes = " / ".join(f"{run.trainees:,}" for run in runs)
    imports = [run.bulk_import for run in runs]
    figure = " / ".join(f"{t.preview_seconds:.1f} + {t.commit_seconds:.1f} s" for t in imports)
    lost = sum(t.expected - t.enrolled for t in imports)
    passed = max(t.total_seconds for t in imports) < TARGET_IMPORT_SECONDS and not lost
    figure += f" at {sizes}" + (f", {lost} rows not enrolled" if lost else "")
    yield Verdict("bulk enrolment 10,000 rows (check + commit)", backend, figure, "< 20 s", passed)
    rss = [run.peak_rss_mb for run in runs]
    figure = " / ".join(f"{mb:.0f} MB" for mb in rss) + f" at {sizes}"
    yield Verdict("server peak RSS (pages + import)", backend, figure, "< 300 MB", max(rss) < TARGET_RSS_MB)
    slowest = [max(run.startup_seconds) for run in runs]
    figure = " / ".join(f"{s:.2f} s" for s in slowest) + f" at {sizes} (slowest of {STARTS})"
    yield Verdict("first answer after start", backend, figure, "< 2 s", max(slowest) < TARGET_STARTUP_SECONDS)


def report(runs: list[Run], others: list[Verdict], connections: int) -> bool:
    verdicts: list[Verdict] = []
    for backend in dict.fromkeys(run.backend for run in runs):
        mine = sorted((run for run in runs if run.backend == backend), key=lambda run: run.trainees)
        verdicts += _pages_verdicts(mine[0], mine[-1])
        verdicts += _run_verdicts(mine)
    verdicts += others
    print(f"\nNISA benchmark suite (key pages: wrk, {connections} connection(s), one app process)")
    rows = [[v.measure, v.backend, v.figure, v.target, verdict(v.passed)] for v in verdicts]
    print_table(["measure", "database", "figure", "target", ""], rows)
    passed = sum(v.passed for v in verdicts)
    print(f"\n{passed} of {len(verdicts)} targets met")
    return passed == len(verdicts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.suite", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="trainees in each data set, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=8, help="seconds of load on each page")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument(
        "--skip-certificates", action="store_true", help="leave out the certificate benchmarks"
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    backends: list[Backend] = [b for b in BACKENDS if b in args.databases.split(",")]
    runs = []
    with ExitStack() as stack:
        server_url = stack.enter_context(bench_postgres()) if "postgresql" in backends else None
        for backend in backends:
            for trainees in sizes:
                runs.append(measure_run(backend, trainees, server_url, args.duration, args.connections))
        others = [] if args.skip_certificates else list(certificate_verdicts(backends, server_url))
    return 0 if report(runs, others, args.connections) else 1


if __name__ == "__main__":
    sys.exit(main())
