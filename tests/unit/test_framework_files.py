"""Competency framework files without a database: exact round trips; every problem of a bad file, by line."""

import json

import pytest

from courses.services.framework_files import (
    CSV_COLUMNS,
    MAX_FILE_BYTES,
    CompetencyEntry,
    DomainEntry,
    FrameworkDocument,
    framework_csv,
    framework_json,
    read_framework_file,
)
from foundation.files import FileRejected
from foundation.i18n import current_language

HEADER = ",".join(CSV_COLUMNS)
DOCUMENT = FrameworkDocument(
    code="SSW-2024",
    title_km="ក្របខណ្ឌសមត្ថភាពបុគ្គលិកសង្គមកិច្ច",
    title_en="Social service workforce competencies",
    description_km="សម្រាប់បុគ្គលិកសង្គមកិច្ច\n\nកថាខណ្ឌទីពីរ",
    description_en='For social workers, "first line"\n\nSecond paragraph, with a comma',
    domains=(
        DomainEntry(
            "D1",
            "ក្រមសីលធម៌",
            "Ethics, values",
            (
                CompetencyEntry(
                    "D1.1",
                    "គោរពការសម្ងាត់",
                    "Keeps confidentiality",
                    "ការពារព័ត៌មានផ្ទាល់ខ្លួន",
                    "Protects personal information",
                    "មិនបង្ហាញឈ្មោះ\nរក្សាឯកសារ",
                    'Never names a child in public\nKeeps files locked, "always"',
                ),
                CompetencyEntry("D1.2", "ការគោរព", "Respect"),
            ),
        ),
        DomainEntry("D2", "ការងារករណី", "Case management"),  # no competencies yet
        DomainEntry(
            "D3",
            "ការវាយតម្លៃ",
            "Assessment",
            (CompetencyEntry("D3.1", "វាយតម្លៃហានិភ័យ", "Assesses risk", criteria_en="Uses the risk tool"),),
        ),
    ),
)
CSV_DOCUMENT = FrameworkDocument(DOCUMENT.domains)  # a CSV file carries only the content


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return "\r\n".join([header, *rows, ""]).encode("utf-8")


def problems_of(filename: str, content: bytes) -> list[tuple[int | None, str, str]]:
    with pytest.raises(FileRejected) as rejected:
        read_framework_file(filename, content)
    return [(p.line, p.field, p.message) for p in rejected.value.problems]


# ---------------------------------------------------------------- round trips


def test_csv_round_trip_is_exact():
    exported = framework_csv(DOCUMENT)
    imported = read_framework_file("framework.csv", exported)
    assert imported == CSV_DOCUMENT
    assert framework_csv(imported) == exported


def test_json_round_trip_is_exact():
    exported = framework_json(DOCUMENT)
    imported = read_framework_file("framework.json", exported)
    assert imported == DOCUMENT
    assert framework_json(imported) == exported


def test_csv_is_for_excel_one_row_per_competency_criteria_in_one_cell():
    exported = framework_csv(DOCUMENT)
    assert exported.startswith("\ufeff".encode())  # so Excel reads UTF-8
    text = exported.decode("utf-8-sig")
    assert text.startswith(HEADER + "\r\n")
    assert '"Never names a child in public\nKeeps files locked, ""always"""' in text
    assert "\r\nD2,ការងារករណី,Case management,,,,,,,\r\n" in text  # the domain with no competencies
    assert text.count("\r\nD1,") == 2


def test_json_gives_criteria_as_lists_and_keeps_the_order():
    data = json.loads(framework_json(DOCUMENT))
    assert list(data) == ["code", "title_km", "title_en", "description_km", "description_en", "domains"]
    assert [d["code"] for d in data["domains"]] == ["D1", "D2", "D3"]
    first = data["domains"][0]["competencies"][0]
    assert first["criteria_en"] == ["Never names a child in public", 'Keeps files locked, "always"']
    assert data["domains"][1]["competencies"] == []
    assert "ក្រមសីលធម៌" in framework_json(DOCUMENT).decode()  # Khmer written as is, not \u escapes


def test_excel_files_are_read_with_or_without_bom_and_tidied():
    row = 'D1,ដែន,Domain,C1,សមត្ថភាព,Skill,"  line one\r\n\r\n  two  ",,"  ក  \r\n\r\nខ",'
    for content in (csv_file(row), b"\xef\xbb\xbf" + csv_file(row), csv_file(row, ",,,,,,,,,")):
        [domain] = read_framework_file("FRAMEWORK.CSV", content).domains
        [competency] = domain.competencies
        assert competency.description_km == "line one\n\n  two"
        assert competency.criteria_km == "ក\nខ"


def test_columns_may_come_in_any_order_and_case():
    columns = list(reversed(CSV_COLUMNS))
    cells = dict.fromkeys(CSV_COLUMNS, "")
    cells |= {"domain_code": "D1", "domain_title_km": "ដែន", "domain_title_en": "Domain"}
    cells |= {"competency_code": "C1", "title_km": "សមត្ថភាព", "title_en": "Skill"}
    content = csv_file(",".join(cells[c] for c in columns), header=",".join(c.upper() for c in columns))
    assert read_framework_file("f.csv", content).domains[0].competencies[0].code == "C1"


def test_a_json_file_without_optional_fields_is_read():
    content = json.dumps(
        {"domains": [{"code": "D1", "title_km": "ដែន", "title_en": "Domain"}]}, ensure_ascii=False
    ).encode()
    document = read_framework_file("f.json", content)
    assert document.header() == {}
    assert document.domains == (DomainEntry("D1", "ដែន", "Domain"),)


# ---------------------------------------------------------------- bad files


