"""The outbox table: email written in the transaction of the event that causes it, sent by a job."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from foundation.clock import utcnow
from foundation.columns import timestamp


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(SQLModel, table=True):
    """An email to send, written in the same transaction as the event that causes it.

    A sender job delivers pending rows; `dedupe_key` makes a message that must go once (a reminder, a
    notice) impossible to write twice.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_send_after", "status", "send_after"),)

    id: int | None = Field(default=None, primary_key=True)
    template: str = Field(max_length=60)
    recipient: str = Field(max_length=254)
    language: str = Field(default="km", max_length=5)
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
    status: str = Field(default=OutboxStatus.pending.value, max_length=10)
    attempts: int = 0
    created_at: datetime = timestamp(default_factory=utcnow)
    send_after: datetime = timestamp(default_factory=utcnow)
    sent_at: datetime | None = timestamp(default=None)
    last_error: str | None = Field(default=None, max_length=2000)
