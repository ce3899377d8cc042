"""A streaming XLSX writer: rows in, bytes out, constant memory, no temporary file.

openpyxl's write-only workbook (without lxml, which the project does not ship) writes about a thousand rows a
second and needs the whole file on disk before the first byte can be sent; a registry of half a million
members would take minutes. This writer produces the few parts a workbook needs (one sheet, inline strings,
one date style) and deflates them into a ZIP that is handed to the client piece by piece through
``StreamingHttpResponse``. The result opens in Excel, LibreOffice and openpyxl.

Values: ``str`` (inline string; characters XML 1.0 forbids are dropped), ``int``/``float``, ``datetime.date``
(a date serial shown dd/mm/yyyy), ``None`` (empty cell). Formula neutralisation is the caller's job (see
``spreadsheets.neutralise``): a string is always written as text, never as a formula, but a spreadsheet user
copying it could still turn it into one.
"""

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
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
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
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
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    style_attr = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}"{style_attr} t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'
    )


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


def stream_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet_name: str = "Sheet1",
    widths: Sequence[int] | None = None,
) -> Iterator[bytes]:
    """The bytes of a one-sheet workbook: a bold, frozen header row, then `rows`."""
    sink = _Sink()
    letters = [_column_letter(i) for i in range(max(len(headers), 1))]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, xml in _STATIC_PARTS.items():
            archive.writestr(name, xml)
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name={quoteattr(_sheet_name(sheet_name))} sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        yield sink.take()
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            cols = ""
            if widths:
                cols = (
                    "<cols>"
                    + "".join(
                        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                        for i, w in enumerate(widths, 1)
                    )
                    + "</cols>"
                )
            header = "".join(_cell(f"{letters[i]}1", h, style=2) for i, h in enumerate(headers))
            sheet.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
                    '<sheetViews><sheetView workbookViewId="0">'
                    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    "</sheetView></sheetViews>"
                    f'{cols}<sheetData><row r="1">{header}</row>'
                ).encode()
            )
            buffer: list[str] = []
            number = 1
            for row in rows:
                number += 1
                if len(row) > len(letters):
                    letters += [_column_letter(i) for i in range(len(letters), len(row))]
                cells = "".join(_cell(f"{letters[i]}{number}", v) for i, v in enumerate(row))
                buffer.append(f'<row r="{number}">{cells}</row>')
                if len(buffer) >= ROWS_PER_CHUNK:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
                    yield sink.take()
            buffer.append("</sheetData></worksheet>")
            sheet.write("".join(buffer).encode())
        yield sink.take()
    yield sink.take()
