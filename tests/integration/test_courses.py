"""The course builder over HTTP: drafts, modules, competencies, publication, versions, API and access."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from courses.models import (
    Course,
    CourseCompetency,
    CourseModule,
    EthicsQuiz,
    QuizOption,
    QuizQuestion,
)
from courses.services.frameworks import list_competencies
from foundation.audit import AuditEntry
from foundation.roles import Role
from tests.conftest import csrf_token, post_form
from tests.curriculum_factories import make_course, make_framework

NEW_COURSE = {
    "code": "SW-BASIC",
    "title_km": "ការងារសង្គមកិច្ចមូលដ្ឋាន",
    "title_en": "Basic social work",
    "description_km": "សេចក្តីពិពណ៌នា",
    "description_en": "For new commune focal points.",
    "category": "Child protection",
    "hours": "20",
    "issues_certificate": "true",
    "validity_months": "36",
    "min_attendance_percent": "85",
    "pledge_required": "true",
    "certificate_title_km": "វិញ្ញាបនបត្រ",
    "certificate_title_en": "Certificate of completion",
    "signatory_name_km": "សុខ ដារា",
    "signatory_name_en": "Sok Dara",
    "signatory_title_km": "នាយក",
    "signatory_title_en": "Director",
}
REGULAR = {
    "title_km": "មូលដ្ឋាន",
    "title_en": "Foundations",
    "hours": "14",
    "kind": "regular",
    "required": "true",
}
ETHICS = {"title_km": "សីលធម៌", "title_en": "Ethics", "hours": "6", "kind": "ethics", "required": "true"}


async def count(db, model) -> int:  # type: ignore[no-untyped-def]
    await db.rollback()  # see what the app committed since
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


async def fresh(db, model, row_id):  # type: ignore[no-untyped-def]
    await db.rollback()
    db.expire_all()
    return await db.get(model, row_id)


async def actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    """The audit log's curriculum entries, oldest first (signing users in logs entries of its own)."""
    await db.rollback()
    query = select(AuditEntry.action).where(AuditEntry.action.like("course%")).order_by(AuditEntry.id)
    return list((await db.execute(query)).scalars())


async def send(client, method: str, url: str, body: object = None):  # type: ignore[no-untyped-def]
    headers = {"x-csrftoken": await csrf_token(client)}
    return await client.request(method, url, json=body, headers=headers)


@pytest.fixture
async def admin(as_role):  # type: ignore[no-untyped-def]
    return await as_role(Role.admin, language="en")


# ---------------------------------------------------------------- pages


async def test_admin_creates_a_draft_with_every_field(client, db, admin):
    form = await client.get("/admin/courses/new")
    assert (
        form.status_code == 200
        and 'name="_csrf_token"' in form.text
        and 'name="validity_months"' in form.text
    )
    response = await post_form(client, "/admin/courses/new", NEW_COURSE)
    assert response.status_code == 303
    [course] = list((await db.execute(select(Course))).scalars())
    assert response.headers["location"] == f"/admin/courses/{course.id}?notice=created"
    assert (course.code, course.version, course.status, str(course.hours)) == ("SW-BASIC", 1, "draft", "20.0")
    assert (course.validity_months, course.min_attendance_percent, course.requires_approval) == (
        36,
        85,
        False,
    )
    assert (course.signatory_name_en, course.certificate_title_km) == ("Sok Dara", "វិញ្ញាបនបត្រ")
    course_id = course.id
    assert await actions(db) == ["course.create"]
    page = await client.get(f"/admin/courses/{course_id}")
    assert page.status_code == 200
    for shown in ("Basic social work", "ការងារសង្គមកិច្ចមូលដ្ឋាន", "Sok Dara", "Director", "Draft", "36 months"):
        assert shown in page.text
    assert "Attends at least 85% of the sessions." in page.text
    assert "Add at least one module." in page.text  # what stops publication is shown before trying


