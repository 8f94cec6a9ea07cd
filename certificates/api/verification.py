"""The JSON API of public verification (/api/v1/verify): what a certificate code stands for, no sign-in."""

from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from certificates.lookups import NO_STORE, look_up, on_too_many_lookups
from certificates.models import LookupResult
from certificates.schemas import TooManyLookupsRead, VerificationRead
from certificates.services import verification
from certificates.services.lookup_log import TooManyLookups

JSON_STATUS = {LookupResult.not_found: 404, LookupResult.malformed: 400}
PrintedCode = Annotated[
    str, Parameter(description="The code printed on the certificate, e.g. K7QM-3XPD-9RTA-2VHC (any case).")
]


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
        found = await look_up(request, code, "json")
        answer = verification.verification_read(found, request.app.state.settings.base_url)
        return Response(answer, status_code=JSON_STATUS.get(found.result, 200), headers=NO_STORE)
