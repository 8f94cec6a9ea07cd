"""Every request learns its language, its client's address and its signed-in user before a handler runs."""

from litestar.types import ASGIApp, Receive, Scope, Send

from foundation.database import unit_of_work
from foundation.http import SESSION_COOKIE, cookie_value, language_of, trusted_client_ip
from foundation.i18n import current_language
from foundation.settings import Settings
from people.services import auth


class RequestContextMiddleware:
    """Sets the language, the client address and the signed-in user for the handlers and templates."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        litestar_app = scope["litestar_app"]
        settings: Settings = litestar_app.state.settings
        state = scope.setdefault("state", {})
        state["client_ip"] = trusted_client_ip(scope, litestar_app.state.trusted_proxies)
        scope["user"] = None
        if not scope["path"].startswith("/static/") and (token := cookie_value(scope, SESSION_COOKIE)):
            # Its own unit of work, before the handler's: looking the user up may slide the session's expiry.
            async with unit_of_work(litestar_app.state.sessionmaker) as session:
                scope["user"] = await auth.current_user(
                    session, token, settings.session_hours, settings.session_max_days
                )
        current_language.set(language_of(scope, settings))
        await self.app(scope, receive, send)
