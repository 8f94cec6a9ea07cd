"""The admin outbox page: messages newest first, one message as it is (or was) sent, retrying a failed one."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.errors import Conflict, NotFound
from foundation.i18n import N_
from foundation.outbox.models import OutboxMessage, OutboxStatus
from foundation.outbox.rendering import RenderedMessage, language_of, render
from foundation.paging import Page
from foundation.settings import Settings

STATUS_NAMES = {
    OutboxStatus.pending: N_("Waiting to be sent"),
    OutboxStatus.sent: N_("Sent"),
    OutboxStatus.failed: N_("Failed"),
}


async def list_messages(
    session: AsyncSession, status: OutboxStatus | None = None, page: int = 1, per_page: int = 50
) -> Page[OutboxMessage]:
    conditions = [col(OutboxMessage.status) == status.value] if status else []
    total = (
        await session.execute(select(func.count()).select_from(OutboxMessage).where(*conditions))
    ).scalar_one()
    rows = await session.execute(
        select(OutboxMessage)
        .where(*conditions)
        .order_by(col(OutboxMessage.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(rows.scalars()), total, page, per_page)


async def get_message(session: AsyncSession, message_id: int) -> OutboxMessage:
    message = await session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(N_("No such message."))
    return message


@dataclass(frozen=True)
class Preview:
    message: OutboxMessage
    language: str
    rendered: RenderedMessage | None
    error: str | None  # why it cannot be rendered (the sender marks such a message failed)


async def preview(session: AsyncSession, settings: Settings, message_id: int) -> Preview:
    """The message rendered as the sender renders it."""
    message = await get_message(session, message_id)
    language = language_of(message, settings)
    try:
        return Preview(message, language, render(message, settings), None)
    except Exception as error:  # shown to the admin; the same error is the message's last_error once tried
        return Preview(message, language, None, f"{type(error).__name__}: {error}")


def _audited(message: OutboxMessage) -> dict[str, object] | None:
    # Without the context: it may hold a one-time link.
    return audit.snapshot(message, context=None)


async def retry(session: AsyncSession, actor: Actor, message_id: int) -> OutboxMessage:
    """Queue a failed message again with a fresh count of attempts; the sender takes it at its next run."""
    message = await get_message(session, message_id)
    if message.status != OutboxStatus.failed:
        raise Conflict(N_("Only a failed message can be sent again."))
    before = _audited(message)
    message.status, message.attempts, message.send_after = OutboxStatus.pending.value, 0, utcnow()
    audit.record(session, actor, "outbox.retry", message, before, _audited(message))
    return message
