"""Certificates read back: a cohort's certificates, a holder's own, the admin list."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from certificates.codes import normalise
from certificates.document import VoidMark
from certificates.models import Certificate, CertificateStatus
from certificates.services import issuance
from courses.models import Course
from foundation.clock import cambodian_day
from foundation.columns import row_id
from foundation.errors import NotFound
from foundation.i18n import N_, gettext
from foundation.paging import Page
from people.models import Trainee
from people.services.auth import CurrentUser
from people.services.trainees import search_condition
from training.models import Cohort
from training.services import access, progress
from training.services.progress import Progress

STATUS_NAMES = {
    CertificateStatus.pending_approval: N_("Waiting for approval"),
    CertificateStatus.valid: N_("Valid"),
    CertificateStatus.revoked: N_("Revoked"),
    CertificateStatus.superseded: N_("Superseded"),
}


@dataclass(frozen=True)
class CertificateRow:
    certificate: Certificate
    trainee: Trainee
    cohort: Cohort
    course: Course

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[CertificateStatus(self.certificate.status)]


CertificateQuery = Select[Certificate, Trainee, Cohort, Course]


def _rows() -> CertificateQuery:
    return (
        select(Certificate, Trainee, Cohort, Course)
        .join(Trainee, col(Trainee.id) == Certificate.trainee_id)
        .join(Cohort, col(Cohort.id) == Certificate.cohort_id)
        .join(Course, col(Course.id) == Certificate.course_id)
    )


async def _found(session: AsyncSession, query: CertificateQuery) -> list[CertificateRow]:
    return [CertificateRow(*row) for row in (await session.execute(query)).all()]


# ---------------------------------------------------------------- a cohort's certificates (trainers)


@dataclass(frozen=True)
class CohortCertificates:
    cohort: Cohort
    course: Course
    enrolments: list[tuple[Progress, Certificate | None]]

    @property
    def issuable(self) -> list[Progress]:
        return [p for p, c in self.enrolments if c is None and issuance.refusal(p) is None]

    @property
    def not_over(self) -> str | None:
        """Why nothing can be issued yet, when the cohort's last session is still to come."""
        if not self.enrolments or (refused := issuance.course_not_over(self.enrolments[0][0])) is None:
            return None
        return gettext(refused.message) % refused.params

    def reissuable(self, found: Progress, certificate: Certificate | None) -> bool:
        """A revoked certificate of an enrolment that could have one: the trainer decides on a new one."""
        return (
            certificate is not None
            and certificate.status == CertificateStatus.revoked
            and issuance.refusal(found) is None
        )

    def rows_of(self, enrolment_ids: set[int]) -> list[tuple[Progress, Certificate | None]]:
        return [(p, c) for p, c in self.enrolments if row_id(p.enrolment) in enrolment_ids]

    @property
    def issued(self) -> list[Certificate]:
        return [
            c for _, c in self.enrolments if c is not None and c.status != CertificateStatus.pending_approval
        ]


async def cohort_certificates(session: AsyncSession, user: CurrentUser, cohort_id: int) -> CohortCertificates:
    """Every seated enrolment of the cohort with its current certificate, for its trainers and admins."""
    await access.cohort_for(session, user, cohort_id)
    overview = await progress.cohort_overview(session, cohort_id)
    rows = await session.execute(
        select(Certificate).where(col(Certificate.cohort_id) == cohort_id).order_by(col(Certificate.id))
    )
    newest = {c.enrolment_id: c for c in rows.scalars()}
    return CohortCertificates(
        overview.cohort, overview.course, [(p, newest.get(row_id(p.enrolment))) for p in overview.progress]
    )


async def newest_statuses(session: AsyncSession, enrolment_ids: Sequence[int]) -> dict[int, str]:
    """The status of each enrolment's newest certificate (enrolments without one are absent): the trainer's
    dashboard leaves out those who hold a current one. No access check."""
    rows = await session.execute(
        select(col(Certificate.enrolment_id), col(Certificate.status))
        .where(col(Certificate.enrolment_id).in_(list(enrolment_ids)))
        .order_by(col(Certificate.id))
    )
    return {enrolment_id: status for enrolment_id, status in rows.all()}


async def printable(session: AsyncSession, user: CurrentUser, cohort_id: int) -> list[Certificate]:
    """The cohort's valid certificates, in the holders' name order, for the ZIP and the print PDF."""
    await access.cohort_for(session, user, cohort_id)
    rows = await session.execute(
        select(Certificate)
        .join(Trainee, col(Trainee.id) == Certificate.trainee_id)
        .where(col(Certificate.cohort_id) == cohort_id, col(Certificate.status) == CertificateStatus.valid)
        .order_by(col(Trainee.name_latin), col(Trainee.id))
    )
    return list(rows.scalars())


