"""Public verification of certificates: the page the QR code opens, the form, the JSON API, admins' counts."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.codes import grouped, normalise
from certificates.models import LookupResult
from certificates.services import verification
from certificates.services.lookup_log import TooManyLookups
from certificates.services.verification import (
    Channel,
    LookupClient,
    TooManyLookupsRead,
    Verification,
    VerificationRead,
    client_hash,
)
from certificates.user_agents import user_agent_family
from foundation.clock import today, utcnow
from foundation.guards import requires_admin
from foundation.http import client_ip, language_of
from foundation.i18n import current_language, gettext
from foundation.responses import is_api

# No cache anywhere (browser, proxy): a revocation must show at the very next lookup, on every instance.
NO_STORE = {"cache-control": "no-store"}
JSON_STATUS = {LookupResult.not_found: 404, LookupResult.malformed: 400}
PrintedCode = Annotated[
    str, Parameter(description="The code printed on the certificate, e.g. K7QM-3XPD-9RTA-2VHC (any case).")
]


async def _look_up(request: Request, code: str, channel: Channel) -> Verification:
    """Without an ORM session: the public path is kept as lean as it can be (see services/finder.py)."""
    state = request.app.state
    client = LookupClient(
        ip_hash=client_hash(client_ip(request), state.settings.resolve_secret_key()),
        user_agent_family=user_agent_family(request.headers.get("user-agent")),
    )
    return await verification.verify_code(
        state.certificate_finder, state.lookup_log, code, client=client, channel=channel, now=utcnow()
    )


def on_too_many_lookups(request: Request, exc: TooManyLookups) -> Response[Any]:
    """A clear 429 in the visitor's language, with Retry-After, as a page or as JSON."""
    current_language.set(language_of(request.scope, request.app.state.settings))
    headers = {"retry-after": str(exc.retry_after), **NO_STORE}
    if is_api(request):
        answer = TooManyLookupsRead(status_code=429, detail=gettext(exc.message), retry_after=exc.retry_after)
        return Response(answer, status_code=429, headers=headers)
    context = {"message": gettext(exc.message), "retry_after": exc.retry_after}
    return Template("certificates/verify/too_many.html", context=context, status_code=429, headers=headers)


class VerificationPages(Controller):
    include_in_schema = False
    exception_handlers = {TooManyLookups: on_too_many_lookups}

    @get("/v/{code:str}")
    async def certificate_page(self, request: Request, code: str, via: str | None = None) -> Template:
        """What the QR code opens; `via=form` marks a code typed into the form (for the log's channel)."""
        found = await _look_up(request, code, "form" if via == "form" else "page")
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
        found = await _look_up(request, code, "form")  # logged as malformed
        context = {"code": found.code, "error": found.status_text}
        return Template("certificates/verify/form.html", context=context, status_code=422, headers=NO_STORE)


class VerificationApi(Controller):
    path = "/api/v1/verify"
    tags = ["Verification"]
    opt = {"exclude_from_csrf": True}  # GET only, and no form: no CSRF cookie to set on every answer
    exception_handlers = {TooManyLookups: on_too_many_lookups}

    @get(
        "/{code:str}",
        summary="Verify a certificate code",
        responses={
            400: ResponseSpec(
                VerificationRead,
                description="Not a certificate code (status `malformed`), with `advice`.",
                generate_examples=False,
            ),
            404: ResponseSpec(
                VerificationRead,
                description="No certificate has this code (status `not_found`), with `advice`.",
                generate_examples=False,
            ),
            429: ResponseSpec(
                TooManyLookupsRead,
                description="Too many lookups from this client; wait `retry_after` seconds (Retry-After).",
                generate_examples=False,
            ),
        },
    )
    async def verify(self, request: Request, code: PrintedCode) -> Response[VerificationRead]:
        """What a certificate code stands for today (valid, expired, revoked, superseded); no sign-in.

        The code is case-, space- and dash-insensitive (O and I read as 0 and 1). Found certificates answer
        200 whatever their status; a code that is not a certificate code answers 400, an unknown code 404.
        Every lookup is logged (with a salted hash of the client's address) and rate-limited per client.
        """
        found = await _look_up(request, code, "json")
        answer = verification.verification_read(found, request.app.state.settings.base_url)
        return Response(answer, status_code=JSON_STATUS.get(found.result, 200), headers=NO_STORE)


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


VERIFICATION_ROUTES: list[Any] = [VerificationPages, VerificationApi, VerificationAdmin]
