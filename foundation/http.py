"""Request helpers: the client's address, the actor, cookies, htmx, language, security headers."""

from ipaddress import ip_address, ip_network
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException, ValidationException
from litestar.types import Message, Scope

from foundation.audit import Actor
from foundation.i18n import choose_language
from foundation.numbers import in_bounds, whole_number
from foundation.settings import Settings

SESSION_COOKIE = "nisa_session"
LANGUAGE_COOKIE = "nisa_lang"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


def cookie_value(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie_name, _, cookie_value = part.strip().partition("=")
                if cookie_name == name:
                    return cookie_value
    return None


def trusted_client_ip(scope: Scope, trusted_proxies: list[Any]) -> str:
    """The client's address: the peer, or the nearest untrusted hop in X-Forwarded-For behind our proxy."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    try:
        if not any(ip_address(peer) in network for network in trusted_proxies):
            return peer
    except ValueError:
        return peer
    forwarded = next((v.decode() for k, v in scope.get("headers", []) if k == b"x-forwarded-for"), "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            if not any(ip_address(hop) in network for network in trusted_proxies):
                return hop
        except ValueError:
            return peer
    return peer


def client_ip(request: Request) -> str:
    return str(request.scope["state"]["client_ip"])


def is_htmx(request: Request) -> bool:
    """A request htmx made from a page already shown: it gets a fragment back, not a whole page."""
    return request.headers.get("hx-request") == "true"


def actor_of(request: Request) -> Actor:
    return Actor(request.user.id if request.user else None, client_ip(request))


def session_cookie(token: str, settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        max_age=settings.session_hours * 3600,
        path="/",
    )


def language_cookie(language: str, settings: Settings) -> Cookie:
    return Cookie(
        key=LANGUAGE_COOKIE,
        value=language,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        max_age=365 * 24 * 3600,
        path="/",
    )


def language_of(scope: Scope, settings: Settings) -> str:
    return choose_language(cookie_value(scope, LANGUAGE_COOKIE), settings.default_language)


SECURITY_HEADER_PAIRS = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
HSTS_HEADER = (b"strict-transport-security", b"max-age=31536000")


async def add_security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: runs for every response, also those no route handler produced (404, 405).

    Raw header pairs, without parsing the response's headers into a mutable mapping: this runs on every
    answer, the public verification included."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", ()))
    present = {name.lower() for name, _ in headers}
    headers.extend(pair for pair in SECURITY_HEADER_PAIRS if pair[0] not in present)
    if scope["litestar_app"].state.settings.secure_cookies:
        headers.append(HSTS_HEADER)
    message["headers"] = headers


async def refuse_unstorable_numbers(request: Request) -> None:
    """before_request hook of every route: whole numbers in the path and query stay within what the database
    stores (foundation.numbers), before any handler sees them. An id out of range names no record (404); a
    query number out of range is a bad parameter (400)."""
    for name, value in request.path_params.items():
        if isinstance(value, int) and not isinstance(value, bool) and not in_bounds(name, value):
            raise NotFoundException()
    numbers = request.route_handler.parsed_fn_signature.parameters
    for name, raw in request.query_params.items():
        field = numbers.get(name)
        if field is None or not _takes_a_number(field.annotation):
            continue
        number = whole_number(raw)
        if number is None or not in_bounds(name, number):
            raise ValidationException(extra=[{"key": name, "message": "out of range"}])


def _takes_a_number(annotation: Any) -> bool:
    return annotation is not bool and (annotation is int or int in getattr(annotation, "__args__", ()))


def parse_trusted_proxies(setting: str) -> list[Any]:
    return [ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]