def test_every_bad_row_is_reported_with_its_line():
    content = csv_file(
        "D1,ដែន,Domain,C1,Latin only,Skill,,,,",  # line 2: Latin in a Khmer field
        'D1,ដែន,Domain,C2,សមត្ថភាព,,"one\ntwo",,,',  # line 3 (two lines long): no English title
        "D1,ដែន,Other title,C3,សមត្ថភាព,Skill,,,,",  # line 5: the domain's titles differ
        "D2,ដែន ២,Domain 2,C4,សមត្ថភាព,Skill,,,,",  # line 6: fine
        "D2,ដែន ២,Domain 2,C4,សមត្ថភាព,Skill again,,,,",  # line 7: C4 again
        "D3,,Domain 3,,,,,,,",  # line 8: a domain without a Khmer title
        "D3,ដែន ៣,Domain 3,bad code!,សមត្ថភាព,Skill,,,,",  # line 9: a bad code (D3 itself is fine here)
    )
    assert problems_of("f.csv", content) == [
        (2, "title_km", "Write this in Khmer script."),
        (3, "title_en", "This field is required."),
        (5, "domain_title_en", "Domain D1 has other titles on line 2: give it the same ones."),
        (7, "competency_code", "The competency code C4 is already used on line 6."),
        (8, "domain_title_km", "This field is required."),
        (9, "competency_code", "Not in the expected form."),
    ]


def test_a_competency_code_is_unique_across_domains():
    content = csv_file("D1,ដែន,Domain,C1,សមត្ថភាព,Skill,,,,", "D2,ដែន,Domain 2,C1,សមត្ថភាព,Skill,,,,")
    assert problems_of("f.csv", content) == [
        (3, "competency_code", "The competency code C1 is already used on line 2.")
    ]


def test_unknown_and_missing_columns_are_named():
    header = HEADER.replace("criteria_en", "criteria_english") + ",notes"
    assert problems_of("f.csv", csv_file("D1,ដែន,Domain,,,,,,,,", header=header)) == [
        (1, "", "Unknown columns: criteria_english, notes."),
        (1, "", "Missing columns: criteria_en."),
        (1, "", "The columns are: " + ", ".join(CSV_COLUMNS) + "."),
    ]
    assert problems_of("f.csv", csv_file(header=HEADER + ",title_en"))[0] == (
        1,
        "",
        "Columns given twice: title_en.",
    )


def test_a_row_with_too_many_cells():
    assert problems_of("f.csv", csv_file("D1,ដែន,Domain,C1,សមត្ថភាព,Skill,,,,,extra")) == [
        (2, "", "This row has 11 cells but there are 10 columns.")
    ]


@pytest.mark.parametrize(
    ("filename", "content", "problem"),
    [
        ("f.csv", b"", (None, "", "The file is empty.")),
        ("f.csv", b"\xef\xbb\xbf \r\n", (None, "", "The file is empty.")),
        ("f.json", b"  ", (None, "", "The file is empty.")),
        ("f.csv", HEADER.encode() + b"\r\n", (None, "", "The file has no domains or competencies.")),
        ("f.json", b'{"domains": []}', (None, "", "The file has no domains or competencies.")),
        (
            "f.xlsx",
            b"PK\x03\x04",
            (None, "", "Upload a .csv or .json file, as exported from a framework's page."),
        ),
        (
            "framework",
            b"a,b",
            (None, "", "Upload a .csv or .json file, as exported from a framework's page."),
        ),
        (
            "f.csv",
            HEADER.encode() + b"\r\nD1,\xe0\xa4,x\r\n",
            (2, "", 'The file is not UTF-8 text. In Excel, save it as "CSV UTF-8".'),
        ),
        ("f.csv", b"x" * (MAX_FILE_BYTES + 1), (None, "", "The file is too large: at most 2 MB.")),
        ("f.json", b'{"domains": [\n  {"code": }\n]}', (2, "", "This is not valid JSON: Expecting value.")),
        (
            "f.json",
            b"[1, 2]",
            (1, "", "The file must hold one JSON object, as exported from a framework's page."),
        ),
        (
            "f.json",
            b'{"domains": {}}',
            (1, "domains", "Give a list of objects here, as in an exported file."),
        ),
    ],
)
def test_files_that_cannot_be_read(filename, content, problem):
    assert problems_of(filename, content) == [problem]


def test_json_problems_name_the_line_of_their_object():
    content = """{
  "code": "FW",
  "title_km": 5,
  "colour": "red",
  "domains": [
    {"code": "D1", "title_km": "ដែន", "title_en": "Domain", "competencies": [
      {"code": "C1", "title_km": "Skill", "title_en": "Skill"},
      {
        "code": "C2", "title_km": "សមត្ថភាព", "title_en": "Skill", "criteria_en": "not a list",
        "level": 3
      },
      {"code": "C1", "title_km": "សមត្ថភាព", "title_en": "Skill"}
    ]},
    {"code": "D1", "title_km": "ដែន", "title_en": "Domain"},
    {"code": "D2", "title_km": "ដែន", "title_en": "Domain", "competencies": [
      {"code": "C1", "title_km": "សមត្ថភាព", "title_en": "Skill"}
    ]}
  ]
}
""".encode()
    assert problems_of("f.json", content) == [
        (1, "colour", "Unknown field: colour."),
        (1, "title_km", "Write this as text."),
        (7, "title_km", "Write this in Khmer script."),
        (8, "level", "Unknown field: level."),
        (8, "criteria_en", "Give the criteria as a list of texts, one per criterion."),
        (14, "code", "The domain code D1 is already used on line 6."),
        (16, "code", "The competency code C1 is already used on line 12."),
    ]
