"""Writes the default Word template of the official documents, core/documents/templates/official.docx.

    python -m core.documents.build_template        (from the repository's root)

The template is what an office edits in Word and uploads as its province's replacement (the portal checks that
it still renders). Its tags (docxtpl: Jinja in the text of the document):

    {{r superior }}  {{r issuer }}   the superior and the issuing bodies, already fitted into ≤ 2 lines (runs)
    {{ number }}                     "Số 01-BC/ĐUK", or "Số      -BC/ĐUK" on a draft
    {{ date_line }}                  "Đông Hà, ngày 05 tháng 3 năm 2021" (blanks on a draft)
    {{ title }}  {{ summary }}  {{ subtitle }}   "BÁO CÁO", the trích yếu, an optional italic line under it
    {{p body }}                      the body: headings, paragraphs, tables, charts (a paragraph of its own)
    {% for line in recipients %}{{ line }}{% endfor %}   "- Thường trực Tỉnh ủy," … "- Lưu Văn phòng."
    {{ on_behalf }}  {{ signer_title }}  {{ signer_name }}   "T/M BAN THƯỜNG VỤ", "BÍ THƯ", the name

Page: A4, margins 20/20/30/15 mm, page numbers centred at the top from page 2 (Hướng dẫn 36-HD/VPTW, part III).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from . import layout

TEMPLATE = Path(__file__).resolve().parent / "templates" / "official.docx"
FONT = "Times New Roman"


def _font(style_or_run_font, size=None):
    style_or_run_font.name = FONT
    if size:
        style_or_run_font.size = Pt(size)


def _east_asia(element) -> None:
    """Times New Roman for every script (Word would otherwise pick another font for some characters)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(container, text="", *, bold=False, italic=False, underline=False, size=14, align="center",
          before=0, after=0, keep_next=False):  # fmt: skip
    p = container.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.keep_with_next = keep_next
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        _font(run.font, size)
        _east_asia(run._r)
    return p


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(
        parse_xml(
            f"<w:tblBorders {nsdecls('w')}>"
            + "".join(
                f'<w:{side} w:val="nil"/>'
                for side in ("top", "left", "bottom", "right", "insideH", "insideV")
            )
            + "</w:tblBorders>"
        )
    )
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))


def _widths(table, widths_mm) -> None:
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(round(width / 25.4 * 1440)))


def _first_paragraph(cell):
    """A new cell has one empty paragraph: use it for the first line."""
    return cell.paragraphs[0]


def _fill(paragraph, text, *, bold=False, italic=False, underline=False, size=14, align="center"):
    paragraph.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    _font(run.font, size)
    _east_asia(run._r)
    return paragraph


def build(path: Path = TEMPLATE) -> Path:
    doc = Document()
    normal = doc.styles["Normal"]
    _font(normal.font, layout.BODY_PT)
    _east_asia(normal.element)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(layout.PAGE_WIDTH_MM), Mm(layout.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(layout.MARGIN_TOP_MM), Mm(layout.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(layout.MARGIN_LEFT_MM), Mm(layout.MARGIN_RIGHT_MM)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Page numbers from page 2, centred at the top: the first page has a header of its own, left empty.
    section.different_first_page_header_footer = True
    header_p = section.header.paragraphs[0]
    header_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header_p._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:rPr><w:rFonts w:ascii="{FONT}" '
            f'w:hAnsi="{FONT}" w:cs="{FONT}"/><w:sz w:val="28"/></w:rPr><w:t>2</w:t></w:r></w:fldSimple>'
        )
    )

    # The header: two columns, two rows (the number and the date on one line).
    head = doc.add_table(rows=2, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(head)
    _widths(head, (layout.HEADER_LEFT_MM, layout.HEADER_RIGHT_MM))
    left, right = head.rows[0].cells
    _fill(_first_paragraph(left), "{{r superior }}")
    _fill(left.add_paragraph(), "{{r issuer }}")
    _fill(left.add_paragraph(), "*")
    _fill(_first_paragraph(right), "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
    number, date = head.rows[1].cells
    _fill(_first_paragraph(number), "{{ number }}")
    _fill(_first_paragraph(date), "{{ date_line }}", italic=True)

    _para(doc, "{{ title }}", bold=True, size=16, before=16)
    _para(doc, "{{ summary }}", bold=True)
    _para(doc, "{%p if subtitle %}")
    _para(doc, "{{ subtitle }}", italic=True)
    _para(doc, "{%p endif %}")
    _para(doc, "-----", after=10)
    _para(doc, "{{p body }}", align="justify")

    sign = doc.add_table(rows=1, cols=2)
    sign.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(sign)
    _widths(sign, (layout.SIGNATURE_LEFT_MM, layout.TEXT_WIDTH_MM - layout.SIGNATURE_LEFT_MM))
    to, signer = sign.rows[0].cells
    _fill(_first_paragraph(to), "Nơi nhận:", underline=True, align="left")
    _fill(to.add_paragraph(), "{%p for line in recipients %}", size=12, align="left")
    _fill(to.add_paragraph(), "{{ line }}", size=12, align="left")
    _fill(to.add_paragraph(), "{%p endfor %}", size=12, align="left")
    _fill(_first_paragraph(signer), "{{ on_behalf }}", bold=True)
    _fill(signer.add_paragraph(), "{{ signer_title }}", bold=True)
    for _ in range(4):
        _fill(signer.add_paragraph(), "")
    _fill(signer.add_paragraph(), "{{ signer_name }}", bold=True)
    # Keep the signature block on one page with the end of the body.
    for row in sign.rows:
        row._tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))

    # python-docx starts from a document with an empty first paragraph: drop it.
    body = doc.element.body
    first = body[0]
    if first.tag == qn("w:p") and not first.xpath(".//w:t"):
        body.remove(first)
    doc.core_properties.title = "Văn bản của Đảng (Hướng dẫn 36-HD/VPTW)"
    doc.core_properties.author = "Cổng thông tin Đảng ủy Khối"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())
