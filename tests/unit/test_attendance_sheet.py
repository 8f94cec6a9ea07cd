"""The printed attendance sheet: A4, Khmer shaped, every trainee once, the header and page x of y on each."""

import re
from datetime import date, time
from pathlib import Path

from PIL import Image

from foundation.printing.khmer_type import COENG, DOTTED_CIRCLE
from tests.unit.test_certificate_pdf import page_count, require, run, saved
from training.attendance_sheet import ROWS_PER_PAGE, render_attendance_sheet
from training.schemas.attendance import AttendanceSheet, SheetTrainee


def sheet(trainees: int) -> AttendanceSheet:
    return AttendanceSheet(
        course_code="SW101",
        course_title_km="មូលដ្ឋានគ្រឹះនៃការអនុវត្តការងារសង្គមកិច្ច",
        course_title_en="Foundations of social work practice",
        cohort_code="SW101-2026-03",
        venue_km="វិទ្យាស្ថានជាតិសង្គមកិច្ច, រាជធានីភ្នំពេញ",
        venue_en="NISA campus, Phnom Penh",
        day=date(2026, 12, 8),
        starts_at=time(8, 0),
        ends_at=time(16, 30),
        trainers=("Chan Dara",),
        trainees=tuple(SheetTrainee("សុខ ស្រីមុំ", f"Sok Sreymom {n:02d}") for n in range(1, trainees + 1)),
    )


def page_text(pdf: Path, page: int) -> str:
    return run("pdftotext", "-layout", "-f", page, "-l", page, pdf, "-")


def test_a_session_of_forty_spans_pages_with_the_header_on_each(tmp_path):
    require("pdftoppm", "pdftotext")
    pdf = saved(tmp_path, render_attendance_sheet(sheet(40)), "sheet.pdf")
    pages = page_count(pdf)
    assert pages == -(-40 // ROWS_PER_PAGE) and pages > 1
    sizes = re.findall(r"Page +\d+ size: +(.+)", run("pdfinfo", "-f", 1, "-l", pages, pdf))
    assert sizes == ["595.276 x 841.89 pts (A4)"] * pages
    names: list[str] = []
    for page in range(1, pages + 1):
        text = page_text(pdf, page)
        for fact in ("Attendance sheet", "Foundations of social work practice", "SW101-2026-03", "Chan Dara"):
            assert fact in text, (page, fact)
        assert "Tuesday, 8 December 2026 08:00–16:30" in text and "NISA campus, Phnom Penh" in text
        assert f"Page {page} of {pages}" in text and "Signature" in text
        names += re.findall(r"Sok Sreymom \d\d", text)
    assert names == [f"Sok Sreymom {n:02d}" for n in range(1, 41)]  # each once, in order


def test_the_khmer_is_shaped_and_the_pages_print(tmp_path):
    require("pdftoppm", "pdftotext")
    pdf = saved(tmp_path, render_attendance_sheet(sheet(3)), "sheet.pdf")
    text = run("pdftotext", pdf, "-")
    # Shaped, a subscript consonant is a glyph of its own: unshaped, the coeng would be there as a character.
    assert "សុខ" in text and COENG not in text and DOTTED_CIRCLE not in text
    assert "៨" in text and "២០២៦" in text  # Khmer digits on the Khmer side
    fonts = run("pdffonts", pdf)
    assert "NotoSansKhmer" in fonts and " yes yes " in fonts
    run("pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, tmp_path / "page")
    with Image.open(tmp_path / "page.png") as image:
        grey = image.convert("L")
        inked = sum(grey.histogram()[:128])
    assert inked > 500  # the header, the table's rules and the names are drawn


def test_an_empty_register_prints_one_page_with_the_header(tmp_path):
    require("pdftotext")
    pdf = saved(tmp_path, render_attendance_sheet(sheet(0)), "sheet.pdf")
    assert page_count(pdf) == 1
    assert "Attendance sheet" in page_text(pdf, 1) and "Page 1 of 1" in page_text(pdf, 1)
