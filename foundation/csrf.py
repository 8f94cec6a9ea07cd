"""CSRF protection bound to the session: Litestar's double-submit cookie, signed for one session only.

Litestar signs every csrftoken with one app-wide secret, so a token issued to an anonymous visitor stays good
after they sign in, and anyone's token passes with anyone's session. Here the signing secret is derived from
the session cookie: a token from another session (or from before sign-in or after sign-out) is refused, and a
page opened with such a cookie is given a new one. Sign-in and sign-out set the new session's token at once.
"""

import hashlib
import hmac
from secrets import compare_digest
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import (
    CSRF_SECRET_LENGTH,
    CSRFMiddleware,
    generate_csrf_hash,
    generate_csrf_token,
)
from litestar.types import Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from foundation.http import SESSION_COOKIE
from foundation.responses import CSRF_DETAIL

FORM_FIELD = "_csrf_token"


def _session_secret(config: CSRFConfig, session_token: str | None) -> str:
    return hmac.new(
        config.secret.encode(), f"csrf:{session_token or ''}".encode(), hashlib.sha256
    ).hexdigest()


def _issued_for(token: str | None, secret: str) -> bool:
    if not token or len(token) <= CSRF_SECRET_LENGTH:
        return False
    signature = generate_csrf_hash(token=token[:CSRF_SECRET_LENGTH], secret=secret)
    return compare_digest(token[CSRF_SECRET_LENGTH:], signature)


def csrf_cookie(config: CSRFConfig, session_token: str | None) -> Cookie:
    """A fresh csrftoken cookie for this session (None: signed out), to set with the session cookie."""
    return Cookie(
        key=config.cookie_name,
        value=generate_csrf_token(_session_secret(config, session_token)),
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )


class SessionBoundCSRFMiddleware(CSRFMiddleware):
    """Safe requests get (or keep) a token issued to their session; others must send it back, in the
    x-csrftoken header or the form's _csrf_token field, matching the cookie."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        secret = _session_secret(self.config, request.cookies.get(SESSION_COOKIE))
        cookie = request.cookies.get(self.config.cookie_name)
        issued = cookie if _issued_for(cookie, secret) else None
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            token = state.csrf_token = issued or generate_csrf_token(secret=secret)
            await self.app(
                scope, receive, self.create_send_wrapper(send=send, csrf_cookie=issued, token=token)
            )
            return
        sent = request.headers.get(self.config.header_name) or await _form_token(request)
        if issued is None or not sent or not compare_digest(str(sent), issued):
            raise PermissionDeniedException(CSRF_DETAIL)
        state.csrf_token = issued
        await self.app(scope, receive, send)


async def _form_token(request: Any) -> str | None:
    content_type, _ = request.content_type
    if content_type not in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
        return None
    return (await request.form()).get(FORM_FIELD)
