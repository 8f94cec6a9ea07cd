"""Odd numbers and nesting from outside answer 4xx, never 500: ids and page numbers are bounded in one place
(foundation.numbers), JSON bodies are bounded in depth."""

import pytest

from foundation.roles import Role
from tests.conftest import csrf_token, post_form
from tests.factories import make_trainee
from tests.integration.test_trainees import NEW_TRAINEE

BIG = "9" * 25


async def test_an_anonymous_status_list_number_above_the_database_is_not_found(client):
    assert (await client.get(f"/credentials/status/{BIG}")).status_code == 404


@pytest.mark.parametrize("page", [BIG, str(2**31), "0", "-1", "²", "៣"])
@pytest.mark.parametrize("path", ["/admin/trainees", "/api/v1/trainees", "/cohorts"])
async def test_page_numbers_out_of_range_are_bad_requests(client, db, as_role, path, page):
    await as_role(Role.admin)
    assert (await client.get(path, params={"page": page})).status_code == 400


@pytest.mark.parametrize("entry", [BIG, str(2**63), "-1", "²", "៣"])
@pytest.mark.parametrize("cursor", ["before", "after"])
async def test_the_audit_logs_cursors_out_of_range_are_bad_requests(client, db, as_role, cursor, entry):
    """The audit log pages by entry id (keyset), not by page number."""
    await as_role(Role.admin)
    assert (await client.get("/admin/audit", params={cursor: entry})).status_code == 400


async def test_a_cohort_filter_with_a_digit_int_cannot_read_is_no_filter(client, db, as_role):
    await as_role(Role.admin)
    assert (await client.get("/cohorts", params={"course_id": "²"})).status_code == 200


@pytest.mark.parametrize("organisation", [BIG, str(2**31), "²"])
async def test_the_trainee_form_refuses_numbers_it_cannot_store(client, db, as_role, organisation):
    await as_role(Role.admin)
    response = await post_form(client, "/admin/trainees/new", NEW_TRAINEE | {"organisation_id": organisation})
    assert response.status_code == 422


async def test_a_json_number_above_the_database_is_refused(client, db, as_role):
    await as_role(Role.admin)
    trainee = await make_trainee(db)
    body = {"name_km": "ចាន់ ដារ៉ា", "organisation_id": int(BIG)}
    headers = {"x-csrftoken": await csrf_token(client), "content-type": "application/json"}
    response = await client.put(f"/api/v1/trainees/{trainee.id}", json=body, headers=headers)
    assert response.status_code == 400


async def test_a_json_body_nested_100000_deep_is_refused(client, db, as_role):
    await as_role(Role.admin)
    headers = {"x-csrftoken": await csrf_token(client), "content-type": "application/json"}
    body = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = await client.post("/api/v1/organisations", content=body, headers=headers)
    assert response.status_code == 400
