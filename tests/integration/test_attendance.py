"""The attendance register: htmx and form saves, mark all present, audit after the day, access, queries."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import Competency
from foundation.audit import AuditEntry
from foundation.clock import today
from foundation.roles import Role
from tests.conftest import csrf_token, post_form
from tests.curriculum_factories import make_course, make_framework
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_trainee, make_user
from tests.statements import statements_sent
from training.models import Attendance, ClassSession, Cohort


@dataclass
class Class:
    """A cohort's ids (kept as plain numbers: rows expire when a test rolls back to read afresh)."""

    cohort_id: int
    course_id: int
    session_ids: list[int]  # one session a day from the start
    enrolment_ids: list[int]
    competency_ids: list[int]

    def register(self, day: int = 0) -> str:
        return f"/cohorts/{self.cohort_id}/sessions/{self.session_ids[day]}/attendance"


async def make_class(
    db: AsyncSession,
    trainer_ids: list[int],
    *,
    trainees: int = 3,
    start: date | None = None,
    status: str = "running",
    sessions: int = 4,
) -> Class:
    """A cohort taught by `trainer_ids`, its course targeting three competencies (the third optional)."""
    framework = await make_framework(db)
    competencies = (
        await db.execute(
            select(Competency.id).where(Competency.framework_id == framework.id).order_by(Competency.id)
        )
    ).scalars()
    competency_ids = list(competencies)[:3]
    course = await make_course(db, competency_ids=competency_ids)
    cohort = await make_cohort(
        db, course, trainer_ids=trainer_ids, start=start or today(), status=status, sessions=sessions
    )
    enrolments = [
        await enrol(
            db, cohort, await make_trainee(db, name_latin=f"Trainee {chr(65 + n // 26)}{chr(97 + n % 26)}")
        )
        for n in range(trainees)
    ]
    meetings = await db.execute(
        select(ClassSession.id).where(ClassSession.cohort_id == cohort.id).order_by(ClassSession.day)
    )
    return Class(cohort.id, course.id, list(meetings.scalars()), [e.id for e in enrolments], competency_ids)


async def marks(db: AsyncSession, session_id: int) -> dict[int, str]:
    await db.rollback()
    rows = await db.execute(select(Attendance).where(Attendance.session_id == session_id))
    return {mark.enrolment_id: mark.status for mark in rows.scalars()}


