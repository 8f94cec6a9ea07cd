"""Printable sign-in cards: A4 portrait, eight cards a page, Khmer first, a QR code and a typed code."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from foundation.formatting import format_date
from foundation.printing.khmer_type import KHMER, KHMER_BOLD, draw_shaped, register_khmer_fonts, shape
from foundation.printing.qr import draw_qr, qr_matrix

CARDS_PER_PAGE = 8
COLUMNS, ROWS = 2, 4
PAGE_WIDTH, PAGE_HEIGHT = A4
PAGE_MARGIN = 10 * mm
CARD_WIDTH = (PAGE_WIDTH - 2 * PAGE_MARGIN) / COLUMNS
CARD_HEIGHT = (PAGE_HEIGHT - 2 * PAGE_MARGIN) / ROWS
PADDING = 5 * mm
QR_WIDTH = 27 * mm
CODE_FONT = "Courier-Bold"

INK = HexColor("#1d1d1f")
MUTED = HexColor("#5d6573")
NAVY = HexColor("#1f3a5c")


@dataclass(frozen=True)
class CardFace:
    """One card as printed: whose it is, the one-time link its QR code holds and the code to type instead."""

    name_km: str
    name_latin: str
    code: str  # grouped, as typed: K7QM-3XPD-9RTA
    link: str
    expires_on: date


def render_cards(cards: Sequence[CardFace], typing_address: str) -> bytes:
    """The cards' PDF; `typing_address` is the page where the code can be typed (e.g. nisa.gov.kh/card)."""
    register_khmer_fonts()
    output = io.BytesIO()
    canvas = Canvas(output, pagesize=A4, pageCompression=1)
    canvas.setTitle("NISA sign-in cards")
    for start in range(0, len(cards), CARDS_PER_PAGE):
        for place, card in enumerate(cards[start : start + CARDS_PER_PAGE]):
            column, row = place % COLUMNS, place // COLUMNS
            x = PAGE_MARGIN + column * CARD_WIDTH
            y = PAGE_HEIGHT - PAGE_MARGIN - (row + 1) * CARD_HEIGHT
            _draw_card(canvas, card, x, y, typing_address)
        canvas.showPage()
    canvas.save()
    return output.getvalue()


def _draw_card(canvas: Canvas, card: CardFace, x: float, y: float, typing_address: str) -> None:
    canvas.saveState()
    canvas.setStrokeColor(MUTED)
    canvas.setDash(3, 3)  # cut along the dashes
    canvas.rect(x, y, CARD_WIDTH, CARD_HEIGHT, stroke=1, fill=0)
    canvas.restoreState()
    left, top = x + PADDING, y + CARD_HEIGHT - PADDING
    text_width = CARD_WIDTH - 3 * PADDING - QR_WIDTH
    draw_qr(
        canvas, qr_matrix(card.link), x + CARD_WIDTH - PADDING - QR_WIDTH, top - QR_WIDTH - 5 * mm, QR_WIDTH
    )
    lines = [
        (KHMER_BOLD, 9, NAVY, "ប័ណ្ណចូលប្រើប្រព័ន្ធ NISA"),
        (KHMER, 7.5, MUTED, "NISA sign-in card"),
        (KHMER_BOLD, 14, INK, card.name_km),
        (KHMER, 10, INK, card.name_latin),
    ]
    line_top = top
    for font, size, colour, text in lines:
        line_top = _line(canvas, left, line_top, text_width, font, size, colour, text)
    canvas.setFont(CODE_FONT, 12)
    canvas.setFillColor(INK)
    canvas.drawString(left, y + 27 * mm, card.code)
    footer = [
        f"ស្កេនកូដ QR ឬបើក {typing_address} ហើយវាយលេខកូដខាងលើ។",
        f"Scan the QR code, or open {typing_address} and type the code above.",
        f"ប្រើបានតែម្ដង រហូតដល់ថ្ងៃ {format_date(card.expires_on, 'long', 'km')}",
        f"One use only, until {format_date(card.expires_on, 'long', 'en')}",
    ]
    line_top = y + 22 * mm
    for text in footer:
        line_top = _line(canvas, left, line_top, CARD_WIDTH - 2 * PADDING, KHMER, 7, MUTED, text)


def _line(
    canvas: Canvas, x: float, top: float, width: float, font: str, size: float, colour: Color, text: str
) -> float:
    """Draw one line of shaped text below `top`, smaller if it would not fit the width; returns the next
    line's top (Khmer needs room above and below the baseline for its vowels and subscripts)."""
    shaped = shape(text, font, size)
    if shaped.width > width:
        size = size * width / shaped.width
        shaped = shape(text, font, size)
    canvas.setFont(font, size)
    canvas.setFillColor(colour)
    draw_shaped(canvas, x, top - size * 1.15, shaped)
    return top - size * 1.6
