"""Enrolment pages and API: finding and enrolling trainees, capacity and waitlist, withdrawal, new trainees
recorded inline, the roster files, and two requests racing for the last seat."""

import asyncio
import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.audit import AuditEntry
from foundation.roles import Role
from people.models import Trainee, UserRead
from tests.conftest import csrf_token, post_form
from tests.curriculum_factories import make_course
from tests.delivery_factories import enrol, make_cohort
from tests.factories import PHNOM_PENH_COMMUNE, make_organisation, make_trainee
from training.models import Cohort, Enrolment


async def my_cohort(db: AsyncSession, trainer: UserRead, capacity: int = 30) -> int:
    course = await make_course(db, status="published", published_at=datetime.now(UTC))
    return (await make_cohort(db, course, trainer_ids=[trainer.id], capacity=capacity)).id


async def statuses(db: AsyncSession, cohort_id: int) -> dict[int, str]:
    """trainee id > enrolment status, as stored now."""
    await db.rollback()
    rows = await db.execute(
        select(Enrolment.trainee_id, Enrolment.status).where(Enrolment.cohort_id == cohort_id)
    )
    return dict(rows.all())


async def audit_entries(db: AsyncSession, action: str) -> list[AuditEntry]:
    await db.rollback()
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list((await db.execute(query)).scalars())


async def api_post(client, url: str, body: object):  # type: ignore[no-untyped-def]
    return await client.post(url, json=body, headers={"x-csrftoken": await csrf_token(client)})


