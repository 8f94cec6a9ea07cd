"""What the audit log calls certificates, their actions and fields."""

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from certificates.codes import grouped
from certificates.models import Certificate
from certificates.services.listing import STATUS_NAMES
from foundation.audit_words import FieldWords, Named, RecordType, Vocabulary
from foundation.i18n import N_

USER = "user_account"


async def certificate_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    rows = await session.execute(
        select(col(Certificate.id), col(Certificate.code)).where(col(Certificate.id).in_(ids))
    )
    return {row.id: Named(grouped(row.code), f"/admin/certificates/{row.id}") for row in rows}


VOCABULARY = Vocabulary(
    record_types=(RecordType("certificate", N_("Certificate"), certificate_names),),
    actions={
        "certificate.issue": N_("Certificate issued"),
        "certificate.approve": N_("Certificate approved"),
        "certificate.revoke": N_("Certificate revoked"),
        "certificate.supersede": N_("Certificate superseded by a reissue"),
    },
    fields={
        "certificate.status": FieldWords(N_("Status"), values=STATUS_NAMES),
        "certificate_id": FieldWords(N_("Certificate"), refers_to="certificate"),
        "supersedes_id": FieldWords(N_("Replaces"), refers_to="certificate"),
        "superseded_by_id": FieldWords(N_("Superseded by"), refers_to="certificate"),
        "requested_by": FieldWords(N_("Requested by"), refers_to=USER),
        "issued_by": FieldWords(N_("Issued by"), refers_to=USER),
        "revoked_by": FieldWords(N_("Revoked by"), refers_to=USER),
        "issued_on": FieldWords(N_("Issue date")),
        "expires_on": FieldWords(N_("Expiry date")),
        "issued_at": FieldWords(N_("Issued")),
        "revoked_at": FieldWords(N_("Revoked")),
        "revoked_reason": FieldWords(N_("Reason for revocation")),
        "status_list": FieldWords(N_("Status list")),
        "status_index": FieldWords(N_("Place in the status list")),
        "snapshot": FieldWords(N_("Snapshot")),
        "credential": FieldWords(N_("Credential")),
    },
)
