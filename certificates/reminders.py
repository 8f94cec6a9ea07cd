"""Certificate expiry reminders: 90 and 30 days before a certificate expires, and the notice on the day.

Queued into the caller's transaction with a dedupe key, so running it again (or after a run that died) queues
nothing more; takes the run's clock `now` and returns how many messages it queued.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from certificates.messages import CERTIFICATE_EXPIRED, CERTIFICATE_EXPIRING, certificate_context
from certificates.models import Certificate, CertificateStatus
from foundation.clock import cambodian_day
from foundation.outbox.queue import DEFAULT_LANGUAGE, keys_queued, queue_once
from people.messages import trainee_languages
from people.models import Trainee

# Days before expiry at which the holder is reminded; 0 is the notice that it has expired.
EXPIRY_STAGES = (90, 30, 0)
# A run that missed the expiry day still sends the notice up to this long after (not for long-expired ones).
EXPIRED_NOTICE_GRACE = timedelta(days=30)


def expiry_stage(expires_on: date, today: date) -> int | None:
    """The latest stage due today (90, 30 or 0 days before expiry), or None (too early, or long expired)."""
    days_left = (expires_on - today).days
    if days_left < -EXPIRED_NOTICE_GRACE.days:
        return None
    return next((stage for stage in reversed(EXPIRY_STAGES) if days_left <= stage), None)


def _expiry_key(enrolment_id: int, stage: int) -> str:
    # Per enrolment, not per certificate: a reissue (same enrolment, same expiry) does not repeat a stage.
    return f"certificate_expiry:{enrolment_id}:{stage}"


async def remind_expiring_certificates(session: AsyncSession, now: datetime) -> int:
    """Remind holders of valid certificates 90 and 30 days before expiry, and tell them on the day.

    A run that missed days sends the stage due now; an earlier stage is never sent after a later one.
    """
    today = cambodian_day(now)
    rows = list(
        (
            await session.execute(
                select(Certificate, Trainee)
                .join(Trainee, col(Trainee.id) == Certificate.trainee_id)
                .where(
                    col(Certificate.status) == CertificateStatus.valid.value,
                    col(Certificate.expires_on).between(
                        today - EXPIRED_NOTICE_GRACE, today + timedelta(days=max(EXPIRY_STAGES))
                    ),
                    col(Trainee.email).is_not(None),
                )
            )
        ).all()
    )
    due = [
        (c, t, stage)
        for c, t in rows
        if c.expires_on and (stage := expiry_stage(c.expires_on, today)) is not None
    ]
    queued_keys = await keys_queued(
        session,
        [
            _expiry_key(c.enrolment_id, stage)
            for c, _, due_stage in due
            for stage in EXPIRY_STAGES
            if stage < due_stage
        ],
    )
    languages = await trainee_languages(session, [t.id for _, t, _ in due if t.id])
    queued = 0
    for certificate, trainee, stage in due:
        if any(
            _expiry_key(certificate.enrolment_id, later) in queued_keys
            for later in EXPIRY_STAGES
            if later < stage
        ):
            continue
        document = certificate.document
        assert document is not None  # a valid certificate has its snapshot
        queued += await queue_once(
            session,
            CERTIFICATE_EXPIRED if stage == 0 else CERTIFICATE_EXPIRING,
            str(trainee.email),
            languages.get(trainee.id or 0, DEFAULT_LANGUAGE),
            certificate_context(certificate.id, document),
            dedupe_key=_expiry_key(certificate.enrolment_id, stage),
            now=now,
        )
    return queued
