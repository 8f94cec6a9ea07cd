"""Cohort pages and API: creation and its checks, sessions, status, who sees which cohort, the dashboard."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import Competency, Course, CourseModule
from foundation.audit import AuditEntry
from foundation.clock import today
from foundation.roles import Role
from tests.conftest import csrf_token, post_form
from tests.curriculum_factories import make_course, make_framework
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_trainee, make_user
from tests.statements import statements_sent
from training.models import Attendance, ClassSession, Cohort, CohortTrainer, ModuleCompletion, SessionModule


async def published_course(db: AsyncSession, **fields: object) -> tuple[int, list[int]]:
    """A published course's id and its module ids."""
    course = await make_course(db, status="published", published_at=datetime.now(UTC), **fields)
    modules = await db.execute(select(CourseModule.id).where(CourseModule.course_id == course.id))
    return course.id, list(modules.scalars())


def cohort_form(course_id: int, **changes: object) -> dict[str, object]:
    start = date(2030, 3, 2)
    return {
        "course_id": str(course_id),
        "code": "SW-BTB-2030-01",
        "venue_province_code": "02",
        "venue": "Provincial Department of Social Affairs",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=4)).isoformat(),
        "capacity": "25",
    } | changes


async def stored(db: AsyncSession, model: type, row_id: int):  # type: ignore[no-untyped-def]
    """A row as the database has it now (not the copy this test session may hold)."""
    await db.rollback()
    return await db.get(model, row_id, populate_existing=True)


async def count(db: AsyncSession, table: type) -> int:
    await db.rollback()
    return (await db.execute(select(func.count()).select_from(table))).scalar_one()


async def audit_actions(db: AsyncSession) -> list[str]:
    """The audit log's entries about cohorts, sessions and enrolments (not the users the test made)."""
    await db.rollback()
    query = select(AuditEntry.action).where(
        AuditEntry.entity_type.in_(("cohort", "class_session", "enrolment"))
    )
    return list((await db.execute(query.order_by(AuditEntry.id))).scalars())


async def api_write(client, method: str, url: str, body: object):  # type: ignore[no-untyped-def]
    return await client.request(method, url, json=body, headers={"x-csrftoken": await csrf_token(client)})


# ---------------------------------------------------------------- creating a cohort


async def test_a_trainer_creates_a_cohort_and_trains_it(client, db, as_role):
    course_id, _ = await published_course(db)
    draft = await make_course(db)
    draft_code = draft.code
    trainer = await as_role(Role.trainer, language="en")
    form = await client.get("/cohorts/new")
    assert form.status_code == 200
    assert f'value="{course_id}"' in form.text and draft_code not in form.text
    assert f'name="trainer_ids" value="{trainer.id}" checked' in form.text

    response = await post_form(client, "/cohorts/new", cohort_form(course_id))

    assert response.status_code == 303
    await db.rollback()
    cohort = (await db.execute(select(Cohort))).scalar_one()
    assert response.headers["location"] == f"/cohorts/{cohort.id}?notice=created"
    assert (cohort.code, cohort.capacity, cohort.status, cohort.enrolled_count) == (
        "SW-BTB-2030-01",
        25,
        "planned",
        0,
    )
    trainers = (await db.execute(select(CohortTrainer.user_id))).scalars().all()
    assert trainers == [trainer.id]
    page = await client.get(response.headers["location"])
    assert page.status_code == 200 and "SW-BTB-2030-01" in page.text and trainer.display_name in page.text
    [entry] = (await db.execute(select(AuditEntry).where(AuditEntry.action == "cohort.create"))).scalars()
    assert entry.after["trainer_ids"] == [trainer.id] and entry.after["capacity"] == 25


