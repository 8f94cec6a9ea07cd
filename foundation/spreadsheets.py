"""Files to download (a cohort's roster, the audit log): CSV (UTF-8 with BOM, so Excel reads Khmer) and
Excel (.xlsx)."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

# A cell starting like a formula is run by spreadsheets (CSV injection): such text gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PHONE = "+"  # phone numbers are stored as +855...: digits after the plus are no formula


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        is_phone = value.startswith(PHONE) and value[1:].isdigit()
        return value if is_phone else "'" + value
    return value


def as_csv(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    return csv_part(rows, headings)


def csv_part(rows: Iterable[Sequence[object]], headings: Sequence[str] | None = None) -> bytes:
    """Rows of a CSV file; the first part of a file streamed in parts gets the BOM and the headings."""
    out = io.StringIO()
    writer = csv.writer(out)
    if headings is not None:
        out.write("\ufeff")
        writer.writerow(headings)
    for row in rows:
        writer.writerow(["" if value is None else _safe(value) for value in row])
    return out.getvalue().encode("utf-8")


def as_xlsx(sheet_title: str, headings: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    # openpyxl is imported when a spreadsheet is made, not with the app: it slows every start.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])  # Excel's limit for a sheet name
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else _safe(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
