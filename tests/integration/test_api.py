"""The JSON API (/api/v1) and its docs page, over HTTP on both databases."""

import re

import pytest
from sqlalchemy import func, select

from foundation.audit import AuditEntry
from foundation.roles import Role
from people.models import Organisation, Trainee, User
from tests.conftest import csrf_token
from tests.factories import PHNOM_PENH_COMMUNE, make_organisation, make_trainee

NEW_TRAINEE = {
    "name_km": "ចាន់ សុភា",
    "name_latin": "Chan Sophea",
    "sex": "female",
    "phone": "012 345 678",
    "email": "Chan.Sophea@Example.org",
    "commune_code": PHNOM_PENH_COMMUNE,
    "position": "Social worker",
}
NEW_ORGANISATION = {
    "name_km": "មន្ទីរសង្គមកិច្ច",
    "name_en": "Provincial Social Affairs",
    "kind": "government",
    "commune_code": PHNOM_PENH_COMMUNE,
}


async def send(client, method: str, url: str, body: object = None):  # type: ignore[no-untyped-def]
    """A JSON request with the CSRF header, as a script in the signed-in browser sends it."""
    headers = {"x-csrftoken": await csrf_token(client)}
    return await client.request(method, url, json=body, headers=headers)


async def count(db, model) -> int:  # type: ignore[no-untyped-def]
    await db.rollback()  # see what the app committed since
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


async def fresh(db, model, row_id: int):  # type: ignore[no-untyped-def]
    """The row as stored now, read afresh."""
    await db.rollback()
    return await db.get(model, row_id, populate_existing=True)


