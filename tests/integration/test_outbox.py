"""The email outbox on both databases, against a real SMTP server (aiosmtpd on loopback): events write their
message in their own transaction; the sender job delivers each message once in the recipient's language,
retries while the server is down or answers 4xx, gives up on 5xx; the admin outbox page."""

import email
import email.policy
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foundation.audit import AuditEntry
from foundation.clock import utcnow
from foundation.database import create_engine, create_sessionmaker
from foundation.outbox.models import OutboxMessage
from foundation.outbox.queue import DEFAULT_LANGUAGE, queue
from foundation.roles import Role
from foundation.scheduling.context import JobContext
from foundation.settings import Settings
from nisa import jobs
from people.messages import PASSWORD_RESET
from people.models import Trainee, UserCreate
from people.services import users
from people.services.auth import CurrentUser
from tests.conftest import post_form
from tests.curriculum_factories import make_course
from tests.delivery_factories import enrol, make_cohort
from tests.factories import SYSTEM, make_trainee, make_user
from tests.integration.test_enrolment_import import checked, make_cohort_for, roster
from tests.postgres import free_port
from training.models import Enrolment
from training.schemas.enrolment import WithdrawalInput
from training.services import enrolment

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
ADMIN = CurrentUser(1, "admin@x", "Admin", frozenset({Role.admin.value}), None, "en", "")


class Mailbox:
    """An SMTP server's handler: keeps what it accepts; `refuse` makes it answer RCPT with that reply."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.refuse: str | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


class SmtpServer:
    """aiosmtpd on a loopback port that stays the same across stop() and start()."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_tls": "none",
            "smtp_timeout": 5,
            "mail_from": "NISA <no-reply@nisa.example.org>",
        }
    )


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def send(maker: async_sessionmaker[AsyncSession], settings: Settings, now: datetime) -> int:
    """One run of the sender job at `now`, as the scheduler runs it."""
    return await jobs.send_outbox(JobContext(maker, settings, now))


async def rows(db: AsyncSession, *conditions: Any) -> list[OutboxMessage]:
    found = await db.execute(
        select(OutboxMessage)
        .where(*conditions)
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(found.scalars())


async def queue_resets(
    db: AsyncSession, count: int, now: datetime = T0, **fields: Any
) -> list[OutboxMessage]:
    """`count` password-reset messages, as users.reset_password queues them."""
    queued = [
        queue(
            db,
            PASSWORD_RESET,
            fields.get("recipient", f"user{n}@example.org"),
            "en",
            {"display_name": f"User {n}", "token": f"token-{n}", "expires_at": now.isoformat()},
            send_after=now,
        )
        for n in range(count)
    ]
    await db.commit()
    return queued


# ---------------------------------------------------------------- events write their messages


async def test_an_enrolment_and_a_waitlist_promotion_queue_their_messages(db):
    course = await make_course(db, status="published")
    cohort = await make_cohort(db, course, capacity=1)
    ids = [
        (await make_trainee(db, email=address)).id for address in ("seated@example.org", "next@example.org")
    ]
    ids.append((await make_trainee(db)).id)  # no email address
    seated, waiting, _ = [
        await enrolment.enrol(db, SYSTEM, ADMIN, cohort.id, trainee_id) for trainee_id in ids
    ]
    assert [(m.template, m.recipient) for m in await rows(db)] == [
        ("enrolment_confirmed", "seated@example.org")
    ]
    withdrawal = WithdrawalInput(reason="moved away")
    await enrolment.withdraw(db, SYSTEM, ADMIN, cohort.id, seated.id, withdrawal)  # promotes "next"
    await enrolment.withdraw(
        db, SYSTEM, ADMIN, cohort.id, waiting.id, withdrawal
    )  # promotes one without email
    queued = await rows(db)
    assert [(m.template, m.recipient) for m in queued] == [
        ("enrolment_confirmed", "seated@example.org"),
        ("waitlist_promoted", "next@example.org"),
    ]
    assert queued[1].language == DEFAULT_LANGUAGE  # no login: the deployment's default language
    assert queued[1].context["cohort_code"] == cohort.code
    assert queued[1].context["starts_on"] == cohort.start_date.isoformat()


async def test_a_confirmed_import_tells_each_trainee_who_got_a_seat(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id], capacity=2)
    content = roster(
        "សុខ ស្រីមុំ,Sok Sreymom,female,,012 999 001,sreymom@example.org,,,",
        "ចាន់ ដារា,Chan Dara,male,,012 999 002,,,,",  # no email address
        "កែវ សុភា,Keo Sophea,female,,012 999 003,sophea@example.org,,,",  # waitlisted
    )
    page_url = await checked(client, cohort_id, "roster.csv", content)
    assert (await post_form(client, f"{page_url}/confirm")).status_code == 303
    await db.rollback()
    queued = await rows(db)
    assert [(m.template, m.recipient, m.context["trainee_name_latin"]) for m in queued] == [
        ("enrolment_confirmed", "sreymom@example.org", "Sok Sreymom")
    ]


