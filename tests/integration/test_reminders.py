"""The reminder jobs on both databases with a fixed clock: each message is queued once, on the right day
(Cambodian date), and a second run queues nothing more."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.models import CertificateStatus
from foundation.database import create_engine, create_sessionmaker
from foundation.outbox.models import OutboxMessage
from foundation.roles import Role
from foundation.scheduling.context import JobContext, JobFunction
from foundation.settings import Settings
from nisa import jobs
from people.models import Trainee
from tests.certificate_factories import completed_enrolment, make_certificate
from tests.curriculum_factories import make_course
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_trainee, make_user
from training.models import Attendance, ClassSession

# 20:00 UTC on 1 December is 03:00 on 2 December in Phnom Penh: "tomorrow" there is 3 December.
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
TODAY = date(2026, 12, 2)


@pytest.fixture
async def run(database_url: str, settings: Settings) -> AsyncIterator[Callable[..., Awaitable[int]]]:
    """Run a job as the scheduler does, with the clock at `now` (NOW unless told)."""
    engine = create_engine(database_url)
    maker = create_sessionmaker(engine)

    async def run_job(job: JobFunction, now: datetime = NOW) -> int:
        return await job(JobContext(maker, settings, now))

    yield run_job
    await engine.dispose()


async def queued(db: AsyncSession, template: str) -> list[OutboxMessage]:
    rows = await db.execute(
        select(OutboxMessage)
        .where(OutboxMessage.template == template)
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


# ---------------------------------------------------------------- sessions tomorrow


async def test_trainees_are_reminded_once_the_day_before_each_session(db, run):
    course = await make_course(db, status="published", title_en="Case Management")
    cohort = await make_cohort(db, course, start=TODAY, sessions=3, status="running")  # 2, 3 and 4 December
    meeting = (
        await db.execute(
            select(ClassSession).where(
                ClassSession.cohort_id == cohort.id, ClassSession.day == TODAY + timedelta(days=1)
            )
        )
    ).scalar_one()
    meeting.starts_at, meeting.ends_at = time(8, 30), time(12, 0)
    user = await make_user(db, [Role.trainee], language="en")
    with_login = await db.get(Trainee, user.trainee_id)
    assert with_login is not None
    with_login.email = "login@example.org"
    await enrol(db, cohort, with_login)
    await enrol(db, cohort, await make_trainee(db, email="nologin@example.org"))
    await enrol(db, cohort, await make_trainee(db))  # no email address
    await enrol(db, cohort, await make_trainee(db, email="waiting@example.org"), status="waitlisted")
    await enrol(db, cohort, await make_trainee(db, email="gone@example.org"), status="withdrawn")
    other = await make_cohort(db, course, start=TODAY + timedelta(days=2), sessions=1)  # nothing tomorrow
    await enrol(db, other, await make_trainee(db, email="later@example.org"))

    assert await run(jobs.session_reminders) == 2
    assert await run(jobs.session_reminders, NOW + timedelta(hours=1)) == 0  # same day again
    reminders = await queued(db, "session_reminder")
    assert {(m.recipient, m.language) for m in reminders} == {
        ("login@example.org", "en"),
        ("nologin@example.org", ""),
    }
    assert all(
        m.context["session_on"] == "2026-12-03" and m.context["start_time"] == "08:30" for m in reminders
    )
    assert all(m.created_at == NOW for m in reminders)

    assert await run(jobs.session_reminders, NOW + timedelta(days=1)) == 3  # 4 December
    assert {m.recipient for m in (await queued(db, "session_reminder"))[2:]} == {
        "login@example.org",
        "nologin@example.org",
        "later@example.org",
    }


# ---------------------------------------------------------------- certificates nearing expiry


async def expiry_stages(db: AsyncSession) -> list[tuple[str, str | None]]:
    rows = await db.execute(
        select(OutboxMessage.template, OutboxMessage.dedupe_key)
        .where(OutboxMessage.template.in_(["certificate_expiring", "certificate_expired"]))  # type: ignore[attr-defined]
        .order_by(OutboxMessage.id)
    )
    return [(template, (key or "").rsplit(":", 1)[1]) for template, key in rows.all()]


async def test_a_holder_is_reminded_at_90_and_30_days_and_told_on_the_day(db, run):
    expires = TODAY + timedelta(days=100)
    certificate = await make_certificate(db, expires_on=expires, email="holder@example.org")
    clock = {days_left: NOW + timedelta(days=100 - days_left) for days_left in (100, 90, 60, 30, 5, 0)}
    assert await run(jobs.expiry_reminders, clock[100]) == 0  # too early
    assert await run(jobs.expiry_reminders, clock[90]) == 1
    assert await run(jobs.expiry_reminders, clock[90] + timedelta(hours=2)) == 0
    assert await run(jobs.expiry_reminders, clock[60]) == 0
    assert await run(jobs.expiry_reminders, clock[30]) == 1
    assert await run(jobs.expiry_reminders, clock[5]) == 0
    assert await run(jobs.expiry_reminders, clock[0]) == 1
    assert await expiry_stages(db) == [
        ("certificate_expiring", "90"),
        ("certificate_expiring", "30"),
        ("certificate_expired", "0"),
    ]
    [first, *_] = await queued(db, "certificate_expiring")
    assert first.recipient == "holder@example.org" and first.context["expires_on"] == expires.isoformat()
    assert first.context["code"] == certificate.public_code


async def test_a_missed_stage_is_skipped_and_an_earlier_one_never_follows_a_later(db, run):
    await make_certificate(db, expires_on=TODAY + timedelta(days=20), email="late@example.org")
    assert await run(jobs.expiry_reminders) == 1  # 20 days left: the 30-day reminder, not 90
    # A clock set back to the 90-day window (a restored server, a wrong clock) sends nothing earlier.
    assert await run(jobs.expiry_reminders, NOW - timedelta(days=60)) == 0
    assert await expiry_stages(db) == [("certificate_expiring", "30")]


async def test_only_current_certificates_are_reminded_and_a_reissue_repeats_nothing(db, run):
    soon = TODAY + timedelta(days=80)
    await make_certificate(db, expires_on=soon, status=CertificateStatus.revoked, email="revoked@example.org")
    await make_certificate(db, expires_on=TODAY - timedelta(days=40), email="long-ago@example.org")
    await make_certificate(db, expires_on=TODAY - timedelta(days=3), email="missed@example.org")
    await make_certificate(db, expires_on=None, email="forever@example.org")
    enrolment = await completed_enrolment(db, email="reissued@example.org")
    old = await make_certificate(db, enrolment=enrolment, expires_on=soon)
    assert await run(jobs.expiry_reminders) == 2  # "reissued" at 90 days, "missed" on the day
    old.status = CertificateStatus.superseded.value
    await make_certificate(db, enrolment=enrolment, expires_on=soon)  # same enrolment, same expiry
    assert await run(jobs.expiry_reminders, NOW + timedelta(days=1)) == 0
    recipients = {
        m.recipient for t in ("certificate_expiring", "certificate_expired") for m in await queued(db, t)
    }
    assert recipients == {"reissued@example.org", "missed@example.org"}


# ---------------------------------------------------------------- attendance below the threshold


async def test_trainers_are_warned_each_time_a_trainee_falls_below_the_threshold(db, run):
    trainers = [await make_user(db, [Role.trainer], language=language) for language in ("km", "en")]
    course = await make_course(db, status="published", min_attendance_percent=50)
    cohort = await make_cohort(db, course, trainer_ids=[t.id for t in trainers], sessions=4, status="running")
    meetings = list(
        (
            await db.execute(
                select(ClassSession.id).where(ClassSession.cohort_id == cohort.id).order_by(ClassSession.day)
            )
        ).scalars()
    )
    steady = await enrol(db, cohort, await make_trainee(db, name_latin="Steady Dara"))
    wavering = await enrol(db, cohort, await make_trainee(db, name_latin="Wavering Sok"))
    left = await enrol(db, cohort, await make_trainee(db), status="withdrawn")

    async def take(session_index: int, marks: dict[int, str]) -> int:
        for enrolment_id, status in marks.items():
            db.add(Attendance(enrolment_id=enrolment_id, session_id=meetings[session_index], status=status))
        await db.commit()
        return await run(jobs.attendance_warnings)

    assert await run(jobs.attendance_warnings) == 0  # nothing taken yet
    # 0%: below 50% for the first time; each trainer is told, once however often the job runs
    assert await take(0, {steady.id: "present", wavering.id: "absent", left.id: "absent"}) == 2
    assert await run(jobs.attendance_warnings) == 0
    assert await take(1, {steady.id: "present", wavering.id: "present"}) == 0  # 50%: back at the threshold
    assert await take(2, {steady.id: "present", wavering.id: "absent"}) == 2  # 33.3%: below again
    assert await take(3, {steady.id: "present", wavering.id: "late"}) == 0  # 50%
    warnings = await queued(db, "attendance_warning")
    assert {m.recipient for m in warnings} == {t.email for t in trainers}
    assert {m.language for m in warnings} == {"km", "en"}
    assert [m.context["rate"] for m in warnings] == ["0.0", "0.0", "33.3", "33.3"]
    assert all(m.context["trainee_name_latin"] == "Wavering Sok" for m in warnings)
    assert warnings[0].context["overview_path"] == f"/cohorts/{cohort.id}/overview"
