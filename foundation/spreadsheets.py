"""The one writer of every CSV and Excel (.xlsx) download: CSV in UTF-8 with a BOM (so Excel reads Khmer), and
every cell formula-safe; a long CSV (the audit log) may be written in parts."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from foundation.text import printable

# A cell starting like a formula is run by spreadsheets (CSV injection): such text gets a leading quote.
# Text that already starts with quotes before one gets one more, so that `unquoted` gives back what was
# written, and a file exported and imported again keeps its text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
PHONE = "+"  # phone numbers are stored as +855...: digits after the plus are no formula


def _looks_like_formula(text: str) -> bool:
    unquoted_text = text.lstrip(QUOTE)
    if not unquoted_text.startswith(FORMULA_STARTS):
        return False
    return not (text.startswith(PHONE) and text[1:].isascii() and text[1:].isdigit())


def formula_safe(value: object) -> object:
    """A cell's value as written to a file: text that a spreadsheet would run gets a leading quote, and
    control characters older rows may hold (Excel's files cannot) are left out."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return QUOTE + value if _looks_like_formula(value) else value


def unquoted(text: str) -> str:
    """A cell's text read back from a file we wrote: the quote `formula_safe` added is taken off."""
    return text[1:] if text.startswith(QUOTE) and _looks_like_formula(text[1:]) else text


def as_csv(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    return csv_part(rows, headings)


def csv_part(rows: Iterable[Sequence[object]], headings: Sequence[str] | None = None) -> bytes:
    """Rows of a CSV file; the first part of a file streamed in parts gets the BOM and the headings."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if headings is not None:
        out.write("\ufeff")
        writer.writerow([formula_safe(heading) for heading in headings])
    for row in rows:
        writer.writerow(["" if value is None else formula_safe(value) for value in row])
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
        cell = WriteOnlyCell(sheet, value=formula_safe(heading))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else formula_safe(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