async def test_an_invitation_and_a_password_reset_are_mailed_with_their_link(db):
    data = UserCreate(email="new@example.org", display_name="Dara", roles=[Role.trainer], language="en")
    user, invite = await users.create_user(db, SYSTEM, data)
    link = await users.reset_password(db, SYSTEM, user.id)
    invited, reset = await rows(db)
    assert (invited.template, invited.recipient, invited.language) == (
        "user_invited",
        "new@example.org",
        "en",
    )
    assert invited.context["token"] == invite and reset.context["token"] == link
    assert reset.template == "password_reset"


async def test_a_failed_event_leaves_no_message(db, database_url):
    """A withdrawal promotes the next trainee (queueing their message), then its own audit entry cannot be
    written: the whole transaction, message included, is rolled back."""
    course = await make_course(db, status="published")
    cohort = await make_cohort(db, course, capacity=1)
    leaving = await enrol(db, cohort, await make_trainee(db, email="leaving@example.org"))
    await enrol(db, cohort, await make_trainee(db, email="next@example.org"), status="waitlisted")
    if database_url.startswith("sqlite"):
        await db.execute(
            text(
                "CREATE TRIGGER refuse_withdrawal BEFORE INSERT ON audit_entry "
                "WHEN NEW.action = 'enrolment.withdraw' "
                "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
            )
        )
    else:
        await db.execute(
            text(
                "CREATE FUNCTION refuse_withdrawal() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$"
            )
        )
        await db.execute(
            text(
                "CREATE TRIGGER refuse_withdrawal BEFORE INSERT ON audit_entry FOR EACH ROW "
                "WHEN (NEW.action = 'enrolment.withdraw') EXECUTE FUNCTION refuse_withdrawal()"
            )
        )
    await db.commit()
    with pytest.raises(DBAPIError, match="audit log unavailable"):
        await enrolment.withdraw(db, SYSTEM, ADMIN, cohort.id, leaving.id, WithdrawalInput(reason="moved"))
        await db.commit()  # the test is the caller: it owns the unit of work
    await db.rollback()
    assert await rows(db) == []
    statuses = (await db.execute(select(Enrolment.status).order_by(Enrolment.id))).scalars().all()
    assert statuses == ["enrolled", "waitlisted"]


# ---------------------------------------------------------------- sending