async def actions(db, entity_type: str, entity_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    await db.rollback()
    query = (
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    return list((await db.execute(query)).scalars())


@pytest.fixture
async def admin(as_role, client):  # type: ignore[no-untyped-def]
    client.cookies["nisa_lang"] = "en"
    return await as_role(Role.admin)


# ---------------------------------------------------------------- trainees


async def test_trainees_are_listed_searched_and_paginated(client, db, admin):
    for name in ("Dara One", "Dara Two", "Dara Three"):
        await make_trainee(db, name_latin=name)
    await make_trainee(db, name_latin="Vanna Other")
    inactive = await make_trainee(db, name_latin="Dara Gone")
    await send(client, "POST", f"/api/v1/trainees/{inactive.id}/deactivate")

    first = (await client.get("/api/v1/trainees", params={"q": "dara", "per_page": 2})).json()
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    second = (await client.get("/api/v1/trainees", params={"q": "dara", "per_page": 2, "page": 2})).json()
    names = {t["name_latin"] for t in first["items"] + second["items"]}
    assert names == {"Dara One", "Dara Two", "Dara Three"}
    everyone = (await client.get("/api/v1/trainees", params={"q": "dara", "include_inactive": True})).json()
    assert everyone["total"] == 4
    assert {"id", "name_km", "phone", "active", "commune_code"} <= set(everyone["items"][0])
    assert (await client.get("/api/v1/trainees", params={"per_page": 101})).status_code == 400


async def test_get_one_trainee_and_unknown_id(client, db, admin):
    trainee = await make_trainee(db, name_latin="Sok Dara")
    response = await client.get(f"/api/v1/trainees/{trainee.id}")
    assert response.status_code == 200
    assert response.json()["name_latin"] == "Sok Dara"
    missing = await client.get("/api/v1/trainees/999999")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No such trainee."


async def test_create_trainee_normalises_phone_and_is_audited(client, db, admin):
    response = await send(client, "POST", "/api/v1/trainees", NEW_TRAINEE)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["phone"] == "+85512345678"
    assert created["email"] == "chan.sophea@example.org"
    assert created["active"] is True
    assert await actions(db, "trainee", created["id"]) == ["trainee.create"]


async def test_update_trainee(client, db, admin):
    organisation = await make_organisation(db)
    trainee = await make_trainee(db)
    changed = NEW_TRAINEE | {"name_latin": "Chan Sopheap", "organisation_id": organisation.id}
    response = await send(client, "PUT", f"/api/v1/trainees/{trainee.id}", changed)
    assert response.status_code == 200, response.text
    assert response.json()["name_latin"] == "Chan Sopheap"
    assert response.json()["organisation_id"] == organisation.id
    assert await actions(db, "trainee", trainee.id) == ["trainee.update"]
    missing = await send(client, "PUT", "/api/v1/trainees/999999", NEW_TRAINEE)
    assert missing.status_code == 404


async def test_deactivate_and_reactivate_trainee(client, db, admin):
    trainee = await make_trainee(db)
    off = await send(client, "POST", f"/api/v1/trainees/{trainee.id}/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False
    on = await send(client, "POST", f"/api/v1/trainees/{trainee.id}/reactivate")
    assert on.status_code == 200 and on.json()["active"] is True
    assert await actions(db, "trainee", trainee.id) == ["trainee.deactivate", "trainee.reactivate"]
    assert (await send(client, "POST", "/api/v1/trainees/999999/deactivate")).status_code == 404


async def test_invalid_trainee_gets_field_errors_and_nothing_is_saved(client, db, admin):
    before = await count(db, Trainee)
    bad = NEW_TRAINEE | {"name_km": "  ", "phone": "12", "email": "not-an-email"}
    response = await send(client, "POST", "/api/v1/trainees", bad)
    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"] == "Please correct the marked fields."
    assert answer["errors"]["name_km"] == "This field is required."
    assert answer["errors"]["phone"].startswith("Not a phone number")
    assert answer["errors"]["email"].startswith("Not an email address")
    unknown_commune = await send(client, "POST", "/api/v1/trainees", NEW_TRAINEE | {"commune_code": "999999"})
    assert unknown_commune.status_code == 422
    assert unknown_commune.json()["errors"] == {"commune_code": "Unknown commune code."}
    missing_sex = await send(
        client, "POST", "/api/v1/trainees", {k: v for k, v in NEW_TRAINEE.items() if k != "sex"}
    )
    assert missing_sex.json()["errors"] == {"sex": "This field is required."}
    assert await count(db, Trainee) == before


async def test_body_that_is_not_a_json_object_is_refused(client, db, admin):
    headers = {"x-csrftoken": await csrf_token(client), "content-type": "application/json"}
    broken = await client.post("/api/v1/trainees", content=b"{not json", headers=headers)
    assert broken.status_code == 400
    assert (await send(client, "POST", "/api/v1/trainees", [NEW_TRAINEE])).status_code == 400


async def test_suspected_duplicate_needs_confirmation(client, db, admin):
    existing = await make_trainee(db, name_km="ចាន់ សុភា", name_latin="Chan Sophea", phone="+85512345678")
    before = await count(db, Trainee)
    response = await send(client, "POST", "/api/v1/trainees", NEW_TRAINEE)
    assert response.status_code == 409
    assert response.json()["matches"] == [
        {"id": existing.id, "name_km": "ចាន់ សុភា", "name_latin": "Chan Sophea"}
    ]
    assert await count(db, Trainee) == before
    by_query = await send(client, "POST", "/api/v1/trainees?confirm_duplicate=true", NEW_TRAINEE)
    assert by_query.status_code == 201
    by_body = await send(client, "POST", "/api/v1/trainees", NEW_TRAINEE | {"confirm_duplicate": True})
    assert by_body.status_code == 201
    assert await count(db, Trainee) == before + 2


async def test_update_into_a_duplicate_needs_confirmation(client, db, admin):
    await make_trainee(db, phone="+85512345678")
    other = await make_trainee(db, name_latin="Keo Other")
    other_id, phone = other.id, other.phone
    response = await send(client, "PUT", f"/api/v1/trainees/{other_id}", NEW_TRAINEE)
    assert response.status_code == 409
    unchanged = await fresh(db, Trainee, other_id)
    assert (unchanged.name_latin, unchanged.phone) == ("Keo Other", phone)
    assert await actions(db, "trainee", other_id) == []
    confirmed = await send(
        client, "PUT", f"/api/v1/trainees/{other_id}", NEW_TRAINEE | {"confirm_duplicate": True}
    )
    assert confirmed.status_code == 200


# ---------------------------------------------------------------- organisations


async def test_organisations_crud(client, db, admin):
    created = await send(client, "POST", "/api/v1/organisations", NEW_ORGANISATION)
    assert created.status_code == 201, created.text
    organisation_id = created.json()["id"]
    assert created.json()["active"] is True
    found = (await client.get("/api/v1/organisations", params={"q": "provincial"})).json()
    assert [o["id"] for o in found["items"]] == [organisation_id] and found["total"] == 1
    assert (await client.get(f"/api/v1/organisations/{organisation_id}")).json()[
        "name_en"
    ] == NEW_ORGANISATION["name_en"]
    renamed = await send(
        client,
        "PUT",
        f"/api/v1/organisations/{organisation_id}",
        NEW_ORGANISATION | {"name_en": "Provincial Department", "kind": "ngo"},
    )
    assert renamed.status_code == 200 and renamed.json()["kind"] == "ngo"
    off = await send(client, "POST", f"/api/v1/organisations/{organisation_id}/deactivate")
    assert off.json()["active"] is False
    assert (await client.get("/api/v1/organisations", params={"q": "provincial"})).json()["total"] == 0
    hidden = await client.get("/api/v1/organisations", params={"q": "provincial", "include_inactive": True})
    assert hidden.json()["total"] == 1
    on = await send(client, "POST", f"/api/v1/organisations/{organisation_id}/reactivate")
    assert on.json()["active"] is True
    assert await actions(db, "organisation", organisation_id) == [
        "organisation.create",
        "organisation.update",
        "organisation.deactivate",
        "organisation.reactivate",
    ]
    assert (await client.get("/api/v1/organisations/999999")).status_code == 404


async def test_invalid_organisation_gets_field_errors(client, db, admin):
    before = await count(db, Organisation)
    response = await send(
        client, "POST", "/api/v1/organisations", NEW_ORGANISATION | {"name_en": "", "kind": "club"}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name_en", "kind"}
    unknown = await send(
        client, "POST", "/api/v1/organisations", NEW_ORGANISATION | {"commune_code": "999999"}
    )
    assert unknown.json()["errors"] == {"commune_code": "Unknown commune code."}
    assert await count(db, Organisation) == before


# ---------------------------------------------------------------- users


async def test_users_crud_invitation_and_reset(client, db, admin):
    response = await send(
        client,
        "POST",
        "/api/v1/users",
        {"email": "New.Trainer@Example.org", "display_name": "New Trainer", "roles": ["trainer"]},
    )
    assert response.status_code == 201, response.text
    user = response.json()
    assert (
        user["email"] == "new.trainer@example.org"
        and user["roles"] == ["trainer"]
        and user["invited"] is True
    )
    assert re.fullmatch(r"http://testserver\.local/password/[\w-]+", user["invitation_url"])
    found = (await client.get("/api/v1/users", params={"q": "new trainer"})).json()
    assert [u["id"] for u in found["items"]] == [user["id"]]
    assert (await client.get(f"/api/v1/users/{user['id']}")).json()["display_name"] == "New Trainer"
    updated = await send(
        client,
        "PUT",
        f"/api/v1/users/{user['id']}",
        {"email": user["email"], "display_name": "Trainer Two", "roles": ["admin", "trainer"]},
    )
    assert updated.status_code == 200 and updated.json()["roles"] == ["admin", "trainer"]
    reset = await send(client, "POST", f"/api/v1/users/{user['id']}/reset-password")
    assert reset.status_code == 200
    assert reset.json()["reset_url"].startswith("http://testserver.local/password/")
    assert reset.json()["reset_url"] != user["invitation_url"]
    off = await send(client, "POST", f"/api/v1/users/{user['id']}/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False
    on = await send(client, "POST", f"/api/v1/users/{user['id']}/reactivate")
    assert on.json()["active"] is True
    assert await actions(db, "user_account", user["id"]) == [
        "user.create",
        "user.update",
        "user.password_reset",
        "user_account.deactivate",
        "user_account.reactivate",
    ]
    assert (await client.get("/api/v1/users/999999")).status_code == 404


async def test_invalid_user_gets_field_errors(client, db, admin):
    before = await count(db, User)
    response = await send(client, "POST", "/api/v1/users", {"email": "nope", "display_name": "", "roles": []})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"email", "display_name", "roles"}
    taken = await send(
        client, "POST", "/api/v1/users", {"email": admin.email, "display_name": "X", "roles": ["trainer"]}
    )
    assert taken.json()["errors"] == {"email": "Another user already has this email."}
    assert await count(db, User) == before


async def test_admin_cannot_deactivate_themselves(client, db, admin):
    response = await send(client, "POST", f"/api/v1/users/{admin.id}/deactivate")
    assert response.status_code == 409
    assert response.json()["detail"] == "You cannot deactivate your own account."
    assert (await fresh(db, User, admin.id)).active


# ---------------------------------------------------------------- access


ADMIN_ONLY = ["/api/v1/users", "/api/v1/organisations"]
TRAINER_OR_ADMIN = ["/api/v1/trainees"]
ANY_SIGNED_IN = ["/api/v1/locations/provinces"]


async def test_anonymous_gets_401_json(client, db):
    before = await count(db, Trainee)
    for url in ADMIN_ONLY + TRAINER_OR_ADMIN + ANY_SIGNED_IN:
        response = await client.get(url)
        assert response.status_code == 401, url
        assert response.headers["content-type"].startswith("application/json")
    assert (await send(client, "POST", "/api/v1/trainees", NEW_TRAINEE)).status_code == 401
    assert await count(db, Trainee) == before


async def test_trainee_login_may_only_read_locations(client, db, as_role):
    await as_role(Role.trainee)
    before = await count(db, Trainee)
    for url in ADMIN_ONLY + TRAINER_OR_ADMIN:
        assert (await client.get(url)).status_code == 403, url
    assert (await send(client, "POST", "/api/v1/trainees", NEW_TRAINEE)).status_code == 403
    assert await count(db, Trainee) == before
    assert (await client.get("/api/v1/locations/provinces")).status_code == 200


async def test_trainer_manages_trainees_but_not_users_or_organisations(client, db, as_role):
    await as_role(Role.trainer)
    for url in ADMIN_ONLY:
        assert (await client.get(url)).status_code == 403, url
    assert (await send(client, "POST", "/api/v1/organisations", NEW_ORGANISATION)).status_code == 403
    assert await count(db, Organisation) == 0
    assert (await client.get("/api/v1/trainees")).status_code == 200
    created = await send(client, "POST", "/api/v1/trainees", NEW_TRAINEE)
    assert created.status_code == 201
    trainee_id = created.json()["id"]
    # Not in one of their cohorts yet: trainers change only their own cohorts' trainees (test_trainee_scope).
    assert (await send(client, "PUT", f"/api/v1/trainees/{trainee_id}", NEW_TRAINEE)).status_code == 403
    assert (await send(client, "POST", f"/api/v1/trainees/{trainee_id}/deactivate")).status_code == 403
    assert (await fresh(db, Trainee, trainee_id)).active


async def test_post_without_csrf_header_is_refused(client, db, admin):
    await csrf_token(client)
    before = await count(db, Trainee)
    response = await client.post("/api/v1/trainees", json=NEW_TRAINEE)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/json")
    wrong = await client.post("/api/v1/trainees", json=NEW_TRAINEE, headers={"x-csrftoken": "forged"})
    assert wrong.status_code == 403
    assert await count(db, Trainee) == before


# ---------------------------------------------------------------- locations


async def test_locations_cascade(client, db, as_role):
    await as_role(Role.trainer)
    provinces = (await client.get("/api/v1/locations/provinces")).json()
    phnom_penh = next(p for p in provinces if p["code"] == "12")
    assert phnom_penh["name_en"] == "Phnom Penh" and phnom_penh["name_km"]
    assert len(provinces) == 25
    districts = (await client.get("/api/v1/locations/provinces/12/districts")).json()
    assert districts and all(d["code"].startswith("12") and len(d["code"]) == 4 for d in districts)
    communes = (await client.get("/api/v1/locations/districts/1201/communes")).json()
    assert PHNOM_PENH_COMMUNE in {c["code"] for c in communes}
    assert (await client.get("/api/v1/locations/provinces/99/districts")).json() == []


# ---------------------------------------------------------------- OpenAPI and docs


async def test_openapi_schema_documents_the_api(client, db):
    response = await client.get("/api/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    for path in (
        "/api/v1/trainees",
        "/api/v1/trainees/{trainee_id}",
        "/api/v1/trainees/{trainee_id}/deactivate",
        "/api/v1/users",
        "/api/v1/users/{user_id}/reset-password",
        "/api/v1/organisations",
        "/api/v1/locations/provinces",
        "/api/v1/locations/districts/{district_code}/communes",
    ):
        assert path in schema["paths"], path
    create = schema["paths"]["/api/v1/trainees"]["post"]
    body_schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/TraineeCreate"}
    assert {"name_km", "name_latin", "sex", "phone"} <= set(
        schema["components"]["schemas"]["TraineeCreate"]["properties"]
    )
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TraineeRead"
    )
    assert {"409", "422"} <= set(create["responses"])
    put_org = schema["paths"]["/api/v1/organisations/{organisation_id}"]["put"]
    assert put_org["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/OrganisationUpdate"
    )
    assert "x-csrftoken" in schema["info"]["description"]


async def test_docs_page_loads_swagger_from_our_own_static_files(client, db):
    response = await client.get("/api/docs")
    assert response.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert urls and all(url.startswith("/static/") for url in urls), urls
    assert any("swagger-ui-bundle.js" in url for url in urls)
    assert any("js/api-docs.js" in url for url in urls)
    assert "<script>" not in response.text  # no inline scripts (CSP script-src 'self')
    script = await client.get(next(url for url in urls if "api-docs.js" in url))
    assert script.status_code == 200 and "/api/schema/openapi.json" in script.text
