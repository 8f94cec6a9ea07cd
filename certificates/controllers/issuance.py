"""Issuing, downloading, approving, revoking and reissuing certificates (trainers, holders and admins)."""

import json
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

import anyio
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates import actions
from certificates.authority import IssuingAuthority
from certificates.bundles import zip_stream
from certificates.document import CertificateDocument
from certificates.lookups import look_up, on_too_many_lookups
from certificates.models import Certificate, CertificateStatus
from certificates.services import issuance, listing, verification
from certificates.services.lookup_log import TooManyLookups
from foundation.columns import row_id
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.guards import STAFF, requires_admin, requires_role, requires_sign_in
from foundation.http import actor_of, is_htmx
from foundation.i18n import N_
from foundation.responses import attachment_headers, download
from foundation.roles import Role

# Certificates issued per request when the page drives a bulk issue step by step (progress bar).
BATCH_SIZE = 10
CHUNK = 64 * 1024


def cohort_certificates_url(cohort_id: int) -> str:
    return f"/cohorts/{cohort_id}/certificates"


def record_url(certificate_id: int) -> str:
    return f"/admin/certificates/{certificate_id}"


def credential_response(certificate: Certificate) -> Response[bytes]:
    body = json.dumps(certificate.credential, ensure_ascii=False, indent=2).encode()
    file_name = f"nisa-certificate-{certificate.public_code}.json"
    return download(body, "application/json", file_name)


async def _pdf(db: AsyncSession, authority: IssuingAuthority, certificate: Certificate) -> Response[bytes]:
    void = await listing.void_mark(db, certificate)
    pdf = await anyio.to_thread.run_sync(authority.stored_pdf, certificate, void)
    file_name = f"nisa-certificate-{certificate.public_code}.pdf"
    return download(pdf, "application/pdf", file_name)


class CohortCertificateController(Controller):
    """A cohort's certificates for its trainers: issue one or all, download one, a ZIP or a print PDF."""

    path = "/cohorts/{cohort_id:int}/certificates"
    guards = STAFF
    include_in_schema = False

    @get("/")
    async def cohort_certificates(
        self, request: Request, db: AsyncSession, cohort_id: int, issued: int | None = None
    ) -> Template:
        found = await listing.cohort_certificates(db, request.user, cohort_id)
        context = {"found": found, "issued_now": issued, "batch_size": BATCH_SIZE}
        return Template("certificates/cohort.html", context=context)

    @post("/")
    async def issue_for_cohort(
        self, request: Request, db: AsyncSession, authority: IssuingAuthority, cohort_id: int
    ) -> Template | Redirect:
        """With htmx: one batch per request, the answer showing progress and asking for the next batch."""
        stepwise = is_htmx(request)
        done_so_far = str((await request.form()).get("done") or "")
        done_before = int(done_so_far) if done_so_far.isdigit() else 0  # only counts what the bar shows
        result = await actions.issue_for_cohort(
            db, authority, actor_of(request), request.user, cohort_id, BATCH_SIZE if stepwise else None
        )
        done = done_before + len(result.issued)
        if not stepwise:
            return Redirect(f"{cohort_certificates_url(cohort_id)}?issued={done}", status_code=303)
        # The rows just issued (and, at the end, the page's actions) are swapped into the table as it goes.
        found = await listing.cohort_certificates(db, request.user, cohort_id)
        issued_now = {one.certificate.enrolment_id for one in result.issued}
        context = {
            "cohort_id": cohort_id,
            "done": done,
            "remaining": result.remaining,
            "found": found,
            "rows": found.rows_of(issued_now),
        }
        return Template("certificates/_issue_progress.html", context=context)

    @get("/all.zip")
    async def cohort_zip(
        self, request: Request, db: AsyncSession, authority: IssuingAuthority, cohort_id: int
    ) -> Stream:
        """One PDF per valid certificate, streamed as each is read or rendered."""
        certificates = await listing.printable(db, request.user, cohort_id)

        def files() -> Iterator[tuple[str, bytes]]:
            for certificate in certificates:
                document = CertificateDocument.from_snapshot(certificate.snapshot or {})
                name = f"{document.holder_name_latin or 'certificate'}-{document.code}.pdf".replace("/", "-")
                yield name, authority.stored_pdf(certificate)

        return Stream(
            zip_stream(files()),
            media_type="application/zip",
            headers=attachment_headers(f"certificates-cohort-{cohort_id}.zip"),
        )

    @get("/print.pdf")
    async def cohort_print(
        self, request: Request, db: AsyncSession, authority: IssuingAuthority, cohort_id: int
    ) -> Stream:
        """Every valid certificate in one PDF for printing: written to a temporary file, then streamed."""
        certificates = await listing.printable(db, request.user, cohort_id)
        if not certificates:
            raise Conflict(N_("This cohort has no valid certificates to print yet."))
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _chunks once streamed)
        await anyio.to_thread.run_sync(_write_print_file, authority, certificates, spool)
        return Stream(
            _chunks(spool),
            media_type="application/pdf",
            headers=attachment_headers(f"certificates-cohort-{cohort_id}.pdf"),
        )