async def test_messages_arrive_in_the_recipients_language_with_both_parts(db, maker, mail_settings, smtp):
    course = await make_course(db, status="published", title_km="ការគ្រប់គ្រងករណី", title_en="Case Management")
    cohort = await make_cohort(db, course)
    for language in ("km", "en"):
        user = await make_user(db, [Role.trainee], language=language, email=f"{language}@example.org")
        trainee = await db.get(Trainee, user.trainee_id)
        assert trainee is not None
        trainee.email = user.email
        await db.commit()
        await enrolment.enrol(db, SYSTEM, ADMIN, cohort.id, trainee.id)
        await db.commit()  # the sender reads the outbox in sessions of its own
    now = utcnow() + timedelta(seconds=1)  # the events queued their messages on the wall clock
    assert await send(maker, mail_settings, now) == 2
    received = {str(m["To"]): m for m in smtp.mailbox.received}
    khmer, english = received["km@example.org"], received["en@example.org"]
    assert khmer["Subject"] == "អ្នកបានចុះឈ្មោះ៖ ការគ្រប់គ្រងករណី"
    assert english["Subject"] == "You are enrolled: Case Management"
    assert khmer.get_content_type() == english.get_content_type() == "multipart/alternative"
    khmer_text = khmer.get_body(("plain",)).get_content()
    assert "អ្នកបានចុះឈ្មោះក្នុងវគ្គសិក្សា ការគ្រប់គ្រងករណី។" in khmer_text
    assert "http://testserver.local/me" in khmer_text
    english_html = english.get_body(("html",)).get_content()
    assert (
        '<html lang="en">' in english_html
        and "You are enrolled in the course Case Management." in english_html
    )
    sent = await rows(db)
    assert all(m.status == "sent" and m.attempts == 1 and m.sent_at == now for m in sent)
    assert sorted(smtp.mailbox.message_ids()) == sorted(
        f"<outbox.{m.id}.{m.created_at:%Y%m%d%H%M%S}@nisa.example.org>" for m in sent
    )
    assert await send(maker, mail_settings, now + timedelta(hours=1)) == 0  # nothing twice
    assert len(smtp.mailbox.received) == 2


async def test_smtp_down_for_a_while_then_back_every_message_arrives_once(db, maker, mail_settings, smtp):
    queued = await queue_resets(db, 5)
    smtp.stop()
    minute = timedelta(minutes=1)
    for step in range(40):  # the scheduler's every-minute runs over 40 minutes; the server is back at 10
        if step == 10:
            smtp.start()
        await send(maker, mail_settings, T0 + step * minute)
    assert sorted(smtp.mailbox.message_ids()) == sorted(
        f"<outbox.{m.id}.{m.created_at:%Y%m%d%H%M%S}@nisa.example.org>" for m in queued
    )
    after = await rows(db)
    assert all(m.status == "sent" for m in after)
    tried_while_down = [m for m in after if m.attempts > 1]
    assert tried_while_down and all(m.last_error is None for m in after)
    assert all(m.context["token"] == "removed-after-sending" for m in after)  # the one-time link is gone


async def test_a_refused_connection_is_retried_with_growing_delays_then_given_up(
    db, maker, mail_settings, smtp
):
    smtp.stop()
    [message] = await queue_resets(db, 1)
    settings = mail_settings.model_copy(update={"mail_max_attempts": 3})
    now = T0
    delays = []
    for _ in range(3):
        await send(maker, settings, now)
        [message] = await rows(db)
        delays.append(message.send_after - now)
        now = message.send_after
    assert delays[:2] == [timedelta(minutes=1), timedelta(minutes=2)]
    assert (message.status, message.attempts) == ("failed", 3)
    assert "cannot reach 127.0.0.1" in (message.last_error or "")


