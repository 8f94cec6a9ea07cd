"""Delivering the outbox: due messages over SMTP (or to the log in development), each once, with retries.

Each message goes through three commits: claimed (attempts + 1, hidden from other senders for a lease),
handed to the server, then marked sent or failed. A message is marked sent in its own commit the moment
the server has accepted it, so the only way it can go twice is a crash (or a database outage) in the
milliseconds between the server's "250 accepted" and that commit, or a reply lost to a timeout after the
server took the message: then it is sent again when its lease ends, with the same Message-ID, which a
receiver can use to drop the repeat. A claimed message whose sender died is retried after the lease.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from aiosmtplib import (
    SMTP,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPResponseException,
)
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from foundation.columns import row_id
from foundation.outbox.models import OutboxMessage, OutboxStatus
from foundation.outbox.queue import SECRET_CONTEXT
from foundation.outbox.rendering import build_email, render
from foundation.settings import Settings

log = logging.getLogger(__name__)
# Longer than one message can take (connect + send, each bounded by NISA_SMTP_TIMEOUT).
CLAIM_LEASE = timedelta(minutes=15)
MAX_RETRY_DELAY = timedelta(hours=6)
REMOVED_SECRET = "removed-after-sending"


class TemporaryFailure(Exception):
    """The server may take the message later (4xx, or it could not be reached): retry with backoff."""


class ServerUnavailable(TemporaryFailure):
    """The server cannot be reached (or would not let us in): the run stops, the rest wait for the next."""


class PermanentFailure(Exception):
    """The message can never go as it is (5xx, a malformed address, a broken template): marked failed."""


def _reply_failure(code: int, text: str) -> Exception:
    reason = f"{code} {text}".strip()
    return TemporaryFailure(reason) if 400 <= code < 500 else PermanentFailure(reason)


class Postman(Protocol):
    async def send(self, email: EmailMessage) -> None: ...

    async def close(self) -> None: ...


class LogPostman:
    """Development without an SMTP server: the whole message goes to the log and counts as sent."""

    async def send(self, email: EmailMessage) -> None:
        headers = "\n".join(f"{name}: {value}" for name, value in email.items() if name != "Content-Type")
        text = email.get_body(("plain",))
        body = text.get_content() if isinstance(text, EmailMessage) else ""
        log.info("email not sent (NISA_SMTP_HOST is not set), written here instead:\n%s\n\n%s", headers, body)

    async def close(self) -> None:
        return None


class SmtpPostman:
    """One SMTP connection for a run, opened at the first message and opened again after an error."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: SMTP | None = None

    async def _connected(self) -> SMTP:
        if self.client is not None and self.client.is_connected:
            return self.client
        s = self.settings
        client = SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",  # required, not attempted and skipped
            timeout=s.smtp_timeout,
        )
        try:
            await client.connect()
        except (SMTPException, OSError) as error:  # refused, timed out, TLS or login refused
            raise ServerUnavailable(f"cannot reach {s.smtp_host}:{s.smtp_port}: {error}") from error
        self.client = client
        return client

    async def send(self, email: EmailMessage) -> None:
        client = await self._connected()
        try:
            await client.send_message(email)
        except SMTPRecipientsRefused as refused:
            await self.close()
            first = refused.recipients[0]
            raise _reply_failure(first.code, first.message) from refused
        except SMTPResponseException as error:
            await self.close()
            raise _reply_failure(error.code, error.message) from error
        except (SMTPException, OSError) as error:  # disconnected or timed out mid-message
            await self.close()
            raise ServerUnavailable(f"{type(error).__name__}: {error}") from error

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (SMTPException, OSError):
            client.close()


def postman_for(settings: Settings) -> Postman:
    if not settings.smtp_host:
        if settings.is_production:
            log.warning("NISA_SMTP_HOST is not set: email is written to the log, nobody receives it")
        return LogPostman()
    return SmtpPostman(settings)


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """NISA_MAIL_RETRY_SECONDS after the first attempt, doubling after each, at most 6 hours."""
    delay = timedelta(seconds=settings.mail_retry_seconds * 2 ** min(attempts - 1, 20))
    return min(delay, MAX_RETRY_DELAY)


