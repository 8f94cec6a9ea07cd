"""Roster files for bulk enrolment read without a database: the template, CSV and Excel, and every refusal."""

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from foundation.files import FileRejected
from foundation.i18n import current_language
from training.services.roster_uploads import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    RosterRow,
    read_roster,
    roster_template_csv,
    roster_template_xlsx,
    trainee_fields,
)

HEADER = ",".join(COLUMNS)
SOK = "សុខ ស្រីមុំ,Sok Sreymom,female,1992-03-04,012 345 678,,,Social worker,120101"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    token = current_language.set("en")
    yield
    current_language.reset(token)


def csv_file(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_file(*rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refusal(filename: str, content: bytes) -> str:
    with pytest.raises(FileRejected) as rejected:
        read_roster(filename, content)
    return " ".join(problem.message for problem in rejected.value.problems)


# ---------------------------------------------------------------- the template


def test_csv_template_is_utf8_with_bom_header_and_the_example_row() -> None:
    content = roster_template_csv()
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert lines[1].startswith("សុខ ស្រីមុំ,Sok Sreymom,female,1990-05-17,")


def test_xlsx_template_has_a_date_cell_text_columns_and_a_help_sheet() -> None:
    workbook = load_workbook(io.BytesIO(roster_template_xlsx()))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert sheet["D2"].value == datetime(1990, 5, 17)  # a real date cell
    assert sheet.column_dimensions["E"].number_format == "@"  # phone as text: 012 keeps its 0
    assert workbook.sheetnames == ["trainees", "help"]


@pytest.mark.parametrize(
    ("filename", "template"), [("t.csv", roster_template_csv), ("t.xlsx", roster_template_xlsx)]
)
def test_a_template_read_back_gives_only_its_example_row_marked_for_deletion(filename: str, template) -> None:  # type: ignore[no-untyped-def]
    [row] = read_roster(filename, template())
    assert row.line == 2
    assert row.cells["name_latin"] == "Sok Sreymom"
    assert row.problem == "This is the template's example row: delete it."


# ---------------------------------------------------------------- reading CSV


def test_csv_rows_keep_their_line_numbers_past_blank_lines_and_multiline_cells() -> None:
    content = csv_file(
        HEADER,
        SOK,
        "",
        ",,,,,,,,",
        'ចាន់ ដារា,Chan Dara,male,,,,,"Social\nworker",',
        "កែវ សុភា,Keo Sophea,F,,,,,,",
    )
    rows = read_roster("roster.csv", content)
    assert [row.line for row in rows] == [2, 5, 7]
    assert rows[1].cells["position"] == "Social\nworker"
    assert rows[0].problem is None


def test_csv_with_bom_semicolons_and_english_labels_is_read() -> None:
    content = "\ufeffName in Khmer;Latin name;Gender;Date of birth;Phone number;Organization\r\n".encode()
    content += "ចាន់ ដារា;Chan Dara;ប្រុស;1990-01-02;012 222 333;NISA\r\n".encode()
    [row] = read_roster("roster.CSV", content)
    assert row.cells == {
        "name_km": "ចាន់ ដារា",
        "name_latin": "Chan Dara",
        "sex": "ប្រុស",
        "date_of_birth": "1990-01-02",
        "phone": "012 222 333",
        "organisation": "NISA",
    }


def test_a_row_with_more_cells_than_columns_is_marked() -> None:
    [row] = read_roster("r.csv", csv_file("name_km,name_latin,sex", "ចាន់ ដារា,Chan Dara,male,surplus"))
    assert row.problem == "This row has more cells than the header has columns."


# ---------------------------------------------------------------- reading Excel


def test_xlsx_date_cells_numbers_and_codes_losing_their_leading_zero() -> None:
    content = xlsx_file(
        ["name_km", "name_latin", "sex", "date_of_birth", "phone", "commune_code"],
        ["ចាន់ ដារា", "Chan Dara", "M", datetime(1991, 7, 8), 12345678, 10201],
        [None, None, None, None, None, None],
        ["កែវ សុភា", "Keo Sophea", "ស្រី", date(1993, 1, 2), "012 345 678", "120101"],
    )
    first, second = read_roster("roster.xlsx", content)
    assert first.line == 2 and second.line == 4
    assert first.cells["date_of_birth"] == date(1991, 7, 8)
    assert first.cells["phone"] == "12345678"
    assert first.cells["commune_code"] == "010201"
    assert second.cells["date_of_birth"] == date(1993, 1, 2)


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("roster.txt", b"name_km,name_latin,sex\n", "Upload a .csv or .xlsx file"),
        ("roster.xls", b"\xd0\xcf\x11\xe0", "Upload a .csv or .xlsx file"),
        ("", b"", "Choose a file to upload."),
        ("roster.csv", b"", "The file is empty."),
        ("roster.csv", b" \r\n\r\n", "The file is empty."),
        ("roster.xlsx", b"", "The file is empty."),
        ("roster.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is a picture, not a CSV file."),
        ("roster.csv", b"%PDF-1.7\n", "This is a PDF document"),
        ("roster.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel (.xls) file"),
        ("roster.csv", xlsx_file(["name_km"]), "upload it under its .xlsx name"),
        (
            "roster.csv",
            "name_km,name_latin,sex\nCafé,Cafe,male\n".encode("cp1252"),
            "Save the file as CSV UTF-8",
        ),
        (
            "roster.csv",
            "name_km,name_latin,sex\nសុខ,Sok,male\n".encode("utf-16"),
            "Save the file as CSV UTF-8",
        ),
        ("roster.csv", "name_km,name_latin,sex\n".encode("utf-16-le"), "Save the file as CSV UTF-8"),
        ("roster.csv", csv_file(HEADER), "The file has a header row but no trainees."),
        ("roster.xlsx", b"PK\x03\x04 not really a zip", "This Excel file cannot be read"),
        ("roster.xlsx", b"\x89PNG\r\n", "This is not an Excel (.xlsx) file."),
        ("roster.csv", b'name_km,name_latin,sex\n"unclosed,Sok,male\n', "not a readable CSV file (line 2"),
    ],
)
def test_files_that_cannot_be_used_are_refused_clearly(filename: str, content: bytes, message: str) -> None:
    assert message in refusal(filename, content)


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert "This Excel file cannot be read" in refusal("roster.xlsx", out.getvalue())


