"""National scale: the data set of `nisa demo --trainees N` is consistent with the completion rules, trainee
search answers through the trigram indexes (kept up to date by the database), and the cohort page shows a
large roster a page at a time."""

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from certificates.models import Certificate
from certificates.services.issuance import status_position
from foundation.roles import Role
from people.models import Trainee, TraineeCreate, TraineeUpdate
from people.services import trainees
from tests.curriculum_factories import make_course
from tests.delivery_factories import enrol, make_cohort
from tests.factories import SYSTEM, make_trainee
from tests.integration.test_cli import nisa
from training.models import Cohort, Enrolment
from training.services.enrolment import ROSTER_PAGE
from training.services.progress import enrolment_progress


async def count(db, model, *conditions) -> int:  # type: ignore[no-untyped-def]
    return (await db.execute(select(func.count()).select_from(model).where(*conditions))).scalar_one()


async def test_national_demo_data_is_sized_from_n_and_follows_the_completion_rules(
    database_url, tmp_path, db
):
    done = nisa(database_url, str(tmp_path), "demo", "--trainees", "400")
    assert done.returncode == 0, done.stderr
    assert await count(db, Trainee) == 400
    enrolments = await count(db, Enrolment)
    assert 3 * 400 <= enrolments <= 3 * 400 + 700  # 3 per trainee, and the demo logins' cohorts (at most 652)
    assert 400 <= await count(db, Certificate) <= 2 * 400
    big = (await db.execute(select(Cohort).where(Cohort.code.like("CP201-%-T001")))).scalar_one()
    assert big.status == "running" and await count(db, Enrolment, Enrolment.cohort_id == big.id) == 400
    # Computed, never typed: what closing would have settled is what the checklists say.
    ids = list((await db.execute(select(Enrolment.id))).scalars())
    settled = Counter(
        (p.enrolment.status, p.complete)
        for p in (await enrolment_progress(db, ids)).values()
        if p.enrolment.status in ("completed", "not_completed") and not p.cohort.code.endswith("DEMO-0")
    )
    assert settled[("completed", True)] > 0 and settled[("not_completed", False)] > 0
    assert settled[("completed", False)] == settled[("not_completed", True)] == 0
    # Certificates sit where issuance would have put them in the status lists.
    positions = (
        await db.execute(select(Certificate.id, Certificate.status_list, Certificate.status_index))
    ).all()
    assert all((listed, index) == status_position(i) for i, listed, index in positions)
    # Ids were given by the loader: a trainee recorded afterwards still gets a fresh one.
    data = TraineeCreate(name_km="សុខ ដារ៉ា", name_latin="Sok Dara", sex="male")
    assert (await trainees.create_trainee(db, SYSTEM, data, confirm_duplicate=True)).id == 401


async def found(db, q: str) -> set[str]:  # type: ignore[no-untyped-def]
    page = await trainees.search_trainees(db, q, per_page=100)
    return {trainee.name_latin for trainee, _ in page.items}


async def test_search_matches_any_part_of_either_script_or_the_phone_and_follows_changes(db):
    sreymom = await make_trainee(db, name_km="សុខ ស្រីមុំ", name_latin="Sok Sreymom", phone="+85512345678")
    await make_trainee(db, name_km="ចាន់ ដារ៉ា", name_latin="Chan Dara", phone="+85577987654")
    await make_trainee(db, name_km="កែវ សុភា", name_latin="Keo Sophea", phone="+85592555111")
    assert await found(db, "ស្រីមុំ") == {"Sok Sreymom"}  # within the Khmer name, no spaces
    assert await found(db, "dara") == {"Chan Dara"}  # any case
    assert await found(db, "ok srey") == {"Sok Sreymom"}  # across the space
    assert await found(db, "012 345") == {"Sok Sreymom"}  # phone digits as typed
    assert await found(db, "០៧៧ ៩៨៧") == {"Chan Dara"}  # or in Khmer digits
    assert await found(db, "ra") == {"Chan Dara"}  # shorter than a trigram: scanned
    assert await found(db, "zzz") == set()
    change = TraineeUpdate(name_km="សុខ ស្រីពៅ", name_latin="Sok Sreypov", sex="female", phone="+85512345678")
    await trainees.update_trainee(db, SYSTEM, sreymom.id, change, confirm_duplicate=True)
    assert await found(db, "Sreymom") == set() and await found(db, "Sreypov") == {"Sok Sreypov"}
    await trainees.set_trainee_active(db, SYSTEM, sreymom.id, False)
    assert await found(db, "Sreypov") == set()


async def test_the_cohort_page_shows_a_large_roster_a_page_at_a_time(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    course = await make_course(db, status="published", published_at=datetime.now(UTC))
    cohort = await make_cohort(db, course, trainer_ids=[trainer.id], capacity=200)
    for n in range(ROSTER_PAGE + 5):
        trainee = await make_trainee(db, name_latin=f"Trainee {chr(65 + n // 26)}{chr(97 + n % 26)}")
        await enrol(db, cohort, trainee)
    first = await client.get(f"/cohorts/{cohort.id}")
    assert first.text.count('href="tel:') == ROSTER_PAGE and "Trainee Aa" in first.text
    assert "Trainee Ea" not in first.text and f"/cohorts/{cohort.id}?page=2" in first.text
    second = await client.get(f"/cohorts/{cohort.id}?page=2")
    assert second.text.count('href="tel:') == 5 and "Trainee Ea" in second.text
    everyone = await client.get(f"/cohorts/{cohort.id}/roster.csv")
    assert everyone.text.count("Trainee ") == ROSTER_PAGE + 5


async def test_a_long_list_of_trainees_says_about_how_many_on_postgresql(client, db, as_role, monkeypatch):
    monkeypatch.setattr(trainees, "EXACT_COUNT_UP_TO", 2)
    for name in ("Keo Dara", "Keo Sophea", "Keo Vanna", "Keo Bora"):
        await make_trainee(db, name_latin=name)
    postgresql = db.get_bind().dialect.name == "postgresql"
    if postgresql:
        await db.execute(text("ANALYZE trainee"))  # the estimate comes from the statistics
        await db.commit()
    await as_role(Role.admin, language="en")
    listed = await client.get("/admin/trainees")
    assert ("About 4 trainees" if postgresql else "4 trainees") in listed.text and "Keo Vanna" in listed.text
    searched = await client.get("/admin/trainees?q=Keo")  # a search is always counted
    assert "4 trainees" in searched.text and "About" not in searched.text