async def test_an_admin_chooses_the_trainers(client, db, as_role):
    course_id, _ = await published_course(db)
    first, second = await make_user(db, [Role.trainer]), await make_user(db, [Role.trainer])
    await as_role(Role.admin, language="en")
    refused = await post_form(client, "/cohorts/new", cohort_form(course_id))
    assert refused.status_code == 422 and "Choose at least one trainer." in refused.text
    response = await post_form(
        client, "/cohorts/new", cohort_form(course_id, trainer_ids=[str(first.id), str(second.id)])
    )
    assert response.status_code == 303
    trainers = (await db.execute(select(CohortTrainer.user_id).order_by(CohortTrainer.user_id))).scalars()
    assert list(trainers) == sorted([first.id, second.id])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "2030-03-01"}, "end_date", "The end date is before the start date."),
        ({"capacity": "0"}, "capacity", "Must be at least 1."),
        ({"venue_province_code": ""}, "venue_province_code", "Choose the province."),
        ({"code": "has spaces"}, "code", "Not in the expected form."),
    ],
)
async def test_bad_cohort_input_is_refused_with_nothing_saved(client, db, as_role, changes, field, message):
    course_id, _ = await published_course(db)
    await as_role(Role.trainer, language="en")
    response = await post_form(client, "/cohorts/new", cohort_form(course_id, **changes))
    assert response.status_code == 422
    assert f'id="e-{field}">{message}' in response.text
    assert await count(db, Cohort) == 0


async def test_a_cohort_needs_a_published_course(client, db, as_role):
    draft = await make_course(db)
    archived = await make_course(db, status="archived")
    await as_role(Role.trainer, language="en")
    for course in (draft, archived):
        response = await post_form(client, "/cohorts/new", cohort_form(course.id))
        assert response.status_code == 422
        assert 'id="e-course_id">Choose a published course.' in response.text
    assert await count(db, Cohort) == 0


async def test_a_cohort_code_is_used_once(client, db, as_role):
    course_id, _ = await published_course(db)
    await as_role(Role.trainer, language="en")
    assert (await post_form(client, "/cohorts/new", cohort_form(course_id))).status_code == 303
    again = await post_form(client, "/cohorts/new", cohort_form(course_id))
    assert again.status_code == 422 and "This code is already used by another cohort" in again.text
    assert await count(db, Cohort) == 1


# ---------------------------------------------------------------- sessions


async def test_sessions_are_added_edited_and_removed(client, db, as_role):
    course_id, modules = await published_course(db)
    trainer = await as_role(Role.trainer, language="en")
    course = await db.get(Course, course_id)
    cohort = await make_cohort(db, course, trainer_ids=[trainer.id], sessions=0, start=date(2030, 3, 2))
    cohort_id = cohort.id
    url = f"/cohorts/{cohort_id}/sessions/new"
    form = await client.get(url)
    assert form.status_code == 200 and 'name="module_ids"' in form.text
    added = await post_form(
        client,
        url,
        {"day": "2030-03-02", "starts_at": "08:30", "ends_at": "11:30", "module_ids": [modules[0]]},
    )
    assert added.status_code == 303
    meeting = (await db.execute(select(ClassSession))).scalar_one()
    session_id = meeting.id

    edited = await post_form(
        client, f"/cohorts/{cohort_id}/sessions/{session_id}", {"day": "2030-03-02", "module_ids": modules}
    )
    assert edited.status_code == 303
    meeting = await stored(db, ClassSession, session_id)
    assert meeting.day == date(2030, 3, 2) and meeting.starts_at is None
    covered = (
        await db.execute(select(SessionModule.module_id).where(SessionModule.session_id == session_id))
    ).scalars()
    assert sorted(covered) == sorted(modules)

    removed = await post_form(client, f"/cohorts/{cohort_id}/sessions/{session_id}/delete")
    assert removed.status_code == 303
    assert await count(db, ClassSession) == 0
    assert await audit_actions(db) == ["session.create", "session.update", "session.delete"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"day": "2030-04-01"}, "day", "Choose a day within the cohort"),
        ({"day": "2030-03-02", "module_ids": []}, "module_ids", "Choose at least one module."),
        (
            {"day": "2030-03-02", "starts_at": "10:00", "ends_at": "09:00"},
            "ends_at",
            "must end after it starts",
        ),
    ],
)
async def test_bad_sessions_are_refused_with_nothing_saved(client, db, as_role, values, field, message):
    course_id, modules = await published_course(db)
    trainer = await as_role(Role.trainer, language="en")
    cohort = await make_cohort(
        db, await db.get(Course, course_id), trainer_ids=[trainer.id], sessions=0, start=date(2030, 3, 2)
    )
    response = await post_form(client, f"/cohorts/{cohort.id}/sessions/new", {"module_ids": modules} | values)
    assert response.status_code == 422
    assert f'id="e-{field}">' in response.text and message in response.text
    assert await count(db, ClassSession) == 0


