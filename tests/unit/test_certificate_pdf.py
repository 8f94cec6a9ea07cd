"""The printed certificate: scannable QR code, shaped Khmer, embedded font and credential, pages, layout."""

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

from certificates.document import AchievedCompetency, CertificateDocument, Issuer, Signatory, VoidMark
from certificates.pdf import (
    INNER_FRAME,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    english_date,
    hours_text,
    khmer_date,
    render_certificate,
    void_lines,
    write_certificates,
)
from foundation.printing.khmer_type import (
    KHMER,
    KHMER_BOLD,
    assert_khmer_shapable,
    draw_shaped,
    khmer_shaping_available,
    register_khmer_fonts,
    shape,
    shaping_faults,
)
from foundation.printing.qr import draw_qr, qr_matrix

CODE = "K7QM-3XPD-9RTA-2VHC"
URL = f"https://verify.nisa.gov.kh/v/{CODE}"
CREDENTIAL = b'{"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "\xe1\x9e\x9f"}'


def competencies(count: int) -> tuple[AchievedCompetency, ...]:
    return tuple(
        AchievedCompetency(f"SW-{n}.1", "ការវាយតម្លៃតម្រូវការរបស់កុមារ និងគ្រួសារ", f"Assessing needs ({n})")
        for n in range(1, count + 1)
    )


def certificate(count: int = 4, code: str = CODE, **changes: object) -> CertificateDocument:
    doc = CertificateDocument(
        code=code,
        verification_url=f"https://verify.nisa.gov.kh/v/{code}",
        holder_name_km="សុខ ស្រីនិច",
        holder_name_latin="Sok Sreynich",
        course_code="SW101",
        course_title_km="មូលដ្ឋានគ្រឹះនៃការអនុវត្តការងារសង្គមកិច្ច",
        course_title_en="Foundations of social work practice",
        hours=Decimal("40"),
        completed_on=date(2026, 11, 14),
        issued_on=date(2026, 11, 21),
        expires_on=date(2029, 11, 21),
        competencies=competencies(count),
        signatory=Signatory("បណ្ឌិត ជា សុផល", "Dr. Chea Sophal", "នាយក", "Director"),
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install poppler-utils zbar-tools)")


def run(*command: str | Path | int) -> str:
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True).stdout


def saved(tmp_path: Path, pdf: bytes, name: str = "certificate.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def scanned(pdf: Path, page: int) -> str:
    """What a phone reads from the page's QR code, the page printed at 150 dpi."""
    prefix = pdf.with_suffix("")
    run("pdftoppm", "-r", "150", "-png", "-f", page, "-l", page, "-singlefile", pdf, prefix)
    return run("zbarimg", "--raw", "-q", prefix.with_suffix(".png")).strip()


def page_count(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))  # type: ignore[union-attr]


# Khmer shaping


def test_the_khmer_fonts_shape():
    assert_khmer_shapable()
    assert khmer_shaping_available()


def test_the_shaping_check_catches_what_breaks_khmer():
    register_khmer_fonts()
    mixed = "SW-2.1 ការរៀបចំ ក្រសួង"
    # reportlab's shapeStr shapes the whole string in the script of its first letter (Latin here).
    assert shaping_faults(shapeStr(mixed, KHMER, 12), KHMER) == [
        "a two-part vowel left whole",
        "a bare coeng instead of a subscript consonant",
    ]
    assert shaping_faults(shape(mixed, KHMER, 12).text, KHMER) == []
    vera = Path(pdfmetrics.__file__).parent.parent / "fonts" / "Vera.ttf"
    pdfmetrics.registerFont(TTFont("VeraWithoutKhmer", vera))
    assert shaping_faults(shape("ស្ត្រី", "VeraWithoutKhmer", 12).text, "VeraWithoutKhmer") == [
        "a missing glyph (.notdef)"
    ]


def shown_glyphs_by_rise(content: bytes) -> dict[float, int]:
    """How many glyphs a text object shows at each rise (Ts), from its uncompressed operators."""
    counts: dict[float, int] = {}
    rise = 0.0
    operators = re.finditer(rb"(-?[\d.]+) Ts|\[(.*?)\] TJ|(\((?:\\.|[^\\)])*\)) Tj", content)
    for operator in operators:
        if operator.group(1) is not None:
            rise = float(operator.group(1))
            continue
        strings = re.findall(rb"\((?:\\.|[^\\)])*\)", operator.group(2) or operator.group(3))
        glyphs = sum(len(re.findall(rb"\\[0-7]{1,3}|\\.|[^\\]", s[1:-1])) for s in strings)
        counts[rise] = counts.get(rise, 0) + glyphs
    return counts


