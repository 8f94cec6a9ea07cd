"""A cohort's sign-in cards: its trainers and admins print one card per seated trainee without a login."""

import anyio
from litestar import Controller, Request, get, post
from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.clock import cambodian_day
from foundation.guards import STAFF
from foundation.http import actor_of
from foundation.typed_codes import grouped
from people.pages import card_link, card_typing_address
from people.sign_in_card_pdf import CardFace, render_cards
from training.services import sign_in_cards


class SignInCardController(Controller):
    path = "/cohorts/{cohort_id:int}/sign-in-cards"
    guards = STAFF
    include_in_schema = False

    @get("/")
    async def sign_in_cards_page(self, request: Request, db: AsyncSession, cohort_id: int) -> Template:
        cohort, trainees = await sign_in_cards.trainees_needing_cards(db, request.user, cohort_id)
        context = {"cohort": cohort, "trainees": trainees}
        return Template("training/cohorts/sign_in_cards.html", context=context)

    @post("/", status_code=200)
    async def print_sign_in_cards(
        self, request: Request, db: AsyncSession, cohort_id: int
    ) -> Response[bytes]:
        """A PDF of fresh cards; printing again voids the earlier unused cards of the same trainees."""
        cohort, cards = await sign_in_cards.issue_cohort_cards(db, actor_of(request), request.user, cohort_id)
        base_url = request.app.state.settings.base_url
        faces = [
            CardFace(
                card.name_km,
                card.name_latin,
                grouped(card.code),
                card_link(base_url, card.code),
                cambodian_day(card.expires_at),
            )
            for card in cards
        ]
        pdf = await anyio.to_thread.run_sync(render_cards, faces, card_typing_address(base_url))
        headers = {
            "content-disposition": f'attachment; filename="sign-in-cards-{cohort.code}.pdf"',
            "cache-control": "no-store",
        }
        return Response(pdf, media_type="application/pdf", headers=headers)
