"""A public lookup of a certificate code from a request, and the 429 once a client asks too often."""

from typing import Any

from litestar import Request, Response
from litestar.response import Template

from certificates.schemas import TooManyLookupsRead
from certificates.services import verification
from certificates.services.lookup_log import TooManyLookups
from certificates.services.verification import (
    Channel,
    LookupClient,
    Verification,
    client_hash,
)
from certificates.user_agents import user_agent_family
from foundation.clock import utcnow
from foundation.http import client_ip, language_of
from foundation.i18n import current_language, gettext
from foundation.responses import is_api

# No cache anywhere (browser, proxy): a revocation must show at the very next lookup, on every instance.
NO_STORE = {"cache-control": "no-store"}


async def look_up(request: Request, code: str, channel: Channel) -> Verification:
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
