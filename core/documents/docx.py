"""The DOCX writer: a Word template with docxtpl tags (core/documents/templates/official.docx by default, or the
office's own replacement), the body written as WordprocessingML.

docxtpl rather than plain python-docx: the letterhead, the signature block, the margins and the styles live in
a Word file that the office edits in Word and uploads; the portal only fills it. The template is rendered in
Jinja's sandbox with autoescape on, so an uploaded template can reach nothing but the plain values given to it
and no text of the data can break the XML.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from .head import fit_head, summary_lines
from .layout import BODY_PT, TEXT_WIDTH_MM
from .model import Heading, Image, ImageRow, OfficialDocument, Paragraph, Table

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "official.docx"
FONT = "Times New Roman"
INDENT_MM = 10


class TemplateInvalid(ValueError):
    """The Word template cannot render an official document (the message says why, in Vietnamese)."""


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _run(text: str, *, bold=False, italic=False, underline=False, size_pt: float | None = None) -> str:
    props = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" w:eastAsia="{FONT}"/>'
    if bold:
        props += "<w:b/><w:bCs/>"
    if italic:
        props += "<w:i/><w:iCs/>"
    if underline:
        props += '<w:u w:val="single"/>'
    if size_pt:
        half = round(size_pt * 2)
        props += f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'
    parts = str(text).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(_clean(part))}</w:t>' for part in parts)
    return f"<w:r><w:rPr>{props}</w:rPr>{body}</w:r>"


def _clean(text: str) -> str:
    """Characters XML 1.0 cannot carry (NUL, most control characters) are dropped."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff")


def _para(runs: str, *, align="both", first_line_mm: float = 0, after_pt: float = 0, before_pt: float = 0,
          keep_next=False, line: int | None = None) -> str:  # fmt: skip
    props = ""
    if keep_next:
        props += "<w:keepNext/>"
    spacing = f'w:before="{round(before_pt * 20)}" w:after="{round(after_pt * 20)}"'
    if line:
        spacing += f' w:line="{line}" w:lineRule="auto"'
    props += f"<w:spacing {spacing}/>"
    if first_line_mm:
        props += f'<w:ind w:firstLine="{twips(first_line_mm)}"/>'
    props += f'<w:jc w:val="{align}"/>'
    return f"<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>"


ALIGN = {"left": "left", "right": "right", "center": "center", "justify": "both"}


def _table(block: Table) -> str:
    width = sum(c.width_mm for c in block.columns)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    out = [
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{twips(width)}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr><w:tblGrid>"
        + "".join(f'<w:gridCol w:w="{twips(c.width_mm)}"/>' for c in block.columns)
        + "</w:tblGrid>"
    ]

    def row(cells: list[str], *, header: bool, bold: bool) -> str:
        # A row never splits across pages; the header row repeats on every page.
        tr = "<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header else "") + "</w:trPr>"
        for col, text in zip(block.columns, cells, strict=True):
            align = "center" if header else ALIGN[col.align]
            tr += (
                f'<w:tc><w:tcPr><w:tcW w:w="{twips(col.width_mm)}" w:type="dxa"/><w:vAlign w:val="center"/>'
                "</w:tcPr>"
                + _para(_run(text, bold=header or bold, size_pt=block.font_pt), align=align, line=240)
                + "</w:tc>"
            )
        return tr + "</w:tr>"

    out.append(row([c.label for c in block.columns], header=True, bold=True))
    for i, cells in enumerate(block.rows):
        out.append(row(cells, header=False, bold=i in block.bold_rows))
    out.append("</w:tbl>")
    # Word needs a paragraph between two tables and after a table that ends a cell; a small one.
    out.append(_para("", after_pt=4))
    return "".join(out)


def _picture(part, image: Image) -> str:
    from docx.shared import Mm

    inline = part.new_pic_inline(BytesIO(image.png), Mm(image.width_mm), None)
    return f"<w:r><w:drawing>{inline.xml}</w:drawing></w:r>"


def _image(part, image: Image) -> str:
    out = _para(_picture(part, image), align="center", keep_next=bool(image.caption))
    if image.caption:
        out += _para(_run(image.caption, italic=True, size_pt=12), align="center", after_pt=6)
    return out


