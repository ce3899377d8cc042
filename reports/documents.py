"""The official documents of the reporting app, in the Party's format (core.documents; Hướng dẫn 36-HD/VPTW):

1. the Bloc's period summary (báo cáo tổng hợp kỳ), issued by the Bloc committee, "Số …-BC/ĐUK";
2. one organisation's report for a period, in the TCCSĐ's own letterhead, "Số …-BC/ĐU" or "-BC/CB".

Each is a draft ("Số      -BC/…", blank date) until a number is issued from the register
(organizations.services.outgoing_document_issue); a numbered document prints the number, date, signer and
recipients stored in the register.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.datacache import cached_when_version_read
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
    vn_rate,
)
from organizations import documents as letterheads
from organizations.models import DocumentType, OutgoingDocument
from organizations.selectors import document_template_bytes, outgoing_document_for

from .models import PeriodicReport, ReportingPeriod, ReportKind
from .summary import NARRATIVES, period_summary

SUMMARY_KIND = "period_summary"
REPORT_KIND = "report"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def period_stamp(period: ReportingPeriod) -> str:
    return f"{period.kind}-{period.year}-{period.number:02d}"


def _paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(line.strip()) for line in text.splitlines() if line.strip()]


# --- 1. the period summary ----------------------------------------------------------------------------------


def summary_subject(period: ReportingPeriod) -> str:
    return f"Tổng hợp tình hình báo cáo định kỳ của các tổ chức cơ sở đảng {period.label_in_sentence}"


def summary_entry(period: ReportingPeriod) -> OutgoingDocument | None:
    return outgoing_document_for(SUMMARY_KIND, str(period.pk))


def summary_document(period: ReportingPeriod, *, today: dt.date) -> OfficialDocument:
    """The summary of `period` with the reports filed by `today`; numbered once issued."""
    entry = summary_entry(period)
    # A numbered summary is what was signed: its figures are those known on its issue date, whenever it is
    # printed again (like the dashboard brief). A draft counts every report filed by `today`. Punctuality is
    # counted as of the same day, so on time + late = filed.
    as_of = entry.issued_on if entry else today
    s = period_summary(period, as_of)
    body: list = [
        Heading("I. TÌNH HÌNH NỘP BÁO CÁO"),
        Paragraph(
            f"Trong kỳ có {vn_int(s.owed_count)} tổ chức cơ sở đảng phải báo cáo; đã nộp {vn_int(s.filed)} báo cáo "
            f"({vn_rate(s.filed, s.owed_count)}), trong đó {vn_int(s.on_time)} báo cáo đúng hạn, "
            f"{vn_int(s.late)} báo cáo nộp muộn. Số liệu tính đến ngày {as_of:%d/%m/%Y}."
        ),
    ]
    if s.missing:
        body.append(
            Paragraph(
                ("Các tổ chức chưa nộp báo cáo (quá hạn)" if s.is_due else
                 f"Các tổ chức chưa đến hạn nộp báo cáo (hạn {s.period.due_on:%d/%m/%Y}), chưa gửi")
                + " (" + vn_int(len(s.missing)) + "): "
                + "; ".join(o.name for o in s.missing) + "."
            )
        )  # fmt: skip
    sums = {name: value for name, _, value in s.sums}
    rows = [
        [str(i), label, vn_int(value), "—" if registry is None else vn_int(registry)]
        for i, (_, label, value, registry) in enumerate(s.sums_with_registry(), start=1)
    ]
    rows.append(
        [
            str(len(rows) + 1),
            "Tỷ lệ chi bộ sinh hoạt đúng định kỳ",
            vn_rate(sums["cell_meetings_held"], sums["cells_total"]),
            "—",
        ]
    )
    body += [
        Heading("II. SỐ LIỆU TỔNG HỢP"),
        Paragraph(
            f"Số liệu cộng từ báo cáo {s.coverage_label}; cột “Toàn Khối” đếm từ sổ đảng viên cho mọi tổ chức "
            "phải báo cáo, kể cả tổ chức chưa nộp.",
            italic=True,
        ),
        Table(
            columns=[
                Column("TT", 12, "center"),
                Column("Chỉ tiêu", 88),
                Column("Tổng các báo cáo", 35, "right"),
                Column("Toàn Khối", 30, "right"),
            ],
            rows=rows,
        ),
    ]
    if s.study:
        body += [
            Heading("Kết quả học tập, quán triệt nghị quyết", level=2),
            Table(
                columns=[
                    Column("Nghị quyết, chỉ thị", 57),
                    Column("Đảng viên đã học / tổng số", 31, "right"),
                    Column("Tỷ lệ", 21, "right"),
                    Column("Quần chúng đã học / tổng số", 35, "right"),
                    Column("Tỷ lệ", 21, "right"),
                ],
                rows=[
                    [
                        t.resolution.short_title,
                        f"{vn_int(t.members_studied)} / {vn_int(t.members_total)}",
                        vn_rate(t.members_studied, t.members_total),
                        f"{vn_int(t.masses_studied)} / {vn_int(t.masses_total)}",
                        vn_rate(t.masses_studied, t.masses_total),
                    ]
                    for t in s.study
                ],
                font_pt=12,
            ),
        ]
    body.append(Heading("III. NỘI DUNG BÁO CÁO CỦA CÁC TỔ CHỨC CƠ SỞ ĐẢNG"))
    narratives = s.narratives()
    for i, (org, parts) in enumerate(narratives, start=1):
        body.append(Heading(f"{i}. {org.name}", level=2))
        for label, text in parts:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            body.append(Paragraph(lines[0], lead=f"{label}:"))
            body += [Paragraph(line) for line in lines[1:]]
    if not narratives:
        body.append(Paragraph("Chưa có nội dung."))
    return OfficialDocument(
        letterhead=letterheads.letterhead(None, doc_type=DocumentType.BC, entry=entry, year=today.year),
        title="BÁO CÁO",
        summary=summary_subject(period),
        body=body,
        signature=letterheads.signature(None, entry),
        recipients=letterheads.recipients_for(None, SUMMARY_KIND, entry),
        filename=f"bao-cao-tong-hop-{period_stamp(period)}",
    )


# --- 2. one organisation's report -----------------------------------------------------------------------------


def report_subject(report: PeriodicReport) -> str:
    return f"Kết quả công tác xây dựng Đảng {report.period.label_in_sentence}"


def report_entry(report: PeriodicReport) -> OutgoingDocument | None:
    """The register entry that numbered the report, or None (on a page that shows cached figures, kept with
    them: ``cached_when_version_read``)."""
    return cached_when_version_read(
        ("report-entry", report.pk), lambda: outgoing_document_for(REPORT_KIND, str(report.pk))
    )


def report_document(report: PeriodicReport, *, today: dt.date) -> OfficialDocument:
    """The organisation's report in its own letterhead (its committee or cell), signed by its secretary."""
    entry = report_entry(report)
    org = report.organization
    figures = [
        ("Tổng số đảng viên cuối kỳ", report.members_total),
        ("Kết nạp đảng viên trong kỳ", report.admissions),
        ("Công nhận đảng viên chính thức trong kỳ", report.full_memberships),
        ("Chuyển sinh hoạt đảng đến trong kỳ", report.transfers_in),
        ("Chuyển sinh hoạt đảng đi trong kỳ", report.transfers_out),
        ("Số quần chúng của đơn vị", report.non_member_headcount),
        ("Số chi bộ", report.cells_total),
        ("Số chi bộ sinh hoạt đúng định kỳ", report.cell_meetings_held),
    ]
    rows = [[str(i), label, vn_int(value)] for i, (label, value) in enumerate(figures, start=1)]
    if report.cells_total:
        rows.append(
            [
                str(len(rows) + 1),
                "Tỷ lệ chi bộ sinh hoạt đúng định kỳ",
                vn_rate(report.cell_meetings_held or 0, report.cells_total),
            ]
        )
    body: list = [
        Heading("I. SỐ LIỆU ĐẢNG VIÊN VÀ TỔ CHỨC ĐẢNG"),
        Table(
            columns=[Column("TT", 12, "center"), Column("Nội dung", 113), Column("Số lượng", 40, "right")],
            rows=rows,
        ),
    ]
    if report.discrepancy_note.strip():
        body.append(Paragraph(report.discrepancy_note.strip(), lead="Giải trình số liệu khác sổ đảng viên:"))
    lines = list(
        report.study_lines.select_related("resolution").order_by("resolution__order", "resolution_id")
    )
    body.append(Heading("II. HỌC TẬP, QUÁN TRIỆT NGHỊ QUYẾT"))
    if lines:
        body.append(
            Table(
                columns=[
                    Column("Nghị quyết, chỉ thị", 57),
                    Column("Đảng viên đã học / tổng số", 31, "right"),
                    Column("Tỷ lệ", 21, "right"),
                    Column("Quần chúng đã học / tổng số", 35, "right"),
                    Column("Tỷ lệ", 21, "right"),
                ],
                rows=[
                    [
                        line.resolution.short_title,
                        f"{vn_int(line.members_studied)} / {vn_int(line.members_total)}",
                        vn_rate(line.members_studied, line.members_total),
                        f"{vn_int(line.masses_studied)} / {vn_int(line.masses_total)}",
                        vn_rate(line.masses_studied, line.masses_total),
                    ]
                    for line in lines
                ],
                font_pt=12,
            )
        )
    else:
        body.append(Paragraph("Trong kỳ không có nghị quyết bắt buộc học tập."))
    numerals = ("III", "IV", "V", "VI")
    for numeral, (name, label) in zip(numerals, NARRATIVES, strict=True):
        body.append(Heading(f"{numeral}. {label.upper()}"))
        body += _paragraphs(getattr(report, name)) or [Paragraph("Không có.")]
    if report.period.kind == ReportKind.YEAR:
        body.append(Heading("VII. TỰ ĐÁNH GIÁ, XẾP LOẠI VÀ CHỦ ĐỀ NĂM"))
        body.append(
            Paragraph(report.get_self_rating_display() or "Chưa tự đánh giá.", lead="Tự đánh giá xếp loại:")
        )
        if report.theme_text.strip():
            source = ""
            if report.theme_doc_no:
                source = f" (văn bản số {report.theme_doc_no}"
                source += f", ngày {report.theme_issued_on:%d/%m/%Y})" if report.theme_issued_on else ")"
            body.append(Paragraph(report.theme_text.strip() + source, lead="Chủ đề năm (Chỉ thị 05):"))
    return OfficialDocument(
        letterhead=letterheads.letterhead(org, doc_type=DocumentType.BC, entry=entry, year=today.year),
        title="BÁO CÁO",
        summary=report_subject(report),
        body=body,
        signature=letterheads.signature(org, entry),
        recipients=letterheads.recipients_for(org, REPORT_KIND, entry),
        filename=f"bao-cao-{org.code}-{period_stamp(report.period)}",
    )


# --- writing -------------------------------------------------------------------------------------------------


def write(doc: OfficialDocument, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of `doc` as "pdf" or "docx" (the province's Word template if any)."""
    if fmt == "docx":
        try:
            data = render_docx(doc, document_template_bytes())
        except TemplateInvalid:  # an uploaded template that renders the sample but not this document
            data = render_docx(doc)
        return data, DOCX_TYPE, f"{doc.filename}.docx"
    return document_pdf(doc), "application/pdf", f"{doc.filename}.pdf"


def register_template_checks() -> None:
    """An uploaded Word template must render the newest period summary and the newest submitted report of the
    database, not only the sample (``organizations.documents.TEMPLATE_CHECKS``)."""
    from organizations.documents import template_check

    @template_check
    def newest_summary():
        period = (
            ReportingPeriod.objects.filter(reports__first_submitted_at__isnull=False)
            .order_by("-ends_on")
            .first()
        )
        return summary_document(period, today=timezone.localdate()) if period else None

    @template_check
    def newest_report():
        report = (
            PeriodicReport.objects.filter(first_submitted_at__isnull=False)
            .select_related("organization", "period")
            .order_by("-period__ends_on", "-pk")
            .first()
        )
        return report_document(report, today=timezone.localdate()) if report else None
