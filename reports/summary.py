"""The Bloc's summary for one period: sums and rates over the organisations' filed reports, who is missing,
the narratives by organisation. As a page and an XLSX workbook; the official document (PDF, DOCX) is
built from it by reports.documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, Sum

from core.datacache import cached_under_data_version
from organizations.models import Organization

from .models import PeriodicReport, ReportingPeriod, Resolution, StudyLine
from .selectors import FILED_STATUSES

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
    #: The organisations that owe the report and their filed reports (the documents: every one of them; the
    #: page: one page of the narratives, and the first of the missing organisations).
    owed: list[Organization]
    reports: list[PeriodicReport]
    missing: list[Organization]
    sums: list[tuple[str, str, int]] = field(default_factory=list)
    study: list[StudyTotal] = field(default_factory=list)
    on_time: int = 0
    late: int = 0
    owed_count: int = 0
    filed_count: int = 0
    #: The page of narratives shown (None: all of `reports`, as in the documents), and how many there are.
    page: Page | None = None
    narrative_count: int | None = None

    @property
    def filed(self) -> int:
        return self.filed_count

    @property
    def missing_count(self) -> int:
        return self.owed_count - self.filed_count

    @property
    def filed_rate(self):
        return rate(self.filed_count, self.owed_count)

    @property
    def cell_meeting_rate(self):
        sums = {k: v for k, _, v in self.sums}
        return rate(sums["cell_meetings_held"], sums["cells_total"])

    def narratives(self):
        """[(organisation, [(label, text)])] for the organisations that wrote something."""
        out = []
        for report in self.page.object_list if self.page is not None else self.reports:
            parts = [
                (label, getattr(report, name)) for name, label in NARRATIVES if getattr(report, name).strip()
            ]
            if parts:
                out.append((report.organization, parts))
        return out


def _owing(period: ReportingPeriod):
    """The organisations that owe a report for `period` (they belong to the Bloc during it)."""
    return Organization.objects.in_bloc_during(period.starts_on, period.ends_on)


def _filed(period: ReportingPeriod):
    """The period's submitted and accepted reports of organisations that owe it."""
    return PeriodicReport.objects.filter(
        period=period, status__in=FILED_STATUSES, organization__in=_owing(period).values("pk")
    )


def _totals(summary: PeriodSummary, extra=None) -> PeriodSummary:
    """Counts, sums, punctuality and study coverage over every filed report (four aggregate queries), and
    what `extra()` adds, cached until the next write (``selectors.cached_under_data_version``)."""
    totals = cached_under_data_version(
        ("period-summary", summary.period.pk, summary.as_of, extra is not None),
        lambda: {**_compute_totals(summary.period, summary.as_of), **(extra() if extra else {})},
    )
    for name, value in totals.items():
        setattr(summary, name, value)
    return summary


def _compute_totals(period: ReportingPeriod, as_of: dt.date) -> dict:
    summary = PeriodSummary(period=period, as_of=as_of, owed=[], reports=[], missing=[])
    filed = _filed(period)
    submitted_by = Q(first_submitted_at__date__lte=as_of)
    totals = filed.aggregate(
        filed=Count("pk"),
        on_time=Count("pk", filter=submitted_by & Q(first_submitted_at__date__lte=period.due_on)),
        late=Count("pk", filter=submitted_by & Q(first_submitted_at__date__gt=period.due_on)),
        **{name: Sum(name) for name, _ in SUM_FIELDS},
    )
    summary.owed_count = _owing(period).count()
    summary.filed_count, summary.on_time, summary.late = totals["filed"], totals["on_time"], totals["late"]
    summary.sums = [(name, label, totals[name] or 0) for name, label in SUM_FIELDS]
    resolutions = {}
    for row in (
        StudyLine.objects.filter(report__in=filed.values("pk"))
        .values("resolution_id")
        .annotate(
            members_studied=Sum("members_studied"),
            members_total=Sum("members_total"),
            masses_studied=Sum("masses_studied"),
            masses_total=Sum("masses_total"),
        )
        .order_by()
    ):
        resolutions[row.pop("resolution_id")] = row
    summary.study = [
        StudyTotal(resolution=r, **resolutions[r.pk])
        for r in Resolution.objects.filter(pk__in=resolutions).order_by("order", "pk")
    ]
    names = ("owed_count", "filed_count", "on_time", "late", "sums", "study")
    return {name: getattr(summary, name) for name in names}


def period_summary(period: ReportingPeriod, as_of: dt.date) -> PeriodSummary:
    """The whole summary for the documents (XLSX, PDF): every owing organisation, every filed report."""
    owed = list(_owing(period).order_by("code"))
    reports = list(_filed(period).select_related("organization").order_by("organization__code"))
    filed_ids = {r.organization_id for r in reports}
    summary = PeriodSummary(
        period=period,
        as_of=as_of,
        owed=owed,
        reports=reports,
        missing=[o for o in owed if o.pk not in filed_ids],
    )
    return _totals(summary)


#: Missing organisations named on the page (the XLSX and the period status page list them all).
MISSING_SHOWN = 100


def period_summary_page(
    period: ReportingPeriod, as_of: dt.date, *, page: str | int | None, per_page: int = 20
) -> PeriodSummary:
    """The summary for the page: the totals over every report, one page of the narratives and the first
    `MISSING_SHOWN` missing organisations. A fixed number of queries whatever the number of organisations; the
    totals, the missing organisations and the number of narratives are cached until the next write."""
    written = Q()
    for name, _ in NARRATIVES:
        written |= ~Q(**{name: ""})
    narratives = (
        _filed(period).filter(written).select_related("organization").order_by("organization__code", "pk")
    )

    def extra():
        missing = _owing(period).exclude(pk__in=_filed(period).values("organization_id")).order_by("code")
        return {"missing": list(missing[:MISSING_SHOWN]), "narrative_count": narratives.count()}

    summary = _totals(PeriodSummary(period=period, as_of=as_of, owed=[], reports=[], missing=[]), extra)
    paginator = Paginator(narratives, per_page)
    paginator.count = summary.narrative_count  # a cached_property: no COUNT query
    summary.page = paginator.get_page(page)
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
        [f"Số liệu đến ngày {summary.as_of:%d/%m/%Y}; đã nộp {summary.filed}/{summary.owed_count} tổ chức"]
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
