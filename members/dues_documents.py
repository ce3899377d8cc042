"""The Bloc's yearly dues report (báo cáo thu, nộp đảng phí) as an XLSX workbook and as an official document
(DOCX, PDF; Hướng dẫn 36-HD/VPTW) — both from ``dues.year_report``, so the figures are the same everywhere."""

from __future__ import annotations

import datetime as dt

from core.documents import (
    Column,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    TemplateInvalid,
    document_pdf,
    render_docx,
    vn_int,
)
from core.spreadsheets import Bold, Sheet
from organizations import documents as letterheads
from organizations.models import DocumentType
from organizations.selectors import document_template_bytes

from .dues import YearReport

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADERS = [
    "Mã", "Tổ chức cơ sở đảng", "Đảng viên (cuối kỳ)", "Lượt đảng viên – tháng", "Đã đóng (lượt)",
    "Chưa đóng (lượt)", "Miễn (lượt)", "Chưa ghi sổ (lượt)", "Phải thu (đồng)", "Đã thu (đồng)",
    "Trích giữ lại (đồng)", "Đã nộp lên (đồng)", "Kỳ nộp muộn / chưa nộp",
]  # fmt: skip


def _cells(row) -> list:
    return [
        row.members, row.member_months, row.paid, row.unpaid, row.exempt, row.not_recorded, row.due,
        row.collected, row.kept, row.remitted, row.late,
    ]  # fmt: skip


def report_sheet(report: YearReport) -> Sheet:
    rows = [[r.organization.code, r.organization.name, *_cells(r)] for r in report.rows]
    rows.append(Bold(["", "Tổng cộng", *_cells(report.total)]))
    rows.append(["", f"Đảng ủy Khối giữ lại (của số đã nộp lên, {report.bloc_keeps_percent.normalize()}%)",
                 *[""] * 9, report.bloc_kept])  # fmt: skip
    rows.append(["", "Đảng ủy Khối nộp lên Tỉnh ủy", *[""] * 9, report.to_province])
    return Sheet(
        f"Đảng phí {report.year}",
        rows,
        headers=HEADERS,
        widths=[7, 40, 10, 12, 10, 10, 8, 10, 14, 14, 14, 14, 12],
    )


def report_document(report: YearReport, *, today: dt.date) -> OfficialDocument:
    """A draft (unnumbered) report of the Bloc committee on the year's dues, by organisation."""
    t = report.total
    body = [
        Heading("I. TÌNH HÌNH THU, NỘP ĐẢNG PHÍ"),
        Paragraph(
            f"Năm {report.year}, {vn_int(len(report.rows))} tổ chức cơ sở đảng với {vn_int(t.members)} đảng viên; "
            f"{vn_int(t.member_months)} lượt đảng viên – tháng phải đóng đảng phí, đã đóng {vn_int(t.paid)} lượt, "
            f"chưa đóng {vn_int(t.unpaid)} lượt, miễn {vn_int(t.exempt)} lượt, chưa ghi sổ {vn_int(t.not_recorded)} lượt. "
            f"Số phải thu {vn_int(t.due)} đồng, đã thu {vn_int(t.collected)} đồng; các tổ chức cơ sở đảng trích giữ lại "
            f"{vn_int(t.kept)} đồng ({vn_int(report.keeps_percent.normalize())}%), đã nộp lên Đảng ủy Khối "
            f"{vn_int(t.remitted)} đồng; {vn_int(t.late)} kỳ nộp muộn hoặc chưa nộp. Của số đã nộp lên, Đảng ủy Khối "
            f"giữ lại {vn_int(report.bloc_kept)} đồng ({vn_int(report.bloc_keeps_percent.normalize())}%) và nộp lên "
            f"Tỉnh ủy {vn_int(report.to_province)} đồng. Số liệu đến ngày "
            f"{min(report.as_of, dt.date(report.year, 12, 31)):%d/%m/%Y}."
        ),
        Heading("II. SỐ LIỆU THEO TỔ CHỨC CƠ SỞ ĐẢNG"),
        Table(
            columns=[
                Column("Mã", 10, "center"),
                Column("Tổ chức cơ sở đảng", 52),
                Column("Đảng viên", 16, "right"),
                Column("Đã thu (đồng)", 28, "right"),
                Column("Giữ lại (đồng)", 26, "right"),
                Column("Nộp lên (đồng)", 26, "right"),
                Column("Nộp muộn", 14, "right"),
            ],
            rows=[
                [
                    r.organization.code,
                    r.organization.name,
                    vn_int(r.members),
                    vn_int(r.collected),
                    vn_int(r.kept),
                    vn_int(r.remitted),
                    vn_int(r.late),
                ]
                for r in report.rows
            ]
            + [
                [
                    "",
                    "Tổng cộng",
                    vn_int(t.members),
                    vn_int(t.collected),
                    vn_int(t.kept),
                    vn_int(t.remitted),
                    vn_int(t.late),
                ]
            ],  # fmt: skip
            font_pt=11,
            bold_rows={len(report.rows)},
        ),
    ]
    return OfficialDocument(
        letterhead=letterheads.letterhead(None, doc_type=DocumentType.BC, entry=None, year=today.year),
        title="BÁO CÁO",
        summary=f"tình hình thu, nộp đảng phí năm {report.year}",
        body=body,
        signature=letterheads.signature(None, None),
        recipients=[
            "Văn phòng Tỉnh ủy (để báo cáo)",
            "Các tổ chức cơ sở đảng trực thuộc",
            "Lưu Văn phòng Đảng ủy Khối",
        ],
        filename=f"bao-cao-dang-phi-{report.year}",
    )


def write(doc: OfficialDocument, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of `doc` as "pdf" or "docx" (the province's Word template if any)."""
    if fmt == "docx":
        try:
            data = render_docx(doc, document_template_bytes())
        except TemplateInvalid:
            data = render_docx(doc)
        return data, DOCX_TYPE, f"{doc.filename}.docx"
    return document_pdf(doc), "application/pdf", f"{doc.filename}.pdf"