# ---------------------------------------------------------------- one certificate


async def certificate_for(session: AsyncSession, user: CurrentUser, certificate_id: int) -> Certificate:
    """A certificate its holder, its cohort's trainers or an admin may download (not one still pending)."""
    certificate = await session.get(Certificate, certificate_id)
    if certificate is None or certificate.status == CertificateStatus.pending_approval:
        raise NotFound(N_("No such certificate."))
    if user.trainee_id is not None and user.trainee_id == certificate.trainee_id:
        return certificate
    await access.cohort_for(session, user, certificate.cohort_id)
    return certificate


async def void_mark(session: AsyncSession, certificate: Certificate) -> VoidMark | None:
    """What a copy of this certificate must say across its pages: revoked (on which day), replaced (by which
    certificate), or nothing while it stands."""
    if certificate.status == CertificateStatus.revoked:
        return VoidMark(revoked_on=cambodian_day(certificate.revoked_at) if certificate.revoked_at else None)
    if certificate.status == CertificateStatus.superseded and certificate.superseded_by_id is not None:
        replacement = await session.get(Certificate, certificate.superseded_by_id)
        return VoidMark(replaced_by=replacement.public_code if replacement else None)
    return None


async def by_code(session: AsyncSession, typed_code: str) -> Certificate:
    """The public certificate with this code (any status but pending approval)."""
    code = normalise(typed_code)
    found = await session.execute(select(Certificate).where(col(Certificate.code) == code)) if code else None
    certificate = found.scalar_one_or_none() if found else None
    if certificate is None or certificate.status == CertificateStatus.pending_approval:
        raise NotFound(N_("No certificate has this code."))
    return certificate


async def my_certificates(session: AsyncSession, user: CurrentUser) -> list[CertificateRow]:
    """The signed-in trainee's own certificates, newest first (not those still waiting for approval)."""
    if user.trainee_id is None:
        return []
    query = (
        _rows()
        .where(
            col(Certificate.trainee_id) == user.trainee_id,
            col(Certificate.status) != CertificateStatus.pending_approval,
        )
        .order_by(col(Certificate.id).desc())
    )
    return await _found(session, query)


# ---------------------------------------------------------------- the admin register


async def search_certificates(
    session: AsyncSession, q: str = "", status: str = "", *, page: int = 1, per_page: int = 25
) -> Page[CertificateRow]:
    """Certificates by code or holder name, newest first, optionally of one status."""
    conditions = []
    if q.strip():
        code = normalise(q)
        conditions.append(col(Certificate.code) == code if code else search_condition(q.strip()))
    if status in set(CertificateStatus):
        conditions.append(col(Certificate.status) == status)
    counted = (
        select(func.count()).select_from(Certificate).join(Trainee, col(Trainee.id) == Certificate.trainee_id)
    )
    total = (await session.execute(counted.where(*conditions))).scalar_one()
    query = (
        _rows()
        .where(*conditions)
        .order_by(col(Certificate.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(await _found(session, query), total, page, per_page)


@dataclass(frozen=True)
class CertificateRecord:
    row: CertificateRow
    supersedes: Certificate | None
    superseded_by: Certificate | None


async def certificate_record(session: AsyncSession, certificate_id: int) -> CertificateRecord:
    """One certificate with the ones it replaced or was replaced by (admins)."""
    rows = await _found(session, _rows().where(col(Certificate.id) == certificate_id))
    if not rows:
        raise NotFound(N_("No such certificate."))
    certificate = rows[0].certificate
    supersedes = (
        await session.get(Certificate, certificate.supersedes_id) if certificate.supersedes_id else None
    )
    newer = certificate.superseded_by_id
    return CertificateRecord(rows[0], supersedes, await session.get(Certificate, newer) if newer else None)


async def revoked_indices(session: AsyncSession, status_list: int) -> list[int]:
    """The bits set in a status list: certificates revoked, or superseded by a reissue (no longer current)."""
    in_list = col(Certificate.status_list) == status_list
    if (await session.execute(select(col(Certificate.id)).where(in_list).limit(1))).first() is None:
        raise NotFound(N_("No such status list."))
    ended = (CertificateStatus.revoked.value, CertificateStatus.superseded.value)
    rows = await session.execute(
        select(col(Certificate.status_index)).where(in_list, col(Certificate.status).in_(ended))
    )
    return [index for index in rows.scalars() if index is not None]