def _image_row(part, block: ImageRow) -> str:
    cols = len(block.images)
    width = TEXT_WIDTH_MM / cols
    out = (
        '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>'
        "<w:tblBorders>"
        + "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders><w:tblLayout w:type="fixed"/>'
        # No cell margins: each picture has its whole column (Word would otherwise crop its right edge).
        + '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
        + "</w:tblPr><w:tblGrid>"
        + "".join(f'<w:gridCol w:w="{twips(width)}"/>' for _ in block.images)
        + "</w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr>"
    )
    for image in block.images:
        out += (
            f'<w:tc><w:tcPr><w:tcW w:w="{twips(width)}" w:type="dxa"/></w:tcPr>{_image(part, image)}</w:tc>'
        )
    return out + "</w:tr></w:tbl>" + _para("", after_pt=4)


def body_xml(doc: OfficialDocument, part) -> str:
    """The body as WordprocessingML: what `{{p body }}` in the template becomes."""
    out = []
    for block in doc.body:
        if isinstance(block, Heading):
            out.append(
                _para(
                    _run(block.text, bold=True, italic=block.level > 1, size_pt=BODY_PT),
                    first_line_mm=INDENT_MM,
                    before_pt=6,
                    after_pt=3,
                    keep_next=True,
                )
            )
        elif isinstance(block, Paragraph):
            runs = (_run(block.lead + " ", bold=True, size_pt=BODY_PT) if block.lead else "") + _run(
                block.text, italic=block.italic, size_pt=BODY_PT
            )
            indent = INDENT_MM if block.align == "justify" else 0
            out.append(_para(runs, align=ALIGN[block.align], first_line_mm=indent, after_pt=6))
        elif isinstance(block, Table):
            out.append(_table(block))
        elif isinstance(block, Image):
            out.append(_image(part, block))
        elif isinstance(block, ImageRow):
            out.append(_image_row(part, block))
        else:  # pragma: no cover - a new kind of block needs its writer
            raise TypeError(f"unknown block {block!r}")
    return "".join(out)


def _lines_xml(lines: tuple[str, ...], size_pt: float, *, bold: bool) -> str:
    return _run("\n".join(lines), bold=bold, size_pt=size_pt)


def _environment():
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=True)


def render_docx(doc: OfficialDocument, template: bytes | None = None) -> bytes:
    """The DOCX bytes of `doc`, through `template` (the bytes of a .docx) or the default template.
    Raises TemplateInvalid when the template does not render."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from markupsafe import Markup

    source = BytesIO(template) if template is not None else str(DEFAULT_TEMPLATE)
    try:
        tpl = DocxTemplate(source)
        tpl.init_docx()
    except Exception as error:  # a broken zip, not a Word file, a missing part
        raise TemplateInvalid(f"Tệp không phải là tài liệu Word (.docx) đọc được: {error}") from error
    head = fit_head(doc.letterhead)
    context = {
        "superior": Markup(_lines_xml(head.superior_lines, head.superior_pt, bold=False)),
        "issuer": Markup(_lines_xml(head.issuer_lines, head.issuer_pt, bold=True)),
        "number": doc.letterhead.number_text,
        "date_line": doc.letterhead.date_text,
        "title": doc.title,
        "summary": "\n".join(summary_lines(doc.summary)),
        "subtitle": doc.subtitle,
        "body": Markup(body_xml(doc, tpl.docx.part)),
        "recipients": doc.recipient_lines,
        "on_behalf": doc.signature.on_behalf,
        "signer_title": doc.signature.title,
        "signer_name": doc.signature.name,
        "is_draft": doc.letterhead.is_draft,
    }
    try:
        tpl.render(context, jinja_env=_environment(), autoescape=True)
        out = BytesIO()
        tpl.save(out)
    except TemplateError as error:
        where = f" (dòng {error.lineno})" if getattr(error, "lineno", None) else ""
        raise TemplateInvalid(f"Mẫu Word có thẻ sai{where}: {error}") from error
    except Exception as error:  # XML the tags broke, a part docxtpl cannot write
        raise TemplateInvalid(f"Mẫu Word không tạo được văn bản: {error}") from error
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """The text of a DOCX (body, tables, headers), paragraph by paragraph: for checks and tests."""
    import re
    import zipfile

    with zipfile.ZipFile(BytesIO(data)) as z:
        names = [n for n in z.namelist() if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)]
        xml = "".join(z.read(n).decode("utf-8") for n in names)
    xml = re.sub(r"<w:br/>", "\n", xml)
    xml = re.sub(r"</w:p>", "\n", xml)
    text = re.sub(r"<[^>]+>", "", xml)
    from html import unescape

    return unescape(text)
