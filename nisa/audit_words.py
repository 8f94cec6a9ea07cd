"""Every package's words for the audit log, made known by the composition root (the log imports no package);
with the words of the shared machinery's own records (job runs, outbox messages), whose pages live here.

A new action is one line in its package's `audit_words` module; tests/unit/test_audit_words.py fails on an
action written in the code that has no words."""

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from certificates import audit_words as certificate_words
from courses import audit_words as curriculum_words
from foundation import audit_words
from foundation.audit_words import FieldWords, Named, RecordType, Vocabulary
from foundation.i18n import N_
from foundation.outbox.admin import STATUS_NAMES as OUTBOX_STATUS_NAMES
from foundation.outbox.models import OutboxMessage
from foundation.scheduling.models import JobRun
from people import audit_words as people_words
from training import audit_words as training_words


async def job_run_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    rows = await session.execute(select(col(JobRun.id), col(JobRun.job)).where(col(JobRun.id).in_(ids)))
    return {row.id: Named(row.job, f"/admin/jobs/{row.job}") for row in rows}


async def outbox_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = select(col(OutboxMessage.id), col(OutboxMessage.recipient)).where(col(OutboxMessage.id).in_(ids))
    rows = await session.execute(query)
    return {row.id: Named(row.recipient, f"/admin/outbox/{row.id}") for row in rows}


MACHINERY = Vocabulary(
    record_types=(
        RecordType("job_run", N_("Job run"), job_run_names),
        RecordType("outbox_message", N_("Email"), outbox_names),
    ),
    actions={
        "job.run_requested": N_("Job run requested"),
        "outbox.retry": N_("Email queued again"),
    },
    fields={
        "job": FieldWords(N_("Job")),
        "outcome": FieldWords(N_("Outcome")),
        "items": FieldWords(N_("Items")),
        "error": FieldWords(N_("Error")),
        "instance": FieldWords(N_("Instance")),
        "template": FieldWords(N_("Kind")),
        "recipient": FieldWords(N_("Recipient")),
        "attempts": FieldWords(N_("Attempts")),
        "send_after": FieldWords(N_("Send after")),
        "sent_at": FieldWords(N_("Sent")),
        "dedupe_key": FieldWords(N_("Deduplication key")),
        "outbox_message.status": FieldWords(N_("Status"), values=OUTBOX_STATUS_NAMES),
    },
)


def register_audit_words() -> None:
    audit_words.register(
        people_words.VOCABULARY,
        curriculum_words.VOCABULARY,
        training_words.VOCABULARY,
        certificate_words.VOCABULARY,
        MACHINERY,
    )
