"""A formula in every export: each CSV and XLSX download goes through foundation.spreadsheets, which quotes
text a spreadsheet would run (CSV injection), and a framework file exported and imported again keeps it."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from courses.models import Competency
from courses.services.framework_files import read_framework_file
from foundation.roles import Role
from foundation.spreadsheets import FORMULA_STARTS
from tests.curriculum_factories import make_course, make_framework
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_trainee

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "'=already"]


def runnable(cells: list[object]) -> list[object]:
    """Cells a spreadsheet would run as a formula (a phone number such as +85512345678 is none)."""
    return [
        cell
        for cell in cells
        if isinstance(cell, str)
        and cell.lstrip("'").startswith(FORMULA_STARTS)
        and not cell.startswith("'")
        and not cell[1:].isdigit()
    ]


async def test_the_framework_csv_export_quotes_formulas_and_imports_them_back(client, db, as_role):
    await as_role(Role.admin)
    framework = await make_framework(db, domains=1, per_domain=len(FORMULAS))
    competencies = (
        await db.execute(select(Competency).where(Competency.framework_id == framework.id))
    ).scalars()
    for competency, formula in zip(competencies, FORMULAS, strict=True):
        competency.title_en = formula
        competency.description_en = formula
    await db.commit()

    exported = await client.get(f"/admin/frameworks/{framework.id}/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert runnable(cells) == []
    assert "'" + FORMULAS[0] in cells and "''=already" in cells

    imported = read_framework_file("framework.csv", exported.content)
    titles = [competency.title_en for competency in imported.domains[0].competencies]
    assert titles == [formula.strip() for formula in FORMULAS]  # an import trims cells


async def test_the_roster_exports_quote_formulas(client, db, as_role):
    await as_role(Role.admin, language="en")
    course = await make_course(db, status="published")
    cohort = await make_cohort(db, course)
    for formula in FORMULAS:
        trainee = await make_trainee(db)
        trainee.name_latin = trainee.position = formula  # as rows written before today's checks may hold
        await enrol(db, cohort, trainee)

    listed = await client.get(f"/cohorts/{cohort.id}/roster.csv")
    rows = list(csv.reader(io.StringIO(listed.content.decode("utf-8-sig"))))
    assert runnable([cell for row in rows for cell in row]) == []
    assert any(cell == "'" + FORMULAS[0] for row in rows for cell in row)

    sheet = load_workbook(io.BytesIO((await client.get(f"/cohorts/{cohort.id}/roster.xlsx")).content)).active
    assert runnable([cell.value for row in sheet.iter_rows() for cell in row]) == []
