"""Least privilege on the register: trainers see and change the trainees of their own cohorts only; to enrol
someone else they search, and the search shows only what tells people apart. Admins see everyone."""

from datetime import date

from sqlalchemy import select

from courses.models import Course
from foundation.roles import Role
from people.models import Trainee
from tests.conftest import csrf_token, post_form
from tests.delivery_factories import enrol, make_cohort
from tests.factories import PHNOM_PENH_COMMUNE, make_trainee, make_user
from tests.integration.test_enrolment import my_cohort
from tests.integration.test_trainees import NEW_TRAINEE


async def register(db, trainer):  # type: ignore[no-untyped-def]
    """Mine: enrolled in the trainer's cohort; theirs: only in another trainer's; nobody's: in none."""
    cohort_id = await my_cohort(db, trainer)
    course = (await db.execute(select(Course))).scalars().first()
    other = await make_cohort(db, course, trainer_ids=[(await make_user(db, [Role.trainer])).id])
    mine = await make_trainee(db, name_latin="Mine Person", date_of_birth=date(1990, 1, 2))
    theirs = await make_trainee(db, name_latin="Theirs Person", email="theirs@example.org")
    nobody = await make_trainee(
        db, name_latin="Nobody Person", email="nobody@example.org", commune_code=PHNOM_PENH_COMMUNE
    )
    mine_cohort = await db.get(type(other), cohort_id)
    await enrol(db, mine_cohort, mine)
    await enrol(db, other, theirs)
    return cohort_id, mine, theirs, nobody


async def test_a_trainer_lists_and_opens_only_the_trainees_of_their_cohorts(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    _, mine, theirs, nobody = await register(db, trainer)

    listed = (await client.get("/api/v1/trainees", params={"per_page": 100})).json()
    assert [t["id"] for t in listed["items"]] == [mine.id] and listed["total"] == 1
    assert (await client.get(f"/api/v1/trainees/{mine.id}")).status_code == 200
    for other in (theirs, nobody):
        assert (await client.get(f"/api/v1/trainees/{other.id}")).status_code == 403
        assert (await client.get(f"/admin/trainees/{other.id}")).status_code == 403

    page = (await client.get("/admin/trainees")).text
    assert "Mine Person" in page and "Theirs Person" not in page and "Nobody Person" not in page
    found = (await client.get("/admin/trainees", params={"q": "Person"})).text
    assert "Theirs Person" not in found


async def test_a_trainer_cannot_edit_a_trainee_of_another_trainers_cohort(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    _, mine, theirs, _ = await register(db, trainer)
    theirs_id, mine_id = theirs.id, mine.id
    headers = {"x-csrftoken": await csrf_token(client)}
    body = {k: v for k, v in NEW_TRAINEE.items() if k not in ("province", "district")}

    refused = await client.put(f"/api/v1/trainees/{theirs.id}", json=body, headers=headers)
    assert refused.status_code == 403
    assert (await post_form(client, f"/admin/trainees/{theirs.id}", NEW_TRAINEE)).status_code == 403
    await db.rollback()
    db.expire_all()
    assert (await db.get(Trainee, theirs_id)).name_latin == "Theirs Person"

    allowed = await client.put(f"/api/v1/trainees/{mine_id}", json=body, headers=headers)
    assert allowed.status_code == 200 and allowed.json()["name_latin"] == "Chan Dara"


async def test_admins_see_every_trainee(client, db, as_role):
    await as_role(Role.admin)
    _, mine, theirs, nobody = await register(db, await make_user(db, [Role.trainer]))
    listed = (await client.get("/api/v1/trainees", params={"per_page": 100})).json()
    assert {mine.id, theirs.id, nobody.id} <= {t["id"] for t in listed["items"]}
    assert (await client.get(f"/api/v1/trainees/{nobody.id}")).status_code == 200


async def test_the_enrolment_search_shows_only_what_tells_people_apart(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id, _, _, nobody = await register(db, trainer)
    found = (await client.get(f"/cohorts/{cohort_id}/enrol/candidates", params={"q": "Nobody"})).text
    assert "Nobody Person" in found
    assert nobody.phone[-3:] in found and nobody.phone not in found  # masked: ••• ••• 678
    assert "nobody@example.org" not in found
    assert "Phnom Penh" in found or "Chey Chumneas" in found or "·" in found  # the commune's name
    nothing = (await client.get(f"/cohorts/{cohort_id}/enrol/candidates", params={"q": ""})).text
    assert "Person" not in nothing  # never the full list
