"""The assessment grid (every attempt kept, the latest counts) and module completion, on pages and the API."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import Competency, CourseModule
from foundation.audit import AuditEntry
from foundation.clock import today
from foundation.roles import Role
from tests.conftest import csrf_token, post_form
from tests.factories import make_user
from tests.integration.test_attendance import Class, make_class
from training.models import Assessment, ModuleCompletion


async def attempts(db: AsyncSession) -> list[Assessment]:
    await db.rollback()
    return list((await db.execute(select(Assessment).order_by(Assessment.id))).scalars())


async def completions(db: AsyncSession) -> set[tuple[int, int]]:
    await db.rollback()
    rows = await db.execute(select(ModuleCompletion))
    return {(done.enrolment_id, done.module_id) for done in rows.scalars()}


async def actions(db: AsyncSession, prefix: str) -> list[AuditEntry]:
    await db.rollback()
    rows = await db.execute(
        select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
    )
    return list(rows.scalars())


async def module_ids(db: AsyncSession, group: Class) -> list[int]:
    rows = await db.execute(
        select(CourseModule.id)
        .where(CourseModule.course_id == group.course_id)
        .order_by(CourseModule.position)
    )
    return list(rows.scalars())


def cell(group: Class, enrolment: int = 0, competency: int = 0) -> str:
    enrolment_id, competency_id = group.enrolment_ids[enrolment], group.competency_ids[competency]
    return f"/cohorts/{group.cohort_id}/assessments/{enrolment_id}/{competency_id}"


ATTEMPT = {"result": "competent", "method": "observation", "evidence": "Role play of a home visit."}


async def test_grid_shows_trainees_by_target_competencies(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=2)
    page = await client.get(f"/cohorts/{group.cohort_id}/assessments")
    assert page.status_code == 200
    codes = (
        await db.execute(select(Competency.code).where(Competency.id.in_(group.competency_ids)))
    ).scalars()
    for code in codes:
        assert f">{code}</abbr>" in page.text
    assert page.text.count('<select name="result-') == 2 * 3
    assert page.text.count('<option value="">–</option>') == 2 * 3  # blank: not assessed
    assert f'href="{cell(group, 1, 2)}"' in page.text  # every attempt of a cell


async def test_recording_attempts_keeps_history_and_the_latest_counts(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], start=today() - timedelta(days=3))
    form = await client.get(cell(group))
    assert form.status_code == 200 and f'value="{today().isoformat()}"' in form.text
    first = await post_form(
        client,
        cell(group),
        ATTEMPT | {"result": "not_yet_competent", "assessed_on": str(today() - timedelta(days=2))},
    )
    assert first.status_code == 303
    assert first.headers["location"] == (
        f"/cohorts/{group.cohort_id}/assessments?notice=saved#cell-{group.enrolment_ids[0]}-{group.competency_ids[0]}"
    )
    second = await post_form(
        client, cell(group), ATTEMPT | {"method": "written", "assessed_on": str(today())}
    )
    assert second.status_code == 303
    older, newer = await attempts(db)
    assert (older.result, newer.result) == ("not_yet_competent", "competent")
    assert newer.assessor_id == trainer.id and newer.method == "written"
    page = await client.get(cell(group))
    history = page.text.split("Every attempt")[1]
    assert history.index("Written test") < history.index("Observation")  # newest first
    assert page.text.count('class="latest"') == 1
    grid = await client.get(f"/cohorts/{group.cohort_id}/assessments")
    row = grid.text.split(f'id="cell-{group.enrolment_ids[0]}-{group.competency_ids[0]}"')[1].split("</td>")[
        0
    ]
    assert '<option value="competent" selected>' in row and 'not_yet_competent" selected' not in row
    logged = await actions(db, "assessment.")
    assert [entry.action for entry in logged] == ["assessment.create", "assessment.create"]
    assert logged[1].after["result"] == "competent" and logged[1].actor_id == trainer.id


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"assessed_on": "tomorrow"}, "assessed_on", "Not a date"),
        ({"assessed_on": "FUTURE"}, "assessed_on", "This date is in the future."),
        ({"assessed_on": "BEFORE"}, "assessed_on", "before the cohort started"),
        ({"method": "telepathy"}, "method", "Choose one of the options."),
        ({"result": "brilliant"}, "result", "Choose one of the options."),
        ({"evidence": "x" * 2001}, "evidence", "at most 2000 characters"),
    ],
)
async def test_a_bad_attempt_is_refused_clearly_and_nothing_saved(
    client, db, as_role, change, field, message
):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    dates = {"FUTURE": str(today() + timedelta(days=1)), "BEFORE": str(today() - timedelta(days=1))}
    change = {key: dates.get(value, value) for key, value in change.items()}
    response = await post_form(client, cell(group), ATTEMPT | {"assessed_on": str(today())} | change)
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text and message in response.text
    assert await attempts(db) == []
    assert await actions(db, "assessment.") == []


async def test_api_refuses_a_competency_the_course_does_not_target(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    other = await make_class(db, [trainer.id])
    api = f"/api/v1/cohorts/{group.cohort_id}/assessments"
    headers = {"x-csrftoken": await csrf_token(client)}
    body = ATTEMPT | {"enrolment_id": group.enrolment_ids[0], "competency_id": other.competency_ids[0]}
    response = await client.post(api, json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == {"competency_id": "This competency is not one the course targets."}
    foreign = await client.post(
        api,
        json=body | {"enrolment_id": other.enrolment_ids[0], "competency_id": group.competency_ids[0]},
        headers=headers,
    )
    assert foreign.status_code == 422 and "enrolment_id" in foreign.json()["errors"]
    assert await attempts(db) == []
    # and on the pages, such a cell does not exist
    assert (
        await client.get(
            f"/cohorts/{group.cohort_id}/assessments/{group.enrolment_ids[0]}/{other.competency_ids[0]}"
        )
    ).status_code == 404


async def test_api_records_and_lists_attempts(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id])
    api = f"/api/v1/cohorts/{group.cohort_id}/assessments"
    headers = {"x-csrftoken": await csrf_token(client)}
    body = ATTEMPT | {"enrolment_id": group.enrolment_ids[0], "competency_id": group.competency_ids[0]}
    created = await client.post(api, json=body | {"result": "not_yet_competent"}, headers=headers)
    assert created.status_code == 201, created.text
    assert (
        created.json()["assessed_on"] == today().isoformat() and created.json()["assessor_id"] == trainer.id
    )
    await client.post(api, json=body, headers=headers)
    listed = (await client.get(api)).json()
    assert [(a["result"], a["latest"]) for a in listed] == [("not_yet_competent", False), ("competent", True)]


async def test_closed_cohort_assessments_are_read_only(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], status="closed")
    page = await client.get(cell(group))
    assert page.status_code == 200 and "Save the attempt" not in page.text
    response = await post_form(client, cell(group), ATTEMPT | {"assessed_on": str(today())})
    assert response.status_code == 409
    modules = await module_ids(db, group)
    toggle = await post_form(
        client, f"/cohorts/{group.cohort_id}/modules", {"complete": f"{group.enrolment_ids[0]}-{modules[0]}"}
    )
    assert toggle.status_code == 409
    assert await attempts(db) == [] and await completions(db) == set()


async def test_other_trainers_trainees_and_visitors_are_refused(client, db, as_role):
    owner = await make_user(db, [Role.trainer])
    group = await make_class(db, [owner.id])
    await as_role(Role.trainer, language="en")
    for url in (
        f"/cohorts/{group.cohort_id}/assessments",
        cell(group),
        f"/cohorts/{group.cohort_id}/modules",
    ):
        assert (await client.get(url)).status_code == 403
    assert (await post_form(client, cell(group), ATTEMPT | {"assessed_on": str(today())})).status_code == 403
    assert (await client.get(f"/api/v1/cohorts/{group.cohort_id}/module-completions")).status_code == 403
    await as_role(Role.trainee, language="en")
    assert (await client.get(f"/cohorts/{group.cohort_id}/assessments")).status_code == 403
    assert await attempts(db) == []


async def test_module_completion_one_trainee_then_undo(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=2)
    _, ethics = await module_ids(db, group)
    url = f"/cohorts/{group.cohort_id}/modules"
    key = f"{group.enrolment_ids[0]}-{ethics}"
    headers = {"hx-request": "true", "x-csrftoken": await csrf_token(client)}
    done = await client.post(url, data={"complete": key}, headers=headers)
    assert done.status_code == 200
    assert done.text.strip().startswith(f'<td id="module-{key}"') and 'aria-pressed="true"' in done.text
    assert f'id="done-count-{ethics}" hx-swap-oob="true">1 of 2 done' in done.text
    assert await completions(db) == {(group.enrolment_ids[0], ethics)}
    again = await client.post(url, data={"complete": key}, headers=headers)  # a double press changes nothing
    assert again.status_code == 200 and len(await actions(db, "module_completion.")) == 1
    undone = await post_form(client, url, {"undo": key})
    assert undone.status_code == 303
    assert await completions(db) == set()
    logged = await actions(db, "module_completion.")
    assert [e.action for e in logged] == ["module_completion.create", "module_completion.delete"]
    assert logged[1].before["module_id"] == ethics and logged[1].entity_id == str(group.enrolment_ids[0])


async def test_module_completion_for_everyone(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=3)
    regular, _ = await module_ids(db, group)
    url = f"/cohorts/{group.cohort_id}/modules"
    await post_form(client, url, {"complete": f"{group.enrolment_ids[0]}-{regular}"})
    response = await post_form(client, url, {"complete_all": str(regular)})
    assert response.status_code == 303
    assert await completions(db) == {(e, regular) for e in group.enrolment_ids}
    assert len(await actions(db, "module_completion.create")) == 3  # the one done before keeps its record
    page = await client.get(url)
    assert "3 of 3 done" in page.text


async def test_module_completion_api(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=3)
    regular, ethics = await module_ids(db, group)
    api = f"/api/v1/cohorts/{group.cohort_id}/module-completions"
    headers = {"x-csrftoken": await csrf_token(client)}
    first, second, third = group.enrolment_ids
    put = await client.put(f"{api}/{regular}", json={"enrolment_ids": [first, second]}, headers=headers)
    assert put.status_code == 200, put.text
    assert {row["enrolment_id"] for row in put.json()} == {first, second}
    put = await client.put(f"{api}/{regular}", json={"enrolment_ids": [second, third]}, headers=headers)
    assert {row["enrolment_id"] for row in put.json()} == {second, third}
    assert await completions(db) == {(second, regular), (third, regular)}
    bad = await client.put(f"{api}/{regular}", json={"enrolment_ids": [999999]}, headers=headers)
    assert bad.status_code == 422
    other_course = await client.put(f"{api}/999999", json={"enrolment_ids": [first]}, headers=headers)
    assert other_course.status_code == 422 and "module_id" in other_course.json()["errors"]
    assert await completions(db) == {(second, regular), (third, regular)}
    listed = (await client.get(api)).json()
    assert {(row["enrolment_id"], row["module_id"]) for row in listed} == {
        (second, regular),
        (third, regular),
    }
    assert ethics not in {row["module_id"] for row in listed}