async def test_a_session_with_attendance_stays(client, db, as_role):
    course_id, _ = await published_course(db)
    trainer = await as_role(Role.trainer, language="en")
    cohort = await make_cohort(db, await db.get(Course, course_id), trainer_ids=[trainer.id], sessions=1)
    meeting = (await db.execute(select(ClassSession))).scalar_one()
    enrolment = await enrol(db, cohort, await make_trainee(db))
    db.add(Attendance(enrolment_id=enrolment.id, session_id=meeting.id, status="present"))
    await db.commit()
    response = await post_form(client, f"/cohorts/{cohort.id}/sessions/{meeting.id}/delete")
    assert response.status_code == 409 and "Attendance has been taken" in response.text
    assert await count(db, ClassSession) == 1


async def test_new_dates_must_keep_the_sessions_inside(client, db, as_role):
    course_id, _ = await published_course(db)
    trainer = await as_role(Role.trainer, language="en")
    cohort = await make_cohort(
        db, await db.get(Course, course_id), trainer_ids=[trainer.id], sessions=3, start=date(2030, 3, 2)
    )
    values = cohort_form(course_id, code=cohort.code, start_date="2030-03-03", trainer_ids=[str(trainer.id)])
    response = await post_form(client, f"/cohorts/{cohort.id}/edit", values)
    assert response.status_code == 422 and "1 of its sessions fall outside these dates" in response.text
    assert (await stored(db, Cohort, cohort.id)).start_date == date(2030, 3, 2)


# ---------------------------------------------------------------- status


async def test_status_moves_forward_only_and_a_closed_cohort_is_read_only(client, db, as_role):
    course_id, _ = await published_course(db)
    trainer = await as_role(Role.trainer, language="en")
    delivered = today() - timedelta(days=7)  # every session held: the cohort may close
    cohort = await make_cohort(
        db, await db.get(Course, course_id), trainer_ids=[trainer.id], status="planned", start=delivered
    )
    cohort_id, code = cohort.id, cohort.code
    status_url = f"/cohorts/{cohort_id}/status"
    assert (await post_form(client, status_url, {"status": "running"})).status_code == 303
    backwards = await post_form(client, status_url, {"status": "open"})
    assert backwards.status_code == 409 and "only moves forward" in backwards.text
    unconfirmed = await post_form(client, status_url, {"status": "closed"})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm" in unconfirmed.text
    assert (await post_form(client, status_url, {"status": "closed", "confirm": "1"})).status_code == 303
    assert (await stored(db, Cohort, cohort_id)).status == "closed"

    page = await client.get(f"/cohorts/{cohort_id}")
    assert page.status_code == 200 and "This cohort is closed" in page.text
    assert f"/cohorts/{cohort_id}/enrol" not in page.text
    trainee_id = (await make_trainee(db)).id
    writes = [
        (f"/cohorts/{cohort_id}/edit", cohort_form(course_id, code=code, trainer_ids=[str(trainer.id)])),
        (f"/cohorts/{cohort_id}/sessions/new", {"day": date.today().isoformat()}),
        (f"/cohorts/{cohort_id}/enrolments", {"trainee_id": str(trainee_id)}),
        (status_url, {"status": "closed", "confirm": "1"}),
    ]
    for url, data in writes:
        response = await post_form(client, url, data)
        assert response.status_code == 409, url
        assert "This cohort is closed: it can no longer be changed." in response.text
    for url in (
        f"/cohorts/{cohort_id}/edit",
        f"/cohorts/{cohort_id}/sessions/new",
        f"/cohorts/{cohort_id}/enrol",
    ):
        assert (await client.get(url)).status_code == 409, url
    api = await api_write(
        client, "POST", f"/api/v1/cohorts/{cohort_id}/enrolments", {"trainee_id": trainee_id}
    )
    assert (
        api.status_code == 409
        and api.json()["detail"] == "This cohort is closed: it can no longer be changed."
    )
    assert await audit_actions(db) == ["cohort.status", "cohort.status"]


