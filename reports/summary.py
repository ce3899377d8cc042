"""The Bloc's summary for one period: sums and rates over the organisations' filed reports, who is missing,
the narratives by organisation. As a page, an XLSX workbook and a PDF in the Party's document format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string

from organizations.models import Organization

from .models import PeriodicReport, ReportingPeriod, Resolution
from .selectors import FILED_STATUSES, classify, owes_report

SUM_FIELDS = (
    ("members_total", "Tổng số đảng viên cuối kỳ"),
    ("admissions", "Kết nạp đảng viên"),
    ("full_memberships", "Công nhận đảng viên chính thức"),
    ("transfers_in", "Chuyển sinh hoạt đến"),
    ("transfers_out", "Chuyển sinh hoạt đi"),
    ("non_member_headcount", "Số quần chúng"),
    ("cells_total", "Số chi bộ"),
    ("cell_meetings_held", "Số chi bộ sinh hoạt đúng định kỳ"),
)
NARRATIVES = (
    ("results_text", "Kết quả"),
    ("shortcomings_text", "Hạn chế"),
    ("directions_text", "Phương hướng"),
    ("proposals_text", "Kiến nghị"),
)


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


@dataclass
class StudyTotal:
    resolution: Resolution
    members_studied: int = 0
    members_total: int = 0
    masses_studied: int = 0
    masses_total: int = 0

    @property
    def members_rate(self):
        return rate(self.members_studied, self.members_total)

    @property
    def masses_rate(self):
        return rate(self.masses_studied, self.masses_total)


@dataclass
class PeriodSummary:
    period: ReportingPeriod
    as_of: dt.date
    owed: list[Organization]
    reports: list[PeriodicReport]
    missing: list[Organization]
    sums: list[tuple[str, str, int]] = field(default_factory=list)
    study: list[StudyTotal] = field(default_factory=list)
    on_time: int = 0
    late: int = 0

    @property
    def filed(self) -> int:
        return len(self.reports)

    @property
    def filed_rate(self):
        return rate(self.filed, len(self.owed))

    @property
    def cell_meeting_rate(self):
        sums = {k: v for k, _, v in self.sums}
        return rate(sums["cell_meetings_held"], sums["cells_total"])

    def narratives(self):
        """[(organisation, [(label, text)])] for the organisations that wrote something."""
        out = []
        for report in self.reports:
            parts = [
                (label, getattr(report, name)) for name, label in NARRATIVES if getattr(report, name).strip()
            ]
            if parts:
                out.append((report.organization, parts))
        return out


def period_summary(period: ReportingPeriod, as_of: dt.date) -> PeriodSummary:
    """The summary from submitted and accepted reports (a fixed number of queries)."""
    orgs = list(Organization.objects.in_bloc_during(period.starts_on, period.ends_on).order_by("code"))
    owed = [o for o in orgs if owes_report(o, period)]
    reports = list(
        PeriodicReport.objects.filter(period=period, status__in=FILED_STATUSES, organization__in=owed)
        .select_related("organization")
        .prefetch_related("study_lines__resolution")
        .order_by("organization__code")
    )
    filed_ids = {r.organization_id for r in reports}
    summary = PeriodSummary(
        period=period,
        as_of=as_of,
        owed=owed,
        reports=reports,
        missing=[o for o in owed if o.pk not in filed_ids],
    )
    for name, label in SUM_FIELDS:
        summary.sums.append((name, label, sum(getattr(r, name) or 0 for r in reports)))
    study: dict[int, StudyTotal] = {}
    for report in reports:
        for line in report.study_lines.all():
            total = study.setdefault(line.resolution_id, StudyTotal(resolution=line.resolution))
            total.members_studied += line.members_studied
            total.members_total += line.members_total
            total.masses_studied += line.masses_studied
            total.masses_total += line.masses_total
        state = classify(period=period, first_submitted_at=report.first_submitted_at, as_of=as_of).state
        summary.on_time += state == "on_time"
        summary.late += state == "late"
    summary.study = sorted(study.values(), key=lambda s: (s.resolution.order, s.resolution.pk))
    return summary


# --- XLSX -----------------------------------------------------------------------------------------------------


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is written as text (prefixed with ')."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def summary_xlsx(summary: PeriodSummary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    bold = Font(bold=True)
    sheet.append([f"Tổng hợp báo cáo {summary.period.label}"])
    sheet["A1"].font = bold
    sheet.append(
        [f"Số liệu đến ngày {summary.as_of:%d/%m/%Y}; đã nộp {summary.filed}/{len(summary.owed)} tổ chức"]
    )
    sheet.append([])
    sheet.append(["Chỉ tiêu", "Tổng"])
    for _, label, value in summary.sums:
        sheet.append([label, value])
    sheet.append([])
    sheet.append(
        [
            "Học tập nghị quyết",
            "Đảng viên đã học",
            "Tổng số đảng viên",
            "Tỷ lệ (%)",
            "Quần chúng đã học",
            "Tổng số quần chúng",
            "Tỷ lệ (%)",
        ]
    )
    for s in summary.study:
        sheet.append(
            [
                safe_cell(s.resolution.short_title),
                s.members_studied,
                s.members_total,
                s.members_rate,
                s.masses_studied,
                s.masses_total,
                s.masses_rate,
            ]
        )
    sheet.append([])
    header = ["Mã", "Tổ chức", "Trạng thái"] + [label for _, label in SUM_FIELDS]
    sheet.append(header)
    for report in summary.reports:
        sheet.append(
            [
                safe_cell(report.organization.code),
                safe_cell(report.organization.name),
                report.get_status_display(),
            ]
            + [getattr(report, name) for name, _ in SUM_FIELDS]
        )
    for org in summary.missing:
        sheet.append([safe_cell(org.code), safe_cell(org.name), "Chưa nộp"])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 40

    narr = book.create_sheet("Nội dung")
    narr.append(["Mã", "Tổ chức"] + [label for _, label in NARRATIVES])
    for report in summary.reports:
        narr.append(
            [safe_cell(report.organization.code), safe_cell(report.organization.name)]
            + [safe_cell(getattr(report, name)) for name, _ in NARRATIVES]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF (WeasyPrint) -------------------------------------------------------------------------------------------


def summary_print_context(summary: PeriodSummary, issued_on: dt.date) -> dict:
    return {
        "summary": summary,
        "province_upper": f"ĐẢNG BỘ TỈNH {settings.PORTAL_PROVINCE}".upper(),
        "bloc_upper": settings.PORTAL_BLOC_NAME.upper(),
        "place": settings.PORTAL_PLACE,
        "issued_on": issued_on,
    }


def summary_html(summary: PeriodSummary, issued_on: dt.date) -> str:
    return render_to_string("reports/period_summary_print.html", summary_print_context(summary, issued_on))


def summary_pdf(summary: PeriodSummary, issued_on: dt.date) -> bytes:
    from weasyprint import HTML

    return HTML(string=summary_html(summary, issued_on), base_url=str(settings.BASE_DIR)).write_pdf()
