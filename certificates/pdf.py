"""The printable certificate: A4 landscape, Khmer first and English beneath, QR code and credential inside."""

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Literal

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString, PDFZCompress
from reportlab.pdfgen.canvas import Canvas

from certificates.document import AchievedCompetency, CertificateDocument, Issuer, Signatory, VoidMark
from foundation.formatting import format_date, in_digits_of
from foundation.printing.khmer_type import (
    KHMER,
    KHMER_BOLD,
    ShapedText,
    draw_shaped,
    register_khmer_fonts,
    shape,
)
from foundation.printing.qr import draw_qr, qr_matrix

CREDENTIAL_FILE_NAME = "credential.json"
# Up to this many competencies are listed on the front page (room permitting); more get pages of their own.
FEW_COMPETENCIES = 6

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
CENTRE = PAGE_WIDTH / 2
OUTER_FRAME = 10 * mm
INNER_FRAME = 13 * mm
# Text keeps this far from the page's edge: inside the inner frame, with air.
CONTENT_MARGIN = 19 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * CONTENT_MARGIN
# The band along the bottom of the front page (QR code, dates, signature) ends this high.
BOTTOM_BAND_TOP = 48 * mm
QR_WIDTH = 27 * mm

NAVY = HexColor("#1f3a5c")
GOLD = HexColor("#a9873d")
INK = HexColor("#1d1d1f")
MUTED = HexColor("#5d6573")
TINT = HexColor("#f5f0e4")


def in_khmer_digits(text: str) -> str:
    return in_digits_of(text, "km")


def khmer_date(day: date) -> str:
    """២១ វិច្ឆិកា ២០២៦"""
    return format_date(day, "long", "km")


def english_date(day: date) -> str:
    """21 November 2026"""
    return format_date(day, "long", "en")


def hours_text(hours: Decimal) -> str:
    """40 for 40.00, 12.5 for 12.50: no trailing zeros and never an exponent."""
    return format(hours.normalize(), "f")


# Setting text: shaped, then shrunk or wrapped to fit its box, never overflowing it.


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    colour: Color = INK
    max_lines: int = 1
    # Line height as a multiple of the size.
    leading: float = 1.3
    # Shrink down to this before giving up on wrapping and scaling the text to the width (0: 60% of size).
    min_size: float = 0.0
    char_space: float = 0.0


# Khmer needs taller lines than Latin: vowels sit above and subscript consonants below the letters.
KHMER_LEADING = 1.5

