"""The trainee pages: list, search, create, edit, duplicates, deactivation and who may do what."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.audit import AuditEntry
from foundation.roles import Role
from people.models import Trainee
from tests.conftest import post_form
from tests.curriculum_factories import make_course
from tests.delivery_factories import enrol, make_cohort
from tests.factories import PHNOM_PENH_COMMUNE, make_organisation, make_trainee

NEW_TRAINEE = {
    "name_km": "ចាន់ ដារ៉ា",
    "name_latin": "Chan Dara",
    "sex": "male",
    "date_of_birth": "1990-04-17",
    "phone": "012 345 678",
    "email": "Chan.Dara@Example.org",
    "position": "Social worker",
    "province": "12",
    "district": "1201",
    "commune_code": PHNOM_PENH_COMMUNE,
}


async def stored(db: AsyncSession) -> list[Trainee]:
    """Every trainee as the database has it now: a fresh transaction, and no stale copies in the session."""
    await db.rollback()
    db.expire_all()
    return list((await db.execute(select(Trainee).order_by(Trainee.id))).scalars())


async def audit_entries(db: AsyncSession, action: str) -> list[AuditEntry]:
    await db.rollback()
    return list((await db.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


async def test_admin_creates_a_trainee(client, db, as_role):
    organisation = await make_organisation(db)
    organisation_id, organisation_name_km = organisation.id, organisation.name_km
    await as_role(Role.admin)
    form = await client.get("/admin/trainees/new")
    assert form.status_code == 200
    assert 'hx-get="/locations/districts"' in form.text and 'name="_csrf_token"' in form.text
    response = await post_form(
        client, "/admin/trainees/new", NEW_TRAINEE | {"organisation_id": str(organisation_id)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/trainees?notice=created"
    [trainee] = await stored(db)
    assert trainee.phone == "+85512345678"
    assert trainee.email == "chan.dara@example.org"
    assert trainee.date_of_birth == date(1990, 4, 17)
    assert (trainee.organisation_id, trainee.commune_code, trainee.active) == (
        organisation_id,
        "120101",
        True,
    )
    [entry] = await audit_entries(db, "trainee.create")
    assert entry.before is None and entry.after["phone"] == "+85512345678"
    listing = await client.get("/admin/trainees?notice=created")
    assert "ចាន់ ដារ៉ា" in listing.text and "+85512345678" in listing.text
    assert organisation_name_km in listing.text  # Khmer is the default language


async def test_list_shows_the_organisation_in_the_users_language(client, db, as_role):
    organisation = await make_organisation(db, name_km="ក្រសួង", name_en="Ministry of Social Affairs")
    await make_trainee(db, organisation_id=organisation.id)
    await as_role(Role.admin, language="en")
    listing = await client.get("/admin/trainees")
    assert "Ministry of Social Affairs" in listing.text and 'data-label="Organisation"' in listing.text


async def test_search_by_khmer_substring_and_by_phone_digits(client, db, as_role):
    await make_trainee(db, name_km="សុខ ស្រីមុំ", name_latin="Sok Sreymom", phone="+85512345678")
    await make_trainee(db, name_km="ចាន់ ដារ៉ា", name_latin="Chan Dara", phone="+85597765432")
    await as_role(Role.admin)
    by_khmer = await client.get("/admin/trainees", params={"q": "ស្រីមុំ"})
    assert "Sok Sreymom" in by_khmer.text and "Chan Dara" not in by_khmer.text
    by_phone = await client.get("/admin/trainees", params={"q": "097 765"})
    assert "Chan Dara" in by_phone.text and "Sok Sreymom" not in by_phone.text
    by_latin = await client.get("/admin/trainees", params={"q": "dara"})
    assert "Chan Dara" in by_latin.text and "Sok Sreymom" not in by_latin.text


async def test_list_is_paginated(client, db, as_role):
    for name in [f"Person {a}{b}" for a in "AB" for b in "abcdefghijklmnopqrstuvwxyz"][:27]:
        await make_trainee(db, name_latin=name)
    await as_role(Role.admin, language="en")
    first = await client.get("/admin/trainees")
    assert "Person Aa" in first.text and "Person Ba" not in first.text and "page=2" in first.text
    second = await client.get("/admin/trainees?page=2")
    assert "Person Ba" in second.text and "Person Aa" not in second.text


async def test_edit_form_preselects_the_place_and_saves(client, db, as_role):
    trainee = await make_trainee(db, commune_code=PHNOM_PENH_COMMUNE, date_of_birth=date(1985, 1, 2))
    trainee_id = trainee.id
    await as_role(Role.admin)
    form = await client.get(f"/admin/trainees/{trainee_id}")
    assert form.status_code == 200
    assert '<option value="12" selected>' in form.text
    assert '<option value="1201" selected>' in form.text
    assert '<option value="120101" selected>' in form.text
    assert 'value="1985-01-02"' in form.text
    changes = NEW_TRAINEE | {
        "name_latin": "Sok Sreymom Changed",
        "phone": "+855 97 765 4321",
        "commune_code": "120109",
    }
    response = await post_form(client, f"/admin/trainees/{trainee_id}", changes)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/trainees?notice=saved"
    [saved] = await stored(db)
    assert (saved.name_latin, saved.phone, saved.commune_code) == (
        "Sok Sreymom Changed",
        "+855977654321",
        "120109",
    )
    [entry] = await audit_entries(db, "trainee.update")
    assert entry.before["name_latin"] == "Sok Sreymom" and entry.after["name_latin"] == "Sok Sreymom Changed"


async def test_deactivate_hides_from_the_default_list_and_reactivate_brings_back(client, db, as_role):
    trainee = await make_trainee(db, name_latin="Keo Vanna")
    await make_trainee(db, name_latin="Chan Dara")
    trainee_id = trainee.id
    await as_role(Role.admin, language="en")
    response = await post_form(client, f"/admin/trainees/{trainee_id}/deactivate")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/trainees?notice=deactivated"
    listed = (await client.get("/admin/trainees")).text
    assert "Keo Vanna" not in listed and "1 trainee<" in listed  # the active ones, counted
    everyone = (await client.get("/admin/trainees?include_inactive=true")).text
    assert "Keo Vanna" in everyone and "2 trainees<" in everyone
    [entry] = await audit_entries(db, "trainee.deactivate")
    assert entry.before["active"] is True and entry.after["active"] is False
    kept = {t.name_latin: t for t in await stored(db)}["Keo Vanna"]
    assert kept.active is False  # never hard-deleted
    response = await post_form(client, f"/admin/trainees/{trainee_id}/reactivate")
    assert response.headers["location"] == "/admin/trainees?notice=reactivated"
    assert "Keo Vanna" in (await client.get("/admin/trainees")).text
    assert len(await audit_entries(db, "trainee.reactivate")) == 1


async def test_unknown_trainee_is_not_found(client, db, as_role):
    await as_role(Role.admin)
    assert (await client.get("/admin/trainees/99999")).status_code == 404
    assert (await post_form(client, "/admin/trainees/99999/deactivate")).status_code == 404


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ({"phone": "+85512345678"}, {"phone": "012 345 678", "date_of_birth": ""}),
        (
            {"name_km": "ចាន់ ដារ៉ា", "date_of_birth": date(1990, 4, 17), "phone": "+85597765432"},
            {"phone": "", "name_latin": "Chan Dara", "date_of_birth": "1990-04-17"},
        ),
    ],
    ids=["same-phone", "same-name-and-birth-date"],
)
async def test_duplicate_is_flagged_then_saved_after_confirmation(client, db, as_role, existing, typed):
    match = await make_trainee(db, **existing)
    match_id = match.id
    await as_role(Role.admin, language="en")
    suspect = await post_form(client, "/admin/trainees/new", NEW_TRAINEE | typed)
    assert suspect.status_code == 409
    assert "may already be recorded" in suspect.text
    assert f'href="/admin/trainees/{match_id}"' in suspect.text
    assert 'name="confirm_duplicate"' in suspect.text
    assert 'value="Chan Dara"' in suspect.text  # what the user typed is kept
    assert len(await stored(db)) == 1
    confirmed = await post_form(
        client, "/admin/trainees/new", NEW_TRAINEE | typed | {"confirm_duplicate": "1"}
    )
    assert confirmed.status_code == 303
    assert len(await stored(db)) == 2


async def test_edit_into_a_duplicate_needs_confirmation(client, db, as_role):
    await make_trainee(db, phone="+85512345678")
    other = await make_trainee(db, phone="+85597765432")
    other_id = other.id
    await as_role(Role.admin)
    response = await post_form(client, f"/admin/trainees/{other_id}", NEW_TRAINEE)
    assert response.status_code == 409
    assert (await stored(db))[1].phone == "+85597765432"
    response = await post_form(
        client, f"/admin/trainees/{other_id}", NEW_TRAINEE | {"confirm_duplicate": "1"}
    )
    assert response.status_code == 303
    assert (await stored(db))[1].phone == "+85512345678"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_km", "", "This field is required."),
        ("name_km", "ក" * 121, "Too long: at most 120 characters."),
        ("name_latin", "A" * 121, "Too long: at most 120 characters."),
        ("phone", "12", "Not a phone number"),
        ("email", "not-an-email", "Not an email address"),
        ("commune_code", "999999", "Unknown commune code."),
        ("name_km", "Chan Dara", "Write this in Khmer script."),
        ("name_latin", "ចាន់ ដារ៉ា", "Write this in Latin letters"),
        ("sex", "", "Choose one of the options."),
        ("date_of_birth", "2999-01-01", "This date is in the future."),
        ("organisation_id", "99999", "No such organisation."),
    ],
)
async def test_bad_input_is_refused_and_nothing_saved(client, db, as_role, field, value, message):
    await as_role(Role.admin, language="en")
    response = await post_form(client, "/admin/trainees/new", NEW_TRAINEE | {field: value})
    assert response.status_code == 422
    assert message in response.text
    assert f'aria-describedby="e-{field}"' in response.text
    assert 'value="Chan Dara"' in response.text or field == "name_latin"  # what was typed stays
    assert await stored(db) == []
    assert await audit_entries(db, "trainee.create") == []


async def test_only_the_required_fields_are_enough(client, db, as_role):
    await as_role(Role.admin)
    blank = dict.fromkeys(
        ["date_of_birth", "phone", "email", "organisation_id", "position", "commune_code"], ""
    )
    response = await post_form(client, "/admin/trainees/new", NEW_TRAINEE | blank)
    assert response.status_code == 303
    [trainee] = await stored(db)
    assert (trainee.position, trainee.commune_code, trainee.phone) == (None, None, None)


async def test_bad_input_on_edit_keeps_the_record_unchanged(client, db, as_role):
    trainee = await make_trainee(db, name_latin="Sok Sreymom")
    trainee_id = trainee.id
    await as_role(Role.admin)
    response = await post_form(client, f"/admin/trainees/{trainee_id}", NEW_TRAINEE | {"phone": "12"})
    assert response.status_code == 422
    assert f'action="/admin/trainees/{trainee_id}"' in response.text
    [unchanged] = await stored(db)
    assert unchanged.name_latin == "Sok Sreymom"


async def test_without_javascript_the_form_comes_back_with_the_next_place_list(client, db, as_role):
    await as_role(Role.admin)
    response = await post_form(
        client, "/admin/trainees/new", {"name_km": "ចាន់", "province": "12", "_next_places": "1"}
    )
    assert response.status_code == 200
    assert '<option value="1201"' in response.text and 'value="ចាន់"' in response.text
    assert await stored(db) == []


async def test_trainer_may_create_but_not_deactivate(client, db, as_role):
    trainee = await make_trainee(db)
    trainee_id = trainee.id
    trainer = await as_role(Role.trainer)
    course = await make_course(db, status="published")
    await enrol(db, await make_cohort(db, course, trainer_ids=[trainer.id]), trainee)  # one of theirs
    assert (await client.get("/admin/trainees")).status_code == 200
    form = await client.get(f"/admin/trainees/{trainee_id}")
    assert form.status_code == 200 and "/deactivate" not in form.text
    assert (await post_form(client, "/admin/trainees/new", NEW_TRAINEE)).status_code == 303
    assert (await post_form(client, f"/admin/trainees/{trainee_id}/deactivate")).status_code == 403
    assert (await post_form(client, f"/admin/trainees/{trainee_id}/reactivate")).status_code == 403
    assert all(t.active for t in await stored(db))


async def test_trainee_role_may_not_open_the_pages(client, db, as_role):
    trainee = await make_trainee(db)
    trainee_id = trainee.id
    await as_role(Role.trainee)
    assert (await client.get("/admin/trainees")).status_code == 403
    assert (await client.get("/admin/trainees/new")).status_code == 403
    assert (await client.get(f"/admin/trainees/{trainee_id}")).status_code == 403
    assert (await post_form(client, "/admin/trainees/new", NEW_TRAINEE)).status_code == 403
    assert NEW_TRAINEE["name_latin"] not in {t.name_latin for t in await stored(db)}


async def test_anonymous_is_sent_to_sign_in(client, db):
    response = await client.get("/admin/trainees")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    response = await post_form(client, "/admin/trainees/new", NEW_TRAINEE)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert await stored(db) == []


async def test_cascading_location_options(client, db, as_role):
    await as_role(Role.trainer)
    districts = await client.get("/locations/districts", params={"province": "12"})
    assert districts.status_code == 200
    assert '<option value="1201">' in districts.text and '<option value="1214">' in districts.text
    assert '<option value="0102">' not in districts.text
    communes = await client.get("/locations/communes", params={"district": "1201"})
    assert '<option value="120101">' in communes.text and '<option value="120201">' not in communes.text
