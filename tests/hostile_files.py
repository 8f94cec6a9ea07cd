"""Hostile uploads, made small in code: each would cost seconds or hundreds of megabytes if the readers did
their work before bounding it. The tests (tests/unit/test_hostile_uploads.py) and the benchmark
(bench/uploads.py) read every one of them."""

import io
import json
import zipfile
from collections.abc import Callable

from courses.services.framework_files import CSV_COLUMNS, read_framework_file
from training.services.roster_uploads import COLUMNS, read_roster, roster_template_xlsx

HEADER = ",".join(COLUMNS)


def _xlsx_with(**members: bytes) -> bytes:
    """The roster template with some members of its archive replaced (e.g. its shared texts)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(roster_template_xlsx())) as template,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as hostile,
    ):
        for item in template.infolist():
            if item.filename not in members:
                hostile.writestr(item, template.read(item))
        for name, content in members.items():
            hostile.writestr(name, content)
    return out.getvalue()


def _sheet(rows: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + b"</sheetData></worksheet>"
    )


def shared_strings(count: int) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>x</t></si>" * count
        + b"</sst>"
    )


SHEET = "xl/worksheets/sheet1.xml"
# (file type, what it is, file name, content) -> read by `reader`
HOSTILE: dict[str, tuple[str, Callable[[str, bytes], object], Callable[[], bytes]]] = {
    "roster CSV: header of 100,000 name_km columns": (
        "roster.csv",
        read_roster,
        lambda: ",".join(["name_km"] * 100_000).encode(),
    ),
    "roster CSV: 5 MB of commas": ("roster.csv", read_roster, lambda: b"," * (5 * 1024 * 1024 - 10)),
    "roster CSV: 5 MB of empty lines": (
        "roster.csv",
        read_roster,
        lambda: (HEADER + "\n" * (5 * 1024 * 1024 - 100)).encode(),
    ),
    "roster XLSX: 2 million shared texts": (
        "roster.xlsx",
        read_roster,
        lambda: _xlsx_with(**{"xl/sharedStrings.xml": shared_strings(2_000_000)}),
    ),
    "roster XLSX: 2 million empty cells": (
        "roster.xlsx",
        read_roster,
        lambda: _xlsx_with(**{SHEET: _sheet(b'<row r="1">' + b"<c/>" * 2_000_000 + b"</row>")}),
    ),
    "roster XLSX: 1 million empty rows": (
        "roster.xlsx",
        read_roster,
        lambda: _xlsx_with(**{SHEET: _sheet(b"<row/>" * 1_000_000)}),
    ),
    "roster XLSX: 200 MB of blanks": (
        "roster.xlsx",
        read_roster,
        lambda: _xlsx_with(**{SHEET: _sheet(b" " * (200 * 1024 * 1024))}),
    ),
    "framework CSV: header of 100,000 columns": (
        "framework.csv",
        read_framework_file,
        lambda: ",".join([CSV_COLUMNS[0]] * 100_000).encode(),
    ),
    "framework CSV: 2 MB of line ends": (
        "framework.csv",
        read_framework_file,
        lambda: (",".join(CSV_COLUMNS) + "\r\n" * (1024 * 1024 - 100)).encode(),
    ),
    "framework JSON: nested 500,000 deep": (
        "framework.json",
        read_framework_file,
        lambda: ("[" * 500_000 + "]" * 500_000).encode(),
    ),
    "framework JSON: 100,000 unknown keys": (
        "framework.json",
        read_framework_file,
        lambda: json.dumps({f"k{n}": n for n in range(100_000)}).encode(),
    ),
}