def test_only_the_marks_harfbuzz_lowers_are_drawn_lowered():
    register_khmer_fonts()
    text = shape("ការបញ្ជូនករណី", KHMER, 24)
    out = BytesIO()
    canvas = Canvas(out, pageCompression=0)
    canvas.setFont(KHMER, 24)
    draw_shaped(canvas, 10, 100, text)
    canvas.showPage()
    canvas.save()
    content = re.search(rb"BT 1 0 0 1 10 100 Tm.*?ET", out.getvalue(), re.S).group(0)  # type: ignore[union-attr]

    assert isinstance(text.text, ShapedStr)
    moved = len([glyph for glyph in text.text.__shapeData__ if glyph.y_offset])
    shown = shown_glyphs_by_rise(content)
    assert moved > 0
    assert sum(count for rise, count in shown.items() if rise) == moved
    assert shown[0.0] == len(text.text) - moved


# Dates and numbers


def test_khmer_and_english_dates():
    assert khmer_date(date(2026, 11, 21)) == "២១ វិច្ឆិកា ២០២៦"
    assert khmer_date(date(2027, 1, 5)) == "៥ មករា ២០២៧"
    assert english_date(date(2026, 11, 21)) == "21 November 2026"
    assert hours_text(Decimal("40.00")) == "40"
    assert hours_text(Decimal("12.50")) == "12.5"


# The QR code


def test_the_qr_code_refuses_to_print_smaller_than_25_mm():
    canvas = Canvas(BytesIO())
    with pytest.raises(ValueError, match="25 mm"):
        draw_qr(canvas, qr_matrix(URL), 0, 0, 24 * 72 / 25.4)


def test_the_printed_qr_code_scans_to_the_verification_url(tmp_path):
    require("pdftoppm", "zbarimg")
    pdf = saved(tmp_path, render_certificate(certificate(count=12), credential_json=CREDENTIAL))

    assert scanned(pdf, 1) == URL


# Pages and layout


def test_many_competencies_get_a_page_of_their_own(tmp_path):
    require("pdftoppm", "zbarimg")
    many = saved(tmp_path, render_certificate(certificate(count=12)), "many.pdf")
    few = saved(tmp_path, render_certificate(certificate(count=6)), "few.pdf")
    none = saved(tmp_path, render_certificate(certificate(count=0)), "none.pdf")
    a_lot = saved(tmp_path, render_certificate(certificate(count=45)), "a-lot.pdf")

    assert page_count(many) == 2
    assert "Assessing needs (12)" in run("pdftotext", "-f", "2", "-l", "2", many, "-")
    assert page_count(few) == 1
    assert "Assessing needs (6)" in run("pdftotext", few, "-")
    assert page_count(none) == 1
    assert page_count(a_lot) > 2
    last_page = run("pdftotext", "-f", page_count(a_lot), a_lot, "-")
    assert "Assessing needs (45)" in last_page
    assert f"page {page_count(a_lot)} of {page_count(a_lot)}" in last_page


def test_a4_landscape(tmp_path):
    require("pdftoppm", "zbarimg")
    pdf = saved(tmp_path, render_certificate(certificate(count=12)))

    sizes = re.findall(r"Page +\d+ size: +(.+)", run("pdfinfo", "-f", "1", "-l", "2", pdf))
    assert sizes == ["841.89 x 595.276 pts (A4)"] * 2


def test_the_khmer_font_is_embedded(tmp_path):
    require("pdftoppm", "zbarimg")
    fonts = run("pdffonts", saved(tmp_path, render_certificate(certificate())))

    embedded = [line.split()[0] for line in fonts.splitlines()[2:] if " yes yes " in line]
    assert sorted(name.split("+")[1] for name in embedded) == [KHMER, KHMER_BOLD]
    assert len(fonts.splitlines()) == 2 + 2, "no other font, embedded or not"


