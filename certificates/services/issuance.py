"""Issuing certificates for complete enrolments, one or a whole cohort; approving, revoking, reissuing."""

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from certificates.authority import IssuingAuthority
from certificates.codes import grouped, new_code
from certificates.document import AchievedCompetency, CertificateDocument, Signatory
from certificates.messages import CERTIFICATE_ISSUED, certificate_context
from certificates.models import CURRENT_STATUSES, Certificate, CertificateStatus
from courses.models import Competency, Course, CourseCompetency
from foundation import audit, clock
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.i18n import N_, gettext
from foundation.outbox.queue import DEFAULT_LANGUAGE, queue
from foundation.roles import Role
from foundation.text import checked_text, printable
from people.models import Trainee, User
from people.services.auth import CurrentUser
from training.models import Assessment, AssessmentResult, Enrolment, EnrolmentStatus
from training.schemas.progress import Requirement
from training.services import access, progress
from training.services.completion import completion_day
from training.services.progress import Progress

# Bit positions in the status list come from the certificate's id through a fixed permutation of the list
# (an odd multiplier modulo a power of two), so they are unique without a counter and not in issue order.
STATUS_LIST_SIZE = 131_072
_SPREAD, _OFFSET = 0x9E3779B1 % STATUS_LIST_SIZE | 1, 40_503
ISSUABLE_STATUSES = (EnrolmentStatus.enrolled.value, EnrolmentStatus.completed.value)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def status_position(certificate_id: int) -> tuple[int, int]:
    """(status list number, bit index) of a certificate."""
    serial = certificate_id - 1
    return serial // STATUS_LIST_SIZE + 1, (_SPREAD * serial + _OFFSET) % STATUS_LIST_SIZE


# ---------------------------------------------------------------- the snapshot


@dataclass(frozen=True)
class Holder:
    """What the certificate needs to know of its holder beyond the progress row."""

    achieved: list[Competency]  # the course's competencies last assessed competent, in code order
    assessed_on: date | None  # the day the last of them was assessed competent
    language: str  # of the holder's login, for the email (outbox.DEFAULT_LANGUAGE without one)


async def _holders(session: AsyncSession, batch: Sequence[Progress]) -> dict[int, Holder]:
    """The holder facts of each enrolment of the batch (by enrolment id), in three queries in all."""
    enrolment_ids = [row_id(p.enrolment) for p in batch]
    latest: dict[tuple[int, int], tuple[str, date]] = {}
    assessed = await session.execute(
        select(
            col(Assessment.enrolment_id),
            col(Assessment.competency_id),
            col(Assessment.result),
            col(Assessment.assessed_on),
        )
        .where(col(Assessment.enrolment_id).in_(enrolment_ids))
        .order_by(col(Assessment.id))
    )
    for enrolment_id, competency_id, result, assessed_on in assessed.all():
        latest[enrolment_id, competency_id] = (result, assessed_on)
    targets: dict[int, list[Competency]] = defaultdict(list)
    linked = await session.execute(
        select(col(CourseCompetency.course_id), Competency)
        .join(Competency, col(Competency.id) == CourseCompetency.competency_id)
        .where(col(CourseCompetency.course_id).in_({row_id(p.course) for p in batch}))
        .order_by(col(Competency.code))
    )
    for course_id, competency in linked.all():
        targets[course_id].append(competency)
    accounts = await session.execute(
        select(col(User.trainee_id), col(User.language)).where(
            col(User.trainee_id).in_([row_id(p.trainee) for p in batch])
        )
    )
    languages = {trainee_id: language for trainee_id, language in accounts.all()}
    holders = {}
    for p in batch:
        competent = [
            (c, latest[row_id(p.enrolment), row_id(c)][1])
            for c in targets[row_id(p.course)]
            if latest.get((row_id(p.enrolment), row_id(c)), ("",))[0] == AssessmentResult.competent
        ]
        holders[row_id(p.enrolment)] = Holder(
            [c for c, _ in competent],
            max((day for _, day in competent), default=None),
            languages.get(row_id(p.trainee), DEFAULT_LANGUAGE),
        )
    return holders