async def test_unticked_boxes_and_an_empty_validity_mean_no(client, db, admin):
    values = NEW_COURSE | {"validity_months": ""}
    del values["issues_certificate"], values["pledge_required"]
    assert (await post_form(client, "/admin/courses/new", values)).status_code == 303
    [course] = list((await db.execute(select(Course))).scalars())
    assert (course.issues_certificate, course.pledge_required, course.validity_months) == (False, False, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title_en", "", "This field is required."),
        ("title_km", "Basic social work", "Write this in Khmer script."),
        ("hours", "0", "Must be more than 0."),
        ("hours", "-1", "Must be more than 0."),
        ("hours", "abc", "Write a number, e.g. 12 or 12.5."),
        ("min_attendance_percent", "101", "Must be at most 100."),
        ("code", "SW BASIC!", "Not in the expected form."),
        ("validity_months", "0", "Must be at least 1."),
    ],
)
async def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(
    client, db, admin, field, value, message
):
    response = await post_form(client, "/admin/courses/new", NEW_COURSE | {field: value})
    assert response.status_code == 422
    assert f'id="e-{field}">{message}</p>' in response.text.replace("&#39;", "'")
    assert await count(db, Course) == 0 and await actions(db) == []


async def test_the_code_of_another_course_is_refused(client, db, admin):
    await make_course(db, code="SW-BASIC", status="published")
    response = await post_form(client, "/admin/courses/new", NEW_COURSE)
    assert response.status_code == 422
    assert "This code is already used by another course: choose another one." in response.text
    assert await count(db, Course) == 1


async def test_list_filters_by_status_and_searches_code_and_titles(client, db, admin):
    await make_course(
        db, code="CP-1", title_en="Child protection", title_km="ការការពារកុមារ", status="published"
    )
    await make_course(db, code="ETH-1", title_en="Ethics refresher", title_km="សីលធម៌", status="draft")
    listing = await client.get("/admin/courses")
    assert "Child protection" in listing.text and "Ethics refresher" in listing.text
    published = await client.get("/admin/courses", params={"status": "published"})
    assert "CP-1" in published.text and "ETH-1" not in published.text
    by_title = await client.get("/admin/courses", params={"q": "refresher"})
    assert "ETH-1" in by_title.text and "CP-1" not in by_title.text
    by_khmer = await client.get("/admin/courses", params={"q": "កុមារ"})
    assert "CP-1" in by_khmer.text and "ETH-1" not in by_khmer.text
    by_code = await client.get("/admin/courses", params={"q": "cp-"})
    assert "CP-1" in by_code.text and "ETH-1" not in by_code.text
    anything = await client.get("/admin/courses", params={"status": ""})
    assert "CP-1" in anything.text and "ETH-1" in anything.text


async def test_khmer_is_the_default_language_of_the_titles(client, db, as_role):
    await make_course(db, title_en="Child protection", title_km="ការការពារកុមារ")
    await as_role(Role.admin)
    listing = await client.get("/admin/courses")
    assert "ការការពារកុមារ" in listing.text and "Child protection" not in listing.text


async def test_a_draft_is_edited_and_a_published_course_is_not(client, db, admin):
    draft = await make_course(db, code="SW-BASIC")
    draft_id = draft.id
    assert (await client.get(f"/admin/courses/{draft_id}/edit")).status_code == 200
    response = await post_form(
        client, f"/admin/courses/{draft_id}/edit", NEW_COURSE | {"title_en": "Renamed"}
    )
    assert response.status_code == 303
    assert (await fresh(db, Course, draft_id)).title_en == "Renamed"
    [entry] = (await db.execute(select(AuditEntry).where(AuditEntry.action == "course.update"))).scalars()
    assert entry.before["title_en"] != "Renamed" and entry.after["title_en"] == "Renamed"

    published = await make_course(db, code="OTHER", status="published")
    published_id = published.id
    for response in (
        await client.get(f"/admin/courses/{published_id}/edit"),
        await post_form(client, f"/admin/courses/{published_id}/edit", NEW_COURSE | {"code": "OTHER"}),
        await post_form(client, f"/admin/courses/{published_id}/modules/new", REGULAR),
    ):
        assert response.status_code == 409
        assert "A published course is not edited in place: make a new version." in response.text
    assert (await fresh(db, Course, published_id)).title_en != NEW_COURSE["title_en"]


