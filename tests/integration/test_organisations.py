"""The organisation pages: list, search, create, edit, deactivation, bad input and access."""

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.audit import AuditEntry
from foundation.roles import Role
from people.models import Organisation
from tests.conftest import post_form
from tests.factories import PHNOM_PENH_COMMUNE, make_organisation, make_trainee

NEW_ORGANISATION = {
    "name_km": "មន្ទីរសង្គមកិច្ចរាជធានីភ្នំពេញ",
    "name_en": "Phnom Penh Department of Social Affairs",
    "kind": "government",
    "province": "12",
    "district": "1201",
    "commune_code": PHNOM_PENH_COMMUNE,
}


async def stored(db: AsyncSession) -> list[Organisation]:
    """Every organisation as the database has it now: a fresh transaction, no stale copies in the session."""
    await db.rollback()
    db.expire_all()
    return list((await db.execute(select(Organisation).order_by(Organisation.id))).scalars())


async def audit_entries(db: AsyncSession, action: str) -> list[AuditEntry]:
    await db.rollback()
    return list((await db.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


async def test_admin_creates_an_organisation(client, db, as_role):
    await as_role(Role.admin, language="en")
    form = await client.get("/admin/organisations/new")
    assert form.status_code == 200 and 'name="commune_code"' in form.text
    response = await post_form(client, "/admin/organisations/new", NEW_ORGANISATION)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/organisations?notice=created"
    [organisation] = await stored(db)
    assert (organisation.name_en, organisation.kind, organisation.commune_code) == (
        "Phnom Penh Department of Social Affairs",
        "government",
        "120101",
    )
    [entry] = await audit_entries(db, "organisation.create")
    assert entry.before is None and entry.after["name_en"] == "Phnom Penh Department of Social Affairs"
    listing = await client.get("/admin/organisations?notice=created")
    assert "Phnom Penh Department of Social Affairs" in listing.text
    assert "Phnom Penh" in listing.text and "Tonle Basak" in listing.text  # the place, in words
    assert "Created." in listing.text


async def test_search_and_pagination(client, db, as_role):
    await make_organisation(db, name_km="អង្គការ កុមារ", name_en="Children First")
    await make_organisation(db, name_km="អង្គការ ស្ត្រី", name_en="Women Together")
    await as_role(Role.admin)
    by_khmer = await client.get("/admin/organisations", params={"q": "កុមារ"})
    assert "Children First" in by_khmer.text and "Women Together" not in by_khmer.text
    by_english = await client.get("/admin/organisations", params={"q": "women"})
    assert "Women Together" in by_english.text and "Children First" not in by_english.text


async def test_edit_form_preselects_the_place_and_saves(client, db, as_role):
    organisation = await make_organisation(db, name_en="Old Name")
    organisation_id = organisation.id
    await as_role(Role.admin)
    form = await client.get(f"/admin/organisations/{organisation_id}")
    assert form.status_code == 200
    assert '<option value="12" selected>' in form.text and '<option value="1201" selected>' in form.text
    assert '<option value="120101" selected>' in form.text
    changes = NEW_ORGANISATION | {
        "name_en": "New Name",
        "kind": "ngo",
        "district": "1202",
        "commune_code": "120201",
    }
    response = await post_form(client, f"/admin/organisations/{organisation_id}", changes)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/organisations?notice=saved"
    [saved] = await stored(db)
    assert (saved.name_en, saved.kind, saved.commune_code) == ("New Name", "ngo", "120201")
    [entry] = await audit_entries(db, "organisation.update")
    assert entry.before["name_en"] == "Old Name" and entry.after["name_en"] == "New Name"


async def test_deactivate_hides_it_from_the_list_and_the_trainee_form(client, db, as_role):
    organisation = await make_organisation(db, name_en="Closing Down")
    organisation_id = organisation.id
    await as_role(Role.admin, language="en")
    assert "Closing Down" in (await client.get("/admin/trainees/new")).text
    response = await post_form(client, f"/admin/organisations/{organisation_id}/deactivate")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/organisations?notice=deactivated"
    assert "Closing Down" not in (await client.get("/admin/organisations")).text
    assert "Closing Down" in (await client.get("/admin/organisations?include_inactive=true")).text
    assert "Closing Down" not in (await client.get("/admin/trainees/new")).text
    [entry] = await audit_entries(db, "organisation.deactivate")
    assert entry.before["active"] is True and entry.after["active"] is False
    [kept] = await stored(db)
    assert kept.active is False
    response = await post_form(client, f"/admin/organisations/{organisation_id}/reactivate")
    assert response.headers["location"] == "/admin/organisations?notice=reactivated"
    assert "Closing Down" in (await client.get("/admin/organisations")).text


async def test_a_trainees_deactivated_organisation_stays_chosen_on_edit(client, db, as_role):
    organisation = await make_organisation(db, name_en="Closed Office")
    organisation_id = organisation.id
    trainee = await make_trainee(db, organisation_id=organisation_id)
    trainee_id = trainee.id
    await as_role(Role.admin, language="en")
    await post_form(client, f"/admin/organisations/{organisation_id}/deactivate")
    form = await client.get(f"/admin/trainees/{trainee_id}")
    assert f'<option value="{organisation_id}" selected>Closed Office (Deactivated)</option>' in form.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_km", "", "This field is required."),
        ("name_km", "Phnom Penh", "Write this in Khmer script."),
        ("name_en", "", "This field is required."),
        ("name_en", "x" * 121, "Too long: at most 120 characters."),
        ("kind", "company", "Choose one of the options."),
        ("commune_code", "", "Choose the province, district and commune."),
        ("commune_code", "999999", "Unknown commune code."),
    ],
)
async def test_bad_input_is_refused_and_nothing_saved(client, db, as_role, field, value, message):
    await as_role(Role.admin, language="en")
    response = await post_form(client, "/admin/organisations/new", NEW_ORGANISATION | {field: value})
    assert response.status_code == 422
    assert message in response.text
    if field != "name_en":
        assert 'value="Phnom Penh Department of Social Affairs"' in response.text  # what was typed stays
    assert await stored(db) == []


