"""The audit log page and its export: people's words, names for ids, filters, keyset paging, CSV."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from foundation.audit import AuditEntry
from foundation.roles import Role
from people.services.audit_log import AuditFilter, list_entries
from tests.certificate_factories import make_certificate
from tests.conftest import sign_in, use_english
from tests.curriculum_factories import make_course
from tests.delivery_factories import make_cohort
from tests.factories import make_organisation, make_trainee, make_user
from tests.statements import statements_sent

REVOKED_AT = "2026-03-05T03:00:00+00:00"  # 10:00 in Phnom Penh


async def add_entries(db: AsyncSession, *entries: dict) -> None:
    """Entries written straight into the log, oldest first (as the services would have written them)."""
    rows = [
        {"at": datetime(2026, 3, 5, 3, tzinfo=UTC), "before": None, "after": None, "ip": None} | entry
        for entry in entries
    ]
    await db.execute(insert(AuditEntry), rows)
    await db.commit()


async def revocation(db: AsyncSession, admin_id: int) -> tuple[int, int, int]:
    """A certificate revoked by a trainer, logged by an admin: (certificate id, trainee id, trainer id)."""
    certificate = await make_certificate(db, name_latin="Chan Sophea", name_km="ចាន់ សុភា")
    trainer = await make_user(db, [Role.trainer], display_name="Chan Dara")
    before = {"status": "valid", "revoked_by": None, "revoked_at": None, "trainee_id": certificate.trainee_id}
    after = before | {"status": "revoked", "revoked_by": trainer.id, "revoked_at": REVOKED_AT}
    await add_entries(
        db,
        {
            "actor_id": admin_id,
            "action": "certificate.revoke",
            "entity_type": "certificate",
            "entity_id": str(certificate.id),
            "before": before,
            "after": after,
        },
    )
    return int(certificate.id), int(certificate.trainee_id), trainer.id


async def test_an_entry_reads_in_english_with_names_linked_and_phnom_penh_time(client, db, as_role):
    admin = await as_role(Role.admin)
    certificate_id, trainee_id, trainer_id = await revocation(db, admin.id)
    await use_english(client)
    page = (await client.get("/admin/audit")).text
    assert "Certificate revoked" in page and "certificate.revoke" not in page
    assert "<dt>Revoked by</dt>" in page and "revoked_by" not in page
    assert f'<a href="/admin/users/{trainer_id}">Chan Dara</a>' in page
    assert f'<a href="/admin/trainees/{trainee_id}">Chan Sophea</a>' not in page  # unchanged: not shown
    assert re.search(rf'<a href="/admin/certificates/{certificate_id}">[A-Z0-9]{{4}}-', page)
    assert "<del>Valid</del> → <ins>Revoked</ins>" in page
    # Phnom Penh time, in one format: the entry's own and the values'.
    assert '">5 Mar 2026, 10:00</time>' in page
    assert "<dt>Revoked</dt><dd><del>—</del> → <ins>5 Mar 2026, 10:00</ins></dd>" in page
    assert f'href="/admin/audit?entity=certificate&amp;record={certificate_id}"' in page


async def test_an_entry_reads_in_khmer_with_khmer_digits(client, db, as_role):
    admin = await as_role(Role.admin)
    _, _, trainer_id = await revocation(db, admin.id)
    page = (await client.get("/admin/audit")).text  # Khmer comes first
    assert "បានដកហូតវិញ្ញាបនបត្រ" in page and "ដកហូតដោយ" in page
    assert f'<a href="/admin/users/{trainer_id}">Chan Dara</a>' in page
    assert '">៥ មីនា ២០២៦ ម៉ោង ១០:០០</time>' in page


async def test_several_kinds_of_entries_read_in_words(client, db, as_role):
    admin = await as_role(Role.admin)
    organisation = await make_organisation(db, name_en="Friends of Children")
    trainee = await make_trainee(db, name_latin="Keo Dara", name_km="កែវ ដារ៉ា")
    draw = {"questions": [[n, [1, 2, 3]] for n in range(10)]}
    answers = {str(n): [1] for n in range(10)}
    await add_entries(
        db,
        {
            "actor_id": admin.id,
            "action": "trainee.update",
            "entity_type": "trainee",
            "entity_id": str(trainee.id),
            "before": {"organisation_id": None, "sex": "male", "date_of_birth": "1990-01-31"},
            "after": {"organisation_id": organisation.id, "sex": "female", "date_of_birth": "1990-01-31"},
        },
        {
            "actor_id": None,
            "action": "quiz_attempt.submit",
            "entity_type": "quiz_attempt",
            "entity_id": "77",
            "before": {"answers": None, "draw": draw, "score_percent": None},
            "after": {"answers": answers, "draw": draw, "score_percent": 80},
        },
        {
            "actor_id": admin.id,
            "action": "paper_pledge.record",
            "entity_type": "paper_pledge",
            "entity_id": "5",
            "before": None,
            "after": {"signed_on": "2026-03-01", "witness_count": 2},
        },
    )
    await use_english(client)
    page = (await client.get("/admin/audit")).text
    assert "Trainee changed" in page
    assert f'<ins><a href="/admin/organisations/{organisation.id}">Friends of Children</a></ins>' in page
    assert "<del>Male</del> → <ins>Female</ins>" in page
    assert "Date of birth" not in page  # unchanged
    assert "Ethics quiz submitted" in page and "10 answers, 8 correct" in page
    assert "System" in page
    # Words nobody registered yet: readable, never a crash.
    assert "Paper pledge record" in page and "Signed on" in page and "1 Mar 2026" in page


async def test_names_come_with_a_bounded_number_of_queries(app, client, db, as_role):
    admin = await as_role(Role.admin)
    counts = []
    for size in (3, 30):
        trainees = [await make_trainee(db) for _ in range(size)]
        organisation = await make_organisation(db)
        await add_entries(
            db,
            *[
                {
                    "actor_id": admin.id,
                    "action": "trainee.update",
                    "entity_type": "trainee",
                    "entity_id": str(trainee.id),
                    "before": {"organisation_id": None},
                    "after": {"organisation_id": organisation.id},
                }
                for trainee in trainees
            ],
        )
        with statements_sent(app.state.engine) as sent:
            assert (await client.get("/admin/audit")).status_code == 200
        counts.append(len(sent))
    assert counts[0] == counts[1], counts


async def test_each_filter_and_their_combination(db):
    admin = await make_user(db, [Role.admin])
    trainer = await make_user(db, [Role.trainer])
    days = [date(2026, 3, 1) + timedelta(days=n) for n in range(4)]
    entries = []
    for n, day in enumerate(days):
        # 23:30 Phnom Penh time is still that day there, though it is 16:30 UTC.
        at = datetime(day.year, day.month, day.day, 16, 30, tzinfo=UTC)
        for entity_type, actor in (("trainee", admin.id), ("cohort", trainer.id), ("trainee", None)):
            entries.append(
                {
                    "at": at,
                    "actor_id": actor,
                    "action": f"{entity_type}.update",
                    "entity_type": entity_type,
                    "entity_id": str(n % 2 + 1),
                }
            )
    await add_entries(db, *entries)

    async def found(**wanted: object) -> list[tuple[str, str, int | None, date]]:
        page = await list_entries(db, AuditFilter(**wanted))  # type: ignore[arg-type]
        return [(e.entity_type, e.entity_id, e.actor_id, e.at.date()) for e in page.entries]

    assert len(await found()) == 12
    assert {row[0] for row in await found(entity_type="cohort")} == {"cohort"}
    assert len(await found(entity_type="trainee")) == 8
    assert len(await found(entity_type="trainee", entity_id="2")) == 4
    assert {row[2] for row in await found(actor_id=trainer.id)} == {trainer.id}
    assert {row[2] for row in await found(by_system=True)} == {None}
    march_2 = await found(since=days[1], until=days[1])
    assert len(march_2) == 3 and {row[3] for row in march_2} == {date(2026, 3, 2)}
    assert len(await found(since=days[2])) == 6 and len(await found(until=days[0])) == 3
    combined = await found(entity_type="trainee", entity_id="1", actor_id=admin.id, since=days[1])
    assert combined == [("trainee", "1", admin.id, date(2026, 3, 3))]
    assert await found(since=date(2027, 1, 1)) == []


async def test_keyset_pages_cover_the_log_without_duplicates_or_gaps(db):
    await add_entries(
        db,
        *[
            {"actor_id": None, "action": "trainee.update", "entity_type": "trainee", "entity_id": str(n)}
            for n in range(1, 124)
        ],
    )
    every = [e.id for e in (await list_entries(db, AuditFilter(), per_page=500)).entries]
    assert len(every) == 123 and every == sorted(every, reverse=True)
    seen, before, pages = [], None, []
    while True:
        page = await list_entries(db, AuditFilter(), before=before, per_page=50)
        seen += [e.id for e in page.entries]
        pages.append(page)
        if page.older is None:
            break
        before = page.older
    assert seen == every and [len(p.entries) for p in pages] == [50, 50, 23]
    assert pages[0].newer is None and pages[1].newer == every[50]
    # Back to newer pages from the oldest: the same pages again.
    back = await list_entries(db, AuditFilter(), after=pages[2].newer, per_page=50)
    assert [e.id for e in back.entries] == every[50:100]
    assert back.older == every[99] and back.newer == every[50]
    first = await list_entries(db, AuditFilter(), after=back.newer, per_page=50)
    assert [e.id for e in first.entries] == every[:50] and first.newer is None


async def test_the_page_links_older_and_newer(client, db, as_role):
    await as_role(Role.admin)
    await add_entries(
        db,
        *[
            {"actor_id": None, "action": "trainee.update", "entity_type": "trainee", "entity_id": str(n)}
            for n in range(1, 61)
        ],
    )
    first = (await client.get("/admin/audit?entity=trainee")).text
    older = re.search(r'href="/admin/audit\?entity=trainee&amp;before=(\d+)"', first)
    assert older and "after=" not in first
    second = (await client.get(f"/admin/audit?entity=trainee&before={older[1]}")).text
    assert second.count('class="history-link"') == 10
    assert re.search(r'href="/admin/audit\?entity=trainee&amp;after=(\d+)"', second)
    assert (await client.get("/admin/audit?before=99999999999999999999")).status_code == 400
    # The filter form sends its empty fields; a date typed by hand that is no date is told, in words.
    assert (await client.get("/admin/audit?entity=&record=&actor=&from=&to=")).status_code == 200
    await use_english(client)
    wrong = await client.get("/admin/audit?from=31/03/2026")
    assert wrong.status_code == 400 and "for example 2026-03-31" in wrong.text


async def test_the_export_is_the_filtered_log_in_the_pages_words(client, db, as_role):
    admin = await as_role(Role.admin, display_name="=HYPERLINK(1)")
    certificate_id, _, _ = await revocation(db, admin.id)
    await add_entries(
        db, {"actor_id": None, "action": "trainee.update", "entity_type": "trainee", "entity_id": "1"}
    )
    await use_english(client)
    response = await client.get("/admin/audit.csv?entity=certificate")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["When", "Who", "What", "Record type", "Record", "Changes"]
    assert len(rows) == 2
    when, who, what, record_type, _record, changes = rows[1]
    assert "10:00" in when and what == "Certificate revoked" and record_type == "Certificate"
    assert who == "'=HYPERLINK(1)"  # formula-safe
    assert "Revoked by: — → Chan Dara" in changes and "Status: Valid → Revoked" in changes
    everything = await client.get("/admin/audit.csv")
    assert len(list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig"))))) == 3
    assert certificate_id


async def test_record_pages_link_their_history_for_admins_only(client, db, as_role):
    certificate = await make_certificate(db)
    organisation = await make_organisation(db)
    trainer = await make_user(db, [Role.trainer])
    cohort_id, course_id = certificate.cohort_id, certificate.course_id
    pages = {
        f"/admin/trainees/{certificate.trainee_id}": ("trainee", certificate.trainee_id),
        f"/admin/organisations/{organisation.id}": ("organisation", organisation.id),
        f"/admin/users/{trainer.id}": ("user_account", trainer.id),
        f"/admin/courses/{course_id}": ("course", course_id),
        f"/cohorts/{cohort_id}": ("cohort", cohort_id),
        f"/admin/certificates/{certificate.id}": ("certificate", certificate.id),
    }
    await as_role(Role.admin)
    for url, (kind, record_id) in pages.items():
        page = await client.get(url)
        assert page.status_code == 200, url
        assert f'href="/admin/audit?entity={kind}&amp;record={record_id}"' in page.text, url
        history = await client.get(f"/admin/audit?entity={kind}&record={record_id}")
        assert history.status_code == 200 and 'class="history"' in history.text
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    own = await make_cohort(db, await make_course(db, status="published"), trainer_ids=[trainer.id])
    await sign_in(client, trainer.email)
    page = await client.get(f"/cohorts/{own.id}")
    assert page.status_code == 200 and "/admin/audit" not in page.text
