"""Competency frameworks as CSV and JSON files: written for export, read back with every problem by line.

Pure conversion, no database. Export, import under another code and export again gives the same bytes
(the JSON file's `code` aside): both sides keep domains and competencies in order, and text is stored in
the one canonical form these functions produce (criteria one per line, Unix line ends).
"""

import csv
import io
import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from pathlib import PurePath
from typing import Any

from courses.models import CompetencyInput, DomainInput
from foundation.errors import InvalidInput
from foundation.files import Deadline, FileProblem, FileRejected, check_columns, check_csv_size, twice
from foundation.forms import validated
from foundation.i18n import N_, gettext
from foundation.spreadsheets import as_csv, unquoted

MAX_FILE_BYTES = 2 * 1024 * 1024
HEADER_FIELDS = ("code", "title_km", "title_en", "description_km", "description_en")
DOMAIN_FIELDS = ("code", "title_km", "title_en")
COMPETENCY_FIELDS = (
    "code",
    "title_km",
    "title_en",
    "description_km",
    "description_en",
    "criteria_km",
    "criteria_en",
)
CRITERIA_FIELDS = ("criteria_km", "criteria_en")
# CSV columns by the schema field they carry: the domain's on every row, then the competency's.
CSV_DOMAIN_COLUMNS = {"code": "domain_code", "title_km": "domain_title_km", "title_en": "domain_title_en"}
CSV_COMPETENCY_COLUMNS = {name: ("competency_code" if name == "code" else name) for name in COMPETENCY_FIELDS}
CSV_COLUMNS = (*CSV_DOMAIN_COLUMNS.values(), *CSV_COMPETENCY_COLUMNS.values())
SAME_NAMES_DOMAIN = {name: name for name in DOMAIN_FIELDS}
SAME_NAMES_COMPETENCY = {name: name for name in COMPETENCY_FIELDS}


# ---------------------------------------------------------------- the content of a file


@dataclass(frozen=True)
class CompetencyEntry:
    code: str
    title_km: str
    title_en: str
    description_km: str = ""
    description_en: str = ""
    criteria_km: str = ""  # one criterion per line, as the table stores them
    criteria_en: str = ""


@dataclass(frozen=True)
class DomainEntry:
    code: str
    title_km: str
    title_en: str
    competencies: tuple[CompetencyEntry, ...] = ()


@dataclass(frozen=True)
class FrameworkDocument:
    """A framework as a file carries it. A CSV file carries no code, titles or descriptions ("")."""

    domains: tuple[DomainEntry, ...]
    code: str = ""
    title_km: str = ""
    title_en: str = ""
    description_km: str = ""
    description_en: str = ""

    def header(self) -> dict[str, str]:
        """The framework's own fields that the file gives."""
        return {name: getattr(self, name) for name in HEADER_FIELDS if getattr(self, name)}


def canonical_text(values: dict[str, Any]) -> dict[str, Any]:
    """Long text in the one form that is stored and exported: Unix line ends (browsers and Excel send
    \\r\\n), and performance criteria one per line without blank lines or stray spaces."""

    def canonical(name: str, value: Any) -> Any:
        if name in CRITERIA_FIELDS:
            return "\n".join(line.strip() for line in value.splitlines() if line.strip())
        if name.startswith("description_"):
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value

    return {name: canonical(name, value) for name, value in values.items()}


# ---------------------------------------------------------------- problems


def _problem(line: int | None, field: str, message: str, **params: Any) -> FileProblem:
    text = gettext(message)
    return FileProblem(line, field, text % params if params else text)


def _rejected(message: str, line: int | None = None, **params: Any) -> FileRejected:
    return FileRejected([_problem(line, "", message, **params)])


# ---------------------------------------------------------------- writing


def document_dict(document: FrameworkDocument) -> dict[str, Any]:
    """The JSON form of a framework; criteria as lists of lines."""
    return {
        **{name: getattr(document, name) for name in HEADER_FIELDS},
        "domains": [
            {
                **{name: getattr(domain, name) for name in DOMAIN_FIELDS},
                "competencies": [
                    {
                        name: (
                            getattr(competency, name).splitlines()
                            if name in CRITERIA_FIELDS
                            else getattr(competency, name)
                        )
                        for name in COMPETENCY_FIELDS
                    }
                    for competency in domain.competencies
                ],
            }
            for domain in document.domains
        ],
    }


