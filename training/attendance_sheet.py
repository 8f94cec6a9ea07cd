"""The printed attendance sheet of a session (A4, Khmer first with English): a line to sign per trainee."""

import io

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from foundation.formatting import format_date, format_number, format_time_range
from foundation.i18n import N_, translations
from foundation.printing.khmer_type import KHMER, KHMER_BOLD, draw_shaped, register_khmer_fonts, shape
from training.schemas.attendance import AttendanceSheet, SheetTrainee

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
HEADER_HEIGHT = 52 * mm  # title and the session's facts, repeated on every page
FOOTER_HEIGHT = 22 * mm  # the trainer's signature and the page number
ROW_HEIGHT = 11 * mm  # two lines of name, and room to sign
TABLE_HEAD_HEIGHT = 9 * mm
ROWS_PER_PAGE = int(
    (PAGE_HEIGHT - 2 * MARGIN - HEADER_HEIGHT - FOOTER_HEIGHT - TABLE_HEAD_HEIGHT) // ROW_HEIGHT
)
# The table's columns: number, name (Khmer over Latin), signature; x offsets from the left margin.
NUMBER_WIDTH, NAME_WIDTH = 12 * mm, 78 * mm
SIGNATURE_WIDTH = CONTENT_WIDTH - NUMBER_WIDTH - NAME_WIDTH
SMALLEST_TYPE = 6.0
COLUMNS = ((N_("No."), NUMBER_WIDTH), (N_("Trainee"), NAME_WIDTH), (N_("Signature"), SIGNATURE_WIDTH))
PAGE_NUMBER = N_("Page %(page)s of %(pages)s")

INK = HexColor("#1d1d1f")
MUTED = HexColor("#5d6573")
RULE = HexColor("#9aa3ad")
TINT = HexColor("#eef2f6")


def _both(message: str) -> tuple[str, str]:
    """A label from the catalogue, in Khmer and in English."""
    return translations("km").gettext(message), message


def _when(sheet: AttendanceSheet, language: str) -> str:
    """Tuesday, 8 December 2026 08:00–16:30, or wholly in Khmer."""
    day = format_date(sheet.day, "full", language)
    return f"{day} {format_time_range(sheet.starts_at, sheet.ends_at, language)}".strip()


def _text(
    canvas: Canvas, text: str, x: float, y: float, size: float, *, bold: bool = False, width: float = 0
) -> None:
    """Shaped text with its baseline at y, made smaller until it fits `width` (when given)."""
    font = KHMER_BOLD if bold else KHMER
    shaped = shape(text, font, size)
    if width and shaped.width > width:
        size = max(SMALLEST_TYPE, size * width / shaped.width)
        shaped = shape(text, font, size)
    canvas.setFont(font, size)
    draw_shaped(canvas, x, y, shaped)


def _pair(canvas: Canvas, label: str, value_km: str, value_en: str, y: float) -> float:
    """One fact of the session: its label in both languages, then the value in Khmer and in English."""
    label_km, label_en = _both(label)
    canvas.setFillColor(MUTED)
    _text(canvas, f"{label_km} / {label_en}", MARGIN, y, 8, width=45 * mm)
    canvas.setFillColor(INK)
    value = value_km if value_km == value_en or not value_en else f"{value_km} / {value_en}"
    _text(canvas, value, MARGIN + 47 * mm, y, 10, width=CONTENT_WIDTH - 47 * mm)
    return y - 6.5 * mm


def _draw_header(canvas: Canvas, sheet: AttendanceSheet) -> float:
    title_km, title_en = _both(N_("Attendance sheet"))
    top = PAGE_HEIGHT - MARGIN
    _text(canvas, title_km, MARGIN, top - 7 * mm, 16, bold=True)
    _text(canvas, title_en, MARGIN, top - 13 * mm, 11, bold=True)
    y = top - 21 * mm
    y = _pair(canvas, N_("Course"), f"{sheet.course_code} {sheet.course_title_km}", sheet.course_title_en, y)
    y = _pair(canvas, N_("Cohort"), sheet.cohort_code, "", y)
    y = _pair(canvas, N_("Session"), _when(sheet, "km"), _when(sheet, "en"), y)
    y = _pair(canvas, N_("Venue"), sheet.venue_km, sheet.venue_en, y)
    _pair(canvas, N_("Trainer"), ", ".join(sheet.trainers) or "—", "", y)
    return top - HEADER_HEIGHT