@dataclass(frozen=True)
class Outcome:
    sent: bool
    values: dict[str, Any]  # the row's new values
    stop: bool = False  # the server is unreachable: leave the other messages for the next run


def _outcome(message: OutboxMessage, failure: Exception | None, settings: Settings, now: datetime) -> Outcome:
    if failure is None:
        context = {k: REMOVED_SECRET if k in SECRET_CONTEXT else v for k, v in message.context.items()}
        return Outcome(
            True, {"status": OutboxStatus.sent.value, "sent_at": now, "last_error": None, "context": context}
        )
    error = str(failure)[:2000] or type(failure).__name__
    stop = isinstance(failure, ServerUnavailable)
    if isinstance(failure, TemporaryFailure) and message.attempts < settings.mail_max_attempts:
        return Outcome(
            False, {"send_after": now + retry_delay(message.attempts, settings), "last_error": error}, stop
        )
    return Outcome(False, {"status": OutboxStatus.failed.value, "last_error": error}, stop)


async def _deliver(
    postman: Postman, message: OutboxMessage, settings: Settings, now: datetime
) -> Exception | None:
    """Hand one message to the server; the failure, or None once the server has accepted it."""
    try:
        validate_email(message.recipient, check_deliverability=False)
        email = build_email(message, render(message, settings), settings, now)
    except EmailNotValidError as error:
        return PermanentFailure(f"not an email address: {error}")
    except Exception as error:  # a template or context that cannot render: a bug, never sendable as it is
        log.exception("outbox message %s cannot be rendered", message.id)
        return PermanentFailure(f"cannot render: {type(error).__name__}: {error}")
    try:
        await postman.send(email)
    except (TemporaryFailure, PermanentFailure) as failure:
        return failure
    return None


async def _due(session: AsyncSession, now: datetime, limit: int) -> list[OutboxMessage]:
    rows = await session.execute(
        select(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.pending.value, col(OutboxMessage.send_after) <= now)
        .order_by(col(OutboxMessage.send_after), col(OutboxMessage.id))
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


async def _claim(session: AsyncSession, message: OutboxMessage, now: datetime) -> bool:
    """Count the attempt and hide the message from other senders for the lease; False if one took it."""
    claimed = await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message.id,
            col(OutboxMessage.status) == OutboxStatus.pending.value,
            col(OutboxMessage.send_after) <= now,
        )
        .values(attempts=col(OutboxMessage.attempts) + 1, send_after=now + CLAIM_LEASE)
        .returning(col(OutboxMessage.attempts))
        .execution_options(synchronize_session=False)
    )
    attempts = claimed.scalar_one_or_none()
    await session.commit()
    if attempts is None:
        return False
    message.attempts = attempts
    return True


async def _record(session: AsyncSession, message: OutboxMessage, values: dict[str, Any]) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id(message))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.commit()


async def _send_one(
    session: AsyncSession, postman: Postman, message: OutboxMessage, settings: Settings, now: datetime
) -> Outcome | None:
    """Claim, send and record one message; None if another sender took it first."""
    if not await _claim(session, message, now):
        return None
    failure = await _deliver(postman, message, settings, now)
    outcome = _outcome(message, failure, settings, now)
    await _record(session, message, outcome.values)
    if outcome.sent:
        log.info("sent outbox message %s (%s)", message.id, message.template)
    else:
        log.warning("outbox message %s not sent (attempt %s): %s", message.id, message.attempts, failure)
    return outcome


async def send_due(maker: async_sessionmaker[AsyncSession], settings: Settings, now: datetime) -> int:
    """Send every message due at `now` (pending, send_after <= now), oldest first; the number sent."""
    postman = postman_for(settings)
    sent = 0
    try:
        async with maker() as session:
            while batch := await _due(session, now, settings.mail_batch_size):
                for message in batch:
                    outcome = await _send_one(session, postman, message, settings, now)
                    sent += bool(outcome and outcome.sent)
                    if outcome and outcome.stop:
                        return sent
    finally:
        await postman.close()
    return sent
