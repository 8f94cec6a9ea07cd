"""Public verification of certificates: the page the QR code opens, the form, admins' counts."""

from litestar import Controller, Request, get
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.codes import grouped, normalise
from certificates.lookups import NO_STORE, look_up, on_too_many_lookups
from certificates.services import verification
from certificates.services.lookup_log import TooManyLookups
from foundation.clock import today, utcnow
from foundation.guards import requires_admin


class VerificationPages(Controller):
    include_in_schema = False
    exception_handlers = {TooManyLookups: on_too_many_lookups}

    @get("/v/{code:str}")
    async def certificate_page(self, request: Request, code: str, via: str | None = None) -> Template:
        """What the QR code opens; `via=form` marks a code typed into the form (for the log's channel)."""
        found = await look_up(request, code, "form" if via == "form" else "page")
        return Template(
            "certificates/verify/result.html",
            context={"verification": found, "advice": verification.advice()},
            status_code=200 if found.found else 404,
            headers=NO_STORE,
        )

    @get("/verify")
    async def verify_form(self, request: Request, code: str = "") -> Template | Redirect:
        """The form; a well-formed code goes on to its page, anything else comes back with the error."""
        if not code.strip():
            return Template("certificates/verify/form.html", context={"code": "", "error": None})
        if well_formed := normalise(code):
            return Redirect(f"/v/{grouped(well_formed)}?via=form", status_code=303)
        found = await look_up(request, code, "form")  # logged as malformed
        context = {"code": found.code, "error": found.status_text}
        return Template("certificates/verify/form.html", context=context, status_code=422, headers=NO_STORE)


class VerificationAdmin(Controller):
    include_in_schema = False
    guards = [requires_admin]

    @get("/admin/verifications")
    async def most_looked_up(self, db: AsyncSession, page: int = 1) -> Template:
        """The most looked-up certificates, with the lookups of today and the last 7 days."""
        context = {
            "page": await verification.most_looked_up(db, today(), page=max(page, 1)),
            "totals": await verification.lookup_totals(db, utcnow()),
        }
        return Template("certificates/verify/admin.html", context=context)
