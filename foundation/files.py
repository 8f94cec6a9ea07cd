"""Problems with an uploaded file, reported line by line (a file with any problem saves nothing), and the
bounds on the work reading one may cause."""

import io
import re
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from foundation.errors import DomainError
from foundation.i18n import N_, gettext


@dataclass(frozen=True)
class FileProblem:
    """One problem with a file: its line (None: the whole file), the column or key, and what is wrong."""

    line: int | None
    field: str
    message: str  # already in the user's language


class FileRejected(DomainError):
    """A file with problems: nothing of it is saved."""

    status_code = 422

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__(N_("Nothing was imported: correct the problems listed and try again."))
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)


# ---------------------------------------------------------------- bounds on the work an upload may cause
# Every check below is linear in the file, and each is made before the work it bounds: a hostile file is
# refused in well under a second and a few megabytes (bench/uploads.py prints the worst case per file type).

MAX_COLUMNS = 50  # a roster has 9 columns, a framework 10
MAX_CELLS = 1_000_000  # cells of a whole file (CSV: delimiters counted before parsing; XLSX: cell tags)
MAX_SHARED_STRINGS = 200_000  # an XLSX file's table of texts, which openpyxl reads whole before any row
MAX_FILE_ROWS = 50_000  # rows and lines of a file, empty ones included (Excel leaves some behind)
MAX_SECONDS = 10.0  # a backstop on reading one file, whatever the bounds above let through
XLSX_CHUNK = 1024 * 1024
# An XML element's opening tag, with or without a namespace prefix: <si>, <x:si ...>, <c r="A1">.
XLSX_TAGS = {
    name: re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + name.encode() + rb"[\s>/]") for name in ("si", "c", "row")
}


def _rejected(message: str, **params: Any) -> FileRejected:
    text = gettext(message)
    return FileRejected([FileProblem(None, "", text % params if params else text)])


TOO_MUCH = N_("This file holds too much to be read: split it into several files.")


def twice(names: Sequence[str]) -> list[str]:
    """The names given more than once, in order, in one pass (a header of 100,000 columns stays cheap)."""
    return sorted(name for name, times in Counter(names).items() if times > 1)


def check_columns(count: int) -> None:
    if count > MAX_COLUMNS:
        raise _rejected(
            N_("The file has %(count)s columns or fields: at most %(most)s."), count=count, most=MAX_COLUMNS
        )


def check_csv_size(text: str, delimiter: str) -> None:
    """Before parsing: a file of nothing but delimiters or line ends would be millions of empty cells or
    rows (each skipped, but each read)."""
    if text.count(delimiter) > MAX_CELLS or text.count("\n") > MAX_FILE_ROWS:
        raise _rejected(TOO_MUCH)


def check_xlsx_archive(content: bytes, max_unpacked_bytes: int) -> None:
    """Before openpyxl opens it: the archive's declared sizes (zipfile never reads past them), then its
    shared texts, cells and rows, counted while it is unpacked in chunks and stopped at the first bound
    passed (82 KB can unpack to two million shared texts)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > max_unpacked_bytes:
                raise _rejected(TOO_MUCH)
            counts = dict.fromkeys(XLSX_TAGS, 0)
            bounds = {"si": MAX_SHARED_STRINGS, "c": MAX_CELLS, "row": MAX_FILE_ROWS}
            for member in members:
                if member.filename.endswith(".xml"):
                    _count_tags(archive, member, counts, bounds)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise _rejected(
            N_("This Excel file cannot be read: open it in Excel, save it again and retry.")
        ) from None


def _count_tags(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, counts: dict[str, int], bounds: dict[str, int]
) -> None:
    carried = b""
    with archive.open(member) as unpacked:
        while chunk := unpacked.read(XLSX_CHUNK):
            data = carried + chunk
            cut = data.rfind(b"<")  # a tag cut by the chunk's end is counted with the next chunk
            whole, carried = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            for name, tag in XLSX_TAGS.items():
                counts[name] += len(tag.findall(whole))
                if counts[name] > bounds[name]:
                    raise _rejected(TOO_MUCH)
            if len(carried) > XLSX_CHUNK:  # no tag is that long: this is no XML of a spreadsheet
                raise _rejected(TOO_MUCH)


class Deadline:
    """A bound on the time one file may take to read, checked row by row."""

    def __init__(self, seconds: float = MAX_SECONDS) -> None:
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise _rejected(TOO_MUCH)
