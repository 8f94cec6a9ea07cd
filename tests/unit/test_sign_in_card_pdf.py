"""The printed sign-in cards: eight an A4 page, each QR code scanning to its own link, Khmer shaped."""

import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from foundation import typed_codes
from foundation.printing.khmer_type import KHMER_BOLD, ShapedText, shaping_faults
from people import sign_in_card_pdf
from people.pages import card_link, card_typing_address
from people.services.sign_in_cards import CODE_LENGTH, card_code
from people.sign_in_card_pdf import CardFace, render_cards
from tests.unit.test_certificate_pdf import page_count, require, run, saved

BASE_URL = "https://training.nisa.gov.kh"
DPI = 150


def cards(count: int) -> list[CardFace]:
    codes = [typed_codes.new_code(CODE_LENGTH) for _ in range(count)]
    return [
        CardFace(
            f"សុខ ស្រីមុំ ស្ត្រី {n}",
            f"Sok Sreymom {n}",
            typed_codes.grouped(code),
            card_link(BASE_URL, code),
            date(2026, 12, 21),
        )
        for n, code in enumerate(codes)
    ]


def scanned_links(pdf: Path, page: int) -> list[str]:
    """What a phone held over each card reads from its QR code, the page printed at 150 dpi: one link
    per card place, in reading order ("" where a place is empty or unreadable)."""
    prefix = pdf.with_suffix("")
    run("pdftoppm", "-r", str(DPI), "-png", "-f", page, "-l", page, "-singlefile", pdf, prefix)
    links = []
    with Image.open(prefix.with_suffix(".png")) as sheet:
        for place in range(sign_in_card_pdf.CARDS_PER_PAGE):
            column, row = place % sign_in_card_pdf.COLUMNS, place // sign_in_card_pdf.COLUMNS
            left = pixels(sign_in_card_pdf.PAGE_MARGIN + column * sign_in_card_pdf.CARD_WIDTH)
            top = pixels(sign_in_card_pdf.PAGE_MARGIN + row * sign_in_card_pdf.CARD_HEIGHT)
            box = (
                left,
                top,
                left + pixels(sign_in_card_pdf.CARD_WIDTH),
                top + pixels(sign_in_card_pdf.CARD_HEIGHT),
            )
            card = pdf.parent / f"card-{page}-{place}.png"
            sheet.crop(box).save(card)
            found = subprocess.run(["zbarimg", "--raw", "-q", str(card)], capture_output=True, text=True)
            links.append(found.stdout.strip())
    return links


def pixels(points: float) -> int:
    return round(points * DPI / 72)


def test_eight_cards_a_page_each_qr_code_scanning_to_its_own_link(tmp_path):
    require("pdftoppm", "zbarimg", "pdfinfo")
    printed = cards(11)
    pdf = saved(tmp_path, render_cards(printed, card_typing_address(BASE_URL)), "cards.pdf")
    assert page_count(pdf) == 2
    assert "595.276 x 841.89 pts (A4)" in run("pdfinfo", pdf)
    assert scanned_links(pdf, 1) == [card.link for card in printed[:8]]
    assert scanned_links(pdf, 2) == [card.link for card in printed[8:]] + [""] * 5


def test_each_card_shows_the_typed_code_and_where_to_type_it(tmp_path):
    require("pdftotext")
    printed = cards(2)
    text = run("pdftotext", saved(tmp_path, render_cards(printed, card_typing_address(BASE_URL))), "-")
    for card in printed:
        assert card.code in text and card.name_latin in text
    assert "training.nisa.gov.kh/card" in text
    assert "One use only, until 21 December 2026" in text


def test_the_typed_code_reads_back_forgivingly_and_carries_60_bits():
    code = typed_codes.new_code(CODE_LENGTH)
    assert CODE_LENGTH * typed_codes.BITS_PER_CHARACTER >= 60
    assert card_code(f"  {typed_codes.grouped(code).lower()} ") == code
    assert card_code(code.replace("0", "o")) == code
    assert card_code(" ".join(code)) == code
    assert card_code(code[:-1]) is None
    assert card_code("https://example.org/x") is None


def test_the_khmer_on_the_card_is_shaped_by_harfbuzz(monkeypatch):
    drawn: list[tuple[str, ShapedText]] = []
    real_draw = sign_in_card_pdf.draw_shaped

    def recording_draw(canvas, x, y, text, char_space=0):  # type: ignore[no-untyped-def]
        drawn.append((canvas._fontname, text))
        real_draw(canvas, x, y, text, char_space)

    monkeypatch.setattr(sign_in_card_pdf, "draw_shaped", recording_draw)
    render_cards(cards(1), "nisa.gov.kh/card")
    khmer = [(font, text) for font, text in drawn if any("\u1780" <= c <= "\u17ff" for c in str(text.text))]
    assert khmer, "no Khmer drawn"
    assert any(font == KHMER_BOLD for font, _ in khmer)  # the name and the title
    for font, text in khmer:
        assert shaping_faults(text.text, font) == [], str(text.text)


@pytest.mark.parametrize(
    ("base_url", "address"),
    [
        ("https://training.nisa.gov.kh", "training.nisa.gov.kh/card"),
        ("http://127.0.0.1:8000/", "127.0.0.1:8000/card"),
    ],
)
def test_the_typing_address_has_no_scheme(base_url, address):
    assert card_typing_address(base_url) == address