async def audit_entries(db: AsyncSession, action: str) -> list[AuditEntry]:
    await db.rollback()
    return list((await db.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


def checked(page: str, enrolment_id: int) -> str | None:
    """The status whose radio button is checked in this trainee's row."""
    found = re.search(rf'id="status-{enrolment_id}-(\w+)"[^>]*\bchecked\b', page)
    return found.group(1) if found else None


async def htmx_post(client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """What htmx sends on a change: the one row's field, the CSRF token as a header."""
    headers = {"hx-request": "true", "x-csrftoken": await csrf_token(client)}
    return await client.post(url, data=data, headers=headers)


async def test_register_lists_the_seated_trainees_with_four_choices(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=2)
    waiting = await enrol(
        db,
        await db.get(Cohort, group.cohort_id),
        await make_trainee(db, name_latin="Waiting Person"),
        status="waitlisted",
    )
    page = await client.get(group.register())
    assert page.status_code == 200
    for enrolment in group.enrolment_ids:
        for status in ("present", "late", "excused", "absent"):
            assert f'id="status-{enrolment}-{status}"' in page.text
    assert f"status-{waiting.id}" not in page.text
    assert "Mark all present" in page.text and 'name="_csrf_token"' in page.text
    assert 'hx-post="' + group.register() + '"' in page.text
    assert "/static/js/register.js" in page.text


async def test_htmx_saves_one_change_and_answers_with_the_row(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    first, second, _ = group.enrolment_ids
    response = await htmx_post(client, group.register(), {f"status-{first}": "late"})
    assert response.status_code == 200
    assert f'id="state-{first}"' in response.text and "Saved" in response.text
    assert f'id="row-{second}"' not in response.text
    assert 'id="tally"' in response.text and 'hx-swap-oob="true"' in response.text
    assert await marks(db, group.session_ids[0]) == {first: "late"}
    mark = (await db.execute(select(Attendance).where(Attendance.enrolment_id == first))).scalar_one()
    assert mark.recorded_by == trainer.id and mark.recorded_at is not None
    assert await audit_entries(db, "attendance.update") == []  # taken on the session's day


async def test_whole_form_saves_every_row(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    first, second, third = group.enrolment_ids
    form = {f"status-{first}": "present", f"status-{second}": "absent", f"status-{third}": "excused"}
    response = await post_form(client, group.register(), form)
    assert response.status_code == 303
    assert response.headers["location"] == f"{group.register()}?notice=saved"
    assert await marks(db, group.session_ids[0]) == {
        first: "present",
        second: "absent",
        third: "excused",
    }
    page = await client.get(group.register())
    assert checked(page.text, second) == "absent" and checked(page.text, third) == "excused"


async def test_mark_all_present_then_the_exceptions(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    response = await post_form(client, group.register(), {"mark_all": "present"})
    assert response.status_code == 303
    assert set((await marks(db, group.session_ids[0])).values()) == {"present"}
    absent = group.enrolment_ids[1]
    await htmx_post(client, group.register(), {f"status-{absent}": "absent"})
    saved = await marks(db, group.session_ids[0])
    assert saved[absent] == "absent" and list(saved.values()).count("present") == 2


async def test_changes_after_the_session_day_are_audited(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], start=today() - timedelta(days=1))
    yesterday, on_the_day = group.register(0), group.register(1)
    enrolment = group.enrolment_ids[0]
    await htmx_post(client, on_the_day, {f"status-{enrolment}": "present"})
    await htmx_post(client, on_the_day, {f"status-{enrolment}": "late"})
    assert await audit_entries(db, "attendance.update") == []
    await htmx_post(client, yesterday, {f"status-{enrolment}": "present"})
    await htmx_post(client, yesterday, {f"status-{enrolment}": "absent"})
    await htmx_post(client, yesterday, {f"status-{enrolment}": "absent"})  # unchanged: nothing to audit
    first, second = await audit_entries(db, "attendance.update")
    assert (first.entity_type, first.entity_id, first.actor_id) == (
        "enrolment",
        str(enrolment),
        trainer.id,
    )
    assert first.before is None and first.after["status"] == "present"
    assert second.before["status"] == "present" and second.after["status"] == "absent"
    assert second.after["session_id"] == group.session_ids[0]
    page = await client.get(yesterday)
    assert "every change is recorded in the audit log" in page.text


async def test_a_session_yet_to_come_cannot_be_taken(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    tomorrow = group.register(1)
    page = await client.get(tomorrow)
    assert "has not taken place yet" in page.text and "Mark all present" not in page.text
    response = await post_form(client, tomorrow, {"mark_all": "present"})
    assert response.status_code == 409
    assert await marks(db, group.session_ids[1]) == {}


@pytest.mark.parametrize("bad", ["here", "", "PRESENT"])
async def test_an_invalid_status_is_refused_and_nothing_saved(client, db, as_role, bad):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    first, second, _ = group.enrolment_ids
    form = {f"status-{first}": "present", f"status-{second}": bad}
    response = await post_form(client, group.register(), form)
    assert response.status_code == 422
    assert f'id="e-status-{second}"' in response.text
    assert "Choose present, late, excused or absent." in response.text
    assert await marks(db, group.session_ids[0]) == {}


async def test_a_trainee_of_another_cohort_is_refused(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    other = await make_class(db, [trainer.id])
    response = await post_form(client, group.register(), {f"status-{other.enrolment_ids[0]}": "present"})
    assert response.status_code == 422
    assert "not on this cohort" in response.text
    assert await marks(db, group.session_ids[0]) == {}


async def test_unknown_or_foreign_session_is_not_found(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    other = await make_class(db, [trainer.id])
    assert (
        await client.get(f"/cohorts/{group.cohort_id}/sessions/{other.session_ids[0]}/attendance")
    ).status_code == 404
    assert (await client.get(f"/cohorts/{group.cohort_id}/sessions/999999/attendance")).status_code == 404
    assert (await client.get("/cohorts/999999/attendance")).status_code == 404


async def test_trainer_of_another_cohort_gets_403(client, db, as_role):
    await as_role(Role.trainer, language="en")
    owner = await make_user(db, [Role.trainer])
    group = await make_class(db, [owner.id])
    assert (await client.get(group.register())).status_code == 403
    assert (await client.get(f"/cohorts/{group.cohort_id}/attendance")).status_code == 403
    response = await post_form(client, group.register(), {f"status-{group.enrolment_ids[0]}": "absent"})
    assert response.status_code == 403
    api = f"/api/v1{group.register()}"
    assert (await client.get(api)).status_code == 403
    put = await client.put(api, json={"marks": []}, headers={"x-csrftoken": await csrf_token(client)})
    assert put.status_code == 403
    assert await marks(db, group.session_ids[0]) == {}


async def test_admin_may_take_any_register(client, db, as_role):
    await as_role(Role.admin, language="en")
    owner = await make_user(db, [Role.trainer])
    group = await make_class(db, [owner.id])
    response = await post_form(client, group.register(), {"mark_all": "present"})
    assert response.status_code == 303
    assert await marks(db, group.session_ids[0]) == dict.fromkeys(group.enrolment_ids, "present")


@pytest.mark.parametrize("role", [None, Role.trainee])
async def test_trainees_and_visitors_are_refused(client, db, as_role, role):
    owner = await make_user(db, [Role.trainer])
    group = await make_class(db, [owner.id])
    if role is not None:
        await as_role(role, language="en")
    page = await client.get(group.register())
    assert page.status_code == 403 if role else page.headers["location"].startswith("/login")
    api = await client.get(f"/api/v1{group.register()}")
    assert api.status_code == (403 if role else 401)


async def test_a_closed_cohort_is_read_only(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], status="closed")
    page = await client.get(group.register())
    assert page.status_code == 200
    assert "Mark all present" not in page.text and 'fieldset class="plain" disabled' in page.text
    response = await post_form(client, group.register(), {"mark_all": "present"})
    assert response.status_code == 409
    put = await client.put(
        f"/api/v1{group.register()}",
        json={"marks": [{"enrolment_id": group.enrolment_ids[0], "status": "present"}]},
        headers={"x-csrftoken": await csrf_token(client)},
    )
    assert put.status_code == 409
    assert await marks(db, group.session_ids[0]) == {}


async def test_summary_shows_each_mark_and_the_rate(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=2, start=today() - timedelta(days=1))
    first, second = group.enrolment_ids
    await post_form(client, group.register(0), {f"status-{first}": "present", f"status-{second}": "absent"})
    await post_form(client, group.register(1), {f"status-{first}": "late", f"status-{second}": "excused"})
    page = await client.get(f"/cohorts/{group.cohort_id}/attendance")
    assert page.status_code == 200
    assert "2 sessions held so far" in page.text
    assert "100%" in page.text and "0%" in page.text  # first: 2 of 2; second: absent once, excused once
    register = await client.get(group.register(1))
    assert "Attendance so far: 100%" in register.text


async def test_json_api_reads_and_writes_the_register(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=2)
    first, second = group.enrolment_ids
    api = f"/api/v1{group.register()}"
    headers = {"x-csrftoken": await csrf_token(client)}
    put = await client.put(
        api,
        json={
            "marks": [
                {"enrolment_id": first, "status": "present"},
                {"enrolment_id": second, "status": "late"},
            ]
        },
        headers=headers,
    )
    assert put.status_code == 200, put.text
    rows = {row["enrolment_id"]: row for row in put.json()["rows"]}
    assert rows[first]["status"] == "present" and rows[second]["status"] == "late"
    assert rows[first]["attendance_rate"] == "100.0"
    bad = await client.put(api, json={"marks": [{"enrolment_id": first, "status": "gone"}]}, headers=headers)
    assert bad.status_code == 422 and "marks" in bad.json()["errors"]
    got = await client.get(api)
    assert got.status_code == 200 and got.json()["editable"] is True
    assert await marks(db, group.session_ids[0]) == {first: "present", second: "late"}


async def test_pages_need_the_same_number_of_queries_for_5_or_30_trainees(app, client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    small = await make_class(db, [trainer.id], trainees=5)
    large = await make_class(db, [trainer.id], trainees=30)
    counts = []
    for group in (small, large):
        await post_form(client, group.register(), {"mark_all": "present"})
        pages = [
            group.register(),
            f"/cohorts/{group.cohort_id}/attendance",
            f"/cohorts/{group.cohort_id}/assessments",
            f"/cohorts/{group.cohort_id}/modules",
        ]
        per_page = []
        for url in pages:
            with statements_sent(app.state.engine) as sent:
                assert (await client.get(url)).status_code == 200
            per_page.append(len(sent))
        with statements_sent(app.state.engine) as sent:
            await post_form(client, group.register(), {"mark_all": "present"})
        per_page.append(len(sent))
        counts.append(per_page)
    assert counts[0] == counts[1], counts