async def test_a_5xx_refusal_fails_the_message_and_a_4xx_is_retried(db, maker, mail_settings, smtp):
    await queue_resets(db, 1, recipient="gone@example.org")
    smtp.mailbox.refuse = "550 5.1.1 No such user"
    await send(maker, mail_settings, T0)
    [gone] = await rows(db)
    assert (gone.status, gone.attempts) == ("failed", 1) and "550" in (gone.last_error or "")

    await queue_resets(db, 1, recipient="busy@example.org")
    smtp.mailbox.refuse = "451 4.3.0 Try again later"
    await send(maker, mail_settings, T0)
    busy = (await rows(db, OutboxMessage.recipient == "busy@example.org"))[0]
    assert (busy.status, busy.attempts, busy.send_after) == ("pending", 1, T0 + timedelta(minutes=1))
    assert "451" in (busy.last_error or "")
    smtp.mailbox.refuse = None
    assert await send(maker, mail_settings, T0 + timedelta(seconds=30)) == 0  # not due yet
    assert await send(maker, mail_settings, T0 + timedelta(minutes=1)) == 1
    assert [str(m["To"]) for m in smtp.mailbox.received] == ["busy@example.org"]
    assert (await rows(db, OutboxMessage.recipient == "gone@example.org"))[
        0
    ].status == "failed"  # stays failed


async def test_a_malformed_address_fails_without_asking_the_server(db, maker, mail_settings, smtp):
    await queue_resets(db, 1, recipient="not an address")
    assert await send(maker, mail_settings, T0) == 0
    [message] = await rows(db)
    assert message.status == "failed" and "not an email address" in (message.last_error or "")
    assert smtp.mailbox.received == []


async def test_a_message_claimed_by_a_sender_that_died_is_sent_after_its_lease(
    db, maker, mail_settings, smtp
):
    [message] = await queue_resets(db, 1)
    # What a sender leaves when it dies between claiming a message and sending it.
    message.attempts, message.send_after = 1, T0 + timedelta(minutes=15)
    await db.commit()
    assert await send(maker, mail_settings, T0 + timedelta(minutes=1)) == 0
    assert await send(maker, mail_settings, T0 + timedelta(minutes=15)) == 1
    assert len(smtp.mailbox.received) == 1 and (await rows(db))[0].attempts == 2


async def test_without_an_smtp_host_messages_go_to_the_log_and_count_as_sent(db, maker, settings, caplog):
    await queue_resets(db, 1)
    with caplog.at_level(logging.INFO, logger="foundation.outbox.sender"):
        assert await send(maker, settings, T0) == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Subject: Choose a new password for NISA Training & Certification" in logged
    assert "http://testserver.local/password/token-0" in logged
    assert (await rows(db))[0].status == "sent"


# ---------------------------------------------------------------- the admin outbox page


async def test_admins_see_the_outbox_a_rendered_message_and_retry_a_failed_one(client, db, as_role):
    await as_role(Role.admin)
    sent, failed = await queue_resets(db, 2)
    sent.status, failed.status, failed.attempts, failed.last_error = "sent", "failed", 12, "550 No such user"
    await db.commit()

    page = await client.get("/admin/outbox?status=failed")
    assert page.status_code == 200
    assert f"/admin/outbox/{failed.id}" in page.text and f'/admin/outbox/{sent.id}"' not in page.text
    assert "550 No such user" in page.text

    shown = await client.get(f"/admin/outbox/{failed.id}")
    assert shown.status_code == 200
    assert "Choose a new password for NISA Training &amp; Certification" in shown.text
    assert "http://testserver.local/password/token-1" in shown.text  # the text part
    assert f'src="/admin/outbox/{failed.id}/message.html"' in shown.text
    html = await client.get(f"/admin/outbox/{failed.id}/message.html")
    assert html.status_code == 200 and '<html lang="en">' in html.text
    assert "sandbox" in html.headers["content-security-policy"]

    retried = await post_form(client, f"/admin/outbox/{failed.id}/retry")
    assert retried.status_code == 303
    [_, again] = await rows(db)
    assert (again.status, again.attempts) == ("pending", 0)
    logged = await db.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "outbox.retry")
    )
    assert logged.scalar_one() == 1
    assert (await post_form(client, f"/admin/outbox/{sent.id}/retry")).status_code == 409  # never sent twice
    await db.rollback()
    [still_sent, _] = await rows(db)
    assert still_sent.status == "sent"
