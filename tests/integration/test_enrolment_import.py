"""Bulk enrolment from a file: preview in the background, all-or-nothing confirmation, refusals, access."""

import asyncio
import io
from datetime import date, datetime, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.audit import AuditEntry
from foundation.clock import utcnow
from foundation.outbox.models import OutboxMessage
from foundation.roles import Role
from people.models import Trainee
from tests.conftest import csrf_token, post_form, sign_in
from tests.curriculum_factories import make_course
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_organisation, make_trainee, make_user
from training import messages as training_messages
from training.models import Cohort, Enrolment, EnrolmentImport
from training.services import enrolment_import

HEADER = "name_km,name_latin,sex,date_of_birth,phone,email,organisation,position,commune_code"


def roster(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


async def make_cohort_for(db: AsyncSession, trainer_ids: list[int], **fields: object) -> int:
    cohort = await make_cohort(
        db, await make_course(db, with_ethics=False), trainer_ids=trainer_ids, **fields
    )
    return int(cohort.id)  # type: ignore[arg-type]


async def upload(client, cohort_id: int, filename: str, content: bytes):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/cohorts/{cohort_id}/import",
        files={"file": (filename, content, "application/octet-stream")},
        data={"_csrf_token": await csrf_token(client)},
    )


async def checked(client, cohort_id: int, filename: str, content: bytes) -> str:  # type: ignore[no-untyped-def]
    """Upload, then poll the progress as the page does until the check has finished; the import's page."""
    response = await upload(client, cohort_id, filename, content)
    assert response.status_code == 303, response.text
    page_url = response.headers["location"]
    for _ in range(200):
        progress = await client.get(f"{page_url}/progress")
        assert progress.status_code == 200
        if 'data-status="parsing"' not in progress.text:
            assert progress.headers["hx-refresh"] == "true"
            return str(page_url)
        await asyncio.sleep(0.05)
    raise AssertionError("the check did not finish")


async def preview_of(db: AsyncSession, page_url: str) -> dict[int, dict]:  # type: ignore[type-arg]
    await db.rollback()
    job = await db.get(EnrolmentImport, int(page_url.rsplit("/", 1)[1]), populate_existing=True)
    assert job is not None
    return {entry["line"]: entry for entry in job.preview or []}


async def counts(db: AsyncSession) -> tuple[int, int, int]:
    """Trainees, enrolments and audit entries of enrolments: what an import may add."""
    await db.rollback()
    trainees = (await db.execute(select(func.count()).select_from(Trainee))).scalar_one()
    enrolments = (await db.execute(select(func.count()).select_from(Enrolment))).scalar_one()
    entries = (
        await db.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("enrolment%"))  # type: ignore[attr-defined]
        )
    ).scalar_one()
    return trainees, enrolments, entries