# ---------------------------------------------------------------- who sees which cohort


async def test_a_trainer_sees_only_their_own_cohorts(client, db, as_role):
    course_id, _ = await published_course(db)
    course = await db.get(Course, course_id)
    other = await make_user(db, [Role.trainer])
    theirs = await make_cohort(db, course, trainer_ids=[other.id])
    trainer = await as_role(Role.trainer, language="en")
    mine = await make_cohort(db, course, trainer_ids=[trainer.id])
    mine_id, mine_code, theirs_id, theirs_code = mine.id, mine.code, theirs.id, theirs.code

    listed = await client.get("/cohorts")
    assert listed.status_code == 200
    assert f">{mine_code}<" in listed.text and f">{theirs_code}<" not in listed.text
    for url in (
        f"/cohorts/{theirs_id}",
        f"/cohorts/{theirs_id}/edit",
        f"/cohorts/{theirs_id}/enrol",
        f"/cohorts/{theirs_id}/roster.csv",
        f"/api/v1/cohorts/{theirs_id}",
        f"/api/v1/cohorts/{theirs_id}/enrolments",
    ):
        assert (await client.get(url)).status_code == 403, url
    refused = await post_form(client, f"/cohorts/{theirs_id}/status", {"status": "running"})
    assert refused.status_code == 403
    assert (await stored(db, Cohort, theirs_id)).status == "open"
    assert (await client.get(f"/cohorts/{mine_id}")).status_code == 200
    assert (await client.get("/cohorts/999999")).status_code == 404

    found = (await client.get("/api/v1/cohorts")).json()
    assert [c["code"] for c in found["items"]] == [mine_code] and found["total"] == 1
    assert (await stored(db, Cohort, theirs_id)).status == "open"


async def test_an_admin_sees_every_cohort_and_filters_them(client, db, as_role):
    course_id, _ = await published_course(db)
    course = await db.get(Course, course_id)
    first = await make_cohort(db, course, status="open")
    second = await make_cohort(db, course, status="running")
    first_code, second_code = first.code, second.code
    await as_role(Role.admin, language="en")
    everything = await client.get("/cohorts")
    assert first_code in everything.text and second_code in everything.text
    running = await client.get("/cohorts?status=running")
    assert second_code in running.text and f">{first_code}<" not in running.text
    found = (await client.get("/api/v1/cohorts", params={"q": first_code})).json()
    assert [c["code"] for c in found["items"]] == [first_code]
    elsewhere = (await client.get("/api/v1/cohorts", params={"province_code": "01"})).json()
    assert elsewhere["total"] == 0


@pytest.mark.parametrize("role", [None, Role.trainee])
async def test_trainees_and_visitors_are_refused(client, db, as_role, role):
    course_id, _ = await published_course(db)
    cohort = await make_cohort(db, await db.get(Course, course_id))
    cohort_id = cohort.id
    if role is not None:
        await as_role(role, language="en")
    pages = [f"/cohorts/{cohort_id}", "/cohorts", "/cohorts/new", f"/cohorts/{cohort_id}/roster.xlsx"]
    for url in pages:
        response = await client.get(url)
        assert response.status_code == (403 if role else 303), url
    for url in ("/api/v1/cohorts", f"/api/v1/cohorts/{cohort_id}"):
        assert (await client.get(url)).status_code == (403 if role else 401), url


# ---------------------------------------------------------------- the trainer's dashboard


