"""Issuing certificates on both databases: one or a whole cohort, only complete enrolments, never twice
(also under concurrent requests), snapshot and expiry, approval, revocation, reissue, downloads."""

import asyncio
import io
import json
import re
import subprocess
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from certificates import actions, keys
from certificates.authority import IssuingAuthority
from certificates.codes import grouped
from certificates.models import Certificate, CertificateStatus
from certificates.services import issuance
from certificates.services.issuance import add_months, status_position
from certificates.signing import verify
from foundation.audit import AuditEntry
from foundation.database import create_engine, create_sessionmaker
from foundation.errors import Conflict, InvalidInput
from foundation.i18n import current_language
from foundation.outbox.models import OutboxMessage
from foundation.roles import Role
from foundation.settings import Settings
from people.models import Trainee
from people.services.auth import CurrentUser
from tests.conftest import post_form, sign_in
from tests.factories import SYSTEM, make_user
from tests.integration.test_progress import enrol_new, enrol_user, record, running_course
from tests.statements import statements_sent


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


@pytest.fixture
def authority(settings: Settings) -> IssuingAuthority:
    keys.create_key(settings.effective_keys_dir)
    return IssuingAuthority.from_settings(settings)


def admin_user() -> CurrentUser:
    return CurrentUser(1, "admin@x", "Admin", frozenset({Role.admin.value}), None, "en", "")


async def complete_cohort(db: AsyncSession, trainer_ids: list[int] = (), done: int = 2, undone: int = 1):  # type: ignore[assignment]
    setup = await running_course(db, trainer_ids=trainer_ids)
    setup.course.validity_months = 24
    setup.course.signatory_name_en = "Chea Sophal"
    await db.commit()
    complete = [
        await enrol_new(db, setup.cohort, name_latin=f"Dara {'ABCDEFGH'[n]}", email=f"done{n}@example.org")
        for n in range(done)
    ]
    for enrolment in complete:
        await record(db, setup, enrolment)
    for _ in range(undone):
        await record(db, setup, await enrol_new(db, setup.cohort), competent=1)
    return setup, complete


async def count(db: AsyncSession, model, *conditions) -> int:  # type: ignore[no-untyped-def]
    return (await db.execute(select(func.count()).select_from(model).where(*conditions))).scalar_one()


# ---------------------------------------------------------------- pure rules


def test_expiry_adds_the_course_validity_in_months():
    assert add_months(date(2026, 11, 21), 24) == date(2028, 11, 21)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)


def test_status_positions_are_unique_and_fill_whole_lists():
    positions = {status_position(n) for n in range(1, 131_073)}
    assert len(positions) == 131_072
    assert {number for number, _ in positions} == {1}
    assert status_position(131_073)[0] == 2


# ---------------------------------------------------------------- issuing through the services


async def test_issuing_a_cohort_issues_each_complete_enrolment_once(db, authority):
    setup, _complete = await complete_cohort(db)
    result = await issuance.issue_for_cohort(db, authority, SYSTEM, admin_user(), setup.cohort.id)
    assert len(result.issued) == 2 and result.remaining == 0
    again = await issuance.issue_for_cohort(db, authority, SYSTEM, admin_user(), setup.cohort.id)
    assert again.issued == []
    assert await count(db, Certificate) == 2
    certificate = result.issued[0].certificate
    snapshot = certificate.snapshot
    assert snapshot["holder_name_latin"].startswith("Dara ")
    assert snapshot["course_title_en"] == setup.course.title_en
    assert Decimal(snapshot["hours"]) == 20 and len(snapshot["competencies"]) == 3
    assert snapshot["signatory"]["name_en"] == "Chea Sophal"
    assert certificate.expires_on == add_months(certificate.issued_on, 24)
    assert snapshot["verification_url"] == f"http://testserver.local/v/{grouped(certificate.code)}"
    # Signed, and the signature checks out against the published keys.
    did_keys = keys.verification_keys(authority.did_document())
    assert verify(certificate.credential, did_keys)
    assert certificate.credential["validUntil"].startswith(certificate.expires_on.isoformat())
    assert await count(db, AuditEntry, AuditEntry.action == "certificate.issue") == 2
    outbox = (await db.execute(select(OutboxMessage))).scalars().all()
    assert sorted(m.recipient for m in outbox) == ["done0@example.org", "done1@example.org"]
    assert all(m.template == "certificate_issued" for m in outbox)


async def test_a_batch_issues_only_part_and_says_how_many_remain(db, authority):
    setup, _ = await complete_cohort(db, done=3, undone=0)
    first = await issuance.issue_for_cohort(
        db, authority, SYSTEM, admin_user(), setup.cohort.id, batch_size=2
    )
    assert (len(first.issued), first.remaining) == (2, 1)
    second = await issuance.issue_for_cohort(
        db, authority, SYSTEM, admin_user(), setup.cohort.id, batch_size=2
    )
    assert (len(second.issued), second.remaining) == (1, 0)


