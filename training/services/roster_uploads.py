"""Trainee rosters uploaded as CSV or Excel (.xlsx) files: the downloadable template, and files read as rows.

Pure conversion, no database: training/services/enrolment_import/row_check.py validates and classifies
the rows.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from foundation.files import (
    MAX_COLUMNS,
    Deadline,
    FileProblem,
    FileRejected,
    check_columns,
    check_csv_size,
    check_xlsx_archive,
    twice,
)
from foundation.i18n import N_, gettext
from foundation.spreadsheets import as_csv, formula_safe

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # 10,000 rows of nine cells unpack to about 10 MB
COLUMNS = (
    "name_km",
    "name_latin",
    "sex",
    "date_of_birth",
    "phone",
    "email",
    "organisation",
    "position",
    "commune_code",
)
REQUIRED_COLUMNS = ("name_km", "name_latin", "sex")
# The English header labels people write instead of the column names, compared as lower-case words.
COLUMN_LABELS = {
    "name_km": ("name in khmer", "khmer name", "name khmer"),
    "name_latin": ("name in latin letters", "latin name", "name latin", "name in latin"),
    "sex": ("gender",),
    "date_of_birth": ("birth date", "dob"),
    "phone": ("phone number", "telephone", "mobile"),
    "email": ("e mail", "email address"),
    "organisation": ("organization", "employer"),
    "position": ("job title",),
    "commune_code": ("commune",),
}
# What each column holds: on the template's help sheet and on the upload page.
COLUMN_HELP = {
    "name_km": N_("Required. The name in Khmer script, family name first."),
    "name_latin": N_("Required. The name in Latin letters, as the person spells it."),
    "sex": N_("Required. female or male (also ស្រី or ប្រុស, F or M)."),
    "date_of_birth": N_("YYYY-MM-DD, e.g. 1990-05-17 (in Excel, a date cell is fine)."),
    "phone": N_("e.g. 012 345 678 or +855 12 345 678."),
    "email": N_("e.g. name@example.org."),
    "organisation": N_("The employer's name in Khmer or English, exactly as recorded in the system."),
    "position": N_("The job title, e.g. Social worker."),
    "commune_code": N_("The 6-digit gazetteer code of the workplace commune, e.g. 120101."),
}
EXAMPLE = {
    "name_km": "សុខ ស្រីមុំ",
    "name_latin": "Sok Sreymom",
    "sex": "female",
    "date_of_birth": date(1990, 5, 17),
    "phone": "012 345 678",
    "email": "sreymom@example.org",
    "organisation": "Provincial Department of Social Affairs",
    "position": "Social worker",
    "commune_code": "120101",
}
SEX_WORDS = {"female": "female", "f": "female", "ស្រី": "female", "male": "male", "m": "male", "ប្រុស": "male"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COMMUNE_CODE = re.compile(r"^\d{6}$")
NOT_A_PICTURE = N_("This is a picture, not a CSV file. Upload the roster as .csv or .xlsx.")
# Files that are plainly not text, by their first bytes, and what to tell the person who chose them.
NOT_TEXT = (
    (b"PK\x03\x04", N_("This is an Excel (.xlsx) file named .csv: upload it under its .xlsx name.")),
    (
        b"\xd0\xcf\x11\xe0",
        N_("This is an old Excel (.xls) file: in Excel, save it as .xlsx or as CSV UTF-8."),
    ),
    (b"\x89PNG", NOT_A_PICTURE),
    (b"\xff\xd8\xff", NOT_A_PICTURE),
    (b"GIF8", NOT_A_PICTURE),
    (b"%PDF", N_("This is a PDF document, not a CSV file. Upload the roster as .csv or .xlsx.")),
)
NOT_UTF8 = N_(
    "The file is not UTF-8 text. Save the file as CSV UTF-8 (in Excel: File > Save As > CSV UTF-8) "
    "and upload it again."
)

Cell = str | date


@dataclass(frozen=True)
class RosterRow:
    """One trainee's row: its line in the file (the row number in Excel) and its cells by column name.

    Blank cells are "". `problem` (already in the user's language) marks a row that cannot be used at all.
    """

    line: int
    cells: dict[str, Cell]
    problem: str | None = None


# ---------------------------------------------------------------- the template


def roster_template_csv() -> bytes:
    """The header and the example row, UTF-8 with a BOM (so that Excel opens the Khmer text right)."""
    return as_csv(COLUMNS, [[_text(EXAMPLE[column]) for column in COLUMNS]])


def roster_template_xlsx() -> bytes:
    """The roster sheet (header, example row, text-formatted phone and commune columns) and a help sheet."""
    # openpyxl is imported when a spreadsheet is made or read, not with the app: it slows every start.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "trainees"
    sheet.append([formula_safe(column) for column in COLUMNS])
    sheet.append([formula_safe(EXAMPLE[column]) for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = 16 if column in ("sex", "commune_code") else 26
        if column in ("phone", "commune_code"):
            # As text, so that Excel keeps the leading 0 of 012 345 678 and of commune codes like 010201.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.cell(row=2, column=COLUMNS.index("date_of_birth") + 1).number_format = "yyyy-mm-dd"
    sexes = DataValidation(type="list", formula1='"female,male,ស្រី,ប្រុស"', allow_blank=True)
    sheet.add_data_validation(sexes)
    sex_letter = chr(ord("A") + COLUMNS.index("sex"))
    sexes.add(f"{sex_letter}2:{sex_letter}{MAX_ROWS + 1}")
    help_sheet = workbook.create_sheet("help")
    help_sheet.append([gettext(N_("Column")), gettext(N_("What to write"))])
    for column in COLUMNS:
        help_sheet.append([column, formula_safe(gettext(COLUMN_HELP[column]))])
    help_sheet.append([])
    help_sheet.append(["", gettext(N_("Delete the example row, then write one trainee per row."))])
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading an uploaded file


def read_roster(filename: str, content: bytes) -> list[RosterRow]:
    """The trainees' rows of an uploaded .csv or .xlsx file; FileRejected says why a file cannot be used."""
    if not filename:
        raise _rejected(N_("Choose a file to upload."))
    kind = PurePath(filename).suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise _rejected(N_("Upload a .csv or .xlsx file: download the template to see how."))
    if len(content) > MAX_FILE_BYTES:
        raise _rejected(
            N_("The file is too large: at most %(size)s MB."), size=MAX_FILE_BYTES // (1024 * 1024)
        )
    if not content.strip():
        raise _rejected(N_("The file is empty."))
    rows = _read_csv(content) if kind == ".csv" else _read_xlsx(content)
    if not rows:
        raise _rejected(N_("The file has a header row but no trainees."))
    return rows


def _read_csv(content: bytes) -> list[RosterRow]:
    for signature, message in NOT_TEXT:
        if content.startswith(signature):
            raise _rejected(message)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _rejected(NOT_UTF8) from None
    if "\x00" in text:  # UTF-16 without its byte order mark decodes as UTF-8 with NULs between letters
        raise _rejected(NOT_UTF8)
    delimiter = _delimiter(text)
    check_csv_size(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    deadline = Deadline()
    try:
        columns = _columns([cell.strip() for cell in next(reader, [])])
        rows: list[RosterRow] = []
        next_line = reader.line_num + 1
        for cells in reader:
            deadline.check()
            # A quoted cell may hold several lines: a row is named by the line it starts on.
            line, next_line = next_line, reader.line_num + 1
            _add_row(rows, line, columns, [cell.strip() for cell in cells])
    except csv.Error as error:
        raise _rejected(
            N_("This is not a readable CSV file (line %(number)s: %(error)s)."),
            number=reader.line_num,
            error=error,
        ) from None
    return rows


def _delimiter(text: str) -> str:
    """Excel writes ; instead of , under some regional settings, and tabs for "Unicode text"."""
    first_line = text.split("\n", 1)[0]
    return max(",;\t", key=first_line.count)


def _read_xlsx(content: bytes) -> list[RosterRow]:
    from openpyxl import load_workbook  # imported when needed: see roster_template_xlsx

    if not content.startswith(b"PK\x03\x04"):
        raise _rejected(N_("This is not an Excel (.xlsx) file. Upload the roster as .csv or .xlsx."))
    unreadable = _rejected(N_("This Excel file cannot be read: open it in Excel, save it again and retry."))
    # A small file may unpack to gigabytes, or to millions of texts openpyxl would read before any row.
    check_xlsx_archive(content, MAX_UNPACKED_BYTES)
    deadline = Deadline()
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for damaged or foreign zip files
        raise unreadable from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong sheet size: read what is really there
        values = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        columns = _columns([_text(cell) for cell in next(values, ())])
        rows: list[RosterRow] = []
        for line, cells in enumerate(values, start=2):
            deadline.check()
            named = [columns[i] if i < len(columns) else None for i in range(len(cells))]
            _add_row(
                rows,
                line,
                columns,
                [_xlsx_cell(column, cell) for column, cell in zip(named, cells, strict=True)],
            )
    finally:
        workbook.close()
    return rows


def _xlsx_cell(column: str | None, value: Any) -> Cell:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and column == "commune_code":
        return f"{value:06d}"  # a number cell loses the code's leading 0 (provinces 01 to 09)
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value).strip()


def _header_key(label: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", label.lower()).strip()


HEADER_NAMES = {_header_key(column): column for column in COLUMNS} | {
    _header_key(label): column for column, labels in COLUMN_LABELS.items() for label in labels
}


def _columns(header: list[str]) -> list[str | None]:
    """The column of each header cell (None for a column without a heading, which is ignored)."""
    check_columns(len(header))
    columns = [HEADER_NAMES.get(_header_key(label)) if label else None for label in header]
    problems = []
    if unknown := [label for label, column in zip(header, columns, strict=True) if label and column is None]:
        problems.append(_problem(N_("Columns not recognised: %(columns)s."), 1, columns=", ".join(unknown)))
    if missing := [column for column in REQUIRED_COLUMNS if column not in columns]:
        problems.append(_problem(N_("Missing columns: %(columns)s."), 1, columns=", ".join(missing)))
    if given_twice := twice([column for column in columns if column]):
        problems.append(_problem(N_("Columns given twice: %(columns)s."), 1, columns=", ".join(given_twice)))
    if problems:
        message = N_("The first row must name the columns, as in the template: %(columns)s.")
        problems.append(_problem(message, 1, columns=", ".join(COLUMNS)))
        raise FileRejected(problems)
    return columns


def _add_row(rows: list[RosterRow], line: int, columns: list[str | None], cells: list[Cell]) -> None:
    """Add a row of (stripped) cells, skipping the empty rows spreadsheets leave behind."""
    if not any(cells):
        return
    if len(rows) == MAX_ROWS:
        raise _rejected(
            N_("The file has more than %(rows)s trainees: split it into several files."), rows=f"{MAX_ROWS:,}"
        )
    problem = None
    if any(cells[len(columns) :]):
        problem = gettext(N_("This row has more cells than the header has columns."))
    values: dict[str, Cell] = {column: "" for column in columns if column}
    values |= {column: cell for column, cell in zip(columns, cells, strict=False) if column}
    if all(_text(cell) == _text(EXAMPLE[column]) for column, cell in values.items()):
        problem = gettext(N_("This is the template's example row: delete it."))
    rows.append(RosterRow(line, values, problem))


# ---------------------------------------------------------------- cells as trainee fields


def trainee_fields(cells: dict[str, Cell]) -> tuple[dict[str, Any], dict[str, str]]:
    """A row's cells as TraineeCreate's fields (the organisation aside: naming it needs the database),
    and the problems of cells written in a form the file may not use (by column, in the user's language)."""
    values: dict[str, Any] = {
        column: cells.get(column, "") for column in COLUMNS if column not in ("organisation", "sex")
    }
    problems = {}
    sex = _text(cells.get("sex", ""))
    values["sex"] = SEX_WORDS.get(sex.lower(), sex)
    if not sex:
        problems["sex"] = gettext(N_("This field is required."))
    elif sex.lower() not in SEX_WORDS:
        problems["sex"] = gettext(N_("Write female or male (or ស្រី or ប្រុស, F or M)."))
    commune = _text(cells.get("commune_code", ""))
    if commune and not COMMUNE_CODE.match(commune):
        problems["commune_code"] = gettext(N_("Write the commune's 6-digit code, e.g. 120101."))
    born = cells.get("date_of_birth", "")
    if isinstance(born, str) and born and not ISO_DATE.match(born):
        problems["date_of_birth"] = gettext(N_("Not a date: write it as YYYY-MM-DD, e.g. 1990-05-17."))
        values["date_of_birth"] = None
    return values, problems


def _problem(message: str, line: int | None = None, **params: Any) -> FileProblem:
    text = gettext(message)
    return FileProblem(line, "", text % params if params else text)


def _rejected(message: str, **params: Any) -> FileRejected:
    return FileRejected([_problem(message, **params)])