def test_the_english_text_can_be_found(tmp_path):
    require("pdftoppm", "zbarimg")
    text = run("pdftotext", saved(tmp_path, render_certificate(certificate())), "-")

    for expected in (
        "Sok Sreynich",
        "Foundations of social work practice",
        CODE,
        URL,
        "40 hours",
        "completed on 14 November 2026",
        "Issued on 21 November 2026",
        "Valid until 21 November 2029",
        "Dr. Chea Sophal",
        "Director",
        "National Institute of Social Affairs",
    ):
        assert expected in text


def test_a_certificate_without_expiry_says_so(tmp_path):
    require("pdftoppm", "zbarimg")
    text = run("pdftotext", saved(tmp_path, render_certificate(certificate(expires_on=None))), "-")

    assert "No expiry" in text
    assert "Valid until" not in text


def test_long_names_and_titles_stay_inside_the_frame(tmp_path):
    require("pdftoppm", "zbarimg")
    ministry = "ក្រសួងសង្គមកិច្ច អតីតយុទ្ធជន និងយុវនីតិសម្បទា "
    doc = certificate(
        count=6,
        holder_name_km="ព្រះករុណាព្រះបាទសម្តេចព្រះបរមនាថ នរោត្តម សីហមុនី ស្រីសុវណ្ណរតនា",
        holder_name_latin="Preah Karuna Preah Bat Samdech Norodom Sihamoni Sreysovannaratana Chanthavy",
        course_title_km=ministry * 4,
        course_title_en="Advanced practice in child protection case management and family support " * 3,
        signatory=Signatory(ministry, "His Excellency " * 6, ministry * 2, "Director-General " * 5),
        issuer=Issuer(name_km=ministry * 2, name_en="National Institute of Social Affairs " * 4),
    )
    pdf = saved(tmp_path, render_certificate(doc))
    boxes = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"',
        run("pdftotext", "-bbox", pdf, "-"),
    )

    assert len(boxes) > 100
    for x_min, y_min, x_max, y_max in ((float(value) for value in box) for box in boxes):
        assert INNER_FRAME < x_min <= x_max < PAGE_WIDTH - INNER_FRAME
        assert INNER_FRAME < y_min <= y_max < PAGE_HEIGHT - INNER_FRAME


REPRINT = """
import sys
from dataclasses import replace
from certificates.pdf import render_certificate
from tests.unit.test_certificate_pdf import certificate

doc = certificate()
if sys.argv[1] == "after-another":
    render_certificate(replace(doc, holder_name_km="ឯកឧត្តម ញ៉ែម ស៊ីណា", course_title_km="ការពារកុមារ និងស្ត្រី"))
sys.stdout.buffer.write(render_certificate(doc))
"""


def test_the_same_snapshot_gives_the_same_bytes_whatever_was_printed_before():
    root = Path(__file__).parents[2]
    prints = [
        subprocess.run(
            [sys.executable, "-c", REPRINT, order], capture_output=True, check=True, cwd=root
        ).stdout
        for order in ("first", "after-another")
    ]

    assert prints[0] == prints[1] == render_certificate(certificate())


# The credential attachment


def test_the_signed_credential_is_attached(tmp_path):
    require("pdftoppm", "zbarimg")
    pdf = saved(tmp_path, render_certificate(certificate(), credential_json=CREDENTIAL))
    run("pdfdetach", "-save", "1", "-o", tmp_path / "detached.json", pdf)

    assert run("pdfdetach", "-list", pdf).splitlines() == ["1 embedded files", "1: credential.json"]
    assert (tmp_path / "detached.json").read_bytes() == CREDENTIAL


def test_nothing_is_attached_without_a_credential(tmp_path):
    require("pdftoppm", "zbarimg")
    pdf = saved(tmp_path, render_certificate(certificate()))

    assert run("pdfdetach", "-list", pdf).splitlines() == ["0 embedded files"]


# The issuer's logo and signature


@pytest.fixture
def logo(tmp_path) -> Path:
    path = tmp_path / "logo.png"
    image = Image.new("RGB", (240, 240), "white")
    ImageDraw.Draw(image).ellipse((10, 10, 230, 230), fill="#8b1e3f")
    image.save(path)
    return path


@pytest.fixture
def signature(tmp_path) -> Path:
    path = tmp_path / "signature.png"
    image = Image.new("RGBA", (600, 150), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(20, 120), (150, 30), (260, 110), (400, 40), (580, 90)], fill="#102a63", width=6
    )
    image.save(path)
    return path


@dataclass(frozen=True)
class DrawnImage:
    page: int
    size: tuple[int, int]
    stored_as: int