def _draw_table_head(canvas: Canvas, top: float) -> float:
    canvas.setFillColor(TINT)
    canvas.rect(MARGIN, top - TABLE_HEAD_HEIGHT, CONTENT_WIDTH, TABLE_HEAD_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(INK)
    x = MARGIN
    for label, width in COLUMNS:
        km, en = _both(label)
        _text(canvas, f"{km} / {en}", x + 1.5 * mm, top - 6 * mm, 9, bold=True, width=width - 3 * mm)
        x += width
    return top - TABLE_HEAD_HEIGHT


def _draw_row(canvas: Canvas, number: int, trainee: SheetTrainee, top: float) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - ROW_HEIGHT, MARGIN + CONTENT_WIDTH, top - ROW_HEIGHT)
    for x in (MARGIN, MARGIN + NUMBER_WIDTH, MARGIN + NUMBER_WIDTH + NAME_WIDTH, MARGIN + CONTENT_WIDTH):
        canvas.line(x, top, x, top - ROW_HEIGHT)
    canvas.setFillColor(INK)
    _text(canvas, f"{format_number(number, 'km')} ({number})", MARGIN + 1.5 * mm, top - 6.5 * mm, 8)
    name_x, name_width = MARGIN + NUMBER_WIDTH + 1.5 * mm, NAME_WIDTH - 3 * mm
    _text(canvas, trainee.name_km, name_x, top - 5 * mm, 10, width=name_width)
    canvas.setFillColor(MUTED)
    _text(canvas, trainee.name_latin, name_x, top - 9 * mm, 8, width=name_width)


def _draw_footer(canvas: Canvas, page: int, pages: int) -> None:
    signed_km, signed_en = _both(N_("Trainer's signature"))
    canvas.setFillColor(INK)
    _text(canvas, f"{signed_km} / {signed_en}: ____________________", MARGIN, MARGIN + 10 * mm, 9)
    page_km, page_en = _both(PAGE_NUMBER)
    page_km %= {"page": format_number(page, "km"), "pages": format_number(pages, "km")}
    page_en %= {"page": page, "pages": pages}
    canvas.setFillColor(MUTED)
    label = f"{page_km} / {page_en}"
    _text(canvas, label, MARGIN + CONTENT_WIDTH - shape(label, KHMER, 8).width, MARGIN + 2 * mm, 8)


def _pages(trainees: tuple[SheetTrainee, ...]) -> list[list[tuple[int, SheetTrainee]]]:
    numbered = list(enumerate(trainees, start=1))
    return [numbered[i : i + ROWS_PER_PAGE] for i in range(0, len(numbered), ROWS_PER_PAGE)] or [[]]


def render_attendance_sheet(sheet: AttendanceSheet) -> bytes:
    """The sheet as PDF bytes: the header and the table's head on every page, "page x of y" at the foot."""
    register_khmer_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1, lang="km", initialFontName=KHMER)
    canvas.setTitle(f"{sheet.cohort_code} {sheet.day.isoformat()}")
    canvas.setCreator("NISA Training & Certification")
    pages = _pages(sheet.trainees)
    for page, rows in enumerate(pages, start=1):
        top = _draw_table_head(canvas, _draw_header(canvas, sheet))
        for number, trainee in rows:
            _draw_row(canvas, number, trainee, top)
            top -= ROW_HEIGHT
        _draw_footer(canvas, page, len(pages))
        canvas.showPage()
    canvas.save()
    return out.getvalue()