async def test_preview_classifies_every_row_with_its_line_and_saves_nothing(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id])
    await make_organisation(db, name_km="មន្ទីរសង្គមកិច្ច", name_en="Social Affairs Department")
    by_phone = (await make_trainee(db, name_latin="Phone Match", phone="+85512000111")).id
    by_name = (
        await make_trainee(db, name_km="ចាន់ ដារា", name_latin="Chan Dara", date_of_birth=date(1990, 1, 2))
    ).id
    seated = await make_trainee(db, name_latin="Already Here", phone="+85512000333")
    await enrol(db, await db.get(Cohort, cohort_id), seated)
    before = await counts(db)
    content = roster(
        "សុខ ស្រីមុំ,Sok Sreymom,female,1992-03-04,012 999 001,,,Social worker,120101",  # 2 new
        "ភី ម៉ាច,Phone Match,female,,012 000 111,,,,",  # 3 matched by phone
        "ចាន់ ដារា,CHAN DARA,male,1990-01-02,,,,,",  # 4 matched by name and date of birth
        "អា ហៀ,Already Here,male,,+855 12 000 333,,,,",  # 5 already in the cohort
        "សុខ ស្រីមុំ,Sok Sreymom,ស្រី,,012 999 001,,,,",  # 6 duplicate of line 2
        "កែវ សុភា,Keo Sophea,woman,,,,,,",  # 7 error: sex
        "កែវ សុភា,Keo Sophea,F,,,,Unknown NGO,,",  # 8 error: organisation
        "ម៉ៅ ស្រីនាង,Mao Sreyneang,F,,,,មន្ទីរសង្គមកិច្ច,,",  # 9 new, organisation by its Khmer name
        "ហេង ដារ៉ា,Heng Dara,M,17/05/1990,123,bad,,,999999",  # 10 error: several cells
        "Latin only,Latin Only,ប្រុស,,,,social affairs department,,",  # 11 error: name_km not Khmer
    )
    page_url = await checked(client, cohort_id, "roster.csv", content)
    entries = await preview_of(db, page_url)
    assert {line: e["outcome"] for line, e in entries.items()} == {
        2: "new",
        3: "matched",
        4: "matched",
        5: "already_enrolled",
        6: "duplicate",
        7: "error",
        8: "error",
        9: "new",
        10: "error",
        11: "error",
    }
    assert entries[3]["trainee_id"] == by_phone and entries[4]["trainee_id"] == by_name
    assert entries[5]["enrolment_status"] == "enrolled"
    assert entries[6]["duplicate_of"] == 2
    assert entries[7]["problems"] == {"sex": "Write female or male (or ស្រី or ប្រុស, F or M)."}
    assert entries[8]["problems"] == {"organisation": "No active organisation has this name in the system."}
    assert entries[9]["fields"]["organisation_id"] is not None and entries[9]["fields"]["sex"] == "female"
    assert entries[2]["fields"]["phone"] == "+85512999001"
    assert set(entries[10]["problems"]) == {"date_of_birth", "phone", "email", "commune_code"}
    assert set(entries[11]["problems"]) == {"name_km"}
    assert await counts(db) == before  # nothing saved before the confirmation

    page = await client.get(page_url)
    assert page.status_code == 200
    assert "New trainee (2)" in page.text and "Matched existing trainee (2)" in page.text
    assert "Error (4)" in page.text and "Duplicate in the file (1)" in page.text
    assert "Confirm and enrol" in page.text
    assert "Same person as line 2" in page.text
    errors_only = await client.get(f"{page_url}?outcome=error")
    assert errors_only.text.count('<tr class="outcome-') == 4


async def test_a_name_matches_only_with_its_own_date_of_birth(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id])
    await make_trainee(db, name_km="ចាន់ ដារា", name_latin="Chan Dara", date_of_birth=date(1990, 1, 2))
    sophea = await make_trainee(
        db, name_km="កែវ សុភា", name_latin="Keo Sophea", date_of_birth=date(1985, 5, 5)
    )
    content = roster(
        "ចាន់ ដារា,Chan Dara,male,1985-05-05,,,,,",  # 2 a recorded name, another's date of birth: new
        "កែវ សុភា,Keo Sopheap,female,1985-05-05,,,,,",  # 3 Khmer name and date of birth: matched
        "ហេង ដារ៉ា,keo sophea,female,1985-05-05,,,,,",  # 4 Latin name (any case) and date: her again
    )
    entries = await preview_of(db, await checked(client, cohort_id, "roster.csv", content))
    assert {line: e["outcome"] for line, e in entries.items()} == {2: "new", 3: "matched", 4: "duplicate"}
    assert entries[3]["trainee_id"] == sophea.id and entries[4]["duplicate_of"] == 3


