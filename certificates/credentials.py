"""A certificate as an Open Badges 3.0 credential (W3C VC 2.0), and the status list credential, unsigned."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from certificates.contexts import CREDENTIALS_V2, OPEN_BADGES_V3
from certificates.document import AchievedCompetency, CertificateDocument

# Expiry dates are calendar days in Cambodia: a certificate is valid through the end of its expiry day there.
_PHNOM_PENH = timezone(timedelta(hours=7))
_CRITERIA = (
    "Completed the {hours}-hour course {code} at the {issuer}: attended the "
    "required share of sessions, completed every module including the ethics module (quiz passed, code of "
    "ethics pledged), and was assessed competent in every competency listed."
)


def achievement_credential(
    doc: CertificateDocument,
    *,
    issuer_did: str,
    base_url: str,
    credential_id: str,
    status_list_url: str,
    status_index: int,
    issued_at: datetime,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential (alias AchievementCredential) saying what the certificate says."""
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": doc.certificate_title_en or f"Certificate: {doc.course_title_en}",
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": doc.issuer.name_en,
            "url": doc.issuer.url or base_url,
        },
        "validFrom": credential_time(issued_at),
        "awardedDate": credential_time(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # The holder has no DID: OB names them with identity objects, in plain text as the paper does.
            "identifier": [
                _holder_name(name) for name in (doc.holder_name_latin, doc.holder_name_km) if name
            ],
            # Midnight UTC keeps the same calendar day as in Cambodia (UTC+7).
            "activityEndDate": credential_time(datetime.combine(doc.completed_on, time(), UTC)),
            "achievement": _achievement(doc, base_url),
        },
        "credentialStatus": {
            "id": f"{status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url,
        },
    }
    if doc.expires_on is not None:
        credential["validUntil"] = _end_of_day(doc.expires_on)
    return credential


def status_list_credential(
    *, issuer_did: str, url: str, encoded_list: str, valid_from: datetime
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential published at `url` (encoded_list from status_list)."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": credential_time(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }


def _achievement(doc: CertificateDocument, base_url: str) -> dict[str, Any]:
    achievement_url = f"{base_url.rstrip('/')}/catalogue/{quote(doc.course_code, safe='')}"
    hours = _hours(doc.hours)
    return {
        "id": achievement_url,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "humanCode": doc.course_code,
        "name": doc.course_title_en,
        # OB 3.0 takes one string per field, so the Khmer title rides along in the description.
        "description": f"{doc.course_title_en} ({doc.course_title_km}), a {hours}-hour course.",
        "inLanguage": "en",
        "criteria": {
            "narrative": _CRITERIA.format(hours=hours, code=doc.course_code, issuer=doc.issuer.name_en)
        },
        "alignment": [_alignment(competency, achievement_url) for competency in doc.competencies],
    }


def _alignment(competency: AchievedCompetency, achievement_url: str) -> dict[str, Any]:
    return {
        "type": ["Alignment"],
        "targetType": "ceasn:Competency",
        "targetCode": competency.code,
        "targetName": competency.title_en,
        "targetDescription": competency.title_km,
        # OB requires a URL; without a page of its own, the competency is named on the course's page.
        "targetUrl": competency.url or f"{achievement_url}#{quote(competency.code, safe='')}",
    }


def _holder_name(name: str) -> dict[str, Any]:
    return {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name}


def _hours(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def credential_time(moment: datetime) -> str:
    """A moment as credentials write it: UTC, whole seconds, "Z" (a naive datetime is refused)."""
    if moment.tzinfo is None:
        raise ValueError("Credential times need a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _end_of_day(day: date) -> str:
    return datetime.combine(day, time(23, 59, 59), _PHNOM_PENH).isoformat()
