"""A session's printed attendance sheet: the cohort's seated trainees, for its trainers and admins only."""

import pytest

from foundation.roles import Role
from tests.factories import make_trainee
from tests.integration.test_attendance import make_class
from tests.unit.test_certificate_pdf import require, run, saved
from training.models import Enrolment


def sheet_url(cohort_id: int, session_id: int) -> str:
    return f"/cohorts/{cohort_id}/sessions/{session_id}/attendance-sheet.pdf"


async def test_the_sheet_lists_the_seated_trainees_and_is_linked_from_the_register(
    client, db, as_role, tmp_path
):
    require("pdftotext")
    trainer = await as_role(Role.trainer, language="en")
    group = await make_class(db, [trainer.id], trainees=2)
    gone = await make_trainee(db, name_latin="Withdrawn Person")
    db.add(Enrolment(cohort_id=group.cohort_id, trainee_id=gone.id, status="withdrawn"))
    await db.commit()
    register = await client.get(group.register(1))
    assert f'href="{sheet_url(group.cohort_id, group.session_ids[1])}"' in register.text
    summary = await client.get(f"/cohorts/{group.cohort_id}/attendance")
    assert sheet_url(group.cohort_id, group.session_ids[0]) in summary.text
    answer = await client.get(sheet_url(group.cohort_id, group.session_ids[1]))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline; filename=")
    text = run("pdftotext", "-layout", saved(tmp_path, answer.content, "sheet.pdf"), "-")
    assert "Trainee Aa" in text and "Trainee Ab" in text and "Withdrawn Person" not in text
    assert "Page 1 of 1" in text and "NISA, Phnom Penh" in text


@pytest.mark.parametrize("role", [Role.trainer, Role.trainee])
async def test_only_the_cohorts_trainers_get_the_sheet(client, db, as_role, role):
    group = await make_class(db, [])
    await as_role(role, language="en")
    assert (await client.get(sheet_url(group.cohort_id, group.session_ids[0]))).status_code == 403


async def test_a_session_of_another_cohort_is_not_found(client, db, as_role):
    trainer = await as_role(Role.trainer, language="en")
    group, other = await make_class(db, [trainer.id]), await make_class(db, [trainer.id])
    assert (await client.get(sheet_url(group.cohort_id, other.session_ids[0]))).status_code == 404
