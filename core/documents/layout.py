"""The page and the header's geometry, shared by the PDF and the DOCX writers, and the fitting of the
issuing body's name into two lines.

Text is measured with the metrics of Liberation Serif (the same advance widths as Times New Roman), so a line
that fits here fits in Word and in the PDF alike; the header's lines are then written with explicit breaks and
never wrapped again by the writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}

# Hướng dẫn 36-HD/VPTW, part III: A4, margins top 20–25 mm, bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 20
MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM = 30
MARGIN_RIGHT_MM = 15
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 165
#: The header's two columns: the issuing body on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the date on the right
#: ("ĐẢNG CỘNG SẢN VIỆT NAM" at 15 pt bold is 73 mm wide, "Đông Hà, ngày 20 tháng 01 năm 2022" at 14 pt
#: italic 76 mm).
HEADER_LEFT_MM = 83
HEADER_RIGHT_MM = TEXT_WIDTH_MM - HEADER_LEFT_MM  # 82
#: Room a cell leaves for its text (Word's default cell margins are 1.9 mm each side).
CELL_PADDING_MM = 4
#: The issuing body's name: 14 pt, smaller only when two lines at 14 pt cannot hold it.
ISSUER_SIZES = (14, 13.5, 13, 12.5, 12, 11.5, 11, 10.5, 10, 9.5, 9)
BODY_PT = 14
SIGNATURE_LEFT_MM = 80


@cache
def _metrics(bold: bool, italic: bool):
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / FONT_FILES[(bold, italic)], lazy=True)
    cmap = font.getBestCmap()
    widths = {code: font["hmtx"][name][0] for code, name in cmap.items()}
    return widths, font["head"].unitsPerEm, widths.get(ord("n"), 500)


def text_width_mm(text: str, size_pt: float, *, bold: bool = False, italic: bool = False) -> float:
    """The printed width of `text` at `size_pt` in Liberation Serif (= Times New Roman)."""
    widths, units, fallback = _metrics(bold, italic)
    advance = sum(widths.get(ord(ch), fallback) for ch in text)
    return advance * size_pt / units * 25.4 / 72


@dataclass(frozen=True)
class Fitted:
    lines: tuple[str, ...]
    size_pt: float

    @property
    def half_points(self) -> int:
        """Word's unit for font sizes."""
        return round(self.size_pt * 2)


def _splits(words: list[str], size: float, bold: bool, width: float, max_lines: int):
    """Every split of `words` into at most `max_lines` lines that each fit `width`."""
    if text_width_mm(" ".join(words), size, bold=bold) <= width:
        yield (" ".join(words),)
    if max_lines < 2 or len(words) < 2:
        return
    for cut in range(1, len(words)):
        first = " ".join(words[:cut])
        if text_width_mm(first, size, bold=bold) > width:
            break
        for rest in _splits(words[cut:], size, bold, width, max_lines - 1):
            yield (first, *rest)


#: A line may start with these words: a name breaks before its "và" ("… CƠ QUAN / VÀ DOANH NGHIỆP TỈNH")
#: rather than inside a word of two syllables ("KẾ / HOẠCH").
GOOD_LINE_STARTS = ("VÀ", "và")


def _best_split(words: list[str], size: float, bold: bool, width: float, max_lines: int):
    """The fewest lines; among those, a split that breaks before "và" if there is one; then the most balanced
    (the widest line as narrow as possible). None when nothing fits."""
    candidates = list(_splits(words, size, bold, width, max_lines))
    if not candidates:
        return None

    def score(lines):
        good = all(line.split()[0] in GOOD_LINE_STARTS for line in lines[1:])
        return (len(lines), not good, max(text_width_mm(line, size, bold=bold) for line in lines))

    return min(candidates, key=score)


def fit_lines(
    text: str,
    *,
    width_mm: float,
    bold: bool = True,
    sizes: tuple[float, ...] = ISSUER_SIZES,
    max_lines: int = 2,
) -> Fitted:
    """The largest size in `sizes` at which `text` fits `width_mm` in at most `max_lines` lines, and the lines
    (Hướng dẫn 36-HD/VPTW: the issuing body's name is never wrapped to three lines). Past the smallest size the
    text is wrapped at that size, however many lines it takes."""
    words = text.split()
    if not words:
        return Fitted(lines=("",), size_pt=sizes[0])
    for size in sizes:
        lines = _best_split(words, size, bold, width_mm, max_lines)
        if lines is not None:
            return Fitted(lines=tuple(lines), size_pt=size)
    size = sizes[-1]
    lines, current = [], []
    for word in words:
        candidate = " ".join([*current, word])
        if current and text_width_mm(candidate, size, bold=bold) > width_mm:
            lines.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    lines.append(" ".join(current))
    return Fitted(lines=tuple(lines), size_pt=size)


def header_width_mm() -> float:
    """The room for a line of the header's left column."""
    return HEADER_LEFT_MM - CELL_PADDING_MM