def _write_print_file(authority: IssuingAuthority, certificates: list[Certificate], out: BinaryIO) -> None:
    from certificates.pdf import write_certificates  # reportlab and HarfBuzz: imported when first needed

    documents = (
        (
            CertificateDocument.from_snapshot(c.snapshot or {}),
            json.dumps(c.credential, ensure_ascii=False).encode() if c.credential else None,
        )
        for c in certificates
    )
    write_certificates(documents, out, logo=authority.logo, signature=authority.signature)
    out.seek(0)


def _chunks(spool: BinaryIO) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK):
            yield chunk


class EnrolmentCertificateController(Controller):
    path = "/enrolments/{enrolment_id:int}/certificate"
    guards = STAFF
    include_in_schema = False

    @post("/")
    async def issue_certificate(
        self, request: Request, db: AsyncSession, authority: IssuingAuthority, enrolment_id: int
    ) -> Redirect:
        """`after_revocation`: the trainer chose to issue a new certificate where the last was revoked."""
        again = bool((await request.form()).get("after_revocation"))
        issued = await actions.issue_certificate(
            db, authority, actor_of(request), request.user, enrolment_id, after_revocation=again
        )
        return Redirect(f"{cohort_certificates_url(issued.certificate.cohort_id)}?issued=1", status_code=303)


class CertificateDownloadController(Controller):
    """Downloads for the holder, the cohort's trainers and admins."""

    path = "/certificates/{certificate_id:int}"
    guards = [requires_sign_in]
    include_in_schema = False

    @get("/certificate.pdf")
    async def certificate_pdf(
        self, request: Request, db: AsyncSession, authority: IssuingAuthority, certificate_id: int
    ) -> Response[bytes]:
        return await _pdf(db, authority, await listing.certificate_for(db, request.user, certificate_id))

    @get("/credential.json")
    async def certificate_credential(
        self, request: Request, db: AsyncSession, certificate_id: int
    ) -> Response[bytes]:
        return credential_response(await listing.certificate_for(db, request.user, certificate_id))


class MyCertificatesController(Controller):
    path = "/me/certificates"
    guards = [requires_role(Role.trainee)]
    include_in_schema = False

    @get("/")
    async def my_certificates(self, request: Request, db: AsyncSession) -> Template:
        rows = await listing.my_certificates(db, request.user)
        return Template("certificates/mine.html", context={"rows": rows})