async def test_confirm_commits_everything_with_the_waitlist_in_file_order(client, db, as_role, monkeypatch):
    # Matches looked up, audit entries written and seated trainees told a few at a time, as for large files.
    for setting, value in {"MATCH_CHUNK": 2, "AUDIT_CHUNK": 2}.items():
        monkeypatch.setattr(enrolment_import, setting, value)
    monkeypatch.setattr(training_messages, "TELL_AT_ONCE", 1)
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id], capacity=3)
    await enrol(db, await db.get(Cohort, cohort_id), await make_trainee(db))  # one seat taken
    existing = (await make_trainee(db, name_latin="Known Person", phone="+85512000444")).id
    trainees_before, _, _ = await counts(db)
    content = roster(
        "សុខ ស្រីមុំ,Sok Sreymom,female,,012 999 001,sreymom@example.org,,,",
        "ចាន់ ដារា,Chan Dara,male,,012 999 002,dara@example.org,,,",
        "ខ្នង ខ្នង,Known Person,male,,012 000 444,,,,",
        "កែវ សុភា,Keo Sophea,female,,012 999 003,sophea@example.org,,,",
        "បញ្ហា,Bad Row,x,,,,,,",
    )
    page_url = await checked(client, cohort_id, "roster.csv", content)
    response = await post_form(client, f"{page_url}/confirm")
    assert response.status_code == 303 and response.headers["location"] == page_url
    told = await db.execute(
        select(OutboxMessage.recipient).where(OutboxMessage.template == "enrolment_confirmed")
    )
    assert set(told.scalars()) == {"sreymom@example.org", "dara@example.org"}  # seated; Keo Sophea waits

    await db.rollback()
    assert (await db.execute(select(func.count()).select_from(Trainee))).scalar_one() == trainees_before + 3
    rows = await db.execute(
        select(Trainee.name_latin, Enrolment.status, Enrolment.requested_at)
        .join(Enrolment, Enrolment.trainee_id == Trainee.id)
        .where(Enrolment.cohort_id == cohort_id, Trainee.name_latin != "Sok Sreymom")
        .order_by(Enrolment.requested_at)
    )
    assert [(name, status) for name, status, _ in rows] == [
        ("Chan Dara", "enrolled"),
        ("Known Person", "waitlisted"),
        ("Keo Sophea", "waitlisted"),
    ]
    cohort = await db.get(Cohort, cohort_id, populate_existing=True)
    assert cohort is not None and cohort.enrolled_count == 3
    actions = await db.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action))
    logged = dict(actions.all())
    assert logged["enrolment_import.commit"] == 1 and logged["enrolment.create"] == 4
    assert logged["trainee.create"] == 3
    commit = (
        await db.execute(select(AuditEntry).where(AuditEntry.action == "enrolment_import.commit"))
    ).scalar_one()
    assert commit.actor_id == trainer.id
    # Each trainee and enrolment is logged as audit.record would log it one by one.
    created = (
        (
            await db.execute(
                select(AuditEntry).where(AuditEntry.action == "trainee.create").order_by(AuditEntry.id)
            )
        )
        .scalars()
        .all()[-1]
    )
    assert created.entity_type == "trainee" and created.actor_id == trainer.id
    assert created.after is not None and set(created.after) == set(Trainee.model_fields)
    assert created.after["name_latin"] == "Keo Sophea" and created.entity_id == str(created.after["id"])
    enrolled = (
        (
            await db.execute(
                select(AuditEntry).where(AuditEntry.action == "enrolment.create").order_by(AuditEntry.id)
            )
        )
        .scalars()
        .all()[-1]
    )
    assert enrolled.after is not None and set(enrolled.after) == set(Enrolment.model_fields) | {"import_id"}
    assert commit.after is not None
    assert (
        commit.after.items() >= {"new": 3, "matched": 1, "error": 1, "enrolled": 2, "waitlisted": 2}.items()
    )
    assert existing in {
        e.trainee_id
        for e in (await db.execute(select(Enrolment).where(Enrolment.cohort_id == cohort_id))).scalars()
    }

    page = await client.get(page_url)
    assert "Confirmed: 2 enrolled, 2 on the waitlist (3 of them newly recorded)." in page.text
    again = await post_form(client, f"{page_url}/confirm")
    assert again.status_code == 409 and "This import was already confirmed." in again.text
    assert (await db.execute(select(func.count()).select_from(Trainee))).scalar_one() == trainees_before + 3


