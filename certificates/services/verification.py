"""Public verification: what a certificate code stands for today, each lookup logged and rate-limited."""

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any, Literal, Protocol

from sqlalchemy import Result, case, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from certificates.codes import grouped, normalise
from certificates.document import CertificateDocument
from certificates.models import Certificate, CertificateStatus, LookupResult, VerificationLookup, status_on
from certificates.schemas import (
    Revocation,
    Successor,
    VerificationRead,
    VerifiedCompetency,
    VerifiedCourse,
    VerifiedHolder,
    VerifiedIssuer,
)
from certificates.services.finder import CertificateFinder
from certificates.services.lookup_log import LookupLog
from foundation.i18n import N_, PHNOM_PENH, gettext
from foundation.paging import Page

Channel = Literal["page", "json", "form", "credential"]  # the log's column holds 10 characters
FOUND = frozenset({LookupResult.valid, LookupResult.expired, LookupResult.revoked, LookupResult.superseded})
TYPED_CODE_KEPT = 40  # the log's code column

STATUS_TEXT = {
    LookupResult.valid: N_("Valid certificate"),
    LookupResult.expired: N_("Expired certificate"),
    LookupResult.revoked: N_("Revoked certificate"),
    LookupResult.superseded: N_("Replaced by a newer certificate"),
    LookupResult.not_found: N_("No certificate has this code"),
    LookupResult.malformed: N_("This is not a certificate code"),
}
# What to do when a code finds nothing: most misses are typing mistakes, a few are forgeries.
ADVICE = (
    N_("Check the code printed on the certificate and type it again."),
    N_("Dashes and spaces do not matter; the letters O and I are read as the digits 0 and 1."),
    N_("Ask the holder to show you the original certificate."),
    N_("If the code is still not found, contact NISA: the certificate may not be genuine."),
)


@dataclass(frozen=True)
class LookupClient:
    """Who is looking, as far as the log may know: a salted hash of the IP and a browser family."""

    ip_hash: str
    user_agent_family: str


@cache
def _lookup_salt(secret_key: str) -> bytes:
    # A salt of its own, so the log's hashes reveal nothing about keys used elsewhere (sessions, CSRF).
    return hmac.new(secret_key.encode(), b"verification-lookup", hashlib.sha256).digest()


