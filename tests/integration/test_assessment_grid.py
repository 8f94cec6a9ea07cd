"""Assessing a whole group on one screen: a cell at a time (htmx) or the whole grid as one form, "all
competent" for a column or a row, errors on their cell, nothing duplicated, every write audited."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from foundation.clock import today
from foundation.roles import Role
from tests.conftest import post_form
from tests.delivery_factories import enrol
from tests.factories import make_trainee
from tests.integration.test_assessments import actions, attempts
from tests.integration.test_attendance import Class, htmx_post, make_class
from tests.integration.test_query_counts import people, same_count_for_few_and_many
from training.models import Assessment, Cohort, Enrolment

SCREEN = {"method": "written", "assessed_on": str(today())}


def grid_url(group: Class) -> str:
    return f"/cohorts/{group.cohort_id}/assessments"


def key(group: Class, trainee: int, competency: int) -> str:
    return f"{group.enrolment_ids[trainee]}-{group.competency_ids[competency]}"


def cells(group: Class, results: dict[tuple[int, int], str]) -> dict[str, str]:
    """The grid's fields for these (trainee, competency) positions."""
    return {f"result-{key(group, t, c)}": result for (t, c), result in results.items()}


def state(page: str, cell_key: str) -> str:
    """What a cell's state says (saved, or its problem)."""
    return page.split(f'id="state-{cell_key}"')[1].split("</td>")[0]


async def test_a_cell_saves_alone_and_the_same_value_again_writes_nothing(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], start=today() - timedelta(days=2))
    cell = key(group, 0, 1)
    answer = await htmx_post(client, grid_url(group), SCREEN | {f"result-{cell}": "competent"})
    assert answer.status_code == 200
    assert "Saved" in state(answer.text, cell) and "<html" not in answer.text
    again = await htmx_post(client, grid_url(group), SCREEN | {f"result-{cell}": "competent"})
    assert again.status_code == 200
    [attempt] = await attempts(db)
    assert (attempt.result, attempt.method, attempt.assessed_on) == ("competent", "written", today())
    assert attempt.assessor_id == trainer.id
    changed = await htmx_post(client, grid_url(group), SCREEN | {f"result-{cell}": "not_yet_competent"})
    assert changed.status_code == 200
    noted = {f"result-{cell}": "not_yet_competent", f"evidence-{cell}": "Missed the referral step."}
    assert (await htmx_post(client, grid_url(group), SCREEN | noted)).status_code == 200
    blank = await htmx_post(client, grid_url(group), SCREEN | {f"result-{key(group, 1, 1)}": ""})
    assert blank.status_code == 200  # blank: not assessed, nothing written, nothing said to be saved
    assert "Saved" not in state(blank.text, key(group, 1, 1))
    history = await attempts(db)
    ids = [str(a.id) for a in history]
    assert [(a.result, a.evidence) for a in history] == [
        ("competent", ""),
        ("not_yet_competent", ""),
        ("not_yet_competent", "Missed the referral step."),
    ]
    logged = await actions(db, "assessment.")
    assert [entry.entity_id for entry in logged] == ids
    assert logged[0].after["result"] == "competent" and logged[0].actor_id == trainer.id
    page = await client.get(grid_url(group))
    latest = page.text.split(f'id="cell-{cell}"')[1].split("</td>")[0]
    assert '<option value="not_yet_competent" selected>' in latest and '<option value="">' not in latest


async def test_the_whole_grid_posts_as_one_form_without_javascript(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=2)
    everything = {
        (t, c): "competent" if (t + c) % 2 else "not_yet_competent" for t in range(2) for c in range(3)
    }
    form = SCREEN | cells(group, everything) | {f"evidence-{key(group, 0, 0)}": "Role play"}
    saved = await post_form(client, grid_url(group), form)
    assert saved.status_code == 303
    assert parse_qs(urlsplit(saved.headers["location"]).query) == {
        "method": ["written"],
        "assessed_on": [str(today())],
        "notice": ["saved"],
    }
    assert len(await attempts(db)) == 6
    assert (await post_form(client, grid_url(group), form)).status_code == 303  # sent twice: no duplicates
    assert len(await attempts(db)) == 6 and len(await actions(db, "assessment.")) == 6
    # On a phone the next trainee is a button of the same form: it saves, then shows that trainee.
    after = group.enrolment_ids[1]
    moved = await post_form(client, grid_url(group), form | {"go": str(after)})
    assert f"trainee={after}" in moved.headers["location"] and len(await attempts(db)) == 6
    page = await client.get(moved.headers["location"])
    assert f'<tr id="trainee-{after}" class="shown">' in page.text
    assert "Trainee 2 of 2" in page.text and 'name="go"' in page.text