async def test_a_failure_during_the_commit_saves_nothing(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id])
    matched = (await make_trainee(db, name_latin="Known Person", phone="+85512000444")).id
    content = roster(
        "សុខ ស្រីមុំ,Sok Sreymom,female,,012 999 001,,,,120101",
        "ខ្នង ខ្នង,Known Person,male,,012 000 444,,,,",
        "ចាន់ ដារា,Chan Dara,male,,012 999 002,,,,120101",
    )
    page_url = await checked(client, cohort_id, "roster.csv", content)
    # The last new trainee's commune disappears from the gazetteer meanwhile: its row breaks a foreign key.
    import_id = int(page_url.rsplit("/", 1)[1])
    job = await db.get(EnrolmentImport, import_id)
    assert job is not None and job.preview is not None
    job.preview = [
        entry | {"fields": entry["fields"] | {"commune_code": "999999"}} if entry["line"] == 4 else entry
        for entry in job.preview
    ]
    await db.commit()
    before = await counts(db)

    response = await post_form(client, f"{page_url}/confirm")
    assert response.status_code == 409
    assert "Nothing was saved" in response.text
    assert await counts(db) == before
    cohort = await db.get(Cohort, cohort_id, populate_existing=True)
    assert cohort is not None and cohort.enrolled_count == 0
    assert (await db.execute(select(Enrolment).where(Enrolment.trainee_id == matched))).first() is None
    job = await db.get(EnrolmentImport, import_id, populate_existing=True)
    assert job is not None and job.status == "failed"
    page = await client.get(page_url)
    assert "Nothing was saved" in page.text and "Upload the file again" in page.text
    assert "Confirm and enrol" not in page.text


async def test_files_that_cannot_be_used_are_answered_clearly_and_nothing_is_stored(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id])
    cases = [
        ("roster.txt", roster("ចាន់,Chan,male,,,,,,"), "Upload a .csv or .xlsx file"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is a picture, not a CSV file."),
        (
            "roster.csv",
            (HEADER + "\r\nCafé,Cafe,male,,,,,,\r\n").encode("cp1252"),
            "Save the file as CSV UTF-8",
        ),
        ("roster.csv", (HEADER + "\r\nសុខ,Sok,male,,,,,,\r\n").encode("utf-16"), "Save the file as CSV UTF-8"),
        ("roster.csv", b"", "The file is empty."),
        ("roster.csv", b"name_km,phone\r\n\xe1\x9e\x85,012\r\n", "Missing columns: name_latin, sex."),
    ]
    for filename, content, message in cases:
        response = await upload(client, cohort_id, filename, content)
        assert response.status_code == 422, filename
        assert message in response.text, filename
        assert "nothing of it was saved" in response.text
    await db.rollback()
    assert (await db.execute(select(func.count()).select_from(EnrolmentImport))).scalar_one() == 0


async def test_excel_file_with_date_cells_khmer_sex_and_organisation_names(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id])
    organisation = (await make_organisation(db, name_km="អង្គការ ក្តីសង្ឃឹម", name_en="Hope NGO")).id
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["Name in Khmer", "Latin name", "Sex", "Date of birth", "Organisation", "Commune code"])
    sheet.append(["សុខ ស្រីមុំ", "Sok Sreymom", "ស្រី", datetime(1992, 3, 4), "hope ngo", 120101])
    sheet.append(["ចាន់ ដារា", "Chan Dara", "ប្រុស", date(1990, 1, 2), "អង្គការ ក្តីសង្ឃឹម", "120101"])
    out = io.BytesIO()
    workbook.save(out)
    page_url = await checked(client, cohort_id, "roster.xlsx", out.getvalue())
    entries = await preview_of(db, page_url)
    assert [e["outcome"] for e in entries.values()] == ["new", "new"]
    expected = {"sex": "female", "date_of_birth": "1992-03-04", "organisation_id": organisation}
    assert entries[2]["fields"].items() >= (expected | {"commune_code": "120101"}).items()
    assert entries[3]["fields"]["sex"] == "male" and entries[3]["fields"]["organisation_id"] == organisation