async def test_bad_input_on_edit_keeps_the_record_unchanged(client, db, as_role):
    organisation = await make_organisation(db, name_en="Unchanged")
    organisation_id = organisation.id
    await as_role(Role.admin)
    response = await post_form(
        client, f"/admin/organisations/{organisation_id}", NEW_ORGANISATION | {"name_km": ""}
    )
    assert response.status_code == 422
    [kept] = await stored(db)
    assert kept.name_en == "Unchanged"


async def test_without_javascript_the_form_comes_back_with_the_next_place_list(client, db, as_role):
    await as_role(Role.admin)
    chose_province = await post_form(
        client, "/admin/organisations/new", {"province": "12", "_next_places": "1"}
    )
    assert chose_province.status_code == 200 and '<option value="1214"' in chose_province.text
    chose_district = await post_form(
        client, "/admin/organisations/new", {"province": "12", "district": "1201", "_next_places": "1"}
    )
    assert (
        '<option value="1201" selected>' in chose_district.text
        and '<option value="120101"' in chose_district.text
    )
    # Another province chosen since: the old district and commune no longer apply.
    moved = await post_form(
        client,
        "/admin/organisations/new",
        {"province": "02", "district": "1201", "commune_code": "120101", "_next_places": "1"},
    )
    assert '<option value="02" selected>' in moved.text and '<option value="120101"' not in moved.text
    assert await stored(db) == []


@pytest.mark.parametrize("role", [Role.trainer, Role.trainee])
async def test_only_admins_may_manage_organisations(client, db, as_role, role):
    organisation = await make_organisation(db)
    organisation_id = organisation.id
    await as_role(role)
    assert (await client.get("/admin/organisations")).status_code == 403
    assert (await client.get(f"/admin/organisations/{organisation_id}")).status_code == 403
    assert (await post_form(client, "/admin/organisations/new", NEW_ORGANISATION)).status_code == 403
    assert (await post_form(client, f"/admin/organisations/{organisation_id}/deactivate")).status_code == 403
    assert len(await stored(db)) == 1 and (await stored(db))[0].active


async def test_anonymous_is_sent_to_sign_in(client, db):
    response = await client.get("/admin/organisations")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
