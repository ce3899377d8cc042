"""The portal's one spreadsheet writer (XLSX and CSV), streamed: rows in, bytes out, constant memory.

Every export goes through here: ``xlsx_response`` / ``csv_response`` for a download, ``stream_xlsx`` for the
bytes. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written with a leading
quote (``neutralise``), in every cell of every export, so no caller can forget it.

The XLSX part: a streaming writer.

openpyxl's write-only workbook (without lxml, which the project does not ship) writes about a thousand rows a
second and needs the whole file on disk before the first byte can be sent; a registry of half a million
members would take minutes. This writer produces the few parts a workbook needs (one sheet, inline strings,
one date style) and deflates them into a ZIP that is handed to the client piece by piece through
``StreamingHttpResponse``. The result opens in Excel, LibreOffice and openpyxl.

Values: ``str`` (inline string; characters XML 1.0 forbids are dropped), ``int``/``float``/``Decimal``,
``datetime.date`` (a date serial shown dd/mm/yyyy), ``bool`` (Có/Không), ``None`` (empty cell). A row wrapped in
``Bold`` is written bold.
"""

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.http import StreamingHttpResponse

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What a spreadsheet reads as the start of a formula (CSV/XLSX injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A value safe to put in a spreadsheet cell: text that looks like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Bold(tuple):
    """A row written in bold (a title or a table's header inside a sheet)."""


@dataclass
class Sheet:
    """One sheet: its name, an optional header row (bold, frozen), the rows, optional column widths."""

    name: str
    rows: Iterable[Sequence]
    headers: Sequence[str] | None = None
    widths: Sequence[int] | None = None


#: Rows gathered before they are compressed and handed on.
ROWS_PER_CHUNK = 500
_EPOCH = dt.date(1899, 12, 30)
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

_STATIC_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        "{sheets}"
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rIdStyles" Type="{_REL}/styles" Target="styles.xml"/>'
        "{sheets}"
        "</Relationships>"
    ),
    # Styles: 0 = default, 1 = date dd/mm/yyyy, 2 = bold (the header row).
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", _ILLEGAL_XML.sub("", name)).strip("' ") or "Sheet1"
    return cleaned[:31]


def _text(value: str) -> str:
    return escape(_ILLEGAL_XML.sub("", value))


def _cell(ref: str, value, style: int = 0) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "Có" if value else "Không"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    style_attr = f' s="{style}"' if style else ""
    text = _text(str(neutralise(value)))
    return f'<c r="{ref}"{style_attr} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


class _Sink:
    """Where the ZIP writer puts its bytes until the generator hands them on (it never seeks)."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_xlsx(sheets: Sequence[Sheet]) -> Iterator[bytes]:
    """The bytes of a workbook of `sheets`, written and handed on as they are made."""
    sink = _Sink()
    names = _unique_names([sheet.name for sheet in sheets])
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        relations = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        for name, xml in _STATIC_PARTS.items():
            archive.writestr(name, xml.replace("{sheets}", overrides if "Types" in xml else relations))
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>",
        )
        yield sink.take()
        for i, sheet in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w") as part:
                yield from _write_sheet(part, sheet, sink)
        yield sink.take()
    yield sink.take()


def _unique_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        clean, n = _sheet_name(name), 2
        candidate = clean
        while candidate in out:
            candidate = f"{clean[:28]} {n}"
            n += 1
        out.append(candidate)
    return out


def _write_sheet(part, sheet: Sheet, sink: _Sink) -> Iterator[bytes]:
    letters: list[str] = []

    def letter(i: int) -> str:
        while len(letters) <= i:
            letters.append(_column_letter(len(letters)))
        return letters[i]

    cols = ""
    if sheet.widths:
        cols = (
            "<cols>"
            + "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(sheet.widths, 1)
            )
            + "</cols>"
        )
    pane = (
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        if sheet.headers
        else ""
    )
    part.write(
        (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">{pane}{cols}<sheetData>'
        ).encode()
    )
    number = 0
    buffer: list[str] = []
    rows = sheet.rows
    if sheet.headers:
        rows = _chain([Bold(sheet.headers)], rows)
    for row in rows:
        number += 1
        style = 2 if isinstance(row, Bold) else 0
        cells = "".join(_cell(f"{letter(i)}{number}", v, style=style) for i, v in enumerate(row))
        buffer.append(f'<row r="{number}">{cells}</row>')
        if len(buffer) >= ROWS_PER_CHUNK:
            part.write("".join(buffer).encode())
            buffer.clear()
            yield sink.take()
    buffer.append("</sheetData></worksheet>")
    part.write("".join(buffer).encode())
    yield sink.take()


def _chain(first, rest):
    yield from first
    yield from rest


def xlsx_response(sheets: Sequence[Sheet], filename: str) -> StreamingHttpResponse:
    """A download of the workbook `filename`.xlsx, streamed as it is written."""
    response = StreamingHttpResponse(stream_xlsx(sheets), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The whole workbook at once (tests, attachments)."""
    return b"".join(stream_xlsx(sheets))


class _Echo:
    def write(self, value):
        return value


def csv_response(headers: Sequence[str], rows: Iterable[Sequence], filename: str) -> StreamingHttpResponse:
    """A download of `filename`.csv (UTF-8 with a byte-order mark so Excel reads the diacritics; dates
    dd/mm/yyyy; every cell neutralised), streamed row by row."""
    writer = csv.writer(_Echo())

    def text(value):
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return neutralise(value)

    def lines():
        yield "\ufeff" + writer.writerow([text(h) for h in headers])
        for row in rows:
            yield writer.writerow([text(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