async def test_trainees_are_found_by_name_phone_or_organisation_and_enrolled(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await my_cohort(db, trainer)
    organisation = await make_organisation(db, name_en="Battambang Provincial Office")
    dara = await make_trainee(
        db, name_km="ចាន់ ដារ៉ា", name_latin="Chan Dara", phone="+85512777888", organisation_id=organisation.id
    )
    other = await make_trainee(db, name_km="សុខ ស្រីមុំ", name_latin="Sok Sreymom")
    dara_id, other_id = dara.id, other.id
    page = await client.get(f"/cohorts/{cohort_id}/enrol")
    assert page.status_code == 200
    assert f'hx-get="/cohorts/{cohort_id}/enrol/candidates"' in page.text

    for q in ("ដារ៉ា", "chan", "012 777 888", "Battambang"):
        found = await client.get(f"/cohorts/{cohort_id}/enrol/candidates", params={"q": q})
        assert found.status_code == 200 and "<html" not in found.text, q
        assert f'name="trainee_id" value="{dara_id}"' in found.text, q
        assert f'name="trainee_id" value="{other_id}"' not in found.text, q

    response = await post_form(
        client, f"/cohorts/{cohort_id}/enrolments", {"trainee_id": str(dara_id), "q": "chan"}
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/cohorts/{cohort_id}/enrol?done=")
    assert "Chan Dara) is enrolled." in (await client.get(response.headers["location"])).text
    assert await statuses(db, cohort_id) == {dara_id: "enrolled"}
    # Already on the list: shown with their status, without an enrol button.
    again = await client.get(f"/cohorts/{cohort_id}/enrol/candidates", params={"q": "chan"})
    assert f'value="{dara_id}"' not in again.text and "Enrolled" in again.text
    [entry] = await audit_entries(db, "enrolment.create")
    assert (
        entry.before is None and entry.after["status"] == "enrolled" and entry.after["trainee_id"] == dara_id
    )
    assert entry.actor_id == trainer.id


async def test_beyond_capacity_the_trainee_is_waitlisted(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await my_cohort(db, trainer, capacity=1)
    first, second = (await make_trainee(db)).id, (await make_trainee(db)).id
    await post_form(client, f"/cohorts/{cohort_id}/enrolments", {"trainee_id": str(first)})
    response = await post_form(client, f"/cohorts/{cohort_id}/enrolments", {"trainee_id": str(second)})
    assert "The cohort is full" in (await client.get(response.headers["location"])).text
    assert await statuses(db, cohort_id) == {first: "enrolled", second: "waitlisted"}


async def test_the_same_trainee_is_not_enrolled_twice(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await my_cohort(db, trainer)
    trainee_id = (await make_trainee(db)).id
    assert (
        await post_form(client, f"/cohorts/{cohort_id}/enrolments", {"trainee_id": str(trainee_id)})
    ).status_code == 303
    again = await post_form(client, f"/cohorts/{cohort_id}/enrolments", {"trainee_id": str(trainee_id)})
    assert again.status_code == 409 and "This trainee is already on this cohort" in again.text
    api = await api_post(client, f"/api/v1/cohorts/{cohort_id}/enrolments", {"trainee_id": trainee_id})
    assert api.status_code == 409
    assert (
        api.json()["detail"] == "This trainee is already on this cohort's list: they are not enrolled twice."
    )
    assert await statuses(db, cohort_id) == {trainee_id: "enrolled"}
    await db.rollback()
    assert (await db.execute(select(Cohort.enrolled_count).where(Cohort.id == cohort_id))).scalar_one() == 1


async def test_withdrawal_needs_a_reason_and_gives_the_seat_to_the_waitlist_in_order(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await my_cohort(db, trainer, capacity=1)
    seated, first, second = [(await make_trainee(db, name_latin=f"Trainee {n}")).id for n in "ABC"]
    for trainee_id in (seated, first, second):
        await post_form(client, f"/cohorts/{cohort_id}/enrolments", {"trainee_id": str(trainee_id)})
    enrolment_id = (await db.execute(select(Enrolment.id).where(Enrolment.trainee_id == seated))).scalar_one()
    url = f"/cohorts/{cohort_id}/enrolments/{enrolment_id}/withdraw"
    form = await client.get(url)
    assert form.status_code == 200 and 'name="reason"' in form.text

    refused = await post_form(client, url, {"reason": "   "})
    assert refused.status_code == 422 and 'id="e-reason">This field is required.' in refused.text
    assert await statuses(db, cohort_id) == {seated: "enrolled", first: "waitlisted", second: "waitlisted"}

    response = await post_form(client, url, {"reason": "Transferred to another province"})
    assert response.status_code == 303
    assert await statuses(db, cohort_id) == {seated: "withdrawn", first: "enrolled", second: "waitlisted"}
    withdrawn = await db.get(Enrolment, enrolment_id, populate_existing=True)
    assert withdrawn.withdrawn_reason == "Transferred to another province"
    [withdrawal] = await audit_entries(db, "enrolment.withdraw")
    assert withdrawal.before["status"] == "enrolled" and withdrawal.after["status"] == "withdrawn"
    assert withdrawal.after["withdrawn_reason"] == "Transferred to another province"
    [promotion] = await audit_entries(db, "enrolment.promote")
    assert promotion.before["trainee_id"] == first and promotion.after["status"] == "enrolled"
    page = await client.get(f"/cohorts/{cohort_id}")
    assert "Transferred to another province" in page.text and "1 of 1 seats taken" in page.text
    # Already withdrawn: nothing more to do.
    again = await post_form(client, url, {"reason": "Twice"})
    assert again.status_code == 409
    await db.rollback()
    kept = await db.get(Enrolment, enrolment_id, populate_existing=True)
    assert kept.withdrawn_reason == "Transferred to another province"
    assert len(await audit_entries(db, "enrolment.withdraw")) == 1


async def test_two_requests_for_the_last_seat_at_once_one_wins(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await my_cohort(db, trainer, capacity=1)
    first, second = (await make_trainee(db)).id, (await make_trainee(db)).id
    token = await csrf_token(client)

    async def enrol_over_http(trainee_id: int) -> int:
        response = await client.post(
            f"/cohorts/{cohort_id}/enrolments", data={"trainee_id": str(trainee_id), "_csrf_token": token}
        )
        return response.status_code

    assert await asyncio.gather(enrol_over_http(first), enrol_over_http(second)) == [303, 303]
    assert sorted((await statuses(db, cohort_id)).values()) == ["enrolled", "waitlisted"]
    assert (await db.execute(select(Cohort.enrolled_count).where(Cohort.id == cohort_id))).scalar_one() == 1


NEW_TRAINEE = {
    "name_km": "ចាន់ ដារ៉ា",
    "name_latin": "Chan Dara",
    "sex": "male",
    "date_of_birth": "1990-04-17",
    "phone": "012 345 678",
    "commune_code": PHNOM_PENH_COMMUNE,
}


async def test_a_new_trainee_is_recorded_and_enrolled_with_the_duplicate_check(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await my_cohort(db, trainer)
    url = f"/cohorts/{cohort_id}/enrolments/new-trainee"
    bad = await post_form(client, url, NEW_TRAINEE | {"name_km": "Chan Dara"})
    assert bad.status_code == 422 and 'id="e-name_km">Write this in Khmer script.' in bad.text
    assert "<details" in bad.text and "open" in bad.text.split("<details")[1].split(">")[0]
    existing = await make_trainee(db, name_km="ផ្សេង", name_latin="Someone Else", phone="+85512345678")
    existing_id = existing.id

    suspected = await post_form(client, url, NEW_TRAINEE)
    assert suspected.status_code == 409
    assert "This trainee may already be recorded" in suspected.text and "Someone Else" in suspected.text
    assert 'name="confirm_duplicate"' in suspected.text
    await db.rollback()
    assert len((await db.execute(select(Trainee))).scalars().all()) == 1
    assert await statuses(db, cohort_id) == {}

    confirmed = await post_form(client, url, NEW_TRAINEE | {"confirm_duplicate": "1"})
    assert confirmed.status_code == 303
    await db.rollback()
    new = (await db.execute(select(Trainee).where(Trainee.id != existing_id))).scalar_one()
    new_id, name = new.id, new.name_latin
    assert name == "Chan Dara"
    assert await statuses(db, cohort_id) == {new_id: "enrolled"}


async def test_the_roster_downloads_as_csv_and_excel_with_khmer_names(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await my_cohort(db, trainer, capacity=1)
    cohort = await db.get(Cohort, cohort_id)
    organisation = await make_organisation(db, name_en="Kampot Provincial Office")
    await enrol(
        db,
        cohort,
        await make_trainee(
            db, name_km="ចាន់ ដារ៉ា", name_latin="Chan Dara", sex="male", organisation_id=organisation.id
        ),
    )
    await enrol(db, cohort, await make_trainee(db, name_km="សុខ ស្រីមុំ", name_latin="Sok Sreymom"), "waitlisted")
    code = cohort.code

    csv_file = await client.get(f"/cohorts/{cohort_id}/roster.csv")
    assert csv_file.status_code == 200
    assert csv_file.headers["content-type"] == "text/csv; charset=utf-8"  # the charset named once
    assert f'filename="{code}-roster.csv"' in csv_file.headers["content-disposition"]
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    text = csv_file.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Name in Khmer,Name in Latin letters,Sex,Phone")
    assert lines[1].startswith("ចាន់ ដារ៉ា,Chan Dara,Male,") and "Kampot Provincial Office" in lines[1]
    assert lines[1].endswith(",Enrolled,")
    assert lines[2].startswith("សុខ ស្រីមុំ,Sok Sreymom,Female,") and ",Waitlisted," in lines[2]

    xlsx_file = await client.get(f"/cohorts/{cohort_id}/roster.xlsx")
    assert xlsx_file.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Name in Khmer", "Name in Latin letters", "Sex"]
    assert rows[1][:2] == ["ចាន់ ដារ៉ា", "Chan Dara"] and rows[2][:2] == ["សុខ ស្រីមុំ", "Sok Sreymom"]
    assert rows[1][8] == "Enrolled"


async def test_enrolments_through_the_api(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await my_cohort(db, trainer, capacity=1)
    first, second = (await make_trainee(db)).id, (await make_trainee(db)).id
    url = f"/api/v1/cohorts/{cohort_id}/enrolments"
    unknown = await api_post(client, url, {"trainee_id": 999999})
    assert unknown.status_code == 422 and unknown.json()["errors"] == {"trainee_id": "No such trainee."}

    seated = await api_post(client, url, {"trainee_id": first})
    waiting = await api_post(client, url, {"trainee_id": second})
    assert (seated.status_code, seated.json()["status"]) == (201, "enrolled")
    assert (waiting.json()["status"], waiting.json()["waitlist_position"]) == ("waitlisted", 1)

    withdraw_url = f"{url}/{seated.json()['id']}/withdraw"
    refused = await api_post(client, withdraw_url, {})
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    withdrawn = await api_post(client, withdraw_url, {"reason": "Sick leave"})
    assert withdrawn.status_code == 200
    assert (withdrawn.json()["status"], withdrawn.json()["withdrawn_reason"]) == ("withdrawn", "Sick leave")
    listed = (await client.get(url)).json()
    assert [(e["trainee_id"], e["status"]) for e in listed] == [(second, "enrolled"), (first, "withdrawn")]
