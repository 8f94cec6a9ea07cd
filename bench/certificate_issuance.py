"""Benchmark: bulk issuance of certificates (sign, render, store) against a bare render of the same pages.

    .venv/bin/python -m bench.certificate_issuance [--certificates 1000] [--database sqlite|postgresql]
                                                   [--workers 1|2]

Builds a fresh migrated database of closed cohorts of 50 complete enrolments, then issues every cohort as
the trainers' "issue all" button does (`issue_for_cohort`, then the PDFs of the new certificates) and,
in the same run, renders the same certificates with reportlab + qrcode alone (no database, no signing),
writing each PDF to a file. Prints throughput, per-certificate latency, peak memory and the ratio.

--workers 1 stores the PDFs on one core: one by one in a thread. --workers 2 stores them as the app does
(`IssuingAuthority.store_pdfs`): each batch's PDFs rendered at the same time in worker processes (anyio's
pool, one per core) while the request waits. The baseline always renders on one core.
"""

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import anyio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from bench.common import (
    COHORT_SIZE,
    Backend,
    BenchCohort,
    BenchCourse,
    Row,
    bench_settings,
    children_peak_mb,
    insert_all,
    insert_numbered,
    make_admin,
    make_cohorts,
    make_course,
    migrated_database,
    percentile,
    print_table,
    reset_peak_memory,
    resident_mb,
    trainee_rows,
    verdict,
)
from certificates.authority import IssuingAuthority
from certificates.document import CertificateDocument
from certificates.keys import create_key
from certificates.pdf import render_certificate
from certificates.services.issuance import Issued, issue_for_cohort
from foundation.audit import Actor
from foundation.columns import row_id
from foundation.database import create_engine, create_sessionmaker, unit_of_work
from people.models import Trainee
from people.services.auth import CurrentUser
from training.models import Assessment, Attendance, ModuleCompletion, PledgeAcceptance, QuizAttempt

TARGET_RATIO = 0.70
TableRows = tuple[type[SQLModel], list[Row]]
# Issued (untimed) before the measured run, so fonts, JSON-LD contexts and keys are loaded as in a warm app.
WARM_UP = 5


@dataclass(frozen=True)
class Timing:
    """One way of producing the certificates: wall time of the whole run and each certificate's share."""

    label: str
    seconds: float
    per_certificate_ms: list[float]
    peak_mb: float

    @property
    def rate(self) -> float:
        return len(self.per_certificate_ms) / self.seconds

    def row(self) -> list[object]:
        times = self.per_certificate_ms
        return [
            self.label,
            len(times),
            self.seconds,
            self.rate,
            percentile(times, 50),
            percentile(times, 95),
            self.peak_mb,
        ]


# ---------------------------------------------------------------- the data set


def completion_rows(course: BenchCourse, cohorts: Sequence[BenchCohort]) -> list[TableRows]:
    """Everything that makes these enrolments complete, table by table: present at every session, both
    modules done, every competency assessed competent, the ethics quiz passed, the pledge accepted."""
    submitted, today, ethics = datetime.now(UTC), date.today(), course.ethics_module_id
    enrolments = [e for cohort in cohorts for e in cohort.enrolment_ids]
    attendance = [
        {"enrolment_id": e, "session_id": s, "status": "present"}
        for cohort in cohorts
        for e in cohort.enrolment_ids
        for s in cohort.session_ids
    ]
    modules = [
        {"enrolment_id": e, "module_id": m, "completed_on": today}
        for e in enrolments
        for m in (course.regular_module_id, ethics)
    ]
    assessed = {"result": "competent", "method": "observation", "assessed_on": today}
    assessments = [
        {"enrolment_id": e, "competency_id": k} | assessed for e in enrolments for k in course.competency_ids
    ]
    quiz = {"module_id": ethics, "submitted_at": submitted, "score_percent": 90, "passed": True}
    return [
        (Attendance, attendance),
        (ModuleCompletion, modules),
        (Assessment, assessments),
        (QuizAttempt, [{"enrolment_id": e} | quiz for e in enrolments]),
        (PledgeAcceptance, [{"enrolment_id": e, "module_id": ethics} for e in enrolments]),
    ]


async def build_cohorts(
    session: AsyncSession, certificates: int
) -> tuple[list[BenchCohort], list[BenchCohort], tuple[Actor, CurrentUser]]:
    """(warm-up cohorts, measured cohorts, the administrator who issues) with complete enrolments."""
    rng = random.Random(5)
    course = await make_course(session, 1)
    trainees = trainee_rows(certificates + WARM_UP, rng, email_share=0.7)
    trainee_ids = await insert_numbered(session, Trainee, trainees)
    warm_up = await make_cohorts(session, course, trainee_ids[:WARM_UP], sessions=4, prefix="W")
    measured = await make_cohorts(session, course, trainee_ids[WARM_UP:], sessions=4)
    for model, rows in completion_rows(course, [*warm_up, *measured]):
        await insert_all(session, model, rows)
    admin = await make_admin(session)
    await session.commit()
    return warm_up, measured, admin


# ---------------------------------------------------------------- our issuance, as the controller runs it


class ThreadStore:
    """The step after the commit on one core: each PDF rendered and stored in a thread, one by one.
    `seconds` holds each certificate's time, by certificate id."""

    def __init__(self, authority: IssuingAuthority) -> None:
        self.authority = authority
        self.seconds: dict[int, float] = {}

    async def store(self, issued: list[Issued]) -> None:
        for one in issued:
            started = time.perf_counter()
            await anyio.to_thread.run_sync(self.authority.store_pdf, one.certificate)
            self.seconds[row_id(one.certificate)] = time.perf_counter() - started


