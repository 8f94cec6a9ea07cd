"""Writing email to the outbox in the caller's transaction, so a message exists exactly when its event does.

Context values follow two conventions the rendering relies on: a text in both scripts is a pair `x_km` and
`x_en` (or `x_latin` for a person's name), and dates and times are ISO strings named `*_on` and `*_at`.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Result, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from certificates.document import CertificateDocument
from courses.models import Course
from training.models import (
    Cohort,
    Enrolment,
    OutboxMessage,
    OutboxStatus,
    Province,
    TokenPurpose,
    Trainee,
    User,
    utcnow,
)
from training.notifications.messages import MessageKind
from training.services.auth import LINK_LIFETIME

# The recipient chose no language (a trainee without a login): the deployment's NISA_DEFAULT_LANGUAGE, applied
# when the message is written out.
DEFAULT_LANGUAGE = ""
TELL_AT_ONCE = 1_000  # enrolments whose trainees are told in one statement
# Context values that open an account: removed from the row once the message has been sent.
SECRET_CONTEXT = frozenset({"token"})
LINK_KINDS = {
    TokenPurpose.invite: MessageKind.user_invited,
    TokenPurpose.password_reset: MessageKind.password_reset,
}


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


async def trainee_languages(session: AsyncSession, trainee_ids: Sequence[int]) -> dict[int, str]:
    """The language each trainee chose for their login; trainees without one are not in the answer."""
    rows = await session.execute(
        select(col(User.trainee_id), col(User.language)).where(col(User.trainee_id).in_(list(trainee_ids)))
    )
    return {trainee_id: language for trainee_id, language in rows.all() if trainee_id is not None}


async def tell_enrolled(session: AsyncSession, enrolment_ids: Sequence[int], kind: MessageKind) -> int:
    """Tell each of these enrolments' trainees (those with an email address) that they hold a seat: newly
    enrolled, or promoted from the waitlist. In the caller's transaction, TELL_AT_ONCE enrolments a statement
    (a confirmed import seats thousands); returns how many were queued."""
    queued = 0
    for start in range(0, len(enrolment_ids), TELL_AT_ONCE):
        queued += await _tell_enrolled(session, enrolment_ids[start : start + TELL_AT_ONCE], kind)
    return queued


async def _tell_enrolled(session: AsyncSession, enrolment_ids: Sequence[int], kind: MessageKind) -> int:
    rows: Result[Any] = await session.execute(
        select(
            col(Enrolment.id).label("enrolment_id"),
            col(Trainee.id).label("trainee_id"),
            col(Trainee.email).label("email"),
            col(Trainee.name_km).label("trainee_name_km"),
            col(Trainee.name_latin).label("trainee_name_latin"),
            col(Course.code).label("course_code"),
            col(Course.title_km).label("course_title_km"),
            col(Course.title_en).label("course_title_en"),
            col(Cohort.code).label("cohort_code"),
            col(Cohort.start_date).label("starts_on"),
            col(Cohort.end_date).label("ends_on"),
            col(Cohort.venue).label("venue"),
            col(Province.name_km).label("province_km"),
            col(Province.name_en).label("province_en"),
        )
        .join(Trainee, col(Trainee.id) == Enrolment.trainee_id)
        .join(Cohort, col(Cohort.id) == Enrolment.cohort_id)
        .join(Province, col(Province.code) == Cohort.venue_province_code)
        .join(Course, col(Course.id) == Cohort.course_id)
        .where(col(Enrolment.id).in_(list(enrolment_ids)), col(Trainee.email).is_not(None))
    )
    found: list[dict[str, Any]] = [dict(row) for row in rows.mappings()]
    languages = await trainee_languages(session, [row["trainee_id"] for row in found])
    now = utcnow()
    messages = [
        {
            "template": kind.value,
            "recipient": email,
            "language": languages.get(row["trainee_id"], DEFAULT_LANGUAGE),
            "context": row
            | {
                "has_login": row["trainee_id"] in languages,
                "starts_on": row["starts_on"].isoformat(),
                "ends_on": row["ends_on"].isoformat(),
            },
            "status": OutboxStatus.pending.value,
            "attempts": 0,
            "created_at": now,
            "send_after": now,
        }
        for row in found
        if (email := row.pop("email"))
    ]
    if messages:
        await session.execute(insert(OutboxMessage), messages)
    return len(messages)


def certificate_context(certificate_id: int | None, document: CertificateDocument) -> dict[str, Any]:
    """What the messages about a certificate (issued, expiring, expired) say of it."""
    return {
        "certificate_id": certificate_id,
        "code": document.code,
        "holder_name_km": document.holder_name_km,
        "holder_name_latin": document.holder_name_latin,
        "course_title_km": document.course_title_km,
        "course_title_en": document.course_title_en,
        "expires_on": document.expires_on.isoformat() if document.expires_on else None,
        "verification_url": document.verification_url,
    }


def send_link(session: AsyncSession, user: User, token: str, purpose: TokenPurpose) -> None:
    """Mail a user their one-time link (invitation or password reset), in the caller's transaction.

    The token is the only copy outside the user's mailbox (the database keeps its hash): the sender removes it
    from the row once the message has gone.
    """
    queue(
        session,
        LINK_KINDS[purpose],
        user.email,
        user.language,
        {
            "display_name": user.display_name,
            "token": token,
            "expires_at": (utcnow() + LINK_LIFETIME[purpose]).isoformat(),
        },
    )
