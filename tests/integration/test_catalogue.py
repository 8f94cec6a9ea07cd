"""The public catalogue of published courses, as pages and JSON, on both databases."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import Competency, CourseModule, EthicsQuiz
from foundation.formatting import format_date
from foundation.roles import Role
from tests.conftest import post_form
from tests.curriculum_factories import make_course, make_framework
from tests.statements import statements_sent

PUBLISHED = {"status": "published", "published_at": datetime(2026, 1, 5, tzinfo=UTC)}


async def competency_ids(db: AsyncSession, framework_id: int) -> list[int]:
    query = select(Competency.id).where(Competency.framework_id == framework_id).order_by(Competency.id)
    return [int(i) for i in (await db.execute(query)).scalars()]


async def in_english(client) -> None:  # type: ignore[no-untyped-def]
    await post_form(client, "/language", {"language": "en", "next": "/"})


async def test_anyone_sees_the_published_courses_and_only_those(client, db):
    framework = await make_framework(db, domains=2, per_domain=3)
    ids = await competency_ids(db, int(framework.id or 0))
    await make_course(
        db, code="SW101", title_en="Foundations of Social Work", title_km="មូលដ្ឋានគ្រឹះនៃការងារសង្គមកិច្ច",
        category="Foundation", hours=Decimal("60"), competency_ids=ids[:4],
        description_en="The entry course for the workforce.", **PUBLISHED,
    )  # fmt: skip
    await make_course(db, code="DRAFT1", title_en="Still a draft")
    await make_course(db, code="OLD1", title_en="Archived course", status="archived")
    await in_english(client)
    page = await client.get("/catalogue")
    assert page.status_code == 200
    assert "Foundations of Social Work" in page.text and 'href="/catalogue/SW101"' in page.text
    assert "Foundation" in page.text and "60 hours" in page.text and "4 target competencies" in page.text
    assert "The entry course for the workforce." in page.text
    assert "Includes an ethics module" in page.text
    assert "No cohorts scheduled yet." in page.text
    assert "Still a draft" not in page.text and "Archived course" not in page.text
    assert "<script" not in page.text.split("</head>")[1]  # no scripts beyond the layout's own


async def test_titles_follow_the_visitors_language(client, db):
    await make_course(db, title_km="ការគ្រប់គ្រងករណី", title_en="Case Management", **PUBLISHED)
    page = await client.get("/catalogue")  # Khmer is the default
    assert "ការគ្រប់គ្រងករណី" in page.text and "Case Management" not in page.text


async def test_the_catalogue_shows_the_latest_published_version(client, db):
    first = await make_course(db, code="CM201", title_en="Case Management 2024", version=1, status="archived")
    await make_course(
        db,
        code="CM201",
        title_en="Case Management 2026",
        version=2,
        previous_version_id=first.id,
        **PUBLISHED,
    )
    await make_course(
        db, code="CM201", title_en="Case Management next", version=3, previous_version_id=first.id
    )
    await in_english(client)
    listing = await client.get("/catalogue")
    assert listing.text.count('href="/catalogue/CM201"') == 1
    assert "Case Management 2026" in listing.text
    assert "Case Management 2024" not in listing.text and "Case Management next" not in listing.text
    page = await client.get("/catalogue/CM201")
    assert page.status_code == 200 and "Case Management 2026" in page.text
    assert (await client.get("/catalogue/cm201")).status_code == 200  # the code in any letter case
    api = (await client.get("/api/v1/catalogue/CM201")).json()
    assert (api["version"], api["title_en"]) == (2, "Case Management 2026")


async def test_a_course_page_says_what_it_takes(client, db):
    framework = await make_framework(db, domains=2, per_domain=2)
    ids = await competency_ids(db, int(framework.id or 0))
    course = await make_course(
        db, code="CP201", title_en="Child Protection", hours=Decimal("20"), validity_months=36,
        min_attendance_percent=85, competency_ids=ids, certificate_title_en="Certificate of Training",
        **PUBLISHED,
    )  # fmt: skip
    ethics = (
        await db.execute(
            select(CourseModule).where(CourseModule.course_id == course.id, CourseModule.kind == "ethics")
        )
    ).scalar_one()
    quiz = await db.get(EthicsQuiz, ethics.id)
    assert quiz is not None
    quiz.pass_mark_percent = 75
    await db.commit()
    await in_english(client)
    page = await client.get("/catalogue/CP201")
    assert page.status_code == 200
    assert (
        "Module 1 · 14 hours" in page.text
        and "Ethics · 6 hours" in page.text
        and "Ethics module" in page.text
    )
    assert "Domain 1" in page.text and "Domain 2" in page.text and "Competency 2.2" in page.text
    assert page.text.index("Domain 1") < page.text.index("Competency 1.1") < page.text.index("Domain 2")
    assert "Attend at least 85% of the sessions." in page.text
    assert "Complete each of the 2 required modules." in page.text
    assert "Be assessed competent in each of the 4 required competencies." in page.text
    assert "Pass the ethics quiz with at least 75%." in page.text
    assert "Accept the code-of-ethics pledge." in page.text
    assert (
        "Certificate of Training" in page.text and "Valid for 36 months from the date of issue." in page.text
    )
    assert "No cohorts scheduled yet." in page.text


async def test_a_certificate_without_expiry_is_said_so(client, db):
    await make_course(db, code="SW101", validity_months=None, with_ethics=False, **PUBLISHED)
    await in_english(client)
    page = await client.get("/catalogue/SW101")
    assert "Valid with no expiry date." in page.text
    assert "ethics quiz" not in page.text and "pledge" not in page.text


@pytest.mark.parametrize("code", ["NOPE", "DRAFT1"])
async def test_unknown_and_unpublished_codes_are_not_found(client, db, code):
    await make_course(db, code="DRAFT1")
    assert (await client.get(f"/catalogue/{code}")).status_code == 404
    response = await client.get(f"/api/v1/catalogue/{code}")
    assert response.status_code == 404 and response.json()["status_code"] == 404


async def test_the_json_catalogue_is_public(client, db):
    framework = await make_framework(db, domains=1, per_domain=3)
    ids = await competency_ids(db, int(framework.id or 0))
    await make_course(
        db, code="DI201", title_en="Working with Persons with Disabilities", competency_ids=ids, **PUBLISHED
    )
    await make_course(db, code="DRAFT1")
    listing = (await client.get("/api/v1/catalogue")).json()
    assert [c["code"] for c in listing] == ["DI201"]
    entry = listing[0]
    assert (entry["competency_count"], entry["module_count"], entry["has_ethics_module"]) == (3, 2, True)
    assert entry["upcoming_cohorts"] == []
    detail = (await client.get("/api/v1/catalogue/DI201")).json()
    assert [m["ethics"] for m in detail["modules"]] == [False, True]
    assert [c["code"] for c in detail["domains"][0]["competencies"]] == ["D1.1", "D1.2", "D1.3"]
    assert detail["completion"]["ethics_pass_mark_percent"] == 80
    assert detail["completion"]["required_competencies"] == 3


@pytest.mark.parametrize("role", [Role.trainee, Role.trainer, Role.admin])
async def test_signed_in_users_see_the_catalogue_too(client, db, as_role, role):
    await make_course(db, code="SW101", title_en="Foundations of Social Work", **PUBLISHED)
    await as_role(role, language="en")
    page = await client.get("/catalogue")
    assert page.status_code == 200 and "Foundations of Social Work" in page.text
    assert 'href="/catalogue"' in page.text  # the header's link
    assert (await client.get("/catalogue/SW101")).status_code == 200


async def test_the_home_page_and_the_header_link_to_the_catalogue(client):
    home = await client.get("/")
    assert home.text.count('href="/catalogue"') == 2


async def test_the_listing_takes_the_same_few_queries_for_any_number_of_courses(app, client, db):
    """No query per course: the cost of the page does not grow with the catalogue."""
    framework = await make_framework(db, domains=1, per_domain=2)
    ids = await competency_ids(db, int(framework.id or 0))
    await make_course(db, competency_ids=ids, **PUBLISHED)
    await client.get("/catalogue")
    with statements_sent(app.state.engine) as statements:
        await client.get("/catalogue")
    few = len(statements)
    for _ in range(5):
        await make_course(db, competency_ids=ids, **PUBLISHED)
    with statements_sent(app.state.engine) as statements:
        page = await client.get("/catalogue")
    assert page.text.count('href="/catalogue/C') == 6
    assert len(statements) == few <= 5
    course = await make_course(db, competency_ids=ids, **PUBLISHED)
    with statements_sent(app.state.engine) as statements:
        await client.get(f"/catalogue/{course.code}")
    assert len(statements) <= 6


async def test_upcoming_cohorts_are_listed_and_past_or_running_ones_are_not(client, db):
    from datetime import date, timedelta

    from tests.delivery_factories import make_cohort

    course = await make_course(db, code="CP201", title_en="Child Protection", **PUBLISHED)
    await make_cohort(db, course, start=date.today() + timedelta(days=10), status="open", sessions=3)
    await make_cohort(db, course, start=date.today() - timedelta(days=2), status="running", sessions=3)
    await in_english(client)
    listing = await client.get("/catalogue")
    detail = await client.get("/catalogue/CP201")
    for page in (listing, detail):
        assert "No cohorts scheduled yet." not in page.text
        assert page.text.count("Phnom Penh") >= 1
    soon = format_date(date.today() + timedelta(days=10), "medium", "en")
    assert soon in detail.text
    api = (await client.get("/api/v1/catalogue/CP201")).json()
    assert [c["starts_on"] for c in api["upcoming_cohorts"]] == [
        (date.today() + timedelta(days=10)).isoformat()
    ]