class ProcessStore:
    """The controller's step after the commit on both cores: `IssuingAuthority.store_pdfs`, each PDF of the
    batch rendered and stored by a worker process. `seconds` gives each certificate its share of the batch."""

    def __init__(self, authority: IssuingAuthority) -> None:
        self.authority = authority
        self.seconds: dict[int, float] = {}

    async def store(self, issued: list[Issued]) -> None:
        started = time.perf_counter()
        await self.authority.store_pdfs([one.certificate for one in issued])
        share = (time.perf_counter() - started) / len(issued)
        self.seconds |= {row_id(one.certificate): share for one in issued}


async def issue_cohorts(
    maker: async_sessionmaker[AsyncSession],
    authority: IssuingAuthority,
    admin: tuple[Actor, CurrentUser],
    cohorts: Sequence[BenchCohort],
    pdfs: ThreadStore | ProcessStore,
) -> tuple[dict[int, float], list[CertificateDocument]]:
    """Issue each cohort in a session of its own (one request each), then store its PDFs. Returns each
    certificate's share of its cohort's issuance time (by certificate id) and the documents issued."""
    shares: dict[int, float] = {}
    documents: list[CertificateDocument] = []
    for cohort in cohorts:
        started = time.perf_counter()
        async with unit_of_work(maker) as session:  # one request's unit of work, its commit timed too
            result = await issue_for_cohort(session, authority, *admin, cohort.id)
        share = (time.perf_counter() - started) / max(len(result.issued), 1)
        if len(result.issued) != len(cohort.enrolment_ids):
            issued, expected = len(result.issued), len(cohort.enrolment_ids)
            raise RuntimeError(f"cohort {cohort.id}: {issued} of {expected} certificates issued")
        shares |= {row_id(one.certificate): share for one in result.issued}
        documents += [one.document for one in result.issued if one.document is not None]
        await pdfs.store(result.issued)
    return shares, documents


async def issue_and_store(
    maker: async_sessionmaker[AsyncSession],
    authority: IssuingAuthority,
    admin: tuple[Actor, CurrentUser],
    cohorts: Sequence[BenchCohort],
    workers: int,
) -> tuple[list[float], list[CertificateDocument]]:
    """Each certificate's time (its share of the issuance plus its PDF) and the documents issued."""
    pdfs = ThreadStore(authority) if workers == 1 else ProcessStore(authority)
    shares, documents = await issue_cohorts(maker, authority, admin, cohorts, pdfs)
    return [share + pdfs.seconds[certificate_id] for certificate_id, share in shares.items()], documents


async def measure_issuance(
    url: str, folder: Path, certificates: int, workers: int
) -> tuple[Timing, list[CertificateDocument]]:
    settings = bench_settings(url, folder)
    create_key(settings.effective_keys_dir)
    authority = IssuingAuthority.from_settings(settings)
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    try:
        async with maker() as session:
            warm_up, measured, admin = await build_cohorts(session, certificates)
        await issue_and_store(maker, authority, admin, warm_up, workers)
        reset_peak_memory()
        started = time.perf_counter()
        per_certificate, documents = await issue_and_store(maker, authority, admin, measured, workers)
        seconds = time.perf_counter() - started
        peak = resident_mb()[1] + (children_peak_mb() if workers > 1 else 0)
    finally:
        await engine.dispose()
    label = "ours: issue, sign, render, store" + (f" ({workers} render processes)" if workers > 1 else "")
    return Timing(label, seconds, [s * 1000 for s in per_certificate], peak), documents


# ---------------------------------------------------------------- the baseline


def write_file(path: Path, content: bytes) -> None:
    """As the store writes: a partial file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(path)


def measure_baseline(documents: Sequence[CertificateDocument], folder: Path) -> Timing:
    """reportlab + qrcode alone: the same pages from the same documents, written to files, on one core."""
    render_certificate(documents[0])  # fonts and images loaded, as for ours
    reset_peak_memory()
    per_certificate = []
    started = time.perf_counter()
    for document in documents:
        began = time.perf_counter()
        code = document.code.replace("-", "")
        write_file(folder / code[:2] / f"{code}.pdf", render_certificate(document))
        per_certificate.append((time.perf_counter() - began) * 1000)
    seconds = time.perf_counter() - started
    return Timing("baseline: render + write only", seconds, per_certificate, resident_mb()[1])


# ---------------------------------------------------------------- the command


def report(ours: Timing, baseline: Timing, backend: Backend, workers: int) -> bool:
    cohorts = -(-len(ours.per_certificate_ms) // COHORT_SIZE)
    print(
        f"\nBulk issuance: {len(ours.per_certificate_ms):,} certificates in {cohorts} cohorts of up to "
        f"{COHORT_SIZE} complete enrolments, {backend}, {workers} render process(es); baseline on one core"
    )
    headers = ["", "certificates", "seconds", "certificates/s", "p50 ms", "p95 ms", "peak RSS MB"]
    print_table(headers, [baseline.row(), ours.row()])
    ratio = ours.rate / baseline.rate
    passed = ratio >= TARGET_RATIO
    print(f"\nratio ours/baseline: {ratio:.2f}x  (target >= {TARGET_RATIO:.2f}x)  {verdict(passed)}")
    return passed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.certificate_issuance", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, choices=[1, 2], default=1, help="processes rendering PDFs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nisa-bench-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        with migrated_database(args.database, folder) as url:
            print(f"migrated database ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            ours, documents = asyncio.run(measure_issuance(url, folder, args.certificates, args.workers))
        baseline = measure_baseline(documents, folder / "baseline")
    return 0 if report(ours, baseline, args.database, args.workers) else 1


if __name__ == "__main__":
    sys.exit(main())
