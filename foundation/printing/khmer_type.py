"""Khmer type for printed documents: registered with reportlab once, shaped by HarfBuzz, proved to shape.

reportlab only shapes text that went through `shapeStr` (or a `Paragraph` with shaping=1) while uharfbuzz
is importable; `drawString(..., shaping=True)` quietly shapes nothing unless the optional rlbidi package is
installed, and without shaping Khmer prints with dotted circles and consonant stacks side by side. So every
string here is shaped with `shape()` and drawn as the resulting ShapedStr.
"""

import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import fontpkg_noto_sans_khmer
import uharfbuzz
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

KHMER = "NotoSansKhmer"
KHMER_BOLD = "NotoSansKhmer-Bold"
# The package ships one variable font; reportlab embeds only a static outline set, so each weight we use is
# instanced once by HarfBuzz's own instancer (no fontTools needed).
_WEIGHTS = {KHMER: 400, KHMER_BOLD: 700}

# A subscript consonant (coeng) under its base, a pre-base coeng RO, vowels above and a split vowel after
# Latin text: the cases that break first when shaping is off or runs the wrong shaper.
SHAPING_PROBES = ("ស្ត្រី", "ក្រសួង", "លោក", "SW-2.1 ការរៀបចំ ក្រសួង")
COENG = "\u17d2"
# Vowels written in two parts around their consonant: shaped, each is split in two glyphs, never its own.
TWO_PART_VOWELS = "\u17be\u17bf\u17c0\u17c4\u17c5"
DOTTED_CIRCLE = "\u25cc"

# Khmer letters and symbols, with the zero-width joiners and spaces Khmer text uses inside words.
_SCRIPT_RUNS = re.compile(
    r"[\u1780-\u17ff\u19e0-\u19ff\u200b-\u200d]+|[^\u1780-\u17ff\u19e0-\u19ff\u200b-\u200d]+"
)

_lock = threading.Lock()
_registered = False


class KhmerShapingError(RuntimeError):
    """Khmer would print broken: HarfBuzz is missing or the font does not shape."""


@dataclass(frozen=True)
class ShapedText:
    """Text shaped for draw_shaped (a reportlab ShapedStr, one character per glyph) and its width in pt."""

    text: str
    width: float


def khmer_font_file() -> Path:
    return Path(fontpkg_noto_sans_khmer.__file__).parent / "files" / "NotoSansKhmer[wdth,wght].ttf"


def register_khmer_fonts() -> None:
    """Register the regular and bold Khmer fonts with reportlab; cheap and safe to call from any thread."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(khmer_font_file())))
        for name, weight in _WEIGHTS.items():
            font = TTFont(name, io.BytesIO(_static_instance(face, weight)))
            # Every instance keeps the variable font's PostScript name, and reportlab treats fonts sharing a
            # face name as one: give each its own so the bold subset is embedded as bold.
            font.face.name = name.encode()
            _give_every_glyph_a_character(font)
            pdfmetrics.registerFont(font)
        _registered = True


def _give_every_glyph_a_character(font: TTFont) -> None:
    """Map each glyph that has no character (subscript forms, vowel parts) to a private-use one, up front.

    reportlab draws shaped text as characters, and makes these up lazily in the order it first meets the
    glyphs: the same certificate would come out with other bytes depending on what the process printed
    before, and two threads shaping at once could give one code to two glyphs.
    """
    hb_font = font.hbFont()
    for glyph in range(font.hbFace.glyph_count):
        if glyph not in font.face.glyphToChar:
            font.hbAddPrivate(hb_font.glyph_to_string(glyph), glyph, hb_font.get_glyph_h_advance(glyph))


def _static_instance(face: uharfbuzz.Face, weight: int) -> bytes:
    spec = uharfbuzz.SubsetInput()
    spec.keep_everything()
    spec.pin_axis_location(face, "wght", weight)
    spec.pin_axis_to_default(face, "wdth")
    return bytes(uharfbuzz.subset(face, spec).blob.data)


def shape(text: str, font_name: str, size: float) -> ShapedText:
    """Shape `text` with HarfBuzz in a registered font; its width comes from the shaped advances.

    HarfBuzz shapes a buffer in one script, guessed from its first letter: "SW-1.1 ការរៀបចំ" would go through
    the Latin shaper and print its Khmer broken. So each run of Khmer and of anything else is shaped alone.
    """
    shaped = ShapedStr("", [])
    for run in _SCRIPT_RUNS.findall(text):
        shaped += shapeStr(run, font_name, size, force=True)
    return ShapedText(shaped, sum(glyph.x_advance for glyph in shaped.__shapeData__) * size / 1000)


class _ShapedTextObject(PDFTextObject):
    """reportlab's text object with its rise bookkeeping fixed.

    reportlab 5.1 draws marks raised or lowered by HarfBuzz (a vowel under a subscript) with `Ts`, and when
    one `Ts` replaces another it forgets the new rise: the letters after such a mark then print lowered.
    """

    def setRise(self, rise: float) -> None:
        super().setRise(rise)
        self._rise = rise


def draw_shaped(canvas: Canvas, x: float, y: float, text: ShapedText, char_space: float = 0) -> None:
    """Draw shaped text with its baseline starting at (x, y), in the canvas's current font and fill colour."""
    line = _ShapedTextObject(canvas, x, y)
    if char_space:
        line.setCharSpace(char_space)
    line.textOut(text.text)
    if char_space:
        # Character spacing outlives the text object in the PDF's graphics state: put it back.
        line.setCharSpace(0)
    canvas.drawText(line)


def assert_khmer_shapable() -> None:
    """Raise KhmerShapingError unless both Khmer fonts really shape, through HarfBuzz and reportlab."""
    if ttfonts.uharfbuzz is None:
        raise KhmerShapingError("uharfbuzz is not importable: reportlab would print Khmer unshaped")
    register_khmer_fonts()
    for name in _WEIGHTS:
        if not pdfmetrics.getFont(name).shapable:
            raise KhmerShapingError(f"reportlab will not shape {name}")
        for probe in SHAPING_PROBES:
            faults = shaping_faults(shape(probe, name, 12).text, name)
            if faults:
                raise KhmerShapingError(f"{name} shapes {probe!r} with {', '.join(faults)}")


def shaping_faults(shaped: str, font_name: str) -> list[str]:
    """The marks of failed Khmer shaping in text as reportlab will draw it (one character per glyph).

    Checks the very characters written to the PDF, so a pass here is a pass on the page.
    """
    glyph_of = pdfmetrics.getFont(font_name).face.charToGlyph
    marks = {
        0: "a missing glyph (.notdef)",
        glyph_of.get(ord(DOTTED_CIRCLE)): "a dotted circle",
        # Shaped, a coeng and its consonant become one subscript glyph; a bare coeng glyph means no shaping.
        glyph_of.get(ord(COENG)): "a bare coeng instead of a subscript consonant",
    }
    marks.update({glyph_of.get(ord(vowel)): "a two-part vowel left whole" for vowel in TWO_PART_VOWELS})
    glyphs = (glyph_of.get(ord(character), 0) for character in shaped)
    return list(dict.fromkeys(marks[glyph] for glyph in glyphs if glyph in marks))


def khmer_shaping_available() -> bool:
    try:
        assert_khmer_shapable()
    except KhmerShapingError:
        return False
    return True