async def test_an_incomplete_enrolment_is_refused_with_what_is_missing(db, authority):
    setup = await running_course(db)
    enrolment = await enrol_new(db, setup.cohort)
    await record(db, setup, enrolment, competent=1)
    with pytest.raises(Conflict) as refused:
        await issuance.issue_certificate(db, authority, SYSTEM, admin_user(), enrolment.id)
    assert "Not complete yet" in refused.value.message
    assert "competenc" in refused.value.params["missing"].lower()
    assert await count(db, Certificate) == 0


async def test_the_database_refuses_a_second_current_certificate_under_concurrent_requests(
    database_url, settings, authority
):
    engine = create_engine(database_url)
    maker = create_sessionmaker(engine)
    async with maker() as db:
        setup, _complete = await complete_cohort(db, done=4, undone=0)

    async def issue_all() -> int:  # as the request does: the action commits, retrying a lost race
        async with maker() as session:
            try:
                result = await actions.issue_for_cohort(
                    session, authority, SYSTEM, admin_user(), setup.cohort.id
                )
            except Conflict:
                return 0
            return len(result.issued)

    issued = await asyncio.gather(issue_all(), issue_all(), issue_all())
    async with maker() as db:
        assert await count(db, Certificate) == 4
        assert sum(issued) == 4
    await engine.dispose()


async def test_a_course_needing_approval_waits_for_an_admin(db, authority):
    trainer = await make_user(db, [Role.trainer])
    setup, complete = await complete_cohort(db, trainer_ids=[trainer.id], done=1, undone=0)
    setup.course.requires_approval = True
    await db.commit()
    as_trainer = CurrentUser(trainer.id, trainer.email, "T", frozenset({Role.trainer.value}), None, "en", "")
    pending = (
        await issuance.issue_certificate(db, authority, SYSTEM, as_trainer, complete[0].id)
    ).certificate
    assert pending.status == CertificateStatus.pending_approval and pending.snapshot is None
    assert await count(db, OutboxMessage) == 0  # nobody is told before it is valid
    approved = await issuance.approve(db, authority, SYSTEM, pending.id)
    assert approved.status == CertificateStatus.valid and approved.snapshot and approved.credential
    assert await count(db, OutboxMessage) == 1
    with pytest.raises(Conflict):
        await issuance.approve(db, authority, SYSTEM, pending.id)


async def test_turning_down_a_certificate_waiting_for_approval_asks_first(client, db, as_role, authority):
    trainer = await make_user(db, [Role.trainer])
    setup, complete = await complete_cohort(db, trainer_ids=[trainer.id], done=1, undone=0)
    setup.course.requires_approval = True
    await db.commit()
    as_trainer = CurrentUser(trainer.id, trainer.email, "T", frozenset({Role.trainer.value}), None, "en", "")
    pending = (
        await issuance.issue_certificate(db, authority, SYSTEM, as_trainer, complete[0].id)
    ).certificate
    await db.commit()
    await as_role(Role.admin, language="en")
    asked = await post_form(client, f"/admin/certificates/{pending.id}/revoke", {"reason": "Quiz done twice"})
    assert "Turn down the certificate asked for" in asked.text and "<q>Quiz done twice</q>" in asked.text
    confirmed = {"reason": "Quiz done twice", "confirmed": "yes"}
    assert (await post_form(client, f"/admin/certificates/{pending.id}/revoke", confirmed)).status_code == 303
    assert (await db.get(Certificate, pending.id, populate_existing=True)).status == "revoked"


async def test_revoking_needs_a_reason_and_is_audited(db, authority):
    _setup, complete = await complete_cohort(db, done=1, undone=0)
    certificate = (
        await issuance.issue_certificate(db, authority, SYSTEM, admin_user(), complete[0].id)
    ).certificate
    await db.commit()  # the test owns the unit of work, as a request would
    with pytest.raises(InvalidInput):
        await issuance.revoke(db, SYSTEM, certificate.id, "  ")
    await db.rollback()
    await db.refresh(certificate)
    assert certificate.status == CertificateStatus.valid
    await issuance.revoke(db, SYSTEM, certificate.id, "Issued by mistake")
    await db.commit()
    await db.refresh(certificate)
    assert (certificate.status, certificate.revoked_reason) == ("revoked", "Issued by mistake")
    assert await count(db, AuditEntry, AuditEntry.action == "certificate.revoke") == 1
    with pytest.raises(Conflict):
        await issuance.revoke(db, SYSTEM, certificate.id, "again")


