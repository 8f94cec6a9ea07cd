"""Writing email to the outbox in the caller's transaction, so a message exists exactly when its event does.

Context values follow two conventions the rendering relies on: a text in both scripts is a pair `x_km` and
`x_en` (or `x_latin` for a person's name), and dates and times are ISO strings named `*_on` and `*_at`.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from foundation.clock import utcnow
from foundation.outbox.kinds import MessageKind
from foundation.outbox.models import OutboxMessage, OutboxStatus

# The recipient chose no language (a trainee without a login): the deployment's NISA_DEFAULT_LANGUAGE, applied
# when the message is written out.
DEFAULT_LANGUAGE = ""
# Context values that open an account: removed from the row once the message has been sent.
SECRET_CONTEXT = frozenset({"token"})


def queue(
    session: AsyncSession,
    kind: MessageKind,
    recipient: str,
    language: str,
    context: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    send_after: datetime | None = None,
) -> OutboxMessage:
    """Add one message to the caller's transaction: it commits, or disappears, with the event itself."""
    message = OutboxMessage(
        template=kind.value,
        recipient=recipient,
        language=language,
        context=context,
        dedupe_key=dedupe_key,
        send_after=send_after or utcnow(),
    )
    session.add(message)
    return message


def _insert_ignoring_duplicates(session: AsyncSession, values: dict[str, Any]) -> Insert:
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return builder(OutboxMessage).values(values).on_conflict_do_nothing(index_elements=["dedupe_key"])


async def queue_once(
    session: AsyncSession,
    kind: MessageKind,
    recipient: str,
    language: str,
    context: dict[str, Any],
    *,
    dedupe_key: str,
    now: datetime,
) -> bool:
    """Queue a message unless one with this key was ever queued (whatever became of it); True if queued.

    The database's unique key decides, so a job run twice, or two at once, writes each message once.
    """
    values = {
        "template": kind.value,
        "recipient": recipient,
        "language": language,
        "context": context,
        "dedupe_key": dedupe_key,
        "status": OutboxStatus.pending.value,
        "attempts": 0,
        "created_at": now,
        "send_after": now,
    }
    added = await session.execute(
        _insert_ignoring_duplicates(session, values).returning(col(OutboxMessage.id))
    )
    return added.first() is not None


async def keys_queued(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of these dedupe keys were ever queued."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        rows = await session.execute(
            select(col(OutboxMessage.dedupe_key)).where(
                col(OutboxMessage.dedupe_key).in_(keys[start : start + 500])
            )
        )
        found.update(key for key in rows.scalars() if key)
    return found
