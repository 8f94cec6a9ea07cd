"""Email about a certificate: issued, about to expire, expired; and what each says of the certificate."""

from typing import Any

from certificates.document import CertificateDocument
from foundation.i18n import N_
from foundation.outbox.kinds import MessageKind

CERTIFICATE_ISSUED = MessageKind(
    "certificate_issued", N_("Your certificate: %(course_title)s"), N_("Certificate issued")
)
CERTIFICATE_EXPIRING = MessageKind(
    "certificate_expiring",
    N_("Your certificate expires soon: %(course_title)s"),
    N_("Certificate expiry reminder"),
)
CERTIFICATE_EXPIRED = MessageKind(
    "certificate_expired", N_("Your certificate has expired: %(course_title)s"), N_("Certificate expired")
)
KINDS = (CERTIFICATE_ISSUED, CERTIFICATE_EXPIRING, CERTIFICATE_EXPIRED)


def certificate_context(certificate_id: int | None, document: CertificateDocument) -> dict[str, Any]:
    """What the messages about a certificate (issued, expiring, expired) say of it."""
    return {
        "certificate_id": certificate_id,
        "code": document.code,
        "holder_name_km": document.holder_name_km,
        "holder_name_latin": document.holder_name_latin,
        "course_title_km": document.course_title_km,
        "course_title_en": document.course_title_en,
        "expires_on": document.expires_on.isoformat() if document.expires_on else None,
        "verification_url": document.verification_url,
    }