def course_template(
    authority: IssuingAuthority, course: Course, competencies: Sequence[Competency]
) -> CertificateDocument:
    """What every certificate of the course says (these competencies achieved), apart from its code, holder,
    cohort and dates (left blank and today)."""
    return CertificateDocument(
        code="",
        verification_url="",
        holder_name_km="",
        holder_name_latin="",
        course_code=course.code,
        course_title_km=course.title_km,
        course_title_en=course.title_en,
        hours=course.hours,
        completed_on=clock.today(),
        issued_on=clock.today(),
        expires_on=None,
        certificate_title_km=course.certificate_title_km,
        certificate_title_en=course.certificate_title_en,
        competencies=tuple(
            AchievedCompetency(
                c.code, c.title_km, c.title_en, f"{authority.base_url}/catalogue/{course.code}#{c.code}"
            )
            for c in competencies
        ),
        signatory=Signatory(
            course.signatory_name_km,
            course.signatory_name_en,
            course.signatory_title_km,
            course.signatory_title_en,
        ),
        issuer=authority.issuer,
    )


def _document(
    authority: IssuingAuthority,
    found: Progress,
    holder: Holder,
    code: str,
    issued_on: date,
    expires_on: date | None,
) -> CertificateDocument:
    facts = found.facts
    return replace(
        course_template(authority, found.course, holder.achieved),
        code=grouped(code),
        verification_url=authority.verification_url(code),
        # Names as older rows may hold them (controls, bidi overrides): cleaned before they are signed.
        holder_name_km=printable(found.trainee.name_km),
        holder_name_latin=printable(found.trainee.name_latin),
        completed_on=completion_day(facts.delivery, [facts.last_record_on, holder.assessed_on], issued_on),
        issued_on=issued_on,
        expires_on=expires_on,
        cohort_code=found.cohort.code,
    )


def _expiry(course: Course, issued_on: date) -> date | None:
    return add_months(issued_on, course.validity_months) if course.validity_months else None


def _make_valid(
    session: AsyncSession,
    authority: IssuingAuthority,
    certificate: Certificate,
    found: Progress,
    holder: Holder,
    actor: Actor,
    expires_on: date | None = None,
) -> None:
    """Freeze what the certificate says, sign its credential and tell the holder (outbox).

    The expiry is the issue date plus the course's validity, unless given (a reissue keeps the old one's).
    """
    today = authority.today()
    expires_on = expires_on or _expiry(found.course, today)
    document = _document(authority, found, holder, certificate.code, today, expires_on)
    certificate.status = CertificateStatus.valid.value
    certificate.snapshot = document.to_snapshot()
    certificate.issued_on, certificate.expires_on = today, document.expires_on
    certificate.issued_by, certificate.issued_at = actor.user_id, utcnow()
    certificate.credential = authority.sign_credential(document, certificate)
    _notify_holder(session, found.trainee, holder.language, certificate, document)


def _notify_holder(
    session: AsyncSession,
    trainee: Trainee,
    language: str,
    certificate: Certificate,
    document: CertificateDocument,
) -> None:
    if not trainee.email:
        return
    queue(
        session,
        CERTIFICATE_ISSUED,
        trainee.email,
        language,
        certificate_context(certificate.id, document),
        dedupe_key=f"certificate_issued:{certificate.id}",
    )


# ---------------------------------------------------------------- issuing


def course_not_over(found: Progress) -> Conflict | None:
    """Certificates wait for the course to be delivered: every session of the cohort held or cancelled."""
    if found.facts.delivery.delivered:
        return None
    [sessions] = [item for item in found.checklist.items if item.requirement == Requirement.sessions]
    return Conflict(
        N_("The course is not over yet (%(sessions)s): certificates are issued after its last session."),
        sessions=sessions.text(),
    )


def refusal(found: Progress) -> Conflict | None:
    """Why this enrolment cannot have a certificate, or None if it can."""
    if not found.course.issues_certificate:
        return Conflict(N_("This course does not give a certificate."))
    if found.enrolment.status not in ISSUABLE_STATUSES:
        return Conflict(N_("Only a trainee who completed the course can receive a certificate."))
    if not_over := course_not_over(found):
        return not_over
    if not found.complete:
        missing = "; ".join(item.text() for item in found.checklist.items if not item.met)
        return Conflict(N_("Not complete yet: %(missing)s"), missing=missing)
    return None


