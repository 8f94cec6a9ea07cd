"""What changes certificates and leaves files behind: each action commits its unit of work, then stores PDFs.

The services (certificates.services.issuance) only write to the session they are given. An action is the
one place per user-visible change where that session is committed and, only then, the new certificates'
PDFs are rendered into the store: a PDF is never written for a certificate that a failed commit took away.
The store is a cache (a missing PDF is rendered again from the snapshot on download), so a failure after
the commit loses nothing that matters.
"""

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.authority import IssuingAuthority
from certificates.models import Certificate
from certificates.services import issuance
from certificates.services.issuance import CohortIssuance, Issued
from foundation.audit import Actor
from foundation.errors import Conflict
from foundation.i18n import N_
from people.services.auth import CurrentUser

# A cohort's issuance that loses a race with another for the same enrolments starts again this many times.
COHORT_ATTEMPTS = 3


async def _store_pdfs(authority: IssuingAuthority, certificates: Sequence[Certificate]) -> None:
    """Render the valid ones among the just committed certificates into the store."""
    if rendered := [certificate for certificate in certificates if certificate.snapshot is not None]:
        await authority.store_pdfs(rendered)


async def issue_certificate(
    session: AsyncSession,
    authority: IssuingAuthority,
    actor: Actor,
    user: CurrentUser,
    enrolment_id: int,
    *,
    after_revocation: bool = False,
) -> Issued:
    """Issue one enrolment's certificate (see issuance.issue_certificate), commit, store its PDF."""
    issued = await issuance.issue_certificate(
        session, authority, actor, user, enrolment_id, after_revocation=after_revocation
    )
    await session.commit()
    await _store_pdfs(authority, [issued.certificate])
    return issued


async def issue_for_cohort(
    session: AsyncSession,
    authority: IssuingAuthority,
    actor: Actor,
    user: CurrentUser,
    cohort_id: int,
    batch_size: int | None = None,
) -> CohortIssuance:
    """Issue a batch of a cohort's missing certificates in one transaction, commit, store their PDFs.

    When a concurrent run issued some of the same enrolments first, the database refuses the duplicates:
    the batch is rolled back and worked out again from what is issued now.
    """
    for _attempt in range(COHORT_ATTEMPTS):
        try:
            result = await issuance.issue_for_cohort(session, authority, actor, user, cohort_id, batch_size)
            await session.commit()
        except IntegrityError:
            await session.rollback()
            continue
        await _store_pdfs(authority, [one.certificate for one in result.issued])
        return result
    raise Conflict(N_("Certificates are being issued for this cohort by someone else; try again."))


async def approve(
    session: AsyncSession, authority: IssuingAuthority, actor: Actor, certificate_id: int
) -> Certificate:
    """An admin approves a pending certificate (see issuance.approve), commit, store its PDF."""
    certificate = await issuance.approve(session, authority, actor, certificate_id)
    await session.commit()
    await _store_pdfs(authority, [certificate])
    return certificate


async def reissue(
    session: AsyncSession, authority: IssuingAuthority, actor: Actor, certificate_id: int, reason: str
) -> Issued:
    """Replace a valid certificate with a new one (see issuance.reissue), commit, store the new PDF."""
    issued = await issuance.reissue(session, authority, actor, certificate_id, reason)
    await session.commit()
    await _store_pdfs(authority, [issued.certificate])
    return issued