async def test_templates_download_as_csv_and_excel(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id])
    csv_file = await client.get(f"/cohorts/{cohort_id}/import/template.csv")
    assert csv_file.status_code == 200 and csv_file.content.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert "attachment" in csv_file.headers["content-disposition"]
    xlsx_file = await client.get(f"/cohorts/{cohort_id}/import/template.xlsx")
    assert xlsx_file.status_code == 200 and xlsx_file.content.startswith(b"PK")
    page = await client.get(f"/cohorts/{cohort_id}/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert "template.xlsx" in page.text and 'name="_csrf_token"' in page.text


async def test_access_to_imports(client, db, as_role):
    owner = await make_user(db, [Role.trainer], language="en")
    colleague = await make_user(db, [Role.trainer], language="en")
    cohort_id = await make_cohort_for(db, [owner.id, colleague.id])
    await sign_in(client, owner.email)
    page_url = await checked(client, cohort_id, "roster.csv", roster("សុខ ស្រីមុំ,Sok Sreymom,female,,,,,,"))
    urls = [
        f"/cohorts/{cohort_id}/import",
        f"/cohorts/{cohort_id}/import/template.csv",
        page_url,
        f"{page_url}/progress",
    ]

    await as_role(Role.trainer, language="en")  # a trainer of other cohorts
    for url in urls:
        assert (await client.get(url)).status_code == 403, url
    assert (await upload(client, cohort_id, "r.csv", roster("សុខ,Sok,female,,,,,,"))).status_code == 403
    assert (await post_form(client, f"{page_url}/confirm")).status_code == 403

    await as_role(Role.trainee, language="en")
    for url in urls:
        assert (await client.get(url)).status_code == 403, url
    assert (await post_form(client, f"{page_url}/confirm")).status_code == 403

    await sign_in(client, colleague.email)  # may see the import, not confirm another's
    page = await client.get(page_url)
    assert page.status_code == 200 and "Only the person who uploaded this file" in page.text
    refused = await post_form(client, f"{page_url}/confirm")
    assert refused.status_code == 403

    await as_role(Role.admin, language="en")
    assert (await post_form(client, f"{page_url}/confirm")).status_code == 303

    client.cookies.clear()
    response = await client.get(page_url)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_closed_cohorts_refuse_imports(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id])
    page_url = await checked(client, cohort_id, "roster.csv", roster("សុខ ស្រីមុំ,Sok Sreymom,female,,,,,,"))
    await db.execute(update(Cohort).where(Cohort.id == cohort_id).values(status="closed"))
    await db.commit()
    assert (await client.get(f"/cohorts/{cohort_id}/import")).status_code == 409
    assert (await upload(client, cohort_id, "r.csv", roster("សុខ,Sok,female,,,,,,"))).status_code == 409
    response = await post_form(client, f"{page_url}/confirm")
    assert response.status_code == 409 and "This cohort is closed" in response.text
    page = await client.get(page_url)
    assert page.status_code == 200 and "Confirm and enrol" not in page.text


async def test_progress_shows_a_bar_and_an_interrupted_check_shows_as_failed(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    cohort_id = await make_cohort_for(db, [trainer.id])
    job = EnrolmentImport(cohort_id=cohort_id, created_by=trainer.id, file_name="big.csv", total_rows=5000)
    job.processed_rows = 1250
    db.add(job)
    await db.commit()
    page_url = f"/cohorts/{cohort_id}/import/{job.id}"
    progress = await client.get(f"{page_url}/progress")
    assert 'data-status="parsing"' in progress.text and 'hx-trigger="every 1s"' in progress.text
    assert '<progress id="import-progress-bar" max="5000" value="1250">' in progress.text
    assert "hx-refresh" not in progress.headers
    assert '<progress id="import-progress-bar"' in (await client.get(page_url)).text

    # The web process restarted meanwhile: the check will never finish.
    job.created_at = utcnow() - timedelta(minutes=11)
    await db.commit()
    page = await client.get(page_url)
    assert "stopped before the end" in page.text and f'href="/cohorts/{cohort_id}/import"' in page.text
    progress = await client.get(f"{page_url}/progress")
    assert 'data-status="failed"' in progress.text and progress.headers["hx-refresh"] == "true"
    response = await post_form(client, f"{page_url}/confirm")
    assert response.status_code == 409 and "not ready" in response.text