@dataclass(frozen=True)
class Issued:
    certificate: Certificate
    document: CertificateDocument | None  # None while it waits for an admin's approval


async def _issue(
    session: AsyncSession,
    authority: IssuingAuthority,
    actor: Actor,
    batch: Sequence[Progress],
    approver: CurrentUser | None,
    expires_on: date | None = None,
) -> list[Issued]:
    """Add a certificate for each enrolment of the batch to the caller's transaction: valid, or pending
    an admin's approval when the course needs one and the approver is not an admin (None: approved)."""
    certificates = [
        Certificate(
            code=new_code(),
            enrolment_id=row_id(found.enrolment),
            trainee_id=row_id(found.trainee),
            cohort_id=row_id(found.cohort),
            course_id=row_id(found.course),
            status=CertificateStatus.pending_approval.value,
            requested_by=actor.user_id,
        )
        for found in batch
    ]
    session.add_all(certificates)
    await session.flush()
    holders = await _holders(session, batch)
    for found, certificate in zip(batch, certificates, strict=True):
        certificate.status_list, certificate.status_index = status_position(row_id(certificate))
        if approver is None or not found.course.requires_approval or approver.has_role(Role.admin):
            holder = holders[row_id(found.enrolment)]
            _make_valid(session, authority, certificate, found, holder, actor, expires_on)
        audit.record(session, actor, "certificate.issue", certificate, None, _audited(certificate))
    return [Issued(certificate, certificate.document) for certificate in certificates]


def _audited(certificate: Certificate) -> dict[str, Any] | None:
    """The certificate for the audit log: its fields and code, without the bulky snapshot and credential."""
    return audit.snapshot(certificate, snapshot=None, credential=None, code=certificate.public_code)


async def _progress_of(session: AsyncSession, enrolment_id: int) -> Progress:
    return (await progress.enrolment_progress(session, [enrolment_id]))[enrolment_id]


async def _existing(session: AsyncSession, enrolment_ids: Sequence[int]) -> dict[int, Certificate]:
    """The newest certificate of each enrolment (any status): an enrolment is issued at most once."""
    rows = await session.execute(
        select(Certificate)
        .where(col(Certificate.enrolment_id).in_(enrolment_ids))
        .order_by(col(Certificate.id))
    )
    return {c.enrolment_id: c for c in rows.scalars()}


async def issue_certificate(
    session: AsyncSession,
    authority: IssuingAuthority,
    actor: Actor,
    user: CurrentUser,
    enrolment_id: int,
    *,
    after_revocation: bool = False,
) -> Issued:
    """Issue one enrolment's certificate: a trainer of its cohort or an admin; complete enrolments only.

    An enrolment is issued once; when its certificate was revoked, a new one is issued only when asked
    (`after_revocation`: the trainer decided, e.g. after correcting the record that caused the revocation).
    """
    enrolment = await session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound(N_("No such enrolment."))
    await access.cohort_for(session, user, enrolment.cohort_id)
    found = await _progress_of(session, enrolment_id)
    if refused := refusal(found):
        raise refused
    previous = (await _existing(session, [enrolment_id])).get(enrolment_id)
    if previous and not (after_revocation and previous.status == CertificateStatus.revoked):
        raise Conflict(N_("This trainee already has a certificate (%(code)s)."), code=previous.public_code)
    try:
        [issued] = await _issue(session, authority, actor, [found], user)
        await session.flush()  # the unique index speaks here, not at the caller's commit
    except IntegrityError:  # another request issued it a moment ago; the caller's transaction is lost
        raise Conflict(N_("This trainee already has a certificate.")) from None
    return issued


@dataclass(frozen=True)
class CohortIssuance:
    issued: list[Issued]
    remaining: int  # complete enrolments still without a certificate after this batch


async def issuable(session: AsyncSession, user: CurrentUser, cohort_id: int) -> list[Progress]:
    """The cohort's complete enrolments that have no certificate yet (none at all before its last session is
    held: refused with the sessions still to come)."""
    await access.cohort_for(session, user, cohort_id)
    overview = await progress.cohort_overview(session, cohort_id)
    if overview.progress and (not_over := course_not_over(overview.progress[0])):
        raise not_over
    candidates = [p for p in overview.progress if refusal(p) is None]
    existing = await _existing(session, [row_id(p.enrolment) for p in candidates])
    return [p for p in candidates if row_id(p.enrolment) not in existing]


