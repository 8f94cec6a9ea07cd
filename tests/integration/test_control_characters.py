"""Invisible characters in text: refused at the boundary with a clear message (every form and JSON body goes
through foundation.forms.validated); what older rows hold still exports, issues and reissues."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from certificates.models import Certificate
from certificates.services import issuance
from foundation.roles import Role
from people.models import Trainee
from tests.conftest import csrf_token, post_form
from tests.factories import SYSTEM
from tests.integration.test_certificate_issuance import admin_user, authority, complete_cohort, english  # noqa: F401
from tests.integration.test_trainees import NEW_TRAINEE

REFUSED = {
    "NUL": "Sok\x00Sreymom",
    "bell": "Sok\x07Sreymom",
    "right-to-left override": "Sok \u202emomyerS",
    "zero-width space in Latin": "Sok\u200bSreymom",
    "zero-width joiner": "Sok\u200dSreymom",
    "byte order mark": "\ufeffSok Sreymom",
    "line break": "Sok\nSreymom",
}
# What an old row may hold (PostgreSQL's text cannot hold NUL, so no NUL here).
OLD_NAME = "Sok\x07 \u202eSrey\u200bmom\x1b"


@pytest.mark.parametrize("name", REFUSED.values(), ids=REFUSED.keys())
async def test_the_trainee_form_refuses_invisible_characters_with_a_clear_message(client, db, as_role, name):
    await as_role(Role.admin, language="en")
    response = await post_form(client, "/admin/trainees/new", NEW_TRAINEE | {"name_latin": name})
    assert response.status_code == 422
    assert "invisible or control characters" in response.text or "one line" in response.text
    assert (await db.execute(select(Trainee))).first() is None


async def test_the_json_api_refuses_them_too_in_any_text_field(client, db, as_role):
    await as_role(Role.admin, language="en")
    headers = {"x-csrftoken": await csrf_token(client)}
    body = {k: v for k, v in NEW_TRAINEE.items() if k not in ("province", "district")} | {
        "position": "a\u202eb"
    }
    response = await client.post("/api/v1/trainees", json=body, headers=headers)
    assert response.status_code == 422
    assert "invisible or control characters" in response.json()["errors"]["position"]


async def test_khmer_keeps_its_zero_width_space_and_non_joiner_and_text_is_stored_as_nfc(client, db, as_role):
    await as_role(Role.admin, language="en")
    khmer = "ចាន់\u200bដារ៉ា"  # ZWSP between Khmer words
    decomposed = "Chan Dare\u0301"  # e + combining acute: NFC makes it one character
    response = await post_form(
        client, "/admin/trainees/new", NEW_TRAINEE | {"name_km": khmer, "name_latin": decomposed}
    )
    assert response.status_code == 303, response.text
    stored = (await db.execute(select(Trainee))).scalar_one()
    assert stored.name_km == khmer and stored.name_latin == "Chan Dar\u00e9"


async def test_an_old_row_with_them_exports_issues_and_reissues(client, db, as_role, authority):  # noqa: F811
    setup, complete = await complete_cohort(db, done=2, undone=0)
    trainee = await db.get(Trainee, complete[0].trainee_id)
    trainee.name_latin = trainee.position = OLD_NAME  # written directly, as before these checks
    await db.commit()

    result = await issuance.issue_for_cohort(db, authority, SYSTEM, admin_user(), setup.cohort.id)
    await db.commit()
    assert len(result.issued) == 2  # the batch is not failed by one trainee
    certificate = (
        await db.execute(select(Certificate).where(Certificate.trainee_id == trainee.id))
    ).scalar_one()
    assert certificate.snapshot["holder_name_latin"] == "Sok Sreymom"

    await as_role(Role.admin, language="en")
    answer = await post_form(
        client, f"/admin/certificates/{certificate.id}/reissue", {"reissue_reason": "Name fixed"}
    )
    assert answer.status_code == 303
    assert (await client.get(f"/certificates/{certificate.id}/certificate.pdf")).status_code == 200

    listed = await client.get(f"/cohorts/{setup.cohort.id}/roster.csv")
    assert listed.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(listed.content.decode("utf-8-sig"))) for cell in row]
    assert "Sok Sreymom" in cells
    workbook = await client.get(f"/cohorts/{setup.cohort.id}/roster.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert "Sok Sreymom" in [cell.value for row in sheet.iter_rows() for cell in row]
