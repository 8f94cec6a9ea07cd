"""Competency frameworks: services, admin pages, JSON API, CSV/JSON import and export, on both databases."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from courses.models import (
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    CompetencyInput,
    DomainInput,
    FrameworkInput,
)
from courses.services import frameworks
from courses.services.framework_files import CSV_COLUMNS
from foundation.audit import AuditEntry
from foundation.errors import Conflict, InvalidInput, NotFound
from foundation.roles import Role
from tests.conftest import csrf_token, post_form
from tests.curriculum_factories import make_course, make_framework
from tests.factories import SYSTEM

NEW_FRAMEWORK = {
    "code": "SSW-2024",
    "title_km": "ក្របខណ្ឌសមត្ថភាព",
    "title_en": "Social service workforce",
    "description_km": "",
    "description_en": "For every commune.",
}
NEW_DOMAIN = {"code": "D9", "title_km": "ការងារករណី", "title_en": "Case management", "position": ""}
NEW_COMPETENCY = {
    "code": "D9.1",
    "title_km": "វាយតម្លៃហានិភ័យ",
    "title_en": "Assesses risk",
    "description_km": "",
    "description_en": "Before any plan.",
    "criteria_km": "ប្រើឧបករណ៍\r\n\r\nកត់ត្រា",
    "criteria_en": "  Uses the risk tool \r\nRecords the result\r\n",
    "position": "",
}
CSV_FILE = "\r\n".join(
    [
        ",".join(CSV_COLUMNS),
        'D1,ក្រមសីលធម៌,Ethics,D1.1,គោរពការសម្ងាត់,Keeps confidentiality,,,"ក\nខ","One\nTwo"',
        "D1,ក្រមសីលធម៌,Ethics,D1.2,ការគោរព,Respect,,,,",
        "D2,ការងារករណី,Case management,,,,,,,",
        "",
    ]
).encode()
BAD_CSV_FILE = "\r\n".join(
    [
        ",".join(CSV_COLUMNS),
        "D1,Ethics,Ethics,D1.1,គោរព,Keeps,,,,",
        "D1,Ethics,Ethics,D1.1,គោរព,Keeps again,,,,",
        "",
    ]
).encode()


async def count(db: AsyncSession, model: type) -> int:
    await db.rollback()  # see what the app committed since
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


async def audit_actions(db: AsyncSession, prefix: str) -> list[str]:
    await db.rollback()
    query = select(AuditEntry.action).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
    return list((await db.execute(query)).scalars())


async def upload(client, url: str, filename: str, content: bytes, fields: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """A file upload from the import page (multipart, with the CSRF field)."""
    data = {**(fields or {}), "_csrf_token": await csrf_token(client)}
    return await client.post(url, data=data, files={"file": (filename, content, "application/octet-stream")})


async def send(client, method: str, url: str, body: object = None):  # type: ignore[no-untyped-def]
    return await client.request(method, url, json=body, headers={"x-csrftoken": await csrf_token(client)})


async def api_upload(client, url: str, filename: str, content: bytes, fields: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    headers = {"x-csrftoken": await csrf_token(client)}
    files = {"file": (filename, content, "application/octet-stream")}
    return await client.post(url, data=fields or {}, files=files, headers=headers)


@pytest.fixture
async def admin(as_role):  # type: ignore[no-untyped-def]
    return await as_role(Role.admin, language="en")


# ---------------------------------------------------------------- services


async def test_read_services_for_courses(db):
    first = await make_framework(db, domains=2, per_domain=2)
    second = await make_framework(db, domains=1, per_domain=1)
    rows = await frameworks.list_competencies(db, first.id)
    assert [(c.code, d.code, f.code) for c, d, f in rows] == [
        ("D1.1", "D1", first.code),
        ("D1.2", "D1", first.code),
        ("D2.1", "D2", first.code),
        ("D2.2", "D2", first.code),
    ]
    everything = await frameworks.list_competencies(db)
    assert {f.code for _, _, f in everything} == {first.code, second.code} and len(everything) == 5
    ids = {rows[0][0].id, rows[3][0].id, 999999}
    found = await frameworks.get_competencies(db, ids)  # type: ignore[arg-type]
    assert set(found) == {rows[0][0].id, rows[3][0].id}
    assert found[rows[3][0].id].code == "D2.2"  # type: ignore[index]
    assert await frameworks.get_competencies(db, set()) == {}


async def test_services_keep_codes_unique_and_positions_in_order(db):
    framework = await frameworks.create_framework(db, SYSTEM, FrameworkInput(**NEW_FRAMEWORK))
    with pytest.raises(InvalidInput) as taken:
        await frameworks.create_framework(db, SYSTEM, FrameworkInput(**NEW_FRAMEWORK))
    assert taken.value.field_errors == {"code": "This code is already used by another framework."}
    domain_input = DomainInput(code="D1", title_km="ដែន", title_en="Domain")
    first = await frameworks.create_domain(db, SYSTEM, framework.id, domain_input)
    second = await frameworks.create_domain(
        db, SYSTEM, framework.id, domain_input.model_copy(update={"code": "D2"})
    )
    assert (first.position, second.position) == (1, 2)
    with pytest.raises(InvalidInput) as taken:
        await frameworks.create_domain(db, SYSTEM, framework.id, domain_input)
    assert taken.value.field_errors == {"code": "This code is already used in this framework."}
    # A code used in another framework is fine.
    other = await make_framework(db, domains=1, per_domain=1)
    await frameworks.create_domain(db, SYSTEM, other.id, domain_input.model_copy(update={"code": "D2"}))

    competency_input = CompetencyInput(domain_id=first.id, code="C1", title_km="សមត្ថភាព", title_en="Skill")
    competency = await frameworks.create_competency(db, SYSTEM, framework.id, competency_input)
    assert competency.position == 1
    with pytest.raises(InvalidInput) as taken:
        await frameworks.create_competency(
            db, SYSTEM, framework.id, competency_input.model_copy(update={"domain_id": second.id})
        )
    assert taken.value.field_errors == {"code": "This code is already used in this framework."}
    [(other_competency, other_domain, _)] = await frameworks.list_competencies(db, other.id)
    with pytest.raises(InvalidInput) as foreign:
        await frameworks.create_competency(
            db,
            SYSTEM,
            framework.id,
            competency_input.model_copy(update={"domain_id": other_domain.id, "code": "C2"}),
        )
    assert foreign.value.field_errors == {"domain_id": "Choose one of this framework's domains."}
    with pytest.raises(NotFound):
        await frameworks.get_competency(db, framework.id, other_competency.id)
    with pytest.raises(NotFound):
        await frameworks.get_domain(db, framework.id, other_domain.id)
    # Moved to another domain without a position: last there; position 0 on update keeps it otherwise.
    moved = await frameworks.update_competency(
        db, SYSTEM, framework.id, competency.id, competency_input.model_copy(update={"domain_id": second.id})
    )
    assert (moved.domain_id, moved.position) == (second.id, 1)
    renamed = await frameworks.update_domain(
        db,
        SYSTEM,
        framework.id,
        second.id,
        domain_input.model_copy(update={"code": "D2", "title_en": "Renamed"}),
    )
    assert (renamed.title_en, renamed.position) == ("Renamed", 2)


async def test_replacing_content_is_refused_once_a_course_targets_the_framework(db):
    framework = await make_framework(db, domains=1, per_domain=2)
    [(competency, _, _), _] = await frameworks.list_competencies(db, framework.id)
    await make_course(db, competency_ids=[competency.id])
    with pytest.raises(Conflict):
        await frameworks.replace_framework_content(db, SYSTEM, framework.id, "f.csv", CSV_FILE)
    assert [c.code for c, _, _ in await frameworks.list_competencies(db, framework.id)] == ["D1.1", "D1.2"]


# ---------------------------------------------------------------- pages


async def test_admin_builds_a_framework_through_the_pages(client, db, admin):
    assert (await client.get("/admin/frameworks/new")).status_code == 200
    response = await post_form(client, "/admin/frameworks/new", NEW_FRAMEWORK)
    assert response.status_code == 303, response.text
    framework_id = int(response.headers["location"].split("/")[3].split("?")[0])
    assert response.headers["location"] == f"/admin/frameworks/{framework_id}?notice=created"

    response = await post_form(client, f"/admin/frameworks/{framework_id}/domains/new", NEW_DOMAIN)
    assert response.status_code == 303
    [domain_id] = (await db.execute(select(CompetencyDomain.id))).scalars().all()
    assert response.headers["location"].endswith(f"#domain-{domain_id}")

    form = await client.get(f"/admin/frameworks/{framework_id}/competencies/new?domain_id={domain_id}")
    assert f'<option value="{domain_id}" selected>' in form.text
    competency = NEW_COMPETENCY | {"domain_id": str(domain_id)}
    response = await post_form(client, f"/admin/frameworks/{framework_id}/competencies/new", competency)
    assert response.status_code == 303, response.text
    await db.rollback()
    [stored] = (await db.execute(select(Competency))).scalars().all()
    assert stored.criteria_en == "Uses the risk tool\nRecords the result"  # one per line, tidied
    assert stored.criteria_km == "ប្រើឧបករណ៍\nកត់ត្រា"
    assert (stored.framework_id, stored.domain_id, stored.position) == (framework_id, domain_id, 1)

    page = await client.get(f"/admin/frameworks/{framework_id}")
    assert page.status_code == 200
    for text in (
        "Social service workforce",
        "Case management",
        "Assesses risk",
        "<li>Uses the risk tool</li>",
    ):
        assert text in page.text
    listing = await client.get("/admin/frameworks")
    assert "SSW-2024" in listing.text and 'data-label="Competencies">1<' in listing.text
    assert await audit_actions(db, "competenc") == [
        "competency_framework.create",
        "competency_domain.create",
        "competency.create",
    ]


async def test_pages_are_in_khmer_by_default(client, db, as_role):
    framework = await make_framework(db)
    await as_role(Role.admin)
    page = await client.get(f"/admin/frameworks/{framework.id}")
    assert framework.title_km in page.text and "សមត្ថភាព 1.1" in page.text and "លក្ខណៈវិនិច្ឆ័យ ១" in page.text


async def test_duplicate_codes_and_latin_khmer_titles_are_refused_with_nothing_saved(client, db, admin):
    framework = await make_framework(db, domains=1, per_domain=1)
    [(competency, domain, _)] = await frameworks.list_competencies(db, framework.id)
    base = f"/admin/frameworks/{framework.id}"
    response = await post_form(client, f"{base}/domains/new", NEW_DOMAIN | {"code": "D1"})
    assert response.status_code == 422
    assert "This code is already used in this framework." in response.text
    response = await post_form(
        client, f"{base}/competencies/new", NEW_COMPETENCY | {"code": "D1.1", "domain_id": str(domain.id)}
    )
    assert response.status_code == 422
    assert "This code is already used in this framework." in response.text
    assert 'value="Assesses risk"' in response.text  # what was typed is kept
    response = await post_form(
        client,
        f"{base}/competencies/{competency.id}",
        NEW_COMPETENCY | {"title_km": "Latin", "domain_id": str(domain.id)},
    )
    assert response.status_code == 422 and "Write this in Khmer script." in response.text
    response = await post_form(client, "/admin/frameworks/new", NEW_FRAMEWORK | {"code": framework.code})
    assert response.status_code == 422 and "This code is already used by another framework." in response.text
    assert (await count(db, CompetencyDomain), await count(db, Competency)) == (1, 1)
    assert await audit_actions(db, "competenc") == []


async def test_admin_edits_a_framework_a_domain_and_a_competency(client, db, admin):
    framework = await make_framework(db, domains=2, per_domain=1)
    [(competency, first, _), (_, second, _)] = await frameworks.list_competencies(db, framework.id)
    ids = {"framework": framework.id, "first": first.id, "second": second.id, "competency": competency.id}
    base = f"/admin/frameworks/{framework.id}"
    edit = await client.get(f"{base}/edit")
    assert edit.status_code == 200 and f'value="{framework.code}"' in edit.text
    response = await post_form(client, f"{base}/edit", NEW_FRAMEWORK)
    assert response.headers["location"] == f"{base}?notice=saved"

    assert (await client.get(f"{base}/domains/{first.id}")).status_code == 200
    response = await post_form(
        client,
        f"{base}/domains/{first.id}",
        {"code": "D1", "title_km": "ដែនថ្មី", "title_en": "New", "position": ""},
    )
    assert response.status_code == 303
    assert (await client.get(f"{base}/competencies/{competency.id}")).status_code == 200
    moved = NEW_COMPETENCY | {"code": "D1.1", "domain_id": str(second.id)}
    response = await post_form(client, f"{base}/competencies/{competency.id}", moved)
    assert response.status_code == 303
    await db.rollback()
    db.expire_all()
    stored_framework = await db.get(CompetencyFramework, ids["framework"])
    stored_domain = await db.get(CompetencyDomain, ids["first"])
    stored = await db.get(Competency, ids["competency"])
    assert stored_framework.code == "SSW-2024"  # type: ignore[union-attr]
    assert (stored_domain.title_en, stored_domain.position) == ("New", 1)  # type: ignore[union-attr]
    assert (stored.domain_id, stored.title_en, stored.position) == (ids["second"], "Assesses risk", 2)  # type: ignore[union-attr]
    assert await audit_actions(db, "competenc") == [
        "competency_framework.update",
        "competency_domain.update",
        "competency.update",
    ]


async def test_unknown_ids_are_not_found(client, db, admin):
    framework = await make_framework(db, domains=1, per_domain=1)
    other = await make_framework(db, domains=1, per_domain=1)
    [(competency, domain, _)] = await frameworks.list_competencies(db, other.id)
    for url in (
        "/admin/frameworks/999999",
        "/admin/frameworks/999999/edit",
        "/admin/frameworks/999999/export.csv",
        f"/admin/frameworks/{framework.id}/domains/{domain.id}",
        f"/admin/frameworks/{framework.id}/competencies/{competency.id}",
        "/api/v1/frameworks/999999",
    ):
        assert (await client.get(url)).status_code == 404, url
    response = await post_form(client, f"/admin/frameworks/{framework.id}/domains/{domain.id}", NEW_DOMAIN)
    assert response.status_code == 404


# ---------------------------------------------------------------- files


async def test_export_import_export_gives_the_same_bytes(client, db, admin):
    framework = await make_framework(db, domains=3, per_domain=2)
    for kind in ("csv", "json"):
        exported = await client.get(f"/admin/frameworks/{framework.id}/export.{kind}")
        assert exported.status_code == 200
        assert exported.headers["content-disposition"] == f'attachment; filename="{framework.code}.{kind}"'
        # A CSV file carries no titles, a JSON file does (and keeps them when the form leaves them out).
        fields = {"code": f"COPY-{kind}"} | (
            {"title_km": "ច្បាប់ចម្លង", "title_en": "Copy"} if kind == "csv" else {}
        )
        response = await upload(
            client, "/admin/frameworks/import", f"export.{kind}", exported.content, fields
        )
        assert response.status_code == 303, response.text
        copy_id = int(response.headers["location"].split("/")[3].split("?")[0])
        again = await client.get(f"/admin/frameworks/{copy_id}/export.{kind}")
        if kind == "csv":
            assert again.content == exported.content
        else:
            assert again.content == exported.content.replace(
                f'"code": "{framework.code}"'.encode(), b'"code": "COPY-json"', 1
            )
    assert (await count(db, CompetencyFramework), await count(db, Competency)) == (3, 18)
    assert await audit_actions(db, "competency_framework.import") == ["competency_framework.import"] * 2


async def test_a_json_file_brings_its_own_code_and_titles_unless_the_form_gives_them(client, db, admin):
    framework = await make_framework(db, domains=1, per_domain=1)
    title_km = framework.title_km
    exported = (await client.get(f"/admin/frameworks/{framework.id}/export.json")).content
    renamed = exported.replace(f'"code": "{framework.code}"'.encode(), b'"code": "FROM-FILE"', 1)
    assert (await upload(client, "/admin/frameworks/import", "f.json", renamed)).status_code == 303
    fields = {"code": "FROM-FORM", "title_en": "Typed on the form"}
    assert (await upload(client, "/admin/frameworks/import", "f.json", renamed, fields)).status_code == 303
    await db.rollback()
    query = select(CompetencyFramework.code, CompetencyFramework.title_km, CompetencyFramework.title_en)
    imported = (await db.execute(query.where(CompetencyFramework.code.startswith("FROM-")))).all()
    assert sorted(imported) == [
        ("FROM-FILE", title_km, title_km.replace("ក្របខណ្ឌ", "Framework")),
        ("FROM-FORM", title_km, "Typed on the form"),
    ]


async def test_a_bad_file_is_answered_with_every_problem_and_nothing_is_saved(client, db, admin):
    fields = {"code": "NEW", "title_km": "ថ្មី", "title_en": "New"}
    response = await upload(client, "/admin/frameworks/import", "bad.csv", BAD_CSV_FILE, fields)
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert "Write this in Khmer script." in response.text and "domain_title_km" in response.text
    assert "The competency code D1.1 is already used on line 2." in response.text
    assert response.text.count('<td data-label="Line">2</td>') == 1
    assert response.text.count('<td data-label="Line">3</td>') == 2
    response = await upload(client, "/admin/frameworks/import", "f.csv", CSV_FILE)
    assert response.status_code == 422 and "This field is required." in response.text  # no code, no titles
    response = await upload(client, "/admin/frameworks/import", "f.txt", CSV_FILE, fields)
    assert response.status_code == 422 and "Upload a .csv or .json file" in response.text
    assert await count(db, CompetencyFramework) == 0
    assert await count(db, CompetencyDomain) == 0
    assert await audit_actions(db, "competency") == []


async def test_replacing_the_content_of_a_framework(client, db, admin):
    framework = await make_framework(db, domains=2, per_domain=3)
    page = await client.get(f"/admin/frameworks/{framework.id}/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    response = await upload(client, f"/admin/frameworks/{framework.id}/import", "bad.csv", BAD_CSV_FILE)
    assert response.status_code == 422
    assert await count(db, Competency) == 6  # nothing changed
    response = await upload(client, f"/admin/frameworks/{framework.id}/import", "f.csv", CSV_FILE)
    assert response.headers["location"] == f"/admin/frameworks/{framework.id}?notice=imported"
    rows = await frameworks.list_competencies(db, framework.id)
    assert [(c.code, d.code, c.criteria_km) for c, d, _ in rows] == [
        ("D1.1", "D1", "ក\nខ"),
        ("D1.2", "D1", ""),
    ]
    assert [d.code for d in await frameworks.list_domains(db, framework.id)] == ["D1", "D2"]
    [entry] = (
        await db.execute(select(AuditEntry).where(AuditEntry.action == "competency_framework.import"))
    ).scalars()
    assert (
        len(entry.before["domains"]) == 2 and entry.before["domains"][0]["competencies"][0]["code"] == "D1.1"
    )
    assert entry.after["file"] == "f.csv" and [d["code"] for d in entry.after["domains"]] == ["D1", "D2"]
    page = await client.get(f"/admin/frameworks/{framework.id}?notice=imported")
    assert "Imported" in page.text


async def test_replacing_is_refused_with_409_once_a_course_targets_the_framework(client, db, admin):
    framework = await make_framework(db, domains=1, per_domain=1)
    [(competency, _, _)] = await frameworks.list_competencies(db, framework.id)
    await make_course(db, competency_ids=[competency.id])
    page = await client.get(f"/admin/frameworks/{framework.id}/import")
    assert "Courses already target competencies of this framework" in page.text
    assert 'type="file"' not in page.text
    response = await upload(client, f"/admin/frameworks/{framework.id}/import", "f.csv", CSV_FILE)
    assert response.status_code == 409
    assert "Courses already target competencies of this framework" in response.text
    api = await api_upload(client, f"/api/v1/frameworks/{framework.id}/import", "f.csv", CSV_FILE)
    assert api.status_code == 409
    assert [c.code for c, _, _ in await frameworks.list_competencies(db, framework.id)] == ["D1.1"]


# ---------------------------------------------------------------- JSON API


async def test_api_builds_and_reads_a_framework(client, db, admin):
    response = await send(client, "POST", "/api/v1/frameworks", NEW_FRAMEWORK)
    assert response.status_code == 201, response.text
    framework_id = response.json()["id"]
    domain = await send(
        client, "POST", f"/api/v1/frameworks/{framework_id}/domains", NEW_DOMAIN | {"position": 0}
    )
    assert domain.status_code == 201, domain.text
    domain_id = domain.json()["id"]
    body = NEW_COMPETENCY | {"domain_id": domain_id, "position": 0}
    competency = await send(client, "POST", f"/api/v1/frameworks/{framework_id}/competencies", body)
    assert competency.status_code == 201, competency.text
    assert competency.json()["criteria_en"] == "Uses the risk tool\nRecords the result"

    changed = await send(
        client, "PUT", f"/api/v1/frameworks/{framework_id}", NEW_FRAMEWORK | {"title_en": "Renamed"}
    )
    assert changed.json()["title_en"] == "Renamed"
    changed = await send(
        client,
        "PUT",
        f"/api/v1/frameworks/{framework_id}/domains/{domain_id}",
        NEW_DOMAIN | {"position": 0, "title_en": "Cases"},
    )
    assert (changed.json()["title_en"], changed.json()["position"]) == ("Cases", 1)
    url = f"/api/v1/frameworks/{framework_id}/competencies/{competency.json()['id']}"
    changed = await send(client, "PUT", url, body | {"title_en": "Risk"})
    assert changed.status_code == 200 and changed.json()["title_en"] == "Risk"

    listing = (await client.get("/api/v1/frameworks")).json()
    assert [(f["code"], f["domain_count"], f["competency_count"]) for f in listing] == [("SSW-2024", 1, 1)]
    outline = (await client.get(f"/api/v1/frameworks/{framework_id}")).json()
    assert outline["targeted"] is False
    assert outline["domains"][0]["competencies"][0]["title_en"] == "Risk"
    assert await audit_actions(db, "competenc") == [
        "competency_framework.create",
        "competency_domain.create",
        "competency.create",
        "competency_framework.update",
        "competency_domain.update",
        "competency.update",
    ]


async def test_api_answers_422_with_translated_field_errors(client, db, admin):
    framework = await make_framework(db, domains=1, per_domain=1)
    response = await send(
        client,
        "POST",
        f"/api/v1/frameworks/{framework.id}/domains",
        NEW_DOMAIN | {"code": "D1", "position": 0},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"code": "This code is already used in this framework."}
    response = await send(client, "POST", "/api/v1/frameworks", {"code": "X", "title_km": "Latin"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "title_km": "Write this in Khmer script.",
        "title_en": "This field is required.",
    }
    assert (await count(db, CompetencyFramework), await count(db, CompetencyDomain)) == (1, 1)


async def test_api_imports_and_reports_bad_files(client, db, admin):
    fields = {"code": "API-1", "title_km": "ក្របខណ្ឌ", "title_en": "From the API"}
    response = await api_upload(client, "/api/v1/frameworks/import", "f.csv", CSV_FILE, fields)
    assert response.status_code == 201, response.text
    imported = response.json()
    assert [d["code"] for d in imported["domains"]] == ["D1", "D2"]
    assert imported["domains"][0]["competencies"][0]["criteria_en"] == "One\nTwo"

    response = await api_upload(
        client, "/api/v1/frameworks/import", "bad.csv", BAD_CSV_FILE, fields | {"code": "API-2"}
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"] == "Nothing was imported: correct the problems listed and try again."
    assert [(p["line"], p["field"]) for p in answer["problems"]] == [
        (2, "domain_title_km"),
        (3, "domain_title_km"),
        (3, "competency_code"),
    ]
    response = await api_upload(client, f"/api/v1/frameworks/{imported['id']}/import", "f.json", b"{}")
    assert response.status_code == 422
    assert answer["problems"]
    assert await count(db, CompetencyFramework) == 1


async def test_api_replaces_content_from_a_json_file(client, db, admin):
    source = await make_framework(db, domains=1, per_domain=2)
    target = await make_framework(db, domains=3, per_domain=1)
    exported = (await client.get(f"/admin/frameworks/{source.id}/export.json")).content
    response = await api_upload(client, f"/api/v1/frameworks/{target.id}/import", "f.json", exported)
    assert response.status_code == 200, response.text
    assert response.json()["code"] == target.code  # the framework keeps its own code and titles
    assert [c["code"] for c in response.json()["domains"][0]["competencies"]] == ["D1.1", "D1.2"]
    again = (await client.get(f"/admin/frameworks/{target.id}/export.json")).content
    assert again == exported.replace(
        f'"code": "{source.code}"'.encode(), f'"code": "{target.code}"'.encode(), 1
    ).replace(source.title_km.encode(), target.title_km.encode(), 1).replace(
        source.title_en.encode(), target.title_en.encode(), 1
    )


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("role", [None, Role.trainer, Role.trainee])
async def test_only_admins_reach_frameworks(client, db, as_role, role):
    framework = await make_framework(db, domains=1, per_domain=1)
    if role is not None:
        await as_role(role)
    pages = [
        ("GET", "/admin/frameworks"),
        ("GET", f"/admin/frameworks/{framework.id}"),
        ("GET", f"/admin/frameworks/{framework.id}/export.csv"),
        ("GET", f"/admin/frameworks/{framework.id}/export.json"),
        ("POST", "/admin/frameworks/new"),
        ("POST", f"/admin/frameworks/{framework.id}/import"),
    ]
    for method, url in pages:
        response = await client.request(method, url, headers={"x-csrftoken": await csrf_token(client)})
        if role is None:
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), url
        else:
            assert response.status_code == 403, url
    for method, url in [
        ("GET", "/api/v1/frameworks"),
        ("POST", "/api/v1/frameworks"),
        ("POST", "/api/v1/frameworks/import"),
    ]:
        response = await client.request(method, url, headers={"x-csrftoken": await csrf_token(client)})
        assert response.status_code == (401 if role is None else 403), url
    assert await count(db, CompetencyFramework) == 1