def client_hash(ip: str, secret_key: str) -> str:
    """The IP as the lookup log keeps it: HMAC-SHA256 under a salt derived from the secret key, 64 hex."""
    return hmac.new(_lookup_salt(secret_key), ip.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verification:
    """The answer to one lookup. `code` is grouped when well formed, else what was typed (cleaned)."""

    result: LookupResult
    code: str
    certificate_id: int | None = None
    document: CertificateDocument | None = None
    expired_since: date | None = None
    revoked_reason: str | None = None
    revoked_at: datetime | None = None
    superseded_by: str | None = None

    @property
    def found(self) -> bool:
        return self.result in FOUND

    @property
    def status_text(self) -> str:
        return gettext(STATUS_TEXT[self.result])

    @property
    def revoked_on(self) -> date | None:
        """The revocation's day in Cambodia."""
        return self.revoked_at.astimezone(PHNOM_PENH).date() if self.revoked_at else None


def _cleaned(typed_code: str) -> str:
    # Whatever was in the URL goes into the log and the page: printable characters only (PostgreSQL
    # refuses NUL in text), cut to the column's size.
    return "".join(ch for ch in typed_code.strip() if ch.isprintable())[:TYPED_CODE_KEPT]


async def verify_code(
    finder: CertificateFinder,
    lookups: LookupLog,
    typed_code: str,
    *,
    client: LookupClient,
    channel: Channel,
    now: datetime,
) -> Verification:
    """Look a code up and log the lookup; over the client's limit, refuse (TooManyLookups) and log nothing."""
    lookups.admit(client.ip_hash, now)
    code = normalise(typed_code)
    verification = (
        await _verification(finder, code, now.astimezone(PHNOM_PENH).date())
        if code
        else Verification(LookupResult.malformed, _cleaned(typed_code))
    )
    lookups.record(
        at=now,
        code=code or verification.code,
        result=verification.result.value,
        certificate_id=verification.certificate_id,
        channel=channel,
        client_hash=client.ip_hash,
        user_agent_family=client.user_agent_family,
    )
    return verification


class Certified(Protocol):
    """What the public status is decided on: a Certificate, or a row of its columns."""

    status: str
    snapshot: dict[str, Any] | None
    expires_on: date | None


def public_status(certificate: Certified, today: date) -> LookupResult:
    """The status the world sees: expiry is derived from the date; awaiting approval is not public yet."""
    if certificate.status == CertificateStatus.pending_approval or certificate.snapshot is None:
        return LookupResult.not_found
    return LookupResult(status_on(certificate.status, certificate.expires_on, today))


async def _verification(finder: CertificateFinder, code: str, today: date) -> Verification:
    found = await finder.find(code)
    result = public_status(found, today) if found else LookupResult.not_found
    if found is None or found.snapshot is None or result == LookupResult.not_found:
        return Verification(LookupResult.not_found, grouped(code))
    revoked = result == LookupResult.revoked
    return Verification(
        result,
        grouped(code),
        found.id,
        CertificateDocument.from_snapshot(found.snapshot),
        expired_since=found.expires_on if result == LookupResult.expired else None,
        revoked_reason=found.revoked_reason if revoked else None,
        revoked_at=found.revoked_at if revoked else None,
        superseded_by=(
            grouped(found.successor_code)
            if result == LookupResult.superseded and found.successor_code
            else None
        ),
    )


# ---------------------------------------------------------------- the JSON answer


def advice() -> list[str]:
    """The advice for a code that found nothing, in the current language."""
    return [gettext(line) for line in ADVICE]


def verification_read(verification: Verification, base_url: str) -> VerificationRead:
    answer = VerificationRead(
        code=verification.code, status=verification.result, status_text=verification.status_text
    )
    document = verification.document
    if document is None:
        answer.advice = " ".join(advice())
        return answer
    page = f"{base_url}/v/{verification.code}"
    answer.holder = VerifiedHolder(name_km=document.holder_name_km, name_latin=document.holder_name_latin)
    answer.course = VerifiedCourse(
        code=document.course_code,
        title_km=document.course_title_km,
        title_en=document.course_title_en,
        hours=document.hours,
    )
    answer.competencies = [VerifiedCompetency(c.code, c.title_km, c.title_en) for c in document.competencies]
    answer.issued_on, answer.expires_on = document.issued_on, document.expires_on
    answer.expired_since = verification.expired_since
    if verification.result == LookupResult.revoked:
        answer.revoked = Revocation(reason=verification.revoked_reason or "", at=verification.revoked_at)
    if verification.superseded_by:
        answer.superseded_by = Successor(
            code=verification.superseded_by, url=f"{base_url}/v/{verification.superseded_by}"
        )
    answer.issuer = VerifiedIssuer(name_km=document.issuer.name_km, name_en=document.issuer.name_en)
    answer.verification_url, answer.credential_url = page, f"{page}/credential.json"
    return answer


# ---------------------------------------------------------------- counts for administrators


@dataclass(frozen=True)
class LookupSummary:
    total: int = 0
    by_result: dict[str, int] = field(default_factory=dict)
    last_at: datetime | None = None


@dataclass(frozen=True)
class LookedUpCertificate:
    certificate: Certificate
    status: LookupResult
    lookups: LookupSummary


@dataclass(frozen=True)
class LookupTotals:
    today: int
    last_7_days: int
    # Per result over the 7 days, including the lookups that found nothing (not found, malformed).
    by_result_7_days: dict[str, int]


async def _summaries(session: AsyncSession, certificate_ids: Sequence[int]) -> dict[int, LookupSummary]:
    rows: Result[Any] = await session.execute(
        select(
            col(VerificationLookup.certificate_id).label("certificate_id"),
            col(VerificationLookup.result).label("result"),
            func.count().label("count"),
            func.max(VerificationLookup.at).label("last_at"),
        )
        .where(col(VerificationLookup.certificate_id).in_(certificate_ids))
        .group_by(col(VerificationLookup.certificate_id), col(VerificationLookup.result))
    )
    counts: dict[int, dict[str, int]] = {}
    last: dict[int, datetime] = {}
    for row in rows.mappings():
        certificate_id, at = row["certificate_id"], row["last_at"]
        counts.setdefault(certificate_id, {})[row["result"]] = int(row["count"])
        last[certificate_id] = max(at, last.get(certificate_id, at))
    return {
        certificate_id: LookupSummary(sum(by_result.values()), by_result, last[certificate_id])
        for certificate_id, by_result in counts.items()
    }


async def lookup_counts(session: AsyncSession, certificate_ids: Sequence[int]) -> dict[int, int]:
    """Lookups of each certificate (those never looked up are absent): for lists of certificates."""
    return {
        certificate_id: summary.total
        for certificate_id, summary in (await _summaries(session, certificate_ids)).items()
    }


async def lookup_summary(session: AsyncSession, certificate_id: int) -> LookupSummary:
    """Lookups of one certificate by result, and the last one's time: for its admin page."""
    return (await _summaries(session, [certificate_id])).get(certificate_id, LookupSummary())


async def most_looked_up(
    session: AsyncSession, today: date, *, page: int = 1, per_page: int = 50
) -> Page[LookedUpCertificate]:
    """Certificates by number of lookups, most first (then the most recently looked up)."""
    looked_up = col(VerificationLookup.certificate_id).is_not(None)
    ranked: Result[Any] = await session.execute(
        select(col(VerificationLookup.certificate_id).label("certificate_id"))
        .where(looked_up)
        .group_by(col(VerificationLookup.certificate_id))
        .order_by(
            func.count().desc(),
            func.max(VerificationLookup.at).desc(),
            col(VerificationLookup.certificate_id),
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    ids = [int(row["certificate_id"]) for row in ranked.mappings()]
    total = await session.scalar(
        select(func.count(func.distinct(VerificationLookup.certificate_id))).where(looked_up)
    )
    certificates = {
        c.id: c
        for c in (await session.execute(select(Certificate).where(col(Certificate.id).in_(ids)))).scalars()
    }
    summaries = await _summaries(session, ids)
    items = [
        LookedUpCertificate(certificates[i], public_status(certificates[i], today), summaries[i]) for i in ids
    ]
    return Page(items, int(total or 0), page, per_page)


async def lookup_totals(session: AsyncSession, now: datetime) -> LookupTotals:
    """Lookups since midnight in Cambodia and over the last 7 days, one query."""
    midnight = datetime.combine(now.astimezone(PHNOM_PENH).date(), time(), PHNOM_PENH)
    week_ago = now - timedelta(days=7)
    is_today = case((col(VerificationLookup.at) >= midnight, 1), else_=0)
    rows = (
        await session.execute(
            select(col(VerificationLookup.result), func.sum(is_today), func.count())
            .where(col(VerificationLookup.at) >= week_ago)
            .group_by(col(VerificationLookup.result))
        )
    ).all()
    return LookupTotals(
        today=sum(int(today or 0) for _, today, _ in rows),
        last_7_days=sum(int(week) for _, _, week in rows),
        by_result_7_days={result: int(week) for result, _, week in rows},
    )