async def test_a_problem_shows_on_its_cell_and_nothing_is_saved(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], start=today() - timedelta(days=1))
    other = await make_class(db, [trainer.id])
    withdrawn = Enrolment(
        cohort_id=group.cohort_id, trainee_id=(await make_trainee(db)).id, status="withdrawn"
    )
    db.add(withdrawn)
    await db.commit()
    left, foreign = (
        f"{withdrawn.id}-{group.competency_ids[0]}",
        f"{group.enrolment_ids[0]}-{other.competency_ids[0]}",
    )
    good = key(group, 1, 0)
    form = SCREEN | {
        f"result-{good}": "competent",
        f"result-{left}": "competent",
        f"result-{foreign}": "competent",
    }
    refused = await post_form(client, grid_url(group), form)
    assert refused.status_code == 422
    assert "This trainee is not enrolled in this cohort." in refused.text  # the withdrawn trainee's cell
    assert "This competency is not one the course targets." in refused.text
    assert (
        '<option value="competent" selected>' in refused.text.split(f'id="cell-{good}"')[1].split("</td>")[0]
    )
    gone = await htmx_post(client, grid_url(group), SCREEN | {f"result-{left}": "competent"})
    assert gone.status_code == 422  # a trainee withdrawn while the grid was open: the cell says so
    assert "This trainee is not enrolled in this cohort." in state(gone.text, left)
    future = SCREEN | {"assessed_on": str(today() + timedelta(days=1)), f"result-{good}": "competent"}
    one = await htmx_post(client, grid_url(group), future)
    assert one.status_code == 422 and "This date is in the future." in state(one.text, good)
    early = SCREEN | {"assessed_on": str(today() - timedelta(days=3)), f"result-{good}": "competent"}
    assert "before the cohort started" in state((await htmx_post(client, grid_url(group), early)).text, good)
    garbled = SCREEN | {"assessed_on": "soon", f"result-{good}": "brilliant"}
    bad = await htmx_post(client, grid_url(group), garbled)
    assert bad.status_code == 422 and "Not a date" in state(bad.text, good)
    assert await attempts(db) == [] and await actions(db, "assessment.") == []


async def test_all_competent_for_a_column_then_a_row_after_a_confirmation(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=3)
    before = cells(group, {(0, 0): "competent", (1, 0): "not_yet_competent"})
    assert (await post_form(client, grid_url(group), SCREEN | before)).status_code == 303
    column = f"competency-{group.competency_ids[0]}"
    asked = await post_form(client, grid_url(group), SCREEN | before | {"everyone": column})
    assert asked.status_code == 303 and "/assessments/all-competent?" in asked.headers["location"]
    confirm = await client.get(asked.headers["location"])
    assert confirm.status_code == 200 and "these 2 cells" in confirm.text
    assert len(await attempts(db)) == 2  # asking writes nothing
    done = await post_form(
        client, f"{grid_url(group)}/all-competent", SCREEN | {"competency": group.competency_ids[0]}
    )
    assert done.status_code == 303
    history = await attempts(db)
    assert [(a.enrolment_id, a.competency_id, a.result) for a in history[2:]] == [
        (group.enrolment_ids[1], group.competency_ids[0], "competent"),
        (group.enrolment_ids[2], group.competency_ids[0], "competent"),
    ]
    row = {"trainee": group.enrolment_ids[0]}
    assert "these 2 cells" in (await client.get(f"{grid_url(group)}/all-competent", params=row)).text
    assert (await post_form(client, f"{grid_url(group)}/all-competent", SCREEN | row)).status_code == 303
    assert (await post_form(client, f"{grid_url(group)}/all-competent", SCREEN | row)).status_code == 303
    history = await attempts(db)
    assert len(history) == 6 and all(a.result == "competent" for a in history[2:])
    assert len(await actions(db, "assessment.create")) == 6
    future = (
        SCREEN | row | {"assessed_on": str(today() + timedelta(days=1)), "trainee": group.enrolment_ids[1]}
    )
    refused = await post_form(client, f"{grid_url(group)}/all-competent", future)
    assert refused.status_code == 422 and "This date is in the future." in refused.text
    missing = await client.get(f"{grid_url(group)}/all-competent", params={"competency": 999999})
    assert missing.status_code == 404
    assert len(await attempts(db)) == 6


async def test_only_the_cohorts_trainers_record_on_the_grid(client, db, as_role):
    group = await make_class(db, [])
    await as_role(Role.trainer, language="en")
    form = SCREEN | cells(group, {(0, 0): "competent"})
    assert (await post_form(client, grid_url(group), form)).status_code == 403
    assert (await htmx_post(client, grid_url(group), form)).status_code == 403
    bulk = SCREEN | {"competency": group.competency_ids[0]}
    assert (await post_form(client, f"{grid_url(group)}/all-competent", bulk)).status_code == 403
    assert await attempts(db) == []


async def test_a_closed_cohort_shows_its_grid_read_only(client, db: AsyncSession, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], status="closed")
    page = await client.get(grid_url(group))
    assert page.status_code == 200 and "<select" not in page.text.split("assessment-grid")[1]
    assert "All competent" not in page.text
    refused = await post_form(client, grid_url(group), SCREEN | cells(group, {(0, 0): "competent"}))
    assert refused.status_code == 409 and await attempts(db) == []


async def test_the_grid_reads_the_same_statements_for_few_and_many_trainees(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=0)
    cohort = await db.get(Cohort, group.cohort_id)
    add_trainees = people(db)

    async def assessed(count: int) -> list[str]:
        trainees = await add_trainees(count)
        for trainee in trainees:
            enrolment = await enrol(db, cohort, trainee)
            db.add(
                Assessment(
                    enrolment_id=enrolment.id,
                    competency_id=group.competency_ids[0],
                    result="competent",
                    method="observation",
                    assessed_on=today(),
                )
            )
        await db.commit()
        return [trainee.name_latin for trainee in trainees]

    await same_count_for_few_and_many(client, grid_url(group), assessed)