HEADER_KM = TextStyle(KHMER_BOLD, 13, NAVY, leading=KHMER_LEADING)
MOTTO_KM = TextStyle(KHMER, 11, NAVY, leading=KHMER_LEADING)
ISSUER_KM = TextStyle(KHMER_BOLD, 10.5, NAVY, max_lines=2, leading=KHMER_LEADING)
ISSUER_EN = TextStyle(KHMER, 8.5, MUTED, max_lines=2)
TITLE_KM = TextStyle(KHMER_BOLD, 24, NAVY, leading=KHMER_LEADING)
TITLE_EN = TextStyle(KHMER_BOLD, 13, GOLD, char_space=2.2)
LEAD_KM = TextStyle(KHMER, 10.5, MUTED, leading=KHMER_LEADING)
LEAD_EN = TextStyle(KHMER, 9, MUTED)
HOLDER_KM = TextStyle(KHMER_BOLD, 26, NAVY, min_size=14, leading=KHMER_LEADING)
HOLDER_LATIN = TextStyle(KHMER, 16, INK, min_size=10, char_space=0.6)
COURSE_KM = TextStyle(KHMER_BOLD, 16, INK, max_lines=2, min_size=11, leading=KHMER_LEADING)
COURSE_EN = TextStyle(KHMER, 13, INK, max_lines=2, min_size=9)
DETAIL_KM = TextStyle(KHMER, 9.5, INK, leading=KHMER_LEADING)
DETAIL_EN = TextStyle(KHMER, 8.5, MUTED)
NOTE_KM = TextStyle(KHMER, 8.5, MUTED, leading=KHMER_LEADING)
NOTE_EN = TextStyle(KHMER, 7.5, MUTED)
SMALL_HEADING = TextStyle(KHMER_BOLD, 7.5, GOLD, leading=KHMER_LEADING)
SUMMARY_KM = TextStyle(KHMER, 8, INK, leading=KHMER_LEADING)
SUMMARY_EN = TextStyle(KHMER, 7, MUTED)
VERIFY_KM = TextStyle(KHMER, 8.5, NAVY, leading=KHMER_LEADING)
CODE = TextStyle(KHMER_BOLD, 12, NAVY, char_space=0.8)
URL = TextStyle(KHMER, 6.5, MUTED)
SIGNATORY_NAME_KM = TextStyle(KHMER_BOLD, 10, INK, leading=KHMER_LEADING)
SIGNATORY_NAME_EN = TextStyle(KHMER, 8.5, INK)
SIGNATORY_TITLE_KM = TextStyle(KHMER, 8.5, MUTED, leading=KHMER_LEADING)
SIGNATORY_TITLE_EN = TextStyle(KHMER, 7.5, MUTED)
PAGE_TITLE_KM = TextStyle(KHMER_BOLD, 17, NAVY, leading=KHMER_LEADING)
PAGE_TITLE_EN = TextStyle(KHMER_BOLD, 10, GOLD, char_space=2)
PAGE_SUBTITLE = TextStyle(KHMER, 9.5, MUTED, leading=KHMER_LEADING)
TABLE_HEADING = TextStyle(KHMER_BOLD, 8.5, GOLD, leading=KHMER_LEADING)
TABLE_CODE = TextStyle(KHMER_BOLD, 9, NAVY)
TABLE_KM = TextStyle(KHMER, 9.5, INK, max_lines=4, min_size=8, leading=KHMER_LEADING)
TABLE_EN = TextStyle(KHMER, 9, INK, max_lines=4, min_size=7.5)


@dataclass(frozen=True)
class SetText:
    lines: list[ShapedText]
    style: TextStyle
    size: float

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * self.style.leading


# A line may break after a space or a zero-width space (how Khmer marks word boundaries in running text).
_BREAKS = re.compile(r"[^ \u200b]+[ \u200b]*|[ \u200b]+")


def set_text(text: str, style: TextStyle, width: float) -> SetText:
    """Fit text into `width`: at its size if it fits, else smaller, else on up to max_lines lines."""
    min_size = style.min_size or style.size * 0.6
    size = style.size
    while (lines := _wrap(text, style, size, width)) is None:
        if size <= min_size:
            # An unbreakable run too long even at the smallest size: scale it to the width.
            size = min_size * width / _shape(text, style, min_size).width
            return SetText([_shape(text, style, size)], style, size)
        size = max(min_size, size - 0.5)
    return SetText(lines, style, size)


def _shape(text: str, style: TextStyle, size: float) -> ShapedText:
    shaped = shape(text, style.font, size)
    if not style.char_space:
        return shaped
    return ShapedText(shaped.text, shaped.width + style.char_space * max(len(shaped.text) - 1, 0))


def _wrap(text: str, style: TextStyle, size: float, width: float) -> list[ShapedText] | None:
    """Greedy line breaking; None when it takes more than max_lines lines or one word is too wide."""
    whole = _shape(text, style, size)
    if whole.width <= width:
        return [whole]
    if style.max_lines == 1:
        return None
    lines: list[str] = []
    current = ""
    for token in _BREAKS.findall(text):
        if current.strip() and _shape((current + token).strip(), style, size).width > width:
            lines.append(current.strip())
            current = ""
        current += token
    lines.append(current.strip())
    shaped = [_shape(line, style, size) for line in lines]
    if len(shaped) > style.max_lines or any(line.width > width for line in shaped):
        return None
    return shaped