class CertificateAdminController(Controller):
    """The list of all certificates, and what only an admin may do: approve, revoke, reissue."""

    path = "/admin/certificates"
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def list_certificates(
        self, db: AsyncSession, q: str = "", status: str = "", page: int = 1
    ) -> Template:
        found = await listing.search_certificates(db, q, status, page=max(page, 1))
        counts = await verification.lookup_counts(db, [row_id(r.certificate) for r in found.items])
        context = {
            "page": found,
            "q": q,
            "status": status,
            "statuses": listing.STATUS_NAMES,
            "counts": counts,
        }
        return Template("certificates/admin/list.html", context=context)

    @get("/{certificate_id:int}")
    async def show_certificate(self, db: AsyncSession, certificate_id: int) -> Template:
        return await _record_page(db, certificate_id, {})

    @post("/{certificate_id:int}/approve")
    async def approve_certificate(
        self, request: Request, db: AsyncSession, authority: IssuingAuthority, certificate_id: int
    ) -> Redirect:
        await actions.approve(db, authority, actor_of(request), certificate_id)
        return Redirect(f"{record_url(certificate_id)}?notice=approved", status_code=303)

    @post("/{certificate_id:int}/revoke")
    async def revoke_certificate(
        self, request: Request, db: AsyncSession, certificate_id: int
    ) -> Template | Redirect:
        """Asks first (what revoking does, with the reason as it will be shown); revokes once confirmed."""
        form = await request.form()
        reason = str(form.get("reason") or "")
        try:
            if form.get("confirmed") != "yes":
                checked = issuance.checked_reason(reason)
                record = await listing.certificate_record(db, certificate_id)
                context = {"record": record, "reason": checked}
                return Template("certificates/admin/revoke_confirm.html", context=context)
            await issuance.revoke(db, actor_of(request), certificate_id, reason)
        except InvalidInput as invalid:
            return await _record_page(db, certificate_id, {"revoke": invalid.field_errors, "reason": reason})
        return Redirect(f"{record_url(certificate_id)}?notice=revoked", status_code=303)

    @post("/{certificate_id:int}/reissue")
    async def reissue_certificate(
        self, request: Request, db: AsyncSession, authority: IssuingAuthority, certificate_id: int
    ) -> Template | Redirect:
        reason = str((await request.form()).get("reissue_reason") or "")
        try:
            issued = await actions.reissue(db, authority, actor_of(request), certificate_id, reason)
        except InvalidInput as invalid:
            errors = {"reissue_reason": invalid.field_errors["reason"]}
            return await _record_page(db, certificate_id, {"reissue": errors, "reason": reason})
        return Redirect(f"{record_url(row_id(issued.certificate))}?notice=reissued", status_code=303)


async def _record_page(db: AsyncSession, certificate_id: int, errors: dict[str, Any]) -> Template:
    record = await listing.certificate_record(db, certificate_id)
    context = {
        "record": record,
        "errors": errors,
        "lookups": await verification.lookup_summary(db, certificate_id),
        "revocable": record.row.certificate.status
        in (CertificateStatus.valid, CertificateStatus.pending_approval),
    }
    return Template("certificates/admin/record.html", context=context, status_code=422 if errors else 200)


class PublicCredentialController(Controller):
    """What anyone may fetch to check a credential: the credential, the issuer's keys, the status list."""

    path = "/"
    include_in_schema = False
    exception_handlers = {TooManyLookups: on_too_many_lookups}

    @get("/v/{code:str}/credential.json")
    async def public_credential(self, request: Request, db: AsyncSession, code: str) -> Response[bytes]:
        """Counted, logged and rate-limited like every lookup of a code: otherwise it answers the same
        question (is this a code?) outside the limit."""
        found = await look_up(request, code, "credential")
        if not found.found:
            raise NotFound(N_("No certificate has this code."))
        return credential_response(await listing.by_code(db, code))

    @get("/.well-known/did.json")
    async def did_document(self, authority: IssuingAuthority) -> Response[dict[str, Any]]:
        return Response(authority.did_document(), media_type="application/did+json")

    @get("/credentials/status/{number:int}")
    async def status_list(
        self, db: AsyncSession, authority: IssuingAuthority, number: int
    ) -> Response[dict[str, Any]]:
        revoked = await listing.revoked_indices(db, number)  # 404 for a list that holds nothing
        credential = await anyio.to_thread.run_sync(authority.status_list, number, revoked)
        return Response(
            credential, media_type="application/vc+ld+json", headers={"cache-control": "no-cache"}
        )
