"""Certificate test data written straight into the tables (independent of the issuance services)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from certificates.codes import grouped, new_code
from certificates.document import AchievedCompetency, CertificateDocument, Signatory
from certificates.models import Certificate, CertificateStatus
from foundation.clock import utcnow
from tests.curriculum_factories import make_course
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_trainee
from training.models import Cohort, Enrolment

BASE_URL = "http://testserver.local"


async def completed_enrolment(session: AsyncSession, **trainee_fields: Any) -> Enrolment:
    course = await make_course(session, status="published", validity_months=24)
    cohort = await make_cohort(session, course, status="closed")
    trainee = await make_trainee(session, **trainee_fields)
    return await enrol(session, cohort, trainee, status="completed")


async def make_certificate(
    session: AsyncSession,
    *,
    enrolment: Enrolment | None = None,
    status: CertificateStatus = CertificateStatus.valid,
    issued_on: date | None = None,
    expires_on: date | None = None,
    revoked_reason: str | None = None,
    **trainee_fields: Any,
) -> Certificate:
    """A certificate of a completed enrolment (made if not given), issued 30 days ago unless told."""
    enrolment = enrolment or await completed_enrolment(session, **trainee_fields)
    cohort_id, trainee_id = enrolment.cohort_id, enrolment.trainee_id
    code = new_code()
    issued_on = issued_on or date.today() - timedelta(days=30)
    document = CertificateDocument(
        code=grouped(code),
        verification_url=f"{BASE_URL}/v/{grouped(code)}",
        holder_name_km=trainee_fields.get("name_km", "សុខ ស្រីមុំ"),
        holder_name_latin=trainee_fields.get("name_latin", "Sok Sreymom"),
        course_code="SW101",
        course_title_km="មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច",
        course_title_en="Foundations of social work",
        hours=Decimal(40),
        completed_on=issued_on - timedelta(days=1),
        issued_on=issued_on,
        expires_on=expires_on,
        competencies=(
            AchievedCompetency("SW-1.1", "ក្រមសីលធម៌", "Applies the code of ethics"),
            AchievedCompetency("SW-2.3", "ការគ្រប់គ្រងករណី", "Manages a case"),
        ),
        signatory=Signatory("ជា សុផល", "Chea Sophal", "នាយក", "Director"),
    )
    certificate = Certificate(
        code=code,
        enrolment_id=enrolment.id,
        trainee_id=trainee_id,
        cohort_id=cohort_id,
        course_id=(await session.get_one(Cohort, cohort_id)).course_id,
        status=status.value,
        snapshot=document.to_snapshot(),
        issued_on=issued_on,
        expires_on=expires_on,
        issued_at=utcnow(),
        revoked_at=utcnow() if status == CertificateStatus.revoked else None,
        revoked_reason=revoked_reason,
    )
    session.add(certificate)
    await session.commit()
    return certificate