def images(pdf: Path) -> list[DrawnImage]:
    """Each image drawn, from pdfimages' listing (soft masks left out)."""
    rows = [line.split() for line in run("pdfimages", "-list", pdf).splitlines()[2:]]
    return [
        DrawnImage(int(row[0]), (int(row[3]), int(row[4])), int(row[10])) for row in rows if row[2] == "image"
    ]


def test_the_issuers_logo_and_signature_are_used_when_given(tmp_path, logo, signature):
    require("pdftoppm", "zbarimg")
    pdf = saved(tmp_path, render_certificate(certificate(), logo=logo, signature=signature))

    assert sorted(image.size for image in images(pdf)) == [(240, 240), (600, 150)]
    # The drawn emblem with the issuer's initials gives way to the logo.
    assert "NISA" not in run("pdftotext", pdf, "-")


def test_without_logo_or_signature_a_drawn_emblem_and_a_signature_line(tmp_path):
    require("pdftoppm", "zbarimg")
    pdf = saved(tmp_path, render_certificate(certificate()))

    assert images(pdf) == []
    assert "NISA" in run("pdftotext", pdf, "-")
    assert "Dr. Chea Sophal" in run("pdftotext", pdf, "-")


def test_a_replaced_logo_file_is_read_again(tmp_path, logo):
    require("pdftoppm", "zbarimg")
    render_certificate(certificate(), logo=logo)
    Image.new("RGB", (120, 60), "navy").save(logo)
    pdf = saved(tmp_path, render_certificate(certificate(), logo=logo))

    assert [image.size for image in images(pdf)] == [(120, 60)]


# The merged PDF for printing a cohort


def test_a_cohort_prints_as_one_pdf_in_order(tmp_path, logo):
    require("pdftoppm", "zbarimg")
    codes = ["K7QM-3XPD-9RTA-2VHC", "P4WN-8KDR-3MXT-7CQA", "H2RV-6TQN-4WKP-9MDE"]
    docs = [
        (certificate(count=12, code=codes[0]), CREDENTIAL),
        (certificate(count=2, code=codes[1]), None),
        (certificate(count=3, code=codes[2]), b"{}"),
    ]
    path = tmp_path / "cohort.pdf"
    with path.open("wb") as out:
        pages = write_certificates(iter(docs), out, logo=logo)

    assert pages == page_count(path) == 4
    assert [scanned(path, page) for page in (1, 3, 4)] == [doc.verification_url for doc, _ in docs]
    assert run("pdfdetach", "-list", path).splitlines()[1:] == [
        f"1: credential-{codes[2]}.json",
        f"2: credential-{codes[0]}.json",
    ]
    # The logo is stored once and drawn on every front page.
    logos = images(path)
    assert [logo.page for logo in logos] == [1, 3, 4]
    assert len({logo.stored_as for logo in logos}) == 1


def test_an_empty_cohort_is_refused():
    with pytest.raises(ValueError, match="no certificates"):
        write_certificates([], BytesIO())


@pytest.mark.parametrize(
    ("mark", "english"),
    [
        (VoidMark(revoked_on=date(2026, 12, 8)), "REVOKED on 8 December 2026"),
        (
            VoidMark(replaced_by="ABCD-EFGH-JKMN-PQRS"),
            "REPLACED by ABCD-EFGH-JKMN-PQRS, see the verification page",
        ),
    ],
)
def test_a_void_certificate_is_marked_across_every_page_in_both_languages(tmp_path, mark, english):
    require("pdftoppm", "zbarimg")
    pdf = saved(tmp_path, render_certificate(certificate(count=12), void=mark))
    khmer, _ = void_lines(mark)
    assert page_count(pdf) == 2
    for page in (1, 2):
        # Set diagonally, the words come out of pdftotext broken at odd places: compare without spaces.
        text = "".join(run("pdftotext", "-raw", "-f", str(page), "-l", str(page), pdf, "-").split())
        assert "".join(english.split()) in text
    assert not shaping_faults(shape(khmer, KHMER_BOLD, 40).text, KHMER_BOLD)


def test_a_standing_certificate_carries_no_mark(tmp_path):
    require("pdftoppm", "zbarimg")
    text = run("pdftotext", saved(tmp_path, render_certificate(certificate(count=12))), "-")
    assert "REVOKED" not in text and "REPLACED" not in text