async def issue_for_cohort(
    session: AsyncSession,
    authority: IssuingAuthority,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    batch_size: int | None = None,
) -> CohortIssuance:
    """Issue the next `batch_size` (default: all) missing certificates of a cohort in the caller's
    transaction.

    Enrolments with a certificate are skipped, so running it again issues nothing twice. If a concurrent
    run got there first, the database's unique index refuses the duplicate with IntegrityError: the caller
    rolls back and may try again (certificates.actions.issue_for_cohort does).
    """
    waiting = await issuable(session, user, cohort_id)
    batch = waiting[:batch_size] if batch_size else waiting
    issued = await _issue(session, authority, actor, batch, user) if batch else []
    await session.flush()  # the unique index speaks here, not at the caller's commit
    return CohortIssuance(issued, remaining=len(waiting) - len(batch))


# ---------------------------------------------------------------- approving, revoking, reissuing (admins)


async def _certificate(session: AsyncSession, certificate_id: int) -> Certificate:
    certificate = await session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound(N_("No such certificate."))
    return certificate


def checked_reason(text: str) -> str:
    """A revocation or reissue reason as it will be shown publicly: clean text, spaces tidied, long enough to
    say why."""
    try:
        reason = " ".join(checked_text(text).split())
    except ValueError as problem:
        raise InvalidInput({"reason": gettext(str(problem))}) from None
    if len(reason) < 3:
        raise InvalidInput({"reason": gettext("Say why (at least 3 characters): it is shown to employers.")})
    return reason[:1000]


async def approve(
    session: AsyncSession, authority: IssuingAuthority, actor: Actor, certificate_id: int
) -> Certificate:
    """An admin approves a certificate a trainer asked for: it becomes valid from today."""
    certificate = await _certificate(session, certificate_id)
    if certificate.status != CertificateStatus.pending_approval:
        raise Conflict(N_("This certificate is not waiting for approval."))
    before = _audited(certificate)
    found = await _progress_of(session, certificate.enrolment_id)
    holders = await _holders(session, [found])
    _make_valid(session, authority, certificate, found, holders[certificate.enrolment_id], actor)
    audit.record(session, actor, "certificate.approve", certificate, before, _audited(certificate))
    return certificate


async def revoke(session: AsyncSession, actor: Actor, certificate_id: int, reason: str) -> Certificate:
    """An admin revokes a certificate (or turns down one waiting for approval); the reason is public."""
    reason = checked_reason(reason)
    certificate = await _certificate(session, certificate_id)
    if certificate.status not in CURRENT_STATUSES:
        raise Conflict(N_("Only a valid certificate can be revoked."))
    before = _audited(certificate)
    certificate.status = CertificateStatus.revoked.value
    certificate.revoked_at, certificate.revoked_by, certificate.revoked_reason = (
        utcnow(),
        actor.user_id,
        reason,
    )
    audit.record(session, actor, "certificate.revoke", certificate, before, _audited(certificate))
    return certificate


async def reissue(
    session: AsyncSession, authority: IssuingAuthority, actor: Actor, certificate_id: int, reason: str
) -> Issued:
    """Replace a valid certificate with a new one from today's records (e.g. a corrected name).

    The new certificate has a new code and keeps the old one's expiry; the old one becomes superseded and
    its verification page points to the new one.
    """
    reason = checked_reason(reason)
    old = await _certificate(session, certificate_id)
    if old.status != CertificateStatus.valid:
        raise Conflict(N_("Only a valid certificate can be reissued."))
    before = _audited(old)
    old.status, old.revoked_reason = CertificateStatus.superseded.value, reason
    await session.flush()  # the enrolment's current certificate is free before the new one is added
    found = await _progress_of(session, old.enrolment_id)
    [issued] = await _issue(session, authority, actor, [found], None, expires_on=old.expires_on)
    issued.certificate.supersedes_id, old.superseded_by_id = old.id, issued.certificate.id
    audit.record(session, actor, "certificate.supersede", old, before, _audited(old))
    return issued