async def test_the_dashboard_shows_todays_session_and_what_needs_doing(client, db, as_role):
    framework = await make_framework(db, domains=1, per_domain=2)
    competencies = (
        await db.execute(select(Competency.id).where(Competency.framework_id == framework.id))
    ).scalars()
    course_id, _ = await published_course(db, competency_ids=list(competencies))
    trainer = await as_role(Role.trainer, language="en")
    start = today() - timedelta(days=2)
    cohort = await make_cohort(
        db,
        await db.get(Course, course_id),
        trainer_ids=[trainer.id],
        sessions=4,
        start=start,
        status="running",
    )
    cohort_id, code = cohort.id, cohort.code
    first, second = (
        await enrol(db, cohort, await make_trainee(db)),
        await enrol(db, cohort, await make_trainee(db)),
    )
    sessions = list((await db.execute(select(ClassSession).order_by(ClassSession.day))).scalars())
    db.add(Attendance(enrolment_id=first.id, session_id=sessions[0].id, status="present"))
    db.add(Attendance(enrolment_id=second.id, session_id=sessions[0].id, status="late"))
    db.add(Attendance(enrolment_id=first.id, session_id=sessions[1].id, status="present"))
    await db.commit()
    elsewhere = await make_cohort(db, await db.get(Course, course_id), start=today())  # not theirs
    elsewhere_code = elsewhere.code

    home = await client.get("/")

    assert home.status_code == 200
    text = home.text
    assert "Needs action" in text and elsewhere_code not in text
    # Yesterday: one of the two trainees has no attendance; the day before is complete; today is not past.
    assert f'/cohorts/{cohort_id}/sessions/{sessions[1].id}/attendance">Take attendance' in text
    assert "1 trainee without attendance" in text
    assert f'/cohorts/{cohort_id}/sessions/{sessions[0].id}/attendance">Take attendance' not in text
    # 2 enrolled trainees x 2 required competencies, none assessed: not due before the last session, tomorrow.
    assert "required competency assessments missing" not in text
    assert "No session today." not in text
    today_section = text.split('id="today"')[1].split('id="upcoming"')[0]
    assert f"/cohorts/{cohort_id}/sessions/{sessions[2].id}/attendance" in today_section
    upcoming = text.split('id="upcoming"')[1].split('id="my-cohorts"')[0]
    assert f"/cohorts/{cohort_id}/sessions/{sessions[3].id}/attendance" in upcoming
    assert f">{code}</a>" in text.split('id="my-cohorts"')[1]


async def test_the_dashboard_counts_trainees_ready_for_a_certificate(client, db, as_role):
    course_id, _ = await published_course(
        db, with_ethics=False, pledge_required=False, min_attendance_percent=0
    )
    trainer = await as_role(Role.trainer, language="en")
    cohort = await make_cohort(
        db,
        await db.get(Course, course_id),
        trainer_ids=[trainer.id],
        sessions=1,
        start=today() - timedelta(days=1),  # held yesterday
        status="running",
    )
    enrolment = await enrol(db, cohort, await make_trainee(db))
    module_id = (
        await db.execute(select(CourseModule.id).where(CourseModule.course_id == course_id))
    ).scalar_one()
    db.add(ModuleCompletion(enrolment_id=enrolment.id, module_id=module_id, completed_on=today()))
    await db.commit()
    home = await client.get("/")
    assert "1 trainee meets every requirement" in home.text


async def test_other_users_keep_the_welcome_page(client, as_role):
    await as_role(Role.admin, language="en")
    home = await client.get("/")
    assert home.status_code == 200 and "Needs action" not in home.text and "/admin/users" in home.text


# ---------------------------------------------------------------- the JSON API


