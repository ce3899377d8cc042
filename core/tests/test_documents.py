"""core.documents: the Vietnamese date line and numbers, the header's fitting, the two writers (Hướng dẫn
36-HD/VPTW 2018 on the format of Party documents)."""

import datetime as dt
import re
import zipfile
from io import BytesIO

import pytest

from core.documents import (
    DEFAULT_TEMPLATE,
    Paragraph,
    TemplateInvalid,
    date_line,
    document_html,
    docx_text,
    number_line,
    render_docx,
    sample_document,
    validate_template,
    vn_decimal,
    vn_rate,
)
from core.documents.layout import fit_lines, header_width_mm, text_width_mm


def test_date_line_pads_days_below_ten_and_january_february():
    """HD 36-HD/VPTW part II item 4: a day below 10 and the months 1 and 2 take a leading zero, not the rest."""
    assert date_line("Đông Hà", dt.date(2021, 3, 5)) == "Đông Hà, ngày 05 tháng 3 năm 2021"
    assert date_line("Đông Hà", dt.date(2022, 2, 15)) == "Đông Hà, ngày 15 tháng 02 năm 2022"
    assert date_line("Đông Hà", dt.date(2021, 12, 31)) == "Đông Hà, ngày 31 tháng 12 năm 2021"
    assert date_line("Đông Hà", dt.date(2021, 1, 9)) == "Đông Hà, ngày 09 tháng 01 năm 2021"


def test_a_draft_leaves_the_number_and_the_day_blank():
    assert number_line(None, "BC", "ĐUK") == "Số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-BC/ĐUK"
    assert number_line(1, "BC", "ĐUK") == "Số 01-BC/ĐUK"
    assert number_line(123, "BC", "CB") == "Số 123-BC/CB"
    line = date_line("Đông Hà", None, year=2022)
    assert line.startswith("Đông Hà, ngày ") and line.endswith(" năm 2022") and "tháng" in line
    assert not re.search(r"\d", line.replace("2022", ""))


def test_rates_have_two_decimals_in_the_vietnamese_format():
    assert vn_rate(1, 3) == "33,33%"
    assert vn_rate(2, 3) == "66,67%"  # half up
    assert vn_rate(76, 76) == "100,00%"
    assert vn_rate(5, 0) == "—"
    assert vn_decimal(1234567.891) == "1.234.567,89"


def test_the_issuing_body_never_takes_three_lines():
    """HD 36: the issuing body's name in capitals, bold, 14 pt; never wrapped to three lines (a long name is set
    smaller instead), and it breaks before "VÀ" rather than inside a word."""
    width = header_width_mm()
    bloc = fit_lines("ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH", width_mm=width)
    assert bloc.size_pt == 14 and bloc.lines == ("ĐẢNG ỦY KHỐI CÁC CƠ QUAN", "VÀ DOANH NGHIỆP TỈNH")
    long = "CHI BỘ BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG CÔNG TRÌNH DÂN DỤNG VÀ CÔNG NGHIỆP"
    fitted = fit_lines(long, width_mm=width)
    assert len(fitted.lines) == 2 and fitted.size_pt < 14
    assert all(text_width_mm(line, fitted.size_pt, bold=True) <= width for line in fitted.lines)
    assert fit_lines("CHI BỘ SỞ TƯ PHÁP", width_mm=width).lines == ("CHI BỘ SỞ TƯ PHÁP",)


def test_the_pdf_html_escapes_text_and_embeds_the_vendored_font():
    doc = sample_document()
    doc.body.append(Paragraph('<script>alert(1)</script> & "trích"'))
    html = document_html(doc)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "LiberationSerif-Regular.ttf" in html and "DejaVu" not in html
    assert "@top-center" in html and "@page :first" in html  # page numbers from page 2
    assert "table.data tr { break-inside: avoid; }" in html  # a row never splits across pages


def test_the_docx_names_times_new_roman_and_keeps_table_rows_whole():
    doc = sample_document()
    doc.body.append(Paragraph("Văn bản có ký tự lạ: <b> & \x00 \x07 hết."))
    data = render_docx(doc)
    with zipfile.ZipFile(BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode()
        header_parts = [n for n in z.namelist() if n.startswith("word/header")]
        headers = "".join(z.read(n).decode() for n in header_parts)
    assert 'w:ascii="Times New Roman"' in xml
    rows = re.findall(r"<w:tr>.*?</w:tr>", xml, flags=re.S)
    data_rows = [r for r in rows if "Kết nạp đảng viên" in r or "Chỉ tiêu" in r]
    assert len(data_rows) == 2 and all("<w:cantSplit/>" in r for r in data_rows)  # a row never splits
    assert "<w:tblHeader/>" in next(r for r in data_rows if "Chỉ tiêu" in r)  # the header repeats
    assert "<w:titlePg/>" in xml and 'w:instr="PAGE"' in headers  # no number on page 1
    text = docx_text(data)
    assert "Văn bản có ký tự lạ: <b> & hết." in " ".join(text.split())  # NUL and BEL dropped
    assert "Số 07-BC/ĐUK" in text and "Đông Hà, ngày 20 tháng 01 năm 2022" in text
    assert "{{" not in text and "{%" not in text


def test_the_repository_template_is_valid_and_a_broken_one_is_refused():
    validate_template(DEFAULT_TEMPLATE.read_bytes())
    with pytest.raises(TemplateInvalid):
        validate_template(b"not a zip")
    broken = _replace_in_template(DEFAULT_TEMPLATE.read_bytes(), "{{ number }}", "{{ number }")
    with pytest.raises(TemplateInvalid, match="thẻ sai|không tạo được"):
        validate_template(broken)
    no_signer = _replace_in_template(DEFAULT_TEMPLATE.read_bytes(), "{{ signer_name }}", "")
    with pytest.raises(TemplateInvalid, match="họ tên người ký"):
        validate_template(no_signer)


def test_an_uploaded_template_cannot_reach_python_objects():
    """The template runs in Jinja's sandbox: a tag that walks to Python internals is refused."""
    evil = _replace_in_template(
        DEFAULT_TEMPLATE.read_bytes(), "{{ title }}", "{{ title.__class__.__mro__[1].__subclasses__() }}"
    )
    with pytest.raises(TemplateInvalid):
        render_docx(sample_document(), evil)


def _replace_in_template(data: bytes, old: str, new: str) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "word/document.xml":
                text = content.decode()
                assert old in text, old
                content = text.replace(old, new).encode()
            dst.writestr(item, content)
    return out.getvalue()