def framework_json(document: FrameworkDocument) -> bytes:
    return (json.dumps(document_dict(document), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def framework_csv(document: FrameworkDocument) -> bytes:
    """One row per competency (a domain without any gets a row of its own), through the formula-safe
    writer that every download uses."""
    rows: list[list[object]] = []
    for domain in document.domains:
        domain_cells: list[object] = [getattr(domain, name) for name in CSV_DOMAIN_COLUMNS]
        if not domain.competencies:
            rows.append(domain_cells + [""] * len(CSV_COMPETENCY_COLUMNS))
        for competency in domain.competencies:
            rows.append(domain_cells + [getattr(competency, name) for name in CSV_COMPETENCY_COLUMNS])
    return as_csv(CSV_COLUMNS, rows)


# ---------------------------------------------------------------- reading


@dataclass
class _Assembly:
    """Domains and competencies gathered row by row, with every problem found on the way."""

    domain_names: dict[str, str]  # schema field -> the file's name for it (column or key)
    competency_names: dict[str, str]
    problems: list[FileProblem] = field(default_factory=list)
    domains: dict[str, tuple[int, DomainInput, list[CompetencyEntry]]] = field(default_factory=dict)
    competency_lines: dict[str, int] = field(default_factory=dict)

    def problem(self, line: int | None, field: str, message: str, **params: Any) -> None:
        self.problems.append(_problem(line, field, message, **params))

    def _checked(self, schema: type[Any], values: dict[str, Any], line: int, names: dict[str, str]) -> Any:
        try:
            return validated(schema, values)
        except InvalidInput as invalid:
            for name, message in invalid.field_errors.items():
                self.problems.append(FileProblem(line, names.get(name, name), message))
            return None

    def add_domain(self, line: int, values: dict[str, Any], *, repeatable: bool) -> str | None:
        """The domain's code if its values are good. In a CSV file every row repeats its domain, which
        must then keep the same titles; in a JSON file a domain comes once."""
        domain: DomainInput | None = self._checked(DomainInput, values, line, self.domain_names)
        if domain is None:
            return None
        if domain.code not in self.domains:
            self.domains[domain.code] = (line, domain, [])
            return domain.code
        first_line, first, _ = self.domains[domain.code]
        if not repeatable:
            self.problem(
                line,
                self.domain_names["code"],
                N_("The domain code %(code)s is already used on line %(first_line)s."),
                code=domain.code,
                first_line=first_line,
            )
            return None
        for name in ("title_km", "title_en"):
            if getattr(domain, name) != getattr(first, name):
                self.problem(
                    line,
                    self.domain_names[name],
                    N_("Domain %(code)s has other titles on line %(first_line)s: give it the same ones."),
                    code=domain.code,
                    first_line=first_line,
                )
                return None
        return domain.code

    def add_competency(self, line: int, domain_code: str | None, values: dict[str, Any]) -> None:
        # The domain is known by its code until saved: the schema's domain_id is filled in then.
        competency: CompetencyInput | None = self._checked(
            CompetencyInput, values | {"domain_id": 0}, line, self.competency_names
        )
        if competency is None:
            return
        if (first_line := self.competency_lines.get(competency.code)) is not None:
            self.problem(
                line,
                self.competency_names["code"],
                N_("The competency code %(code)s is already used on line %(first_line)s."),
                code=competency.code,
                first_line=first_line,
            )
            return
        self.competency_lines[competency.code] = line
        if domain_code is not None:
            self.domains[domain_code][2].append(_entry(competency))

    def document(self, header: dict[str, str]) -> FrameworkDocument:
        if self.problems:
            raise FileRejected(self.problems)
        if not self.domains:
            raise _rejected(N_("The file has no domains or competencies."))
        domains = tuple(
            DomainEntry(domain.code, domain.title_km, domain.title_en, tuple(competencies))
            for _, domain, competencies in self.domains.values()
        )
        return FrameworkDocument(domains, **header)


def _entry(competency: CompetencyInput) -> CompetencyEntry:
    return CompetencyEntry(**canonical_text({name: getattr(competency, name) for name in COMPETENCY_FIELDS}))


def read_framework_file(filename: str, content: bytes) -> FrameworkDocument:
    """A framework from an uploaded .csv or .json file; FileRejected lists every problem found."""
    if len(content) > MAX_FILE_BYTES:
        raise _rejected(
            N_("The file is too large: at most %(size)s MB."), size=MAX_FILE_BYTES // (1024 * 1024)
        )
    kind = PurePath(filename).suffix.lower()
    if kind not in (".csv", ".json"):
        raise _rejected(N_("Upload a .csv or .json file, as exported from a framework's page."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _rejected(N_('The file is not UTF-8 text. In Excel, save it as "CSV UTF-8".'), line) from None
    if not text.strip():
        raise _rejected(N_("The file is empty."))
    return _read_csv(text) if kind == ".csv" else _read_json(text)


def _read_csv(text: str) -> FrameworkDocument:
    check_csv_size(text, ",")
    reader = csv.reader(io.StringIO(text, newline=""))
    deadline = Deadline()
    try:
        columns = [column.strip().lower() for column in next(reader)]
        _check_columns(columns)
        assembly = _Assembly(CSV_DOMAIN_COLUMNS, CSV_COMPETENCY_COLUMNS)
        next_line = reader.line_num + 1
        for cells in reader:
            deadline.check()
            # A cell may hold several lines (the criteria): a row is named by the line it starts on.
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # Excel leaves empty rows behind
            if len(cells) > len(columns):
                assembly.problem(
                    line,
                    "",
                    N_("This row has %(cells)s cells but there are %(columns)s columns."),
                    cells=len(cells),
                    columns=len(columns),
                )
                continue
            cells = [unquoted(cell) for cell in cells]
            row = dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=True))
            domain_values = {name: row[column] for name, column in CSV_DOMAIN_COLUMNS.items()}
            domain_code = assembly.add_domain(line, domain_values, repeatable=True)
            competency_values = {name: row[column] for name, column in CSV_COMPETENCY_COLUMNS.items()}
            if any(value.strip() for value in competency_values.values()):
                assembly.add_competency(line, domain_code, competency_values)
    except csv.Error as error:
        raise _rejected(
            N_("This is not a readable CSV file: %(error)s"), reader.line_num, error=error
        ) from None
    return assembly.document({})


def _check_columns(columns: list[str]) -> None:
    check_columns(len(columns))
    problems = []
    if unknown := [column for column in columns if column not in CSV_COLUMNS]:
        problems.append(
            _problem(
                1, "", N_("Unknown columns: %(columns)s."), columns=", ".join(c or '""' for c in unknown)
            )
        )
    if missing := [column for column in CSV_COLUMNS if column not in columns]:
        problems.append(_problem(1, "", N_("Missing columns: %(columns)s."), columns=", ".join(missing)))
    if given_twice := twice(columns):
        problems.append(
            _problem(1, "", N_("Columns given twice: %(columns)s."), columns=", ".join(given_twice))
        )
    if problems:
        problems.append(_problem(1, "", N_("The columns are: %(columns)s."), columns=", ".join(CSV_COLUMNS)))
        raise FileRejected(problems)


class _LocatedObject(dict[str, Any]):
    """A JSON object that knows the line it starts on."""

    line = 1


def _json_with_lines(text: str) -> Any:
    """Parsed JSON whose objects are _LocatedObject, so problems can name their line."""
    line_starts = [match.end() for match in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    parse_plain_object = decoder.parse_object  # type: ignore[attr-defined]

    def parse_object(state: tuple[str, int], *args: Any) -> tuple[_LocatedObject, int]:
        plain, end = parse_plain_object(state, *args)
        check_columns(len(plain))  # an object of a framework file has at most ten keys
        located = _LocatedObject(plain)
        located.line = bisect_right(line_starts, state[1] - 1) + 1
        return located, end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _read_json(text: str) -> FrameworkDocument:
    try:
        top = _json_with_lines(text)
    except json.JSONDecodeError as error:
        raise _rejected(N_("This is not valid JSON: %(error)s."), error.lineno, error=error.msg) from None
    except RecursionError:  # nested deeper than any framework: the parser's stack ran out
        raise _rejected(N_("This file holds too much to be read: split it into several files."), 1) from None
    if not isinstance(top, _LocatedObject):
        raise _rejected(N_("The file must hold one JSON object, as exported from a framework's page."), 1)
    assembly = _Assembly(SAME_NAMES_DOMAIN, SAME_NAMES_COMPETENCY)
    header = _strings(assembly, top, HEADER_FIELDS, extra=("domains",))
    for name, value in header.items():
        if not isinstance(value, str):
            assembly.problem(top.line, name, N_("Write this as text."))
    for domain in _objects(assembly, top, "domains", required=True):
        values = _strings(assembly, domain, DOMAIN_FIELDS, extra=("competencies",))
        domain_code = assembly.add_domain(domain.line, values, repeatable=False)
        for competency in _objects(assembly, domain, "competencies", required=False):
            values = _strings(assembly, competency, COMPETENCY_FIELDS)
            assembly.add_competency(competency.line, domain_code, values)
    return assembly.document(header)


def _objects(
    assembly: _Assembly, parent: _LocatedObject, key: str, *, required: bool
) -> list[_LocatedObject]:
    """The list of objects under `key`; anything else there is a problem of the parent's line."""
    value = parent.get(key, None if required else [])
    if not isinstance(value, list) or not all(isinstance(item, _LocatedObject) for item in value):
        assembly.problem(parent.line, key, N_("Give a list of objects here, as in an exported file."))
        return []
    return value


def _strings(
    assembly: _Assembly, obj: _LocatedObject, names: tuple[str, ...], extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The object's fields for a schema: unknown keys are problems, criteria lists become lines."""
    for key in obj:
        if key not in names and key not in extra:
            assembly.problem(obj.line, key, N_("Unknown field: %(name)s."), name=key)
    values = {name: obj[name] for name in names if name in obj}
    for name in CRITERIA_FIELDS:
        if name not in values:
            continue
        if isinstance(values[name], list) and all(isinstance(line, str) for line in values[name]):
            values[name] = "\n".join(values[name])
        else:
            assembly.problem(obj.line, name, N_("Give the criteria as a list of texts, one per criterion."))
            values[name] = ""
    return values