def draw_text(canvas: Canvas, text: SetText, x: float, top: float, align: Literal["centre", "left"]) -> float:
    """Draw set text below `top`, centred on x or starting at x; returns the y just below it."""
    canvas.setFillColor(text.style.colour)
    canvas.setFont(text.style.font, text.size)
    y = top
    for line in text.lines:
        # The baseline sits one size below the line's top; the rest of the leading is for what hangs below.
        left = x - line.width / 2 if align == "centre" else x
        draw_shaped(canvas, left, y - text.size, line, text.style.char_space)
        y -= text.size * text.style.leading
    return y


def put(
    canvas: Canvas,
    text: str,
    style: TextStyle,
    width: float,
    x: float,
    top: float,
    align: Literal["centre", "left"] = "centre",
) -> float:
    """Set and draw text in one go; returns the y just below it."""
    return draw_text(canvas, set_text(text, style, width), x, top, align)


# Artwork: the issuer's logo and signature when configured, drawn defaults otherwise.


@dataclass(frozen=True)
class Artwork:
    logo: ImageReader | None
    signature: ImageReader | None

    @classmethod
    def load(cls, logo: Path | None, signature: Path | None) -> "Artwork":
        return cls(_image(logo), _image(signature))


def _image(path: Path | None) -> ImageReader | None:
    if path is None:
        return None
    stat = path.stat()
    return _decoded_image(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _decoded_image(path: str, modified_ns: int, size: int) -> ImageReader:
    """Decode each image file once per process; a replaced file (new mtime or size) is read afresh."""
    return ImageReader(path)


def _draw_picture(canvas: Canvas, image: ImageReader, x: float, y: float, box: tuple[float, float]) -> None:
    canvas.drawImage(image, x, y, *box, preserveAspectRatio=True, anchor="c", mask="auto")


def _draw_emblem(canvas: Canvas, issuer: Issuer, cx: float, cy: float, radius: float) -> None:
    """The seal drawn when no logo is configured: navy and gold rings around the issuer's initials."""
    canvas.saveState()
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.6)
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(0.6)
    canvas.circle(cx, cy, radius * 0.86, stroke=1, fill=0)
    canvas.circle(cx, cy, radius * 0.62, stroke=1, fill=0)
    canvas.setFillColor(GOLD)
    canvas.translate(cx, cy)
    for _ in range(24):
        canvas.circle(radius * 0.74, 0, radius * 0.035, stroke=0, fill=1)
        canvas.rotate(15)
    initials = "".join(word[0] for word in issuer.name_en.split() if word[:1].isupper())[:4]
    mark = set_text(initials or "NISA", TextStyle(KHMER_BOLD, radius * 0.42, NAVY), radius * 1.1)
    draw_text(canvas, mark, 0, mark.size * 0.64, "centre")
    canvas.restoreState()