async def test_modules_are_added_moved_edited_and_removed(client, db, admin):
    course = await make_course(db, with_ethics=False)
    course_id = course.id
    assert (await post_form(client, f"/admin/courses/{course_id}/modules/new", ETHICS)).status_code == 303
    ethics = (await db.execute(select(CourseModule).where(CourseModule.kind == "ethics"))).scalar_one()
    ethics_id = ethics.id
    quiz = await db.get(EthicsQuiz, ethics_id)
    assert (quiz.questions_per_attempt, quiz.pass_mark_percent) == (10, 80)
    page = await client.get(f"/admin/courses/{course_id}")
    assert f'href="/admin/courses/{course_id}/modules/{ethics_id}/quiz"' in page.text
    assert page.text.index("Module 1") < page.text.index("Ethics</td>")

    move = await post_form(
        client, f"/admin/courses/{course_id}/modules/{ethics_id}/move", {"direction": "up"}
    )
    assert move.status_code == 303
    page = await client.get(f"/admin/courses/{course_id}")
    assert page.text.index("Ethics</td>") < page.text.index("Module 1")

    bad = await post_form(client, f"/admin/courses/{course_id}/modules/{ethics_id}", ETHICS | {"hours": "x"})
    assert bad.status_code == 422 and "Write a number, e.g. 12 or 12.5." in bad.text
    assert "Edit the module" in bad.text
    edited = await post_form(
        client, f"/admin/courses/{course_id}/modules/{ethics_id}", ETHICS | {"title_en": "Code of ethics"}
    )
    assert edited.status_code == 303
    assert (await fresh(db, CourseModule, ethics_id)).title_en == "Code of ethics"

    confirm = await client.get(f"/admin/courses/{course_id}/modules/{ethics_id}/delete")
    assert confirm.status_code == 200 and "Remove the module" in confirm.text
    assert (
        await post_form(client, f"/admin/courses/{course_id}/modules/{ethics_id}/delete")
    ).status_code == 303
    assert await count(db, CourseModule) == 1 and await count(db, EthicsQuiz) == 0
    assert await actions(db) == [
        "course_module.create",
        "course_module.update",
        "course_module.update",
        "course_module.update",
        "course_module.delete",
    ]


async def test_a_module_of_another_course_is_not_found(client, db, admin):
    course = await make_course(db)
    other = await make_course(db)
    [module, *_] = (
        await db.execute(select(CourseModule).where(CourseModule.course_id == other.id))
    ).scalars()
    response = await client.get(f"/admin/courses/{course.id}/modules/{module.id}")
    assert response.status_code == 404
    assert (await client.get("/admin/courses/999999")).status_code == 404


async def test_competencies_are_chosen_by_framework_and_domain(client, db, admin):
    framework = await make_framework(db, domains=2, per_domain=2)
    competencies = [c for c, _, _ in await list_competencies(db, framework.id)]
    course = await make_course(db)
    course_id = course.id
    form = await client.get(f"/admin/courses/{course_id}/competencies")
    assert form.status_code == 200
    assert form.text.index("Domain 1") < form.text.index("Competency 1.2") < form.text.index("Domain 2")
    first, second = competencies[0].id, competencies[2].id
    chosen = {"competency": [str(first), str(second)], "required": [str(second)]}
    response = await client.post(
        f"/admin/courses/{course_id}/competencies", data=chosen | {"_csrf_token": await csrf_token(client)}
    )
    assert response.status_code == 303
    await db.rollback()
    links = list(
        (await db.execute(select(CourseCompetency).order_by(CourseCompetency.competency_id))).scalars()
    )
    assert [(link.competency_id, link.required) for link in links] == [(first, False), (second, True)]
    page = await client.get(f"/admin/courses/{course_id}")
    assert "Is assessed competent in: D2.1 Competency 2.1." in page.text
    bad = await client.post(
        f"/admin/courses/{course_id}/competencies",
        data={"competency": ["999999"], "_csrf_token": await csrf_token(client)},
    )
    assert bad.status_code == 422 and "No such competency: 999999." in bad.text
    assert await count(db, CourseCompetency) == 2


