"""Errors mapped to answers in one place: friendly pages in the user's language, or JSON under /api."""

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import IntegrityError, OperationalError

from foundation.database import DatabaseUnavailable
from foundation.errors import DomainError, InvalidInput
from foundation.http import language_of
from foundation.i18n import N_, current_language, gettext
from foundation.settings import Settings

log = logging.getLogger("nisa")

TITLES = {
    400: N_("This request could not be understood"),
    401: N_("Please sign in"),
    403: N_("You may not open this page"),
    404: N_("Page not found"),
    405: N_("This action is not possible here"),
    409: N_("This cannot be done now"),
    410: N_("This link has expired"),
    413: N_("This file is too large"),
    422: N_("Please correct the form"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is briefly unavailable"),
}
ADVICE = {
    403: N_("Your account does not have access to this page. Sign in with another account or go back."),
    404: N_("The address may be mistyped, or the page was moved. Check the address or go to the home page."),
    413: N_("Send a smaller file: split it into parts and send them one by one."),
    429: N_("Wait a few minutes, then try again."),
    500: N_(
        "The problem has been recorded. Try again in a moment; if it persists, tell NISA's administrators."
    ),
    503: N_("The database cannot be reached. Try again in a minute."),
}
CSRF_DETAIL = "CSRF token verification failed"


def download(content: bytes, media_type: str, file_name: str) -> Response[bytes]:
    """A file to save (CSV, XLSX, PDF, JSON, ZIP), never kept by a shared cache. Text types get their charset
    from Litestar: pass "text/csv", not "text/csv; charset=utf-8" (that would name it twice)."""
    return Response(content, media_type=media_type, headers=attachment_headers(file_name))


def attachment_headers(file_name: str) -> dict[str, str]:
    """Headers of a file to save, for any response (a download, a stream)."""
    return {"content-disposition": f'attachment; filename="{file_name}"', "cache-control": "no-store"}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _answer(
    request: Request, status: int, message: str, extra: dict[str, Any] | None = None
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    current_language.set(language_of(request.scope, settings))
    detail = gettext(message)
    if is_api(request):
        return Response(
            {"status_code": status, "detail": detail, **(extra or {})},
            status_code=status,
            media_type=MediaType.JSON,
        )
    context = {"status": status, "title": gettext(TITLES.get(status, TITLES[400])), "message": detail}
    return Template("errors/error.html", context=context, status_code=status)


def on_domain_error(request: Request, exc: DomainError) -> Response[Any]:
    message = gettext(exc.message) % exc.params if exc.params else exc.message
    extra = {"errors": exc.field_errors} if isinstance(exc, InvalidInput) else None
    return _answer(request, exc.status_code, message, extra)


def on_not_signed_in(request: Request, exc: NotAuthorizedException) -> Response[Any]:
    if is_api(request):
        return _answer(request, 401, N_("Please sign in"))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target)}", status_code=303)


def on_forbidden(request: Request, exc: PermissionDeniedException) -> Response[Any]:
    if exc.detail == CSRF_DETAIL:
        message = N_(
            "This form has expired or was sent from elsewhere. Go back, reload the page and try again."
        )
        return _answer(request, 403, message)
    return _answer(request, 403, ADVICE[403])


def on_bad_parameters(request: Request, exc: ValidationException) -> Response[Any]:
    """Query or path parameters of the wrong type (e.g. ?page=abc): name each one."""
    problems = exc.extra if isinstance(exc.extra, list) else []
    errors = {
        str(p.get("key", "__all__")): gettext(N_("Not valid.")) for p in problems if isinstance(p, dict)
    }
    return _answer(request, 400, TITLES[400], {"errors": errors})


def on_http_error(request: Request, exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    return _answer(request, status, ADVICE.get(status, TITLES.get(status, TITLES[400])))


def on_conflicting_write(request: Request, exc: IntegrityError) -> Response[Any]:
    """Two people saved the same unique thing at the same instant: the database kept one."""
    log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
    return _answer(
        request, 409, N_("Someone else saved a conflicting change at the same time. Reload and check.")
    )


def on_database_down(request: Request, exc: Exception) -> Response[Any]:
    """The server is down or restarting (DatabaseUnavailable), or SQLite is locked: the same 503 page or
    JSON; the next request connects afresh."""
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    response = _answer(request, 503, ADVICE[503])
    response.headers["retry-after"] = "30"
    return response


def on_unexpected(request: Request, exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(request, HTTP_500_INTERNAL_SERVER_ERROR, ADVICE[500])


exception_handlers: dict[Any, Any] = {
    DomainError: on_domain_error,
    NotAuthorizedException: on_not_signed_in,
    PermissionDeniedException: on_forbidden,
    ValidationException: on_bad_parameters,
    HTTPException: on_http_error,
    IntegrityError: on_conflicting_write,
    OperationalError: on_database_down,
    DatabaseUnavailable: on_database_down,
    Exception: on_unexpected,
}
