"""Completion waits for the course, on both databases: sessions held or cancelled (with a reason, audited),
closing a cohort and issuing certificates refused while sessions are to come, the certificate's completion
date, the dashboard's due assessments and ready trainees, and the issuing page updated row by row."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from certificates import keys
from certificates.authority import IssuingAuthority
from certificates.models import Certificate, CertificateStatus
from certificates.services import issuance
from foundation.audit import AuditEntry
from foundation.clock import today
from foundation.formatting import format_date
from foundation.i18n import current_language
from foundation.roles import Role
from foundation.settings import Settings
from tests.conftest import csrf_token, post_form
from tests.factories import SYSTEM, make_user
from tests.integration.test_certificate_issuance import admin_user
from tests.integration.test_progress import Setup, enrol_new, record, running_course
from training.models import (
    Assessment,
    Attendance,
    ClassSession,
    Cohort,
    ModuleCompletion,
    PledgeAcceptance,
    QuizAttempt,
)
from training.services.progress import enrolment_progress

REASON = "Venue flooded"


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


@pytest.fixture
def authority(settings: Settings) -> IssuingAuthority:
    keys.create_key(settings.effective_keys_dir)
    return IssuingAuthority.from_settings(settings)


async def sessions_of(db: AsyncSession, cohort_id: int) -> list[ClassSession]:
    await db.rollback()  # what the database holds now
    rows = await db.execute(
        select(ClassSession)
        .where(ClassSession.cohort_id == cohort_id)
        .order_by(ClassSession.day)
        .execution_options(populate_existing=True)
    )
    found = list(rows.scalars())
    db.expunge_all()  # kept as read: a later rollback must not expire them
    return found


async def count(db: AsyncSession, model, *conditions) -> int:  # type: ignore[no-untyped-def]
    await db.rollback()
    return (await db.execute(select(func.count()).select_from(model).where(*conditions))).scalar_one()


async def day_one(db: AsyncSession, trainer_id: int) -> tuple[Setup, int]:
    """Day 1 of a 4-day cohort: one trainee who did everything so far, the register taken today only."""
    setup = await running_course(db, trainer_ids=[trainer_id], start=today())
    enrolment = await enrol_new(db, setup.cohort)
    await record(db, setup, enrolment)
    later = select(ClassSession.id).where(
        ClassSession.cohort_id == setup.cohort.id, ClassSession.day > today()
    )
    await db.execute(delete(Attendance).where(Attendance.session_id.in_(later)))  # type: ignore[attr-defined]
    await db.commit()
    return setup, enrolment.id


def cancel_url(cohort_id: int, session_id: int) -> str:
    return f"/cohorts/{cohort_id}/sessions/{session_id}/cancel"


# ---------------------------------------------------------------- completion waits for the last session


async def test_on_day_one_nothing_is_complete_nor_certified_until_the_other_sessions_are_held_or_cancelled(
    client, db, as_role, authority
):
    trainer = await as_role(Role.trainer, language="en")
    setup, enrolment_id = await day_one(db, trainer.id)
    cohort_id = setup.cohort.id
    last_day = today() + timedelta(days=3)
    progress = (await enrolment_progress(db, [enrolment_id]))[enrolment_id]
    assert not progress.complete and [r.value for r in progress.checklist.missing] == ["sessions"]
    ends = f"Course ends {format_date(last_day, 'medium', 'en')}"
    assert progress.checklist.items[0].text() == f"{ends}: 1 of 4 sessions held"

    overview = await client.get(f"/cohorts/{cohort_id}/overview")
    assert f"{ends}: 1 of 4 sessions held" in overview.text
    single = await post_form(client, f"/enrolments/{enrolment_id}/certificate")
    assert single.status_code == 409
    assert "The course is not over yet" in single.text and "1 of 4 sessions held" in single.text
    bulk = await post_form(client, f"/cohorts/{cohort_id}/certificates")
    assert bulk.status_code == 409 and "certificates are issued after its last session" in bulk.text
    page = await client.get(f"/cohorts/{cohort_id}/certificates")
    assert "The course is not over yet" in page.text
    assert (
        f'action="/enrolments/{enrolment_id}/certificate"' not in page.text
        and "Issue 1 certificate" not in page.text
    )
    assert await count(db, Certificate) == 0

    # The last three days are called off: the course delivered today, certificates can be issued today.
    for meeting in (await sessions_of(db, cohort_id))[1:]:
        answer = await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": REASON})
        assert answer.status_code == 303
    issued = await post_form(client, f"/enrolments/{enrolment_id}/certificate")
    assert issued.status_code == 303, issued.text
    certificate = (await db.execute(select(Certificate))).scalar_one()
    assert certificate.snapshot["completed_on"] == today().isoformat()


async def test_the_completion_date_is_when_the_last_requirement_was_met_never_before_the_last_session(
    db, authority
):
    setup = await running_course(db, start=today() - timedelta(days=10))  # sessions 10 to 7 days ago
    early, late = await enrol_new(db, setup.cohort), await enrol_new(db, setup.cohort)
    for enrolment in (early, late):
        await record(db, setup, enrolment)
    long_ago = datetime.now(UTC) - timedelta(days=12)
    for model, column, value in (
        (ModuleCompletion, ModuleCompletion.completed_on, long_ago.date()),
        (Assessment, Assessment.assessed_on, long_ago.date()),
        (QuizAttempt, QuizAttempt.submitted_at, long_ago),
        (PledgeAcceptance, PledgeAcceptance.accepted_at, long_ago),
    ):
        await db.execute(model.__table__.update().values({column.key: value}))  # type: ignore[attr-defined]
    # The late one's last competency was assessed after the course, 3 days ago.
    late_attempt = (
        (
            await db.execute(
                select(Assessment).where(Assessment.enrolment_id == late.id).order_by(Assessment.id)
            )
        )
        .scalars()
        .all()[-1]
    )
    late_attempt.assessed_on = today() - timedelta(days=3)
    await db.commit()
    result = await issuance.issue_for_cohort(db, authority, SYSTEM, admin_user(), setup.cohort.id)
    completed = {
        one.certificate.enrolment_id: one.certificate.snapshot["completed_on"] for one in result.issued
    }
    assert completed == {
        early.id: (today() - timedelta(days=7)).isoformat(),  # the last session, not 12 days ago
        late.id: (today() - timedelta(days=3)).isoformat(),
    }


# ---------------------------------------------------------------- cancelling a session


async def test_a_session_is_cancelled_with_a_reason_audited_and_shown_struck_through(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    setup = await running_course(db, trainer_ids=[trainer.id], start=today() + timedelta(days=1))
    cohort_id = setup.cohort.id
    meeting = (await sessions_of(db, cohort_id))[0]

    for blank in ("", "  x "):
        refused = await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": blank})
        assert refused.status_code == 422 and 'id="e-reason"' in refused.text
        assert "Say why the session is cancelled" in refused.text
    assert (await sessions_of(db, cohort_id))[0].cancelled_at is None

    assert (await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": REASON})).status_code == 303
    stored = (await sessions_of(db, cohort_id))[0]
    assert stored.cancelled_at is not None and stored.cancelled_by == trainer.id
    assert stored.cancelled_reason == REASON
    assert await count(db, AuditEntry, AuditEntry.action == "session.cancel") == 1
    again = await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": REASON})
    assert again.status_code == 409 and "already cancelled" in again.text

    page = (await client.get(f"/cohorts/{cohort_id}")).text
    assert "<del>" in page and f"Cancelled: {REASON}" in page
    summary = (await client.get(f"/cohorts/{cohort_id}/attendance")).text
    assert "3 sessions planned" in summary and f"Cancelled: {REASON}" in summary
    register = await client.get(f"/cohorts/{cohort_id}/sessions/{meeting.id}/attendance")
    assert f"This session was cancelled: {REASON}" in register.text

    form = (await client.get(f"/cohorts/{cohort_id}/sessions/{meeting.id}")).text
    assert "Cancelled on" in form and f"/sessions/{meeting.id}/restore" in form
    restored = await post_form(client, f"/cohorts/{cohort_id}/sessions/{meeting.id}/restore")
    assert restored.status_code == 303 and (await sessions_of(db, cohort_id))[0].cancelled_at is None
    assert await count(db, AuditEntry, AuditEntry.action == "session.restore") == 1


async def test_a_cancelled_session_takes_no_attendance(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    setup = await running_course(db, trainer_ids=[trainer.id], start=today())
    cohort_id = setup.cohort.id
    enrolment = await enrol_new(db, setup.cohort)
    meeting = (await sessions_of(db, cohort_id))[0]
    cancelled = await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": REASON})
    assert cancelled.status_code == 303
    marks = await post_form(
        client,
        f"/cohorts/{cohort_id}/sessions/{meeting.id}/attendance",
        {f"status-{enrolment.id}": "present"},
    )
    assert marks.status_code == 409 and "This session was cancelled" in marks.text
    assert await count(db, Attendance) == 0


@pytest.mark.parametrize("when", ["yesterday", "today, register taken", "today, ended"])
async def test_a_session_that_took_place_cannot_be_cancelled(client, db, as_role, when):
    trainer = await as_role(Role.trainer, language="en")
    start = today() - timedelta(days=1) if when == "yesterday" else today()
    setup = await running_course(db, trainer_ids=[trainer.id], start=start)
    cohort_id = setup.cohort.id
    enrolment_id = (await enrol_new(db, setup.cohort)).id
    meeting = (await sessions_of(db, cohort_id))[0]
    if when == "today, register taken":
        db.add(Attendance(enrolment_id=enrolment_id, session_id=meeting.id, status="present"))
    if when == "today, ended":
        await db.execute(
            ClassSession.__table__.update()  # type: ignore[attr-defined]
            .where(ClassSession.id == meeting.id)
            .values(starts_at=time(0, 0), ends_at=time(0, 1))
        )
    await db.commit()
    refused = await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": REASON})
    assert refused.status_code == 409 and "already taken place" in refused.text
    assert (await sessions_of(db, cohort_id))[0].cancelled_at is None
    assert await count(db, AuditEntry, AuditEntry.action == "session.cancel") == 0


async def test_refusals_speak_khmer(client, db, as_role):
    trainer = await as_role(Role.trainer)  # Khmer by default
    setup = await running_course(db, trainer_ids=[trainer.id])  # delivered a week ago
    cohort_id = setup.cohort.id
    meeting = (await sessions_of(db, cohort_id))[0]
    refused = await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": REASON})
    assert refused.status_code == 409 and "already taken place" not in refused.text
    assert "វគ្គរៀននេះបានប្រព្រឹត្តទៅរួចហើយ" in refused.text


async def test_another_trainer_cannot_cancel(client, db, as_role):
    owner = await make_user(db, [Role.trainer])
    await as_role(Role.trainer, language="en")
    setup = await running_course(db, trainer_ids=[owner.id], start=today() + timedelta(days=1))
    cohort_id = setup.cohort.id
    meeting = (await sessions_of(db, cohort_id))[0]
    refused = await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": REASON})
    assert refused.status_code == 403
    assert (await sessions_of(db, cohort_id))[0].cancelled_at is None


async def test_cancelling_through_the_api(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    setup = await running_course(db, trainer_ids=[trainer.id], start=today() - timedelta(days=1))
    cohort_id = setup.cohort.id
    meetings = await sessions_of(db, cohort_id)
    held, coming = meetings[0], meetings[-1]
    url = f"/api/v1/cohorts/{cohort_id}/sessions"
    headers = {"x-csrftoken": await csrf_token(client)}
    missing = await client.post(f"{url}/{coming.id}/cancel", json={}, headers=headers)
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    past = await client.post(f"{url}/{held.id}/cancel", json={"reason": REASON}, headers=headers)
    assert past.status_code == 409 and "already taken place" in past.json()["detail"]
    done = await client.post(f"{url}/{coming.id}/cancel", json={"reason": REASON}, headers=headers)
    assert done.status_code == 200 and done.json()["cancelled_reason"] == REASON
    listed = {s["id"]: s["cancelled_reason"] for s in (await client.get(url)).json()}
    assert listed[coming.id] == REASON and listed[held.id] is None
    restored = await client.post(f"{url}/{coming.id}/restore", headers=headers)
    assert restored.status_code == 200 and restored.json()["cancelled_at"] is None


# ---------------------------------------------------------------- closing a cohort


async def test_closing_waits_for_every_session_held_or_cancelled(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    setup = await running_course(db, trainer_ids=[trainer.id], start=today() - timedelta(days=2))
    cohort_id = setup.cohort.id
    enrolment = await enrol_new(db, setup.cohort)
    to_come = (await sessions_of(db, cohort_id))[2:]  # today (no end time: held tonight) and tomorrow
    close = {"status": "closed", "confirm": "1"}
    refused = await post_form(client, f"/cohorts/{cohort_id}/status", close)
    assert refused.status_code == 409 and "Sessions are still to come" in refused.text
    for meeting in to_come:
        assert format_date(meeting.day, "medium", "en") in refused.text
    await db.rollback()
    assert (await db.get(Cohort, cohort_id, populate_existing=True)).status == "running"
    assert await count(db, AuditEntry, AuditEntry.action == "enrolment.settle") == 0

    for meeting in to_come:
        await post_form(client, cancel_url(cohort_id, meeting.id), {"reason": REASON})
    assert (await post_form(client, f"/cohorts/{cohort_id}/status", close)).status_code == 303
    await db.rollback()
    assert (await db.get(Cohort, cohort_id, populate_existing=True)).status == "closed"
    assert (
        await count(
            db, AuditEntry, AuditEntry.action == "enrolment.settle", AuditEntry.entity_id == str(enrolment.id)
        )
        == 1
    )


# ---------------------------------------------------------------- the dashboard


async def test_the_dashboard_counts_only_assessments_that_are_due(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    first_morning = await running_course(db, trainer_ids=[trainer.id], start=today())
    for _ in range(3):
        await enrol_new(db, first_morning.cohort)
    home = (await client.get("/")).text
    assert "required competency assessment" not in home  # 9 not due yet: the course has just begun
    last_day = await running_course(db, trainer_ids=[trainer.id], start=today() - timedelta(days=3))
    await enrol_new(db, last_day.cohort)
    home = (await client.get("/")).text
    assert "3 required competency assessments missing" in home
    assert home.count("required competency assessment") == 1


async def test_ready_for_a_certificate_leaves_out_the_certified_and_offers_a_reissue_of_the_revoked(
    client, db, as_role, authority
):
    trainer = await as_role(Role.trainer, language="en")
    setup = await running_course(db, trainer_ids=[trainer.id])
    first, second = await enrol_new(db, setup.cohort), await enrol_new(db, setup.cohort)
    for enrolment in (first, second):
        await record(db, setup, enrolment)
    assert "2 trainees meet every requirement" in (await client.get("/")).text

    issued = await issuance.issue_certificate(db, authority, SYSTEM, admin_user(), first.id)
    await db.commit()
    home = (await client.get("/")).text
    assert "1 trainee meets every requirement" in home and "Revoked: reissue?" not in home

    await issuance.revoke(db, SYSTEM, issued.certificate.id, "Issued to the wrong name")
    await db.commit()
    home = (await client.get("/")).text
    assert "Revoked: reissue?" in home and "1 complete trainee whose certificate was revoked" in home
    page = (await client.get(f"/cohorts/{setup.cohort.id}/certificates")).text
    assert "Revoked: reissue?" in page and 'name="after_revocation"' in page

    plain = await post_form(client, f"/enrolments/{first.id}/certificate")
    assert plain.status_code == 409 and "already has a certificate" in plain.text
    again = await post_form(client, f"/enrolments/{first.id}/certificate", {"after_revocation": "1"})
    assert again.status_code == 303
    statuses = (
        await db.execute(select(Certificate.status).where(Certificate.enrolment_id == first.id))
    ).scalars()
    assert sorted(statuses) == [CertificateStatus.revoked, CertificateStatus.valid]
    assert "Revoked: reissue?" not in (await client.get("/")).text


# ---------------------------------------------------------------- the issuing page, step by step


async def test_a_bulk_issue_swaps_each_issued_row_and_the_actions_in_place(client, db, as_role, authority):
    trainer = await as_role(Role.trainer, language="en")
    setup = await running_course(db, trainer_ids=[trainer.id])
    enrolments = [await enrol_new(db, setup.cohort) for _ in range(3)]
    for enrolment in enrolments:
        await record(db, setup, enrolment)
    page = (await client.get(f"/cohorts/{setup.cohort.id}/certificates")).text
    assert "Issue 3 certificates" in page and f'id="enrolment-{enrolments[0].id}"' in page
    answer = await client.post(
        f"/cohorts/{setup.cohort.id}/certificates",
        data={"done": "0", "_csrf_token": await csrf_token(client)},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    for enrolment in enrolments:
        assert f'<template><tr id="enrolment-{enrolment.id}" hx-swap-oob="true">' in answer.text
    row = answer.text.split(f'id="enrolment-{enrolments[0].id}"')[1].split("</tr>")[0]
    assert "Valid" in row and "/certificate.pdf" in row and ">Issue<" not in row
    actions = answer.text.split('id="certificate-actions" hx-swap-oob="true"')[1].split("</div>")[0]
    assert "Issue 3 certificates" not in actions and "Download all (ZIP)" in actions
    assert '<progress max="3" value="3">' in answer.text
