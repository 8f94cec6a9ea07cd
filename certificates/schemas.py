"""The public verification's JSON answer, beside the certificate tables of certificates/models.py."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from msgspec import Meta, Struct

from certificates.models import LookupResult

# msgspec structs rather than pydantic models: the answer is built and encoded on every public lookup,
# and these cost a fraction (Litestar encodes them natively and documents them in the OpenAPI schema).


class VerifiedHolder(Struct):
    name_km: str
    name_latin: str


class VerifiedCourse(Struct):
    code: str
    title_km: str
    title_en: str
    hours: Decimal


class VerifiedCompetency(Struct):
    code: str
    title_km: str
    title_en: str


class Revocation(Struct):
    reason: str
    at: datetime | None


class Successor(Struct):
    code: Annotated[str, Meta(description="The new certificate's code.")]
    url: Annotated[str, Meta(description="Its verification page.")]


class VerifiedIssuer(Struct):
    name_km: str
    name_en: str


class VerificationRead(Struct, kw_only=True):
    """What a certificate code stands for today. Only `code`, `status` and `status_text` are always set."""

    code: Annotated[
        str, Meta(description="The code grouped as printed (K7QM-3XPD-9RTA-2VHC), or as typed if malformed.")
    ]
    status: LookupResult
    status_text: Annotated[str, Meta(description="The status in words, in the request's language.")]
    advice: Annotated[str | None, Meta(description="What to do when nothing was found.")] = None
    holder: VerifiedHolder | None = None
    course: VerifiedCourse | None = None
    competencies: list[VerifiedCompetency] = []
    issued_on: date | None = None
    expires_on: Annotated[date | None, Meta(description="None: the certificate does not expire.")] = None
    expired_since: date | None = None
    revoked: Revocation | None = None
    superseded_by: Successor | None = None
    issuer: VerifiedIssuer | None = None
    verification_url: str | None = None
    credential_url: Annotated[str | None, Meta(description="The signed Open Badges 3.0 credential.")] = None


class TooManyLookupsRead(Struct):
    status_code: int
    detail: str
    retry_after: Annotated[
        int, Meta(description="Seconds to wait before the next lookup (also the Retry-After header).")
    ]