def test_missing_unknown_and_doubled_columns_are_named() -> None:
    message = refusal("r.csv", csv_file("Name in Khmer,name_km,Nickname", "ចាន់,ចាន់,x"))
    assert "Columns not recognised: Nickname." in message
    assert "Missing columns: name_latin, sex." in message
    assert "Columns given twice: name_km." in message
    assert "as in the template: name_km, name_latin, sex, date_of_birth" in message


def test_files_over_the_size_and_row_limits_are_refused() -> None:
    assert "at most 5 MB" in refusal("r.csv", b"x" * (MAX_FILE_BYTES + 1))
    rows = [f"ចាន់ {n},Chan Dara,male" for n in range(MAX_ROWS + 1)]
    assert "more than 10,000 trainees" in refusal("r.csv", csv_file("name_km,name_latin,sex", *rows))
    assert len(read_roster("r.csv", csv_file("name_km,name_latin,sex", *rows[:MAX_ROWS]))) == MAX_ROWS


# ---------------------------------------------------------------- cells as trainee fields


@pytest.mark.parametrize(
    ("written", "sex"),
    [
        ("female", "female"),
        ("Female", "female"),
        ("F", "female"),
        ("ស្រី", "female"),
        ("m", "male"),
        ("ប្រុស", "male"),
    ],
)
def test_sex_is_read_in_english_khmer_or_as_a_letter(written: str, sex: str) -> None:
    values, problems = trainee_fields({"name_km": "ចាន់", "name_latin": "Chan", "sex": written})
    assert values["sex"] == sex
    assert problems == {}


def test_cells_in_a_form_the_file_may_not_use_are_problems() -> None:
    cells = RosterRow(2, {"sex": "woman", "date_of_birth": "17/05/1990", "commune_code": "12010"}).cells
    values, problems = trainee_fields(cells)
    assert set(problems) == {"sex", "date_of_birth", "commune_code"}
    assert "YYYY-MM-DD" in problems["date_of_birth"]
    assert values["date_of_birth"] is None
    assert trainee_fields({"sex": ""})[1] == {"sex": "This field is required."}
    assert trainee_fields({"sex": "male", "date_of_birth": date(1990, 1, 1)})[1] == {}
