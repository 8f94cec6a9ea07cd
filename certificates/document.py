"""What a certificate says, frozen at issuance: the plain data every rendering (PDF, QR, credential) takes."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class AchievedCompetency:
    code: str
    title_km: str
    title_en: str
    # Where the competency is described publicly (a page of the framework in the catalogue).
    url: str = ""


@dataclass(frozen=True)
class Signatory:
    name_km: str = ""
    name_en: str = ""
    title_km: str = ""
    title_en: str = ""


@dataclass(frozen=True)
class Issuer:
    name_km: str = "វិទ្យាស្ថានជាតិសង្គមកិច្ច"
    name_en: str = "National Institute of Social Affairs"
    url: str = ""


@dataclass(frozen=True)
class VoidMark:
    """Why a certificate no longer stands, printed across every page of a copy downloaded afterwards: revoked
    on a day, or replaced by another certificate (its code)."""

    revoked_on: date | None = None
    replaced_by: str | None = None


@dataclass(frozen=True)
class CertificateDocument:
    """The snapshot stored with a certificate, so it renders the same forever.

    `code` is the public code as printed (grouped: K7QM-3XPD-9RTA-2VHC); `verification_url` is what the
    QR code holds ({NISA_BASE_URL}/v/{code}).
    """

    code: str
    verification_url: str
    holder_name_km: str
    holder_name_latin: str
    course_code: str
    course_title_km: str
    course_title_en: str
    hours: Decimal
    completed_on: date
    issued_on: date
    expires_on: date | None
    certificate_title_km: str = ""
    certificate_title_en: str = ""
    competencies: tuple[AchievedCompetency, ...] = ()
    signatory: Signatory = field(default_factory=Signatory)
    issuer: Issuer = field(default_factory=Issuer)
    cohort_code: str = ""

    def to_snapshot(self) -> dict[str, Any]:
        """JSON-ready form, as stored in the database."""
        return {
            "code": self.code,
            "verification_url": self.verification_url,
            "holder_name_km": self.holder_name_km,
            "holder_name_latin": self.holder_name_latin,
            "course_code": self.course_code,
            "course_title_km": self.course_title_km,
            "course_title_en": self.course_title_en,
            "hours": str(self.hours),
            "completed_on": self.completed_on.isoformat(),
            "issued_on": self.issued_on.isoformat(),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "certificate_title_km": self.certificate_title_km,
            "certificate_title_en": self.certificate_title_en,
            "competencies": [vars(c) for c in self.competencies],
            "signatory": vars(self.signatory),
            "issuer": vars(self.issuer),
            "cohort_code": self.cohort_code,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> "CertificateDocument":
        return cls(
            code=data["code"],
            verification_url=data["verification_url"],
            holder_name_km=data["holder_name_km"],
            holder_name_latin=data["holder_name_latin"],
            course_code=data["course_code"],
            course_title_km=data["course_title_km"],
            course_title_en=data["course_title_en"],
            hours=Decimal(data["hours"]),
            completed_on=date.fromisoformat(data["completed_on"]),
            issued_on=date.fromisoformat(data["issued_on"]),
            expires_on=date.fromisoformat(data["expires_on"]) if data.get("expires_on") else None,
            certificate_title_km=data.get("certificate_title_km", ""),
            certificate_title_en=data.get("certificate_title_en", ""),
            competencies=tuple(AchievedCompetency(**c) for c in data.get("competencies", [])),
            signatory=Signatory(**data.get("signatory", {})),
            issuer=Issuer(**data.get("issuer", {})),
            cohort_code=data.get("cohort_code", ""),
        )