def _draw_frame(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(2.4)
    canvas.rect(OUTER_FRAME, OUTER_FRAME, PAGE_WIDTH - 2 * OUTER_FRAME, PAGE_HEIGHT - 2 * OUTER_FRAME)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(INNER_FRAME, INNER_FRAME, PAGE_WIDTH - 2 * INNER_FRAME, PAGE_HEIGHT - 2 * INNER_FRAME)
    for x in (INNER_FRAME, PAGE_WIDTH - INNER_FRAME):
        for y in (INNER_FRAME, PAGE_HEIGHT - INNER_FRAME):
            _draw_diamond(canvas, x, y, 2.4 * mm)
    canvas.restoreState()


def _draw_diamond(canvas: Canvas, cx: float, cy: float, half: float) -> None:
    path = canvas.beginPath()
    path.moveTo(cx, cy + half)
    path.lineTo(cx + half, cy)
    path.lineTo(cx, cy - half)
    path.lineTo(cx - half, cy)
    path.close()
    canvas.setFillColor(GOLD)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_line(canvas: Canvas, x0: float, x1: float, y: float, colour: Color, weight: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(weight)
    canvas.line(x0, y, x1, y)
    canvas.restoreState()


def _draw_rule(canvas: Canvas, y: float, width: float) -> None:
    """A thin gold rule with a diamond at its middle: the divider between parts of the page."""
    _draw_line(canvas, CENTRE - width / 2, CENTRE - 5, y, GOLD, 0.6)
    _draw_line(canvas, CENTRE + 5, CENTRE + width / 2, y, GOLD, 0.6)
    _draw_diamond(canvas, CENTRE, y, 2.6)


# The front page.

KINGDOM_KM = "ព្រះរាជាណាចក្រកម្ពុជា"
KINGDOM_MOTTO_KM = "ជាតិ សាសនា ព្រះមហាក្សត្រ"
KINGDOM_EN = "Kingdom of Cambodia · Nation Religion King"
DEFAULT_TITLE_KM = "វិញ្ញាបនបត្របញ្ចប់វគ្គសិក្សា"
DEFAULT_TITLE_EN = "Certificate of Completion"


def _draw_header(canvas: Canvas, issuer: Issuer, artwork: Artwork) -> None:
    """Kingdom and motto at the centre, as on Cambodian official documents; the issuer at the left."""
    top = PAGE_HEIGHT - CONTENT_MARGIN
    y = put(canvas, KINGDOM_KM, HEADER_KM, 220, CENTRE, top)
    y = put(canvas, KINGDOM_MOTTO_KM, MOTTO_KM, 220, CENTRE, y + 2)
    y = put(canvas, KINGDOM_EN, NOTE_EN, 220, CENTRE, y + 1)
    _draw_rule(canvas, y - 3, 110)

    mark = 20 * mm
    if artwork.logo is not None:
        _draw_picture(canvas, artwork.logo, CONTENT_MARGIN, top - mark, (mark, mark))
    else:
        _draw_emblem(canvas, issuer, CONTENT_MARGIN + mark / 2, top - mark / 2, mark / 2)
    left = CONTENT_MARGIN + mark + 3 * mm
    # Up to the kingdom header, which is centred and about 60 mm wide.
    width = CENTRE - 40 * mm - left
    y = put(canvas, issuer.name_km, ISSUER_KM, width, left, top - 4 * mm, "left")
    put(canvas, issuer.name_en, ISSUER_EN, width, left, y + 1, "left")


def _draw_body(canvas: Canvas, doc: CertificateDocument) -> float:
    """Title, holder and course down the middle; returns the y where the free space below them begins."""
    width = CONTENT_WIDTH - 40 * mm
    y = put(
        canvas, doc.certificate_title_km or DEFAULT_TITLE_KM, TITLE_KM, width, CENTRE, PAGE_HEIGHT - 38 * mm
    )
    y = put(canvas, (doc.certificate_title_en or DEFAULT_TITLE_EN).upper(), TITLE_EN, width, CENTRE, y + 2)

    y = put(canvas, "សូមបញ្ជាក់ថា", LEAD_KM, width, CENTRE, y - 6)
    y = put(canvas, "This is to certify that", LEAD_EN, width, CENTRE, y)
    y = put(canvas, doc.holder_name_km, HOLDER_KM, width, CENTRE, y - 2)
    y = put(canvas, doc.holder_name_latin, HOLDER_LATIN, width, CENTRE, y)
    _draw_rule(canvas, y - 4, 90 * mm)

    y = put(canvas, "បានបញ្ចប់ដោយជោគជ័យនូវវគ្គសិក្សា", LEAD_KM, width, CENTRE, y - 9)
    y = put(canvas, "has successfully completed the course", LEAD_EN, width, CENTRE, y)
    y = put(canvas, doc.course_title_km, COURSE_KM, width, CENTRE, y - 1)
    y = put(canvas, doc.course_title_en, COURSE_EN, width, CENTRE, y)
    hours = hours_text(doc.hours)
    details_km = (
        f"លេខកូដវគ្គ {doc.course_code} · រយៈពេល {in_khmer_digits(hours)} ម៉ោង"
        f" · បញ្ចប់នៅថ្ងៃទី {khmer_date(doc.completed_on)}"
    )
    details_en = f"Course {doc.course_code} · {hours} hours · completed on {english_date(doc.completed_on)}"
    y = put(canvas, details_km, DETAIL_KM, width, CENTRE, y - 3)
    return put(canvas, details_en, DETAIL_EN, width, CENTRE, y)


SUMMARY_HEADING = "សមត្ថភាពដែលសម្រេចបាន · COMPETENCIES ACHIEVED"
SUMMARY_ROW = 23
SUMMARY_COLUMN = (CONTENT_WIDTH - 60 * mm) / 2


def _summary_height(count: int) -> float:
    return 14 + (count + 1) // 2 * SUMMARY_ROW


def _draw_summary(canvas: Canvas, competencies: Sequence[AchievedCompetency], top: float) -> None:
    """A few competencies in two columns: code and Khmer title, the English title beneath."""
    y = put(canvas, SUMMARY_HEADING, SMALL_HEADING, 300, CENTRE, top)
    width = SUMMARY_COLUMN - 14
    for index, competency in enumerate(competencies):
        left = CONTENT_MARGIN + 30 * mm + index % 2 * SUMMARY_COLUMN
        row_top = y - index // 2 * SUMMARY_ROW
        _draw_diamond(canvas, left + 2, row_top - 5.5, 1.8)
        below = put(
            canvas, f"{competency.code}  {competency.title_km}", SUMMARY_KM, width, left + 8, row_top, "left"
        )
        put(canvas, competency.title_en, SUMMARY_EN, width, left + 8, below - 1, "left")


def _draw_overleaf_note(canvas: Canvas, count: int, top: float) -> None:
    km = f"សមត្ថភាពដែលសម្រេចបានចំនួន {in_khmer_digits(str(count))} មាននៅទំព័របន្ទាប់"
    y = put(canvas, km, NOTE_KM, 400, CENTRE, top)
    put(canvas, f"{count} competencies achieved, listed overleaf", NOTE_EN, 400, CENTRE, y)


def _draw_verification(canvas: Canvas, doc: CertificateDocument) -> None:
    """The QR code at the bottom left, the code and address beside it for those without a camera."""
    x = CONTENT_MARGIN + 2 * mm
    y = INNER_FRAME + 5 * mm
    quiet = draw_qr(canvas, qr_matrix(doc.verification_url), x, y, QR_WIDTH, NAVY)
    left = x + QR_WIDTH + quiet
    width = CENTRE - 48 * mm - left
    top = put(canvas, "ផ្ទៀងផ្ទាត់វិញ្ញាបនបត្រនេះ", VERIFY_KM, width, left, y + QR_WIDTH, "left")
    top = put(canvas, "Verify this certificate", NOTE_EN, width, left, top, "left")
    top = put(canvas, doc.code, CODE, width, left, top - 4, "left")
    put(canvas, doc.verification_url, URL, width, left, top, "left")


def _draw_dates(canvas: Canvas, doc: CertificateDocument) -> None:
    if doc.expires_on is None:
        expiry = ("គ្មានកាលបរិច្ឆេទផុតកំណត់", "No expiry")
    else:
        expiry = (
            f"មានសុពលភាពរហូតដល់ថ្ងៃទី {khmer_date(doc.expires_on)}",
            f"Valid until {english_date(doc.expires_on)}",
        )
    issued = (f"ចេញនៅថ្ងៃទី {khmer_date(doc.issued_on)}", f"Issued on {english_date(doc.issued_on)}")
    y = BOTTOM_BAND_TOP - 10 * mm
    for km, en in (issued, expiry):
        y = put(canvas, km, DETAIL_KM, 62 * mm, CENTRE, y)
        y = put(canvas, en, DETAIL_EN, 62 * mm, CENTRE, y) - 5


def _draw_signature(canvas: Canvas, signatory: Signatory, artwork: Artwork) -> None:
    """The signature image above a line, or the bare line for a wet signature; who signs beneath it."""
    cx = PAGE_WIDTH - CONTENT_MARGIN - 36 * mm
    width = 66 * mm
    line_y = INNER_FRAME + 20 * mm
    if artwork.signature is not None:
        _draw_picture(canvas, artwork.signature, cx - width / 2, line_y + 1.5 * mm, (width, 13 * mm))
    _draw_line(canvas, cx - width / 2, cx + width / 2, line_y, INK, 0.6)
    y = line_y - 2
    for text, style in (
        (signatory.name_km, SIGNATORY_NAME_KM),
        (signatory.name_en, SIGNATORY_NAME_EN),
        (signatory.title_km, SIGNATORY_TITLE_KM),
        (signatory.title_en, SIGNATORY_TITLE_EN),
    ):
        if text:
            y = put(canvas, text, style, width, cx, y)


def _draw_front(canvas: Canvas, doc: CertificateDocument, artwork: Artwork) -> bool:
    """Page one; returns True when the competencies did not fit on it and need pages of their own."""
    _draw_frame(canvas)
    _draw_header(canvas, doc.issuer, artwork)
    free_top = _draw_body(canvas, doc) - 2 * mm
    count = len(doc.competencies)
    fits = count <= FEW_COMPETENCIES and free_top - _summary_height(count) >= BOTTOM_BAND_TOP
    if count and fits:
        _draw_summary(canvas, doc.competencies, free_top)
    elif count:
        _draw_overleaf_note(canvas, count, free_top)
    _draw_verification(canvas, doc)
    _draw_dates(canvas, doc)
    _draw_signature(canvas, doc.signatory, artwork)
    return count > 0 and not fits


# The competency pages: a table of code, Khmer title and English title, continued as long as needed.

CODE_COLUMN = 26 * mm
TITLE_COLUMN = (CONTENT_WIDTH - CODE_COLUMN) / 2
COLUMNS = (CONTENT_MARGIN, CONTENT_MARGIN + CODE_COLUMN, CONTENT_MARGIN + CODE_COLUMN + TITLE_COLUMN)
CELL_PADDING = 4
TABLE_TOP = PAGE_HEIGHT - 58 * mm
TABLE_BOTTOM = CONTENT_MARGIN + 8 * mm


@dataclass(frozen=True)
class CompetencyRow:
    cells: tuple[SetText, SetText, SetText]

    @property
    def height(self) -> float:
        return max(cell.height for cell in self.cells) + 2 * CELL_PADDING


def _competency_rows(competencies: Sequence[AchievedCompetency]) -> list[CompetencyRow]:
    width = TITLE_COLUMN - 4 * mm
    return [
        CompetencyRow(
            (
                set_text(c.code, TABLE_CODE, CODE_COLUMN - 4 * mm),
                set_text(c.title_km, TABLE_KM, width),
                set_text(c.title_en, TABLE_EN, width),
            )
        )
        for c in competencies
    ]


def _paginate(rows: list[CompetencyRow]) -> list[list[CompetencyRow]]:
    pages: list[list[CompetencyRow]] = [[]]
    room = TABLE_TOP - TABLE_BOTTOM
    for row in rows:
        if row.height > room and pages[-1]:
            pages.append([])
            room = TABLE_TOP - TABLE_BOTTOM
        pages[-1].append(row)
        room -= row.height
    return pages


def _draw_competency_page(
    canvas: Canvas, doc: CertificateDocument, rows: list[CompetencyRow], page: int, pages: int
) -> None:
    _draw_frame(canvas)
    y = put(canvas, "សមត្ថភាពដែលសម្រេចបាន", PAGE_TITLE_KM, 300, CENTRE, PAGE_HEIGHT - CONTENT_MARGIN - 2 * mm)
    y = put(canvas, "COMPETENCIES ACHIEVED", PAGE_TITLE_EN, 300, CENTRE, y + 1)
    y = put(
        canvas, f"{doc.holder_name_km} · {doc.holder_name_latin}", PAGE_SUBTITLE, CONTENT_WIDTH, CENTRE, y - 2
    )
    put(canvas, f"{doc.course_code} · {doc.course_title_en}", DETAIL_EN, CONTENT_WIDTH, CENTRE, y)

    for heading, x in zip(("លេខកូដ / Code", "សមត្ថភាព", "Competency"), COLUMNS, strict=True):
        put(canvas, heading, TABLE_HEADING, TITLE_COLUMN, x + 2 * mm, TABLE_TOP + 16, "left")
    _draw_line(canvas, CONTENT_MARGIN, PAGE_WIDTH - CONTENT_MARGIN, TABLE_TOP, GOLD, 0.8)
    y = TABLE_TOP
    for index, row in enumerate(rows):
        if index % 2:
            canvas.setFillColor(TINT)
            canvas.rect(CONTENT_MARGIN, y - row.height, CONTENT_WIDTH, row.height, stroke=0, fill=1)
        for cell, x in zip(row.cells, COLUMNS, strict=True):
            draw_text(canvas, cell, x + 2 * mm, y - CELL_PADDING, "left")
        y -= row.height
    _draw_line(canvas, CONTENT_MARGIN, PAGE_WIDTH - CONTENT_MARGIN, y, GOLD, 0.8)

    numbers = f"ទំព័រ {in_khmer_digits(str(page))}/{in_khmer_digits(str(pages))} · page {page} of {pages}"
    put(canvas, f"{doc.code} · {numbers}", NOTE_KM, 300, CENTRE, CONTENT_MARGIN + 4 * mm)


# The mark across a revoked or replaced certificate's pages.

VOID_RED = Color(0.70, 0.14, 0.09, alpha=0.55)
VOID_KM = TextStyle(KHMER_BOLD, 46, VOID_RED, max_lines=2, leading=KHMER_LEADING)
VOID_EN = TextStyle(KHMER_BOLD, 34, VOID_RED, max_lines=2)


def void_lines(mark: VoidMark) -> tuple[str, str]:
    """The mark's words, Khmer then English."""
    if mark.replaced_by:
        return (
            f"ត្រូវបានជំនួសដោយ {mark.replaced_by} សូមមើលទំព័រផ្ទៀងផ្ទាត់",
            f"REPLACED by {mark.replaced_by}, see the verification page",
        )
    day = mark.revoked_on
    return (
        f"បានដកហូតនៅថ្ងៃទី {khmer_date(day)}" if day else "បានដកហូត",
        f"REVOKED on {english_date(day)}" if day else "REVOKED",
    )


def _draw_void_mark(canvas: Canvas, mark: VoidMark) -> None:
    """Both lines large and diagonal across the middle of the page, over everything drawn on it."""
    khmer, english = void_lines(mark)
    width = (PAGE_WIDTH**2 + PAGE_HEIGHT**2) ** 0.5 * 0.7
    canvas.saveState()
    canvas.translate(CENTRE, PAGE_HEIGHT / 2)
    canvas.rotate(math.degrees(math.atan2(PAGE_HEIGHT, PAGE_WIDTH)))
    below = put(canvas, khmer, VOID_KM, width, 0, VOID_KM.size * 1.2)
    put(canvas, english, VOID_EN, width, 0, below)
    canvas.restoreState()


# Documents.


def _draw_certificate(
    canvas: Canvas, doc: CertificateDocument, artwork: Artwork, void: VoidMark | None = None
) -> int:
    """All pages of one certificate, each marked when it no longer stands; returns how many."""

    def end_page() -> None:
        if void is not None:
            _draw_void_mark(canvas, void)
        canvas.showPage()

    overleaf = _draw_front(canvas, doc, artwork)
    end_page()
    if not overleaf:
        return 1
    pages = _paginate(_competency_rows(doc.competencies))
    for number, rows in enumerate(pages, start=2):
        _draw_competency_page(canvas, doc, rows, number, len(pages) + 1)
        end_page()
    return 1 + len(pages)


def _new_canvas(out: BinaryIO, title: str, issuer: Issuer) -> Canvas:
    register_khmer_fonts()
    # invariant: no timestamp or random id in the file, so the same snapshot always gives the same bytes.
    canvas = Canvas(out, pagesize=landscape(A4), invariant=1, lang="km", initialFontName=KHMER)
    canvas.setTitle(title)
    canvas.setAuthor(issuer.name_en)
    canvas.setCreator("NISA Training & Certification")
    return canvas


def _attach(canvas: Canvas, files: Sequence[tuple[str, bytes]]) -> None:
    """Embed files in the PDF, listed in the catalogue's /EmbeddedFiles name tree.

    reportlab has no API for attachments, so the PDF objects are built by hand on its document.
    """
    document = canvas._doc
    names: list[object] = []
    # A name tree's keys must be in order.
    for name, data in sorted(files):
        stream = PDFStream(
            PDFDictionary(
                {
                    "Type": PDFName("EmbeddedFile"),
                    # reportlab's PDFName leaves "/" unescaped, which would split the name in two.
                    "Subtype": "/application#2Fjson",
                    "Params": PDFDictionary({"Size": len(data)}),
                }
            ),
            data,
            filters=[PDFZCompress],
        )
        spec = PDFDictionary(
            {
                "Type": PDFName("Filespec"),
                "F": PDFString(name),
                "UF": PDFString(name),
                "Desc": PDFString("Signed verifiable credential (Open Badges 3.0)"),
                "AFRelationship": PDFName("Data"),
                "EF": PDFDictionary({"F": document.Reference(stream)}),
            }
        )
        names += [PDFString(name), document.Reference(spec)]
    if names:
        document.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": PDFArray(names)})})


def render_certificate(
    doc: CertificateDocument,
    *,
    logo: Path | None = None,
    signature: Path | None = None,
    credential_json: bytes | None = None,
    void: VoidMark | None = None,
) -> bytes:
    """One certificate as PDF bytes, with the signed credential attached as credential.json when given, and
    marked across every page when `void` says it no longer stands."""
    out = io.BytesIO()
    canvas = _new_canvas(out, f"Certificate {doc.code} — {doc.holder_name_latin}", doc.issuer)
    canvas.setSubject(doc.course_title_en)
    _draw_certificate(canvas, doc, Artwork.load(logo, signature), void)
    _attach(canvas, [(CREDENTIAL_FILE_NAME, credential_json)] if credential_json is not None else [])
    canvas.save()
    return out.getvalue()


def write_certificates(
    docs: Iterable[tuple[CertificateDocument, bytes | None]],
    out: BinaryIO,
    *,
    logo: Path | None = None,
    signature: Path | None = None,
) -> int:
    """Write certificates, in order, as one PDF for printing; returns its number of pages.

    Each credential given is attached as credential-{code}.json. reportlab holds the whole document until
    save(), so `out` is written only at the end: pass a temporary file and stream that afterwards.
    """
    artwork = Artwork.load(logo, signature)
    canvas = _new_canvas(out, "Certificates", Issuer())
    pages = 0
    credentials = []
    for doc, credential in docs:
        pages += _draw_certificate(canvas, doc, artwork)
        if credential is not None:
            credentials.append((f"credential-{doc.code}.json", credential))
    if not pages:
        raise ValueError("no certificates to print")
    _attach(canvas, credentials)
    canvas.save()
    return pages
