"""QR codes on printed documents (certificates, sign-in cards): their modules, drawn as vector squares."""

from itertools import groupby

import qrcode
from qrcode.constants import ERROR_CORRECT_Q
from reportlab.lib.colors import Color, black, white
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

# Q restores up to a quarter of the symbol: a photocopied, folded or stamped certificate still scans.
ERROR_CORRECTION = ERROR_CORRECT_Q
# Below this a cheap phone camera held at reading distance struggles; the issue asks for 25 mm at least.
MIN_SYMBOL_WIDTH = 25 * mm
# The standard white margin, in modules, that lets a scanner find the symbol's edges.
QUIET_ZONE_MODULES = 4

QRMatrix = list[list[bool]]


def qr_matrix(url: str) -> QRMatrix:
    """The symbol's modules, row by row from the top, True for dark; no quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix: QRMatrix = code.get_matrix()
    return matrix


def draw_qr(
    canvas: Canvas, matrix: QRMatrix, x: float, y: float, width: float, colour: Color = black
) -> float:
    """Draw the symbol with its lower-left corner at (x, y) and `width` points wide, quiet zone around it.

    The quiet zone lies outside the given square and is painted white, so the code stays readable over a
    tinted background. Returns the quiet zone's width in points, for callers placing text beside it.
    """
    if width < MIN_SYMBOL_WIDTH:
        raise ValueError(f"a verification QR code must be at least 25 mm wide, not {width / mm:.1f} mm")
    module = width / len(matrix)
    quiet = QUIET_ZONE_MODULES * module
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x - quiet, y - quiet, width + 2 * quiet, width + 2 * quiet, stroke=0, fill=1)
    canvas.setFillColor(colour)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + width - (row_index + 1) * module
        for column, run in _dark_runs(row):
            path.rect(x + column * module, top, run * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return quiet


def _dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(first column, length) of each run of dark modules: a rectangle per run keeps the PDF small."""
    runs = []
    column = 0
    for dark, group in groupby(row):
        length = len(list(group))
        if dark:
            runs.append((column, length))
        column += length
    return runs