async def test_cohorts_and_sessions_through_the_api(client, db, as_role):
    course_id, modules = await published_course(db)
    trainer = await as_role(Role.trainer, language="en")
    body = {
        "course_id": course_id,
        "code": "API-1",
        "venue_province_code": "12",
        "start_date": "2030-05-01",
        "end_date": "2030-05-03",
        "capacity": 10,
    }
    bad = await api_write(client, "POST", "/api/v1/cohorts", body | {"end_date": "2030-04-30"})
    assert bad.status_code == 422 and bad.json()["errors"] == {
        "end_date": "The end date is before the start date."
    }
    created = await api_write(client, "POST", "/api/v1/cohorts", body)
    assert created.status_code == 201, created.text
    cohort = created.json()
    assert (
        cohort["trainer_ids"] == [trainer.id]
        and cohort["status"] == "planned"
        and cohort["waitlisted_count"] == 0
    )
    url = f"/api/v1/cohorts/{cohort['id']}"

    updated = await api_write(client, "PUT", url, body | {"capacity": 12, "venue": "NISA"})
    assert (
        updated.status_code == 200 and updated.json()["capacity"] == 12 and updated.json()["venue"] == "NISA"
    )
    opened = await api_write(client, "POST", f"{url}/status", {"status": "open"})
    assert opened.status_code == 200 and opened.json()["status"] == "open"

    outside = await api_write(client, "POST", f"{url}/sessions", {"day": "2030-05-09", "module_ids": modules})
    assert outside.status_code == 422 and "day" in outside.json()["errors"]
    added = await api_write(
        client,
        "POST",
        f"{url}/sessions",
        {"day": "2030-05-02", "starts_at": "08:00", "module_ids": modules[:1]},
    )
    assert added.status_code == 201
    session = added.json()
    assert session["starts_at"] == "08:00:00" and session["module_ids"] == modules[:1]
    changed = await api_write(
        client, "PUT", f"{url}/sessions/{session['id']}", {"day": "2030-05-03", "module_ids": modules}
    )
    assert changed.status_code == 200 and changed.json()["day"] == "2030-05-03"
    assert [s["id"] for s in (await client.get(f"{url}/sessions")).json()] == [session["id"]]
    removed = await client.delete(
        f"{url}/sessions/{session['id']}", headers={"x-csrftoken": await csrf_token(client)}
    )
    assert removed.status_code == 204
    assert (await client.get(f"{url}/sessions")).json() == []


# ---------------------------------------------------------------- in Khmer, in a bounded number of queries


async def test_the_pages_render_in_khmer(client, db, as_role):
    course_id, _ = await published_course(db)
    trainer = await as_role(Role.trainer)  # Khmer, the default
    cohort = await make_cohort(
        db,
        await db.get(Course, course_id),
        trainer_ids=[trainer.id],
        capacity=1,
        start=today() - timedelta(days=1),
    )
    cohort_id = cohort.id
    seated = await enrol(db, cohort, await make_trainee(db))
    await enrol(db, cohort, await make_trainee(db), "waitlisted")
    session_id = (await db.execute(select(ClassSession.id).limit(1))).scalar_one()
    forms = [
        "/",
        "/cohorts",
        "/cohorts/new",
        f"/cohorts/{cohort_id}/edit",
        f"/cohorts/{cohort_id}/sessions/new",
    ]
    forms.append(f"/cohorts/{cohort_id}/sessions/{session_id}")
    with_names = [f"/cohorts/{cohort_id}", f"/cohorts/{cohort_id}/enrol?q=សុខ"]
    with_names.append(f"/cohorts/{cohort_id}/enrolments/{seated.id}/withdraw")
    for url in forms + with_names:
        response = await client.get(url)
        assert response.status_code == 200 and '<html lang="km">' in response.text, url
        assert url in forms or "សុខ ស្រីមុំ" in response.text, url


async def test_the_cohort_page_and_dashboard_take_as_many_queries_for_2_or_20_trainees(
    app, client, db, as_role
):
    course_id, _ = await published_course(db)
    trainer = await as_role(Role.trainer, language="en")

    async def statements_for(trainees: int) -> tuple[int, int]:
        cohort = await make_cohort(
            db, await db.get(Course, course_id), trainer_ids=[trainer.id], start=today() - timedelta(days=1)
        )
        cohort_id = cohort.id
        for _ in range(trainees):
            await enrol(db, cohort, await make_trainee(db))
        counts = []
        for url in (f"/cohorts/{cohort_id}", "/"):
            with statements_sent(app.state.engine) as counted:
                assert (await client.get(url)).status_code == 200
            counts.append(len(counted))
        return counts[0], counts[1]

    few, many = await statements_for(2), await statements_for(20)
    assert few == many