async def test_reissue_makes_a_new_certificate_and_supersedes_the_old(db, authority):
    _setup, complete = await complete_cohort(db, done=1, undone=0)
    old = (await issuance.issue_certificate(db, authority, SYSTEM, admin_user(), complete[0].id)).certificate
    trainee = await db.get(Trainee, complete[0].trainee_id)
    trainee.name_latin = "Corrected Name"
    await db.commit()
    new = (await issuance.reissue(db, authority, SYSTEM, old.id, "Name corrected")).certificate
    await db.commit()
    await db.refresh(old)
    assert old.status == CertificateStatus.superseded and old.superseded_by_id == new.id
    assert new.supersedes_id == old.id and new.code != old.code
    assert new.snapshot["holder_name_latin"] == "Corrected Name"
    assert new.expires_on == old.expires_on
    assert await count(db, Certificate) == 2  # nothing is ever deleted


# ---------------------------------------------------------------- through HTTP


async def test_a_trainer_issues_a_cohort_and_downloads_pdf_zip_and_print_file(client, db, as_role, authority):
    trainer = await as_role(Role.trainer, language="en")
    setup, _complete = await complete_cohort(db, trainer_ids=[trainer.id])
    page = await client.get(f"/cohorts/{setup.cohort.id}/certificates")
    assert page.status_code == 200 and "Issue 2 certificates" in page.text
    answer = await post_form(client, f"/cohorts/{setup.cohort.id}/certificates", {"done": "0"})
    assert answer.status_code == 303 and answer.headers["location"].endswith("?issued=2")
    certificates = (await db.execute(select(Certificate).order_by(Certificate.id))).scalars().all()
    assert len(certificates) == 2
    pdf = await client.get(f"/certificates/{certificates[0].id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bundle = await client.get(f"/cohorts/{setup.cohort.id}/certificates/all.zip")
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert len(archive.namelist()) == 2
        assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    printed = await client.get(f"/cohorts/{setup.cohort.id}/certificates/print.pdf")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", printed.content)) == 2  # one page per certificate


async def test_issuing_step_by_step_shows_progress(client, db, as_role, authority):
    trainer = await as_role(Role.trainer, language="en")
    setup, _ = await complete_cohort(db, trainer_ids=[trainer.id], done=2, undone=0)
    answer = await client.post(
        f"/cohorts/{setup.cohort.id}/certificates",
        data={"done": "0", "_csrf_token": client.cookies["csrftoken"]},
        headers={"hx-request": "true"},
    )
    assert answer.status_code == 200 and "2 certificates issued" in answer.text


async def test_another_trainer_cannot_issue_or_download(client, db, as_role, authority):
    setup, complete = await complete_cohort(db, done=1, undone=0)
    certificate = (
        await issuance.issue_certificate(db, authority, SYSTEM, admin_user(), complete[0].id)
    ).certificate
    await db.commit()
    await as_role(Role.trainer)
    assert (await client.get(f"/cohorts/{setup.cohort.id}/certificates")).status_code == 403
    assert (await post_form(client, f"/enrolments/{complete[0].id}/certificate")).status_code == 403
    assert (await client.get(f"/certificates/{certificate.id}/certificate.pdf")).status_code == 403


async def test_the_holder_downloads_their_own_certificate_and_no_one_elses(client, db, authority):
    setup = await running_course(db)
    holder = await make_user(db, [Role.trainee])
    mine = await enrol_user(db, setup.cohort, holder)
    other = await enrol_new(db, setup.cohort)
    for enrolment in (mine, other):
        await record(db, setup, enrolment)
    result = await issuance.issue_for_cohort(db, authority, SYSTEM, admin_user(), setup.cohort.id)
    await db.commit()
    by_enrolment = {i.certificate.enrolment_id: i.certificate for i in result.issued}
    await sign_in(client, holder.email)
    page = await client.get("/me/certificates")
    assert grouped(by_enrolment[mine.id].code) in page.text
    assert grouped(by_enrolment[other.id].code) not in page.text
    assert (await client.get(f"/certificates/{by_enrolment[mine.id].id}/certificate.pdf")).status_code == 200
    credential = await client.get(f"/certificates/{by_enrolment[mine.id].id}/credential.json")
    assert json.loads(credential.content)["credentialSubject"]["achievement"]
    assert (await client.get(f"/certificates/{by_enrolment[other.id].id}/certificate.pdf")).status_code == 403


async def test_an_admin_revokes_with_a_reason_and_the_public_page_shows_it(client, db, as_role, authority):
    _setup, complete = await complete_cohort(db, done=1, undone=0)
    certificate = (
        await issuance.issue_certificate(db, authority, SYSTEM, admin_user(), complete[0].id)
    ).certificate
    await db.commit()
    await as_role(Role.admin, language="en")
    refused = await post_form(client, f"/admin/certificates/{certificate.id}/revoke", {"reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.text
    asked = await post_form(
        client, f"/admin/certificates/{certificate.id}/revoke", {"reason": "  Forged   attendance "}
    )
    assert asked.status_code == 200 and "What will happen:" in asked.text
    assert "<q>Forged attendance</q>" in asked.text and 'name="confirmed" value="yes"' in asked.text
    assert (await db.get(Certificate, certificate.id, populate_existing=True)).status == "valid"
    answer = await post_form(
        client,
        f"/admin/certificates/{certificate.id}/revoke",
        {"reason": "Forged attendance", "confirmed": "yes"},
    )
    assert answer.status_code == 303
    status_list = await client.get(f"/credentials/status/{certificate.status_list}")
    assert status_list.status_code == 200
    from certificates.status_list import decode_status_list, is_set

    encoded = status_list.json()["credentialSubject"]["encodedList"]
    assert is_set(decode_status_list(encoded), certificate.status_index)


def _pdf_words(pdf: bytes, tmp_path) -> str:
    """The PDF's text without spaces (the diagonal mark comes out of pdftotext broken at odd places)."""
    path = tmp_path / "downloaded.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(done.stdout.split())


async def test_a_copy_downloaded_after_revocation_or_reissue_is_marked_and_the_original_not_served(
    client, db, as_role, authority, tmp_path
):
    _setup, complete = await complete_cohort(db, done=2, undone=0)
    revoked, replaced = [
        (await issuance.issue_certificate(db, authority, SYSTEM, admin_user(), e.id)).certificate
        for e in complete
    ]
    await db.commit()
    await as_role(Role.admin, language="en")
    before = (await client.get(f"/certificates/{revoked.id}/certificate.pdf")).content
    assert "REVOKED" not in _pdf_words(before, tmp_path)
    confirmed = {"reason": "Forged attendance", "confirmed": "yes"}
    await post_form(client, f"/admin/certificates/{revoked.id}/revoke", confirmed)
    await post_form(
        client, f"/admin/certificates/{replaced.id}/reissue", {"reissue_reason": "Name corrected"}
    )
    new = (await db.execute(select(Certificate).where(Certificate.supersedes_id == replaced.id))).scalar_one()

    after = (await client.get(f"/certificates/{revoked.id}/certificate.pdf")).content
    assert after != before and "REVOKEDon" in _pdf_words(after, tmp_path)
    old_copy = (await client.get(f"/certificates/{replaced.id}/certificate.pdf")).content
    assert f"REPLACEDby{grouped(new.code)}" in _pdf_words(old_copy, tmp_path)
    new_copy = (await client.get(f"/certificates/{new.id}/certificate.pdf")).content
    assert "REPLACED" not in _pdf_words(new_copy, tmp_path)


async def test_public_issuer_documents(client, db, authority):
    did = (await client.get("/.well-known/did.json")).json()
    assert did["id"] == "did:web:testserver.local"
    assert did["verificationMethod"][0]["type"] == "Multikey"
    assert (await client.get("/credentials/status/99")).status_code == 404
    assert (await client.get("/v/AAAA-BBBB-CCCC-DDDD/credential.json")).status_code == 404


async def test_an_admin_reissues_through_the_page_and_is_told_when_the_reason_is_missing(
    client, db, as_role, authority
):
    _, complete = await complete_cohort(db, done=1, undone=0)
    old = (await issuance.issue_certificate(db, authority, SYSTEM, admin_user(), complete[0].id)).certificate
    await db.commit()
    await as_role(Role.admin, language="en")
    refused = await post_form(client, f"/admin/certificates/{old.id}/reissue", {"reissue_reason": " "})
    assert refused.status_code == 422 and "Say why" in refused.text
    answer = await post_form(
        client, f"/admin/certificates/{old.id}/reissue", {"reissue_reason": "Name corrected"}
    )
    assert answer.status_code == 303
    new = (await db.execute(select(Certificate).where(Certificate.supersedes_id == old.id))).scalar_one()
    assert answer.headers["location"] == f"/admin/certificates/{new.id}?notice=reissued"
    page = await client.get(f"/admin/certificates/{old.id}")
    assert "Superseded" in page.text and grouped(new.code) in page.text


async def test_issuing_a_cohort_takes_the_same_number_of_statements_however_many_trainees(db, authority):
    async def statements_for(trainees: int) -> int:
        setup, _ = await complete_cohort(db, done=trainees, undone=0)
        async with AsyncSession(db.bind, expire_on_commit=False) as fresh:
            with statements_sent(db.bind) as counted:  # type: ignore[arg-type]
                result = await issuance.issue_for_cohort(
                    fresh, authority, SYSTEM, admin_user(), setup.cohort.id
                )
        assert len(result.issued) == trainees
        # Inserts may go one row per statement (SQLite returns ids that way): count the reads only.
        return len([sql for sql in counted if sql.lstrip().upper().startswith("SELECT")])

    assert await statements_for(2) == await statements_for(6)