async def test_publish_lists_every_problem_then_publishes(client, db, admin):
    course = await make_course(db, questions=3)  # draws 3 per attempt; no competency; hours add up
    course_id = course.id
    refused = await post_form(client, f"/admin/courses/{course_id}/publish")
    assert refused.status_code == 409
    assert "This course cannot be published yet. Put these right first:" in refused.text
    assert "Target at least one competency." in refused.text
    assert (await fresh(db, Course, course_id)).status == "draft"

    framework = await make_framework(db, domains=1, per_domain=1)
    [(competency, _, _)] = await list_competencies(db, framework.id)
    db.add(CourseCompetency(course_id=course_id, competency_id=competency.id))
    db.add(CourseModule(course_id=course_id, position=3, title_km="បន្ថែម", title_en="Extra", hours=2))
    await db.commit()
    refused = await post_form(client, f"/admin/courses/{course_id}/publish")
    assert "The modules add up to 22 hours, 2 hours more than the course&#39;s 20." in refused.text

    await db.execute(CourseModule.__table__.delete().where(CourseModule.title_en == "Extra"))
    await db.commit()
    published = await post_form(client, f"/admin/courses/{course_id}/publish")
    assert published.status_code == 303 and published.headers["location"].endswith("?notice=published")
    page = await client.get(published.headers["location"])
    assert '<span class="tag status-published">Published</span>' in page.text
    assert "Published. The version it replaces, if any, is archived." in page.text
    assert (await post_form(client, f"/admin/courses/{course_id}/publish")).status_code == 409


async def test_a_new_version_copies_everything_and_replaces_the_old_one(client, db, admin):
    framework = await make_framework(db, domains=1, per_domain=2)
    ids = [c.id for c, _, _ in await list_competencies(db, framework.id)]
    v1 = await make_course(db, code="SW", competency_ids=ids, questions=12, status="published")
    v1_id = v1.id
    response = await post_form(client, f"/admin/courses/{v1_id}/new-version")
    assert response.status_code == 303
    v2 = (await db.execute(select(Course).where(Course.version == 2))).scalar_one()
    v2_id = v2.id
    assert response.headers["location"] == f"/admin/courses/{v2_id}?notice=new_version"
    assert (v2.code, v2.status, v2.previous_version_id, v2.title_en) == ("SW", "draft", v1_id, v1.title_en)

    def modules_of(course_id):  # type: ignore[no-untyped-def]
        return select(CourseModule).where(CourseModule.course_id == course_id).order_by(CourseModule.position)

    old_modules = list((await db.execute(modules_of(v1_id))).scalars())
    new_modules = list((await db.execute(modules_of(v2_id))).scalars())
    assert [(m.title_en, m.kind, m.hours) for m in new_modules] == [
        (m.title_en, m.kind, m.hours) for m in old_modules
    ]
    new_ethics = new_modules[1]
    quiz = await db.get(EthicsQuiz, new_ethics.id)
    assert quiz.pledge_en == "I pledge to follow the code of ethics." and quiz.questions_per_attempt == 10
    questions = list(
        (await db.execute(select(QuizQuestion).where(QuizQuestion.module_id == new_ethics.id))).scalars()
    )
    assert len(questions) == 12 and questions[0].explanation_en == "Because 1."
    options = await db.execute(
        select(func.count())
        .select_from(QuizOption)
        .where(QuizOption.question_id.in_([q.id for q in questions]))
    )
    assert options.scalar_one() == 36
    assert await count(db, QuizOption) == 72  # the old version keeps its own
    links = (await db.execute(select(CourseCompetency).where(CourseCompetency.course_id == v2_id))).scalars()
    assert sorted(link.competency_id for link in links) == sorted(ids)

    again = await post_form(client, f"/admin/courses/{v1_id}/new-version")
    assert again.status_code == 409
    assert "Version 2 of this course is already a draft: finish that one first." in again.text
    assert await count(db, Course) == 2

    edit = await post_form(client, f"/admin/courses/{v2_id}/edit", NEW_COURSE | {"code": "SW-NEW"})
    assert edit.status_code == 422 and "A new version keeps the code of the course it copies." in edit.text

    assert (await post_form(client, f"/admin/courses/{v2_id}/publish")).status_code == 303
    assert (await fresh(db, Course, v1_id)).status == "archived"
    assert (await fresh(db, Course, v2_id)).status == "published"
    old_page = await client.get(f"/admin/courses/{v1_id}")
    assert old_page.status_code == 200 and "Archived" in old_page.text  # archived courses stay readable
    assert f'href="/admin/courses/{v2_id}"' in old_page.text
    assert await actions(db) == ["course.new_version", "course.archive", "course.publish"]


