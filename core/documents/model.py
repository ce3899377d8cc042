"""What an official Party document is made of, independent of how it is written (PDF or DOCX).

Hướng dẫn 36-HD/VPTW (03/4/2018) of the Party Central Office on the format of Party documents:
- header, left: the superior party body (upper case, 14 pt), the issuing body (upper case, 14 pt, bold), a
  star "*", then "Số 01-BC/ĐUK" (14 pt); right: "ĐẢNG CỘNG SẢN VIỆT NAM" (upper case, 15 pt, bold, underlined),
  then the place and date "Đông Hà, ngày 05 tháng 3 năm 2021" (14 pt, italic);
- the document type ("BÁO CÁO", 15–16 pt bold) and its summary line (trích yếu, 14–15 pt, bold, upright);
- the body, 14–15 pt (Party documents: not the State's 13–14);
- the signature: "T/M BAN THƯỜNG VỤ" (authority, upper case bold), the signer's title ("BÍ THƯ"), the signer's
  name (bold); on the left "Nơi nhận:" (underlined) and its list (12 pt);
- A4; margins top and bottom 20 mm, left 30 mm, right 15 mm; page numbers from page 2, centred at the top.

A draft (no number issued yet) prints "Số    -BC/ĐUK" with the blank and a date line with blank day and month:
the office writes them by hand, or numbers the document in the register first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

#: The blank a draft leaves for the number (before "-BC/ĐUK") and for the day and month of its date.
NUMBER_BLANK = "\u00a0" * 6
DATE_BLANK = "\u00a0" * 5


# --- Vietnamese numbers and dates ---------------------------------------------------------------------------


def vn_int(value) -> str:
    """1234567 → "1.234.567"; None → "—"."""
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", ".")


def vn_decimal(value, places: int = 2) -> str:
    """A number with `places` decimals, rounded half up, Vietnamese separators: 1234.5 → "1.234,50"."""
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    quantum = Decimal(1).scaleb(-places)
    number = Decimal(str(value)).quantize(quantum, ROUND_HALF_UP)
    text = f"{number:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_rate(part, whole) -> str:
    """A rate with two decimals everywhere in the documents: 9/12 → "75,00%"; no denominator → "—"."""
    if not whole:
        return "—"
    return vn_decimal(Fraction(int(part or 0) * 100, int(whole))) + "%"


def vn_percent(value) -> str:
    """A percentage already computed (99.16 → "99,16%"); None → "—"."""
    return "—" if value is None else vn_decimal(value) + "%"


def date_parts(day: dt.date) -> tuple[str, str, str]:
    """Day, month and year as a Party document writes them: a day below 10 and the months January and February
    take a leading zero ("ngày 05 tháng 02", "ngày 15 tháng 3") — Hướng dẫn 36-HD/VPTW, part II, item 4."""
    return f"{day.day:02d}", (f"{day.month:02d}" if day.month < 3 else str(day.month)), str(day.year)


def date_line(place: str, day: dt.date | None, *, year: int | None = None) -> str:
    """ "Đông Hà, ngày 05 tháng 3 năm 2021"; without a day (a draft), blanks for the day and the month."""
    if day is None:
        return f"{place}, ngày {DATE_BLANK} tháng {DATE_BLANK} năm {year or ''}".rstrip()
    d, m, y = date_parts(day)
    return f"{place}, ngày {d} tháng {m} năm {y}"


def number_line(number: int | None, doc_type: str, symbol: str) -> str:
    """ "Số 01-BC/ĐUK" (two digits at least), or "Số      -BC/ĐUK" for a draft."""
    shown = NUMBER_BLANK if number is None else f"{number:02d}"
    return f"Số {shown}-{doc_type}/{symbol}"


# --- the parts of a document --------------------------------------------------------------------------------


@dataclass
class Letterhead:
    """The two columns at the top of page 1."""

    superior: str  # "ĐẢNG BỘ TỈNH QUẢNG TRỊ" (printed upper case)
    issuer: str  # "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH" (printed upper case, bold)
    doc_type: str  # "BC"
    symbol: str  # "ĐUK", "ĐU", "CB"
    place: str  # "Đông Hà"
    number: int | None = None  # None: a draft
    issued_on: dt.date | None = None  # None: a draft
    year: int | None = None  # the year a draft's date line shows

    @property
    def number_text(self) -> str:
        return number_line(self.number, self.doc_type, self.symbol)

    @property
    def date_text(self) -> str:
        return date_line(self.place, self.issued_on, year=self.year)

    @property
    def is_draft(self) -> bool:
        return self.number is None


@dataclass
class Signature:
    """The signature block: "T/M BAN THƯỜNG VỤ" / "BÍ THƯ" / (signature) / the name."""

    on_behalf: str  # "T/M BAN THƯỜNG VỤ", "T/M ĐẢNG ỦY", "T/M CHI BỘ"
    title: str  # "BÍ THƯ", "PHÓ BÍ THƯ"
    name: str = ""  # empty on a draft with no signer yet


@dataclass
class Heading:
    """A section heading ("I. Tình hình nộp báo cáo"), bold; level 2 is bold italic. Kept with what follows."""

    text: str
    level: int = 1


@dataclass
class Paragraph:
    """A body paragraph, justified, first line indented; `lead` is printed bold before the text."""

    text: str
    lead: str = ""
    italic: bool = False
    align: str = "justify"  # or "center", "left"


@dataclass
class Column:
    label: str
    width_mm: float
    align: str = "left"  # "left", "center", "right"


@dataclass
class Table:
    """A table whose header repeats on every page and whose rows never split across pages."""

    columns: list[Column]
    rows: list[list[str]]
    font_pt: float = 13
    #: Rows (by index) printed bold: totals.
    bold_rows: set[int] = field(default_factory=set)


@dataclass
class Image:
    """A picture (PNG) `width_mm` wide, centred, with an optional caption below."""

    png: bytes
    width_mm: float
    caption: str = ""


@dataclass
class ImageRow:
    """Pictures side by side (two charts on one line), each with its caption."""

    images: list[Image]


Block = Heading | Paragraph | Table | Image | ImageRow


@dataclass
class OfficialDocument:
    """Everything a writer needs: the header, the title, the body and the signature."""

    letterhead: Letterhead
    title: str  # "BÁO CÁO"
    summary: str  # the trích yếu, one or two lines
    body: list[Block]
    signature: Signature
    recipients: list[str]
    #: A line under the summary (italic), e.g. "(Số liệu đến ngày 31/12/2021)".
    subtitle: str = ""
    #: The file name without extension.
    filename: str = "van-ban"

    @property
    def recipient_lines(self) -> list[str]:
        """ "- Thường trực Tỉnh ủy," … "- Lưu Văn phòng." (a dash before each, a comma after, a full stop last)."""
        names = [r.strip().lstrip("-–• ").rstrip(",.;") for r in self.recipients]
        names = [n for n in names if n]
        return [f"- {n}{'.' if i == len(names) - 1 else ','}" for i, n in enumerate(names)]
