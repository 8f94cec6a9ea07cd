"""Tables of the certificates package: certificates and the log of their public verifications."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from certificates.codes import grouped
from certificates.document import CertificateDocument
from foundation.clock import utcnow
from foundation.columns import timestamp


class CertificateStatus(enum.StrEnum):
    # Asked for by a trainer on a course that needs an admin's approval; not public yet.
    pending_approval = "pending_approval"
    valid = "valid"
    revoked = "revoked"
    superseded = "superseded"


EXPIRED = "expired"  # never stored: a valid certificate past its expiry date


def status_on(status: str, expires_on: date | None, day: date) -> str:
    """The certificate's status on that day: its stored status, or `expired` for a valid one past expiry."""
    if status == CertificateStatus.valid and expires_on is not None and expires_on < day:
        return EXPIRED
    return status


# The statuses that count as "the" certificate of an enrolment: at most one per enrolment.
CURRENT_STATUSES = (CertificateStatus.pending_approval.value, CertificateStatus.valid.value)
_CURRENT = text("status IN ('pending_approval', 'valid')")


class Certificate(SQLModel, table=True):
    """A certificate for one completed enrolment. Never deleted: revoked or superseded instead.

    `snapshot` holds what it says (names, course, hours, competencies, dates, signatory), written at
    issuance, so it renders the same forever; `credential` is the signed Open Badges credential.
    """

    __table_args__ = (
        Index(
            "ux_certificate_current_enrolment",
            "enrolment_id",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
        UniqueConstraint("status_list", "status_index"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The public code without dashes, upper case (16 characters, 80 random bits).
    code: str = Field(max_length=20, unique=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", index=True)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    course_id: int = Field(foreign_key="course.id")
    status: str = Field(default=CertificateStatus.valid.value, max_length=20)
    snapshot: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    credential: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    issued_on: date | None = None
    expires_on: date | None = Field(default=None, index=True)
    requested_by: int | None = Field(default=None, foreign_key="user_account.id")
    requested_at: datetime = timestamp(default_factory=utcnow)
    issued_by: int | None = Field(default=None, foreign_key="user_account.id")
    issued_at: datetime | None = timestamp(default=None)
    revoked_at: datetime | None = timestamp(default=None)
    revoked_by: int | None = Field(default=None, foreign_key="user_account.id")
    revoked_reason: str | None = Field(default=None, max_length=1000)
    supersedes_id: int | None = Field(default=None, foreign_key="certificate.id")
    superseded_by_id: int | None = Field(default=None, foreign_key="certificate.id")
    # Where revocation is published in the Bitstring Status List (list number, bit index).
    status_list: int | None = None
    status_index: int | None = None

    def status_on(self, day: date) -> str:
        return status_on(self.status, self.expires_on, day)

    @property
    def public_code(self) -> str:
        """The code as printed: K7QM-3XPD-9RTA-2VHC."""
        return grouped(self.code)

    @property
    def document(self) -> CertificateDocument | None:
        """What it says (None while it waits for approval: nothing is frozen yet)."""
        return CertificateDocument.from_snapshot(self.snapshot) if self.snapshot else None


class LookupResult(enum.StrEnum):
    valid = "valid"
    expired = "expired"
    revoked = "revoked"
    superseded = "superseded"
    not_found = "not_found"
    malformed = "malformed"


class VerificationLookup(SQLModel, table=True):
    """One public lookup of a certificate code. The client's IP is kept only as a salted hash."""

    __tablename__ = "verification_lookup"
    __table_args__ = (Index("ix_verification_lookup_client_at", "client_hash", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp(default_factory=utcnow, index=True)
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id", index=True)
    code: str = Field(max_length=40)
    result: str = Field(max_length=20)
    channel: str = Field(max_length=10)
    client_hash: str = Field(max_length=64)
    user_agent_family: str = Field(default="other", max_length=40)
