"""The admin outbox page: what was, is being and could not be sent, each message as it is sent, retry."""

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.guards import requires_admin
from foundation.http import actor_of
from foundation.outbox import admin
from foundation.outbox.kinds import kind_names
from foundation.outbox.models import OutboxStatus

# The HTML part is shown in a frame of the message page: no script, no request anywhere, framed only by us.
MESSAGE_HTML_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
    ),
    "x-frame-options": "SAMEORIGIN",
}


class OutboxController(Controller):
    include_in_schema = False
    path = "/admin/outbox"
    guards = [requires_admin]

    @get("/")
    async def list_messages(
        self, request: Request, db: AsyncSession, status: OutboxStatus | None = None, page: int = 1
    ) -> Template:
        found = await admin.list_messages(db, status, page=max(page, 1))
        context = {
            "page": found,
            "status": status,
            "statuses": admin.STATUS_NAMES,
            "kinds": kind_names(),
            "mail_to_log": not request.app.state.settings.smtp_host,
        }
        return Template("training/outbox/list.html", context=context)

    @get("/{message_id:int}")
    async def show_message(self, request: Request, db: AsyncSession, message_id: int) -> Template:
        preview = await admin.preview(db, request.app.state.settings, message_id)
        context = {"preview": preview, "statuses": admin.STATUS_NAMES, "kinds": kind_names()}
        return Template("training/outbox/message.html", context=context)

    @get("/{message_id:int}/message.html")
    async def message_html(self, request: Request, db: AsyncSession, message_id: int) -> Response[str]:
        preview = await admin.preview(db, request.app.state.settings, message_id)
        html = preview.rendered.html if preview.rendered else ""
        return Response(html, media_type="text/html", headers=MESSAGE_HTML_HEADERS)

    @post("/{message_id:int}/retry")
    async def retry_message(self, request: Request, db: AsyncSession, message_id: int) -> Redirect:
        await admin.retry(db, actor_of(request), message_id)
        return Redirect(f"/admin/outbox/{message_id}?notice=queued_again", status_code=303)
