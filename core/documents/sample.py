"""A demo-like document that every Word template must render before it is accepted: a numbered summary with
headings, paragraphs, a table, a chart, a long issuing body and a signer."""

from __future__ import annotations

import datetime as dt

from .charts import Series, bar_chart
from .docx import TemplateInvalid, docx_text, render_docx
from .model import (
    Column,
    Heading,
    Image,
    Letterhead,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    vn_int,
    vn_rate,
)

SAMPLE_SIGNER = "Nguyễn Văn Mẫu"
SAMPLE_TITLE = "BÁO CÁO"


def sample_document() -> OfficialDocument:
    letterhead = Letterhead(
        superior="Đảng bộ tỉnh Quảng Trị",
        issuer="Đảng ủy Khối Các cơ quan và Doanh nghiệp tỉnh",
        doc_type="BC",
        symbol="ĐUK",
        place="Đông Hà",
        number=7,
        issued_on=dt.date(2022, 1, 20),
    )
    chart = bar_chart(
        "Kết nạp đảng viên theo quý",
        ["Quý I", "Quý II", "Quý III", "Quý IV"],
        [Series("Thực hiện", [30, 41, 35, 41])],
        line=Series("Tiến độ", [37, 74, 111, 147]),
        width_mm=100,
        height_mm=50,
    )
    body = [
        Heading("I. Tình hình nộp báo cáo"),
        Paragraph(
            f"Có 76 tổ chức cơ sở đảng phải báo cáo; đã nộp 75 báo cáo ({vn_rate(75, 76)}), "
            "trong đó 70 báo cáo đúng hạn & 5 báo cáo muộn <số liệu mẫu>."
        ),
        Heading("II. Số liệu tổng hợp"),
        Table(
            columns=[Column("Chỉ tiêu", 115), Column("Số lượng", 50, "right")],
            rows=[["Kết nạp đảng viên", vn_int(147)], ["Tổng số đảng viên", vn_int(4321)]],
        ),
        Image(chart, 100, "Biểu đồ mẫu"),
    ]
    return OfficialDocument(
        letterhead=letterhead,
        title=SAMPLE_TITLE,
        summary="Tổng hợp tình hình báo cáo định kỳ năm 2021 (văn bản mẫu)",
        body=body,
        signature=Signature(on_behalf="T/M BAN THƯỜNG VỤ", title="BÍ THƯ", name=SAMPLE_SIGNER),
        recipients=["Thường trực Tỉnh ủy (để b/c)", "Lưu Văn phòng"],
    )


def validate_template(data: bytes) -> None:
    """Raises TemplateInvalid unless `data` renders the sample document, and what it renders still holds the
    header lines, the title, the number and the signer (a template that drops a tag would lose them)."""
    doc = sample_document()
    text = docx_text(render_docx(doc, data))
    flat = " ".join(text.split())
    wanted = {
        "tên cơ quan ban hành": "ĐẢNG ỦY KHỐI",
        "số văn bản": doc.letterhead.number_text,
        "địa danh, ngày tháng": doc.letterhead.date_text,
        "tên loại văn bản": doc.title,
        "nội dung": "Tình hình nộp báo cáo",
        "họ tên người ký": SAMPLE_SIGNER,
        "nơi nhận": "Lưu Văn phòng",
    }
    missing = [label for label, needle in wanted.items() if " ".join(needle.split()) not in flat]
    if missing:
        raise TemplateInvalid("Mẫu Word không in ra: " + ", ".join(missing) + " (thiếu hoặc sai thẻ).")
