"""Sign-in, sign-out, choosing a password from a one-time link, and the language switch."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.csrf import csrf_cookie
from foundation.errors import InvalidInput, SignInRefused, TooManyAttempts
from foundation.guards import requires_sign_in
from foundation.http import SESSION_COOKIE, client_ip, language_cookie, session_cookie
from foundation.i18n import LANGUAGES, gettext
from foundation.settings import Settings
from people.services import auth


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a sign-in link must not send people to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _throttle(settings: Settings) -> auth.Throttle:
    return auth.Throttle(
        max_per_account=settings.login_max_failures_per_account,
        max_per_ip=settings.login_max_failures_per_ip,
        window=timedelta(minutes=settings.login_window_minutes),
    )


class AuthController(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_form(self, next: str | None = None) -> Template:
        return Template("training/login.html", context={"next": _safe_next(next), "error": None, "email": ""})

    @post("/login")
    async def login(self, request: Request, db: AsyncSession) -> Template | Redirect:
        form = await request.form()
        settings: Settings = request.app.state.settings
        email, target = str(form.get("email", "")), _safe_next(form.get("next"))
        try:
            attempt = await auth.admit_attempt(db, email, client_ip(request), _throttle(settings))
            # The reservation must be seen by parallel attempts before this one's password is checked; if the
            # password is wrong it stays as the failure, although the answer is a refusal.
            await db.commit()
            token, user = await auth.sign_in(
                db,
                attempt,
                str(form.get("password", "")),
                user_agent=request.headers.get("user-agent", ""),
                hours=settings.session_hours,
            )
        except (SignInRefused, TooManyAttempts) as refused:
            await db.rollback()  # a refused admission is not counted
            error = gettext(refused.message) % refused.params if refused.params else gettext(refused.message)
            context = {"next": target, "error": error, "email": email}
            return Template("training/login.html", context=context, status_code=refused.status_code)
        response = Redirect(target, status_code=303)
        response.set_cookie(session_cookie(token, settings))
        response.set_cookie(csrf_cookie(request.app.state.csrf, token))
        response.set_cookie(language_cookie(user.language, settings))
        return response

    @post("/logout", guards=[requires_sign_in])
    async def logout(self, request: Request, db: AsyncSession) -> Redirect:
        await auth.sign_out(db, request.user.session_hash)
        response = Redirect("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        response.set_cookie(csrf_cookie(request.app.state.csrf, None))
        return response

    @post("/language")
    async def choose_language(self, request: Request) -> Redirect:
        form = await request.form()
        language = form.get("language")
        response = Redirect(_safe_next(form.get("next")), status_code=303)
        if language in LANGUAGES:
            response.set_cookie(language_cookie(language, request.app.state.settings))
        return response

    @get("/password/{token:str}")
    async def password_form(self, db: AsyncSession, token: str) -> Template:
        user = await auth.link_holder(db, token)
        return Template("training/password.html", context={"holder": user, "errors": {}})

    @post("/password/{token:str}")
    async def set_password(self, request: Request, db: AsyncSession, token: str) -> Template | Redirect:
        form = await request.form()
        try:
            await auth.set_password_with_link(
                db, token, str(form.get("password", "")), str(form.get("repeat", "")), client_ip(request)
            )
        except InvalidInput as invalid:
            holder: Any = await auth.link_holder(db, token)
            context = {"holder": holder, "errors": invalid.field_errors}
            return Template("training/password.html", context=context, status_code=422)
        return Redirect("/login?notice=password_set", status_code=303)

    @get("/account/password", guards=[requires_sign_in])
    async def change_password_form(self) -> Template:
        return Template("training/change_password.html", context={"errors": {}})

    @post("/account/password", guards=[requires_sign_in])
    async def change_password(self, request: Request, db: AsyncSession) -> Template | Redirect:
        form = await request.form()
        try:
            await auth.change_password(
                db,
                request.user,
                str(form.get("old_password", "")),
                str(form.get("password", "")),
                str(form.get("repeat", "")),
                client_ip(request),
            )
        except InvalidInput as invalid:
            context = {"errors": invalid.field_errors}
            return Template("training/change_password.html", context=context, status_code=422)
        return Redirect("/account/password?notice=password_changed", status_code=303)