async def test_publishing_asks_first_and_says_when_the_new_version_changes_nothing(client, db, admin):
    not_ready = await make_course(db, questions=3)
    refused = await client.get(f"/admin/courses/{not_ready.id}/publish")
    assert refused.status_code == 409 and "Target at least one competency." in refused.text

    framework = await make_framework(db, domains=1, per_domain=2)
    ids = [c.id for c, _, _ in await list_competencies(db, framework.id)]
    v1 = await make_course(db, code="SW", competency_ids=ids, questions=12, status="published")
    v1_id = v1.id
    await post_form(client, f"/admin/courses/{v1_id}/new-version")
    v2 = (await db.execute(select(Course).where(Course.version == 2))).scalar_one()
    v2_id = v2.id
    asked = await client.get(f"/admin/courses/{v2_id}/publish")
    assert asked.status_code == 200 and "Publish SW, version 2?" in asked.text
    assert "Version 1, published now, is archived: its cohorts keep running it." in asked.text
    assert "identical to version 1" in asked.text
    assert f'<form method="post" action="/admin/courses/{v2_id}/publish">' in asked.text
    assert (await fresh(db, Course, v2_id)).status == "draft"  # asking changed nothing

    question = (
        (await db.execute(select(QuizQuestion).join(CourseModule).where(CourseModule.course_id == v2_id)))
        .scalars()
        .first()
    )
    question.text_en = "A clearer question"
    await db.commit()
    changed = await client.get(f"/admin/courses/{v2_id}/publish")
    assert "identical" not in changed.text
    assert (await post_form(client, f"/admin/courses/{v2_id}/publish")).status_code == 303
    assert (await client.get(f"/admin/courses/{v2_id}/publish")).status_code == 303  # nothing left to ask


async def test_archive_a_published_course(client, db, admin):
    course = await make_course(db, status="published")
    course_id = course.id
    assert (await post_form(client, f"/admin/courses/{course_id}/archive")).status_code == 303
    assert (await fresh(db, Course, course_id)).status == "archived"
    again = await post_form(client, f"/admin/courses/{course_id}/archive")
    assert again.status_code == 409 and "Only a published course can be archived." in again.text
    [entry] = (await db.execute(select(AuditEntry).where(AuditEntry.action == "course.archive"))).scalars()
    assert (entry.before["status"], entry.after["status"]) == ("published", "archived")


# ---------------------------------------------------------------- JSON API


