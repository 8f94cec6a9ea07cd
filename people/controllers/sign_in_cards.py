"""The sign-in card pages: type a card's code (or scan its QR code), choose a password, and be signed in."""

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.csrf import csrf_cookie
from foundation.errors import InvalidInput, LinkInvalid
from foundation.http import client_ip, language_cookie, session_cookie
from foundation.i18n import N_, gettext
from foundation.settings import Settings
from people.pages import CARD_PAGE
from people.services import auth, sign_in_cards

MY_PROGRESS = "/me"
NOT_A_CODE = N_("This is not a card code: it has 12 letters and digits, like K7QM-3XPD-9RTA.")


def _code_form(error: str | None, typed: str = "", status_code: int = 200) -> Template:
    context = {"error": error, "typed": typed}
    return Template("training/card_code.html", context=context, status_code=status_code)


def _card_form(
    token: str, holder: object, phone: str, errors: dict[str, str], status_code: int = 200
) -> Template:
    context = {"token": token, "holder": holder, "phone": phone, "errors": errors}
    return Template("training/card.html", context=context, status_code=status_code)


class SignInCardPageController(Controller):
    path = CARD_PAGE
    include_in_schema = False

    @get("/")
    async def type_card_code(self) -> Template:
        return _code_form(None)

    @post("/")
    async def open_card(self, request: Request) -> Template | Redirect:
        typed = str((await request.form()).get("code", ""))
        code = sign_in_cards.card_code(typed)
        if code is None:
            return _code_form(gettext(NOT_A_CODE), typed, status_code=422)
        return Redirect(f"{CARD_PAGE}/{code}", status_code=303)

    @get("/{token:str}")
    async def card_form(self, db: AsyncSession, token: str) -> Template:
        try:
            holder = await sign_in_cards.card_holder(db, token)
        except LinkInvalid as invalid:
            return _code_form(gettext(invalid.message), status_code=invalid.status_code)
        return _card_form(token, holder, holder.phone or "", {})

    @post("/{token:str}")
    async def use_card(self, request: Request, db: AsyncSession, token: str) -> Template | Redirect:
        form = await request.form()
        settings: Settings = request.app.state.settings
        phone = str(form.get("phone", ""))
        try:
            user = await sign_in_cards.use_card(
                db,
                token,
                phone=phone,
                password=str(form.get("password", "")),
                repeat=str(form.get("repeat", "")),
                ip=client_ip(request),
            )
        except LinkInvalid as invalid:
            return _code_form(gettext(invalid.message), status_code=invalid.status_code)
        except InvalidInput as invalid:
            holder = await sign_in_cards.card_holder(db, token)
            return _card_form(token, holder, phone, invalid.field_errors, status_code=422)
        session_token = auth.open_session(
            db,
            user,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            hours=settings.session_hours,
        )
        response = Redirect(MY_PROGRESS, status_code=303)
        response.set_cookie(session_cookie(session_token, settings))
        response.set_cookie(csrf_cookie(request.app.state.csrf, session_token))
        response.set_cookie(language_cookie(user.language, settings))
        return response