async def test_api_builds_publishes_and_versions_a_course(client, db, admin):
    framework = await make_framework(db, domains=1, per_domain=2)
    ids = [c.id for c, _, _ in await list_competencies(db, framework.id)]
    body = {k: v for k, v in NEW_COURSE.items() if k not in ("issues_certificate", "pledge_required")}
    created = await send(client, "POST", "/api/v1/courses", body | {"hours": 20, "validity_months": None})
    assert created.status_code == 201, created.text
    course = created.json()
    course_id = course["id"]
    assert (course["status"], course["version"], course["modules"], course["validity_months"]) == (
        "draft",
        1,
        [],
        None,
    )
    assert "Add at least one module." in course["publish_problems"]

    regular = await send(client, "POST", f"/api/v1/courses/{course_id}/modules", REGULAR | {"required": True})
    assert regular.status_code == 201 and regular.json()["quiz_url"] is None
    ethics = await send(client, "POST", f"/api/v1/courses/{course_id}/modules", ETHICS | {"position": 1})
    assert ethics.json()["quiz_url"] == f"/admin/courses/{course_id}/modules/{ethics.json()['id']}/quiz"
    detail = (await client.get(f"/api/v1/courses/{course_id}")).json()
    assert [m["title_en"] for m in detail["modules"]] == ["Ethics", "Foundations"]

    targets = {"competencies": [{"competency_id": ids[0]}, {"competency_id": ids[1], "required": False}]}
    detail = (await send(client, "PUT", f"/api/v1/courses/{course_id}/competencies", targets)).json()
    assert [(t["code"], t["required"]) for t in detail["competencies"]] == [("D1.1", True), ("D1.2", False)]

    refused = await send(client, "POST", f"/api/v1/courses/{course_id}/publish")
    assert refused.status_code == 409
    assert (await fresh(db, Course, course_id)).status == "draft"
    assert refused.json()["problems"] == [
        "The ethics module “Ethics” has 0 quiz questions, fewer than the 10 each attempt draws.",
        "The ethics module “Ethics” needs the pledge's text in Khmer and in English.",
    ]

    no_pledge = await send(client, "PUT", f"/api/v1/courses/{course_id}", body | {"pledge_required": False})
    assert no_pledge.status_code == 200 and no_pledge.json()["pledge_required"] is False
    quiz = await db.get(EthicsQuiz, ethics.json()["id"])
    quiz.questions_per_attempt = 1
    db.add(QuizQuestion(module_id=quiz.module_id, text_km="សំណួរ", text_en="Question"))
    await db.commit()
    published = await send(client, "POST", f"/api/v1/courses/{course_id}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"

    changed = await send(client, "PUT", f"/api/v1/courses/{course_id}", body)
    assert changed.status_code == 409
    assert changed.json()["detail"] == "A published course is not edited in place: make a new version."

    v2 = await send(client, "POST", f"/api/v1/courses/{course_id}/new-version")
    assert (
        v2.status_code == 201 and v2.json()["version"] == 2 and v2.json()["previous_version_id"] == course_id
    )
    assert len(v2.json()["modules"]) == 2 and len(v2.json()["competencies"]) == 2
    v2_id = v2.json()["id"]
    second = await send(client, "POST", f"/api/v1/courses/{course_id}/new-version")
    assert second.status_code == 409
    assert await count(db, Course) == 2

    module_id = v2.json()["modules"][1]["id"]
    update = REGULAR | {"title_en": "Foundations, revised"}
    assert (
        await send(client, "PUT", f"/api/v1/courses/{v2_id}/modules/{module_id}", update)
    ).status_code == 200
    assert (await send(client, "DELETE", f"/api/v1/courses/{v2_id}/modules/{module_id}")).status_code == 204
    assert len((await client.get(f"/api/v1/courses/{v2_id}")).json()["modules"]) == 1

    listing = (await client.get("/api/v1/courses", params={"status": "published"})).json()
    assert [c["id"] for c in listing["items"]] == [course_id] and listing["total"] == 1
    archived = await send(client, "POST", f"/api/v1/courses/{course_id}/archive")
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    assert (await client.get("/api/v1/courses", params={"status": "nonsense"})).status_code == 400


async def test_api_answers_bad_input_with_field_errors_and_saves_nothing(client, db, admin):
    await make_course(db, code="TAKEN")
    bad = await send(client, "POST", "/api/v1/courses", NEW_COURSE | {"title_km": "Latin", "hours": -1})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "title_km": "Write this in Khmer script.",
        "hours": "Must be more than 0.",
    }
    taken = await send(client, "POST", "/api/v1/courses", NEW_COURSE | {"code": "TAKEN"})
    assert taken.status_code == 422 and "code" in taken.json()["errors"]
    assert await count(db, Course) == 1
    assert (await client.get("/api/v1/courses/999999")).status_code == 404


async def test_api_errors_are_in_khmer_for_khmer_users(client, db, as_role):
    await as_role(Role.admin)
    course = await make_course(db, hours=Decimal(22))
    course_id = course.id
    refused = await send(client, "POST", f"/api/v1/courses/{course_id}/publish")
    assert refused.status_code == 409
    assert (await fresh(db, Course, course_id)).status == "draft"
    hours, _competencies = refused.json()["problems"]
    assert "២០" in hours and "២២" in hours and "22" not in hours  # numbers written with Khmer digits


# ---------------------------------------------------------------- who may do what


@pytest.mark.parametrize("role", [None, Role.trainer, Role.trainee])
async def test_only_administrators_build_courses(client, db, as_role, role):
    course = await make_course(db)
    if role is not None:
        await as_role(role)
    refused_page = 403 if role else 303
    refused_api = 403 if role else 401
    for method, url in [
        ("GET", "/admin/courses"),
        ("GET", f"/admin/courses/{course.id}"),
        ("POST", "/admin/courses/new"),
        ("POST", f"/admin/courses/{course.id}/publish"),
    ]:
        response = await client.request(method, url, headers={"x-csrftoken": await csrf_token(client)})
        assert response.status_code == refused_page, (method, url)
    for method, url in [
        ("GET", "/api/v1/courses"),
        ("GET", f"/api/v1/courses/{course.id}"),
        ("POST", "/api/v1/courses"),
        ("POST", f"/api/v1/courses/{course.id}/new-version"),
    ]:
        assert (await send(client, method, url, {})).status_code == refused_api, (method, url)
    assert await actions(db) == []
    assert (await fresh(db, Course, course.id)).status == "draft"
