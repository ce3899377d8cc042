"""The Bloc's summary for one period: sums and rates over the organisations' filed reports, who is missing,
the narratives by organisation. As a page and an XLSX workbook; the official document (PDF, DOCX) is
built from it by reports.documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, Sum

from core.datacache import cached_under_data_version
from core.spreadsheets import Bold, Sheet
from organizations.models import Organization

from . import changes, timeliness
from .models import PeriodicReport, ReportingPeriod, Resolution, StudyLine
from .selectors import FILED_STATUSES, bloc_registry_figures, bloc_transfers

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
    """Who owes the period's report and whether it came (``timeliness``: on time, late, missing, not due yet),
    and the sums of the figures of the reports that count (submitted or accepted: a returned report is being
    corrected)."""

    period: ReportingPeriod
    as_of: dt.date
    #: The organisations that owe the report and the reports whose figures count (the documents: every one of
    #: them; the page: one page of the narratives, and the first of the missing organisations).
    owed: list[Organization]
    reports: list[PeriodicReport]
    missing: list[Organization]
    sums: list[tuple[str, str, int]] = field(default_factory=list)
    study: list[StudyTotal] = field(default_factory=list)
    counts: timeliness.TimelinessCounts = field(default_factory=timeliness.TimelinessCounts)
    #: How many reports' figures are summed (submitted or accepted now).
    figures_count: int = 0
    #: Transfers at the Bloc's level from the registry: internal ones apart (``selectors.bloc_transfers``).
    bloc_transfers: dict = field(default_factory=dict)
    #: The registry's own figures for every organisation that owes the report, filed or not
    #: (``selectors.bloc_registry_figures``): printed beside the sums, which cover the filers only.
    registry: dict = field(default_factory=dict)
    #: The page of narratives shown (None: all of `reports`, as in the documents), and how many there are.
    page: Page | None = None
    narrative_count: int | None = None

    @property
    def owed_count(self) -> int:
        return self.counts.owed

    @property
    def on_time(self) -> int:
        return self.counts.on_time

    @property
    def late(self) -> int:
        return self.counts.late

    @property
    def filed(self) -> int:
        return self.counts.filed

    @property
    def missing_count(self) -> int:
        return self.counts.missing

    @property
    def not_due_count(self) -> int:
        return self.counts.not_due

    @property
    def filed_rate(self):
        return rate(self.counts.filed, self.counts.owed)

    @property
    def is_due(self) -> bool:
        return self.as_of > self.period.due_on

    @property
    def unfiled_count(self) -> int:
        """Organisations that owe the report and have not sent it: missing, or not due yet."""
        return self.counts.missing + self.counts.not_due

    @property
    def unfiled_label(self) -> str:
        """Before the due date nobody is late: those who have not sent the report yet are "not due yet", not
        "chưa nộp"."""
        if self.is_due:
            return "Chưa nộp (quá hạn)"
        return f"Chưa đến hạn nộp (hạn {self.period.due_on:%d/%m/%Y}), chưa gửi báo cáo"

    @property
    def coverage_label(self) -> str:
        """What the sums cover: "của 74 tổ chức đã báo cáo" (of the 76 that owe it)."""
        return f"của {self.figures_count} tổ chức đã báo cáo (trên {self.owed_count} tổ chức phải báo cáo)"

    def sums_with_registry(self) -> list[tuple[str, str, int, int | None]]:
        """[(name, label, sum of the filed reports, the registry's Bloc-wide figure or None)]."""
        return [(name, label, value, self.registry.get(name)) for name, label, value in self.sums]

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


def _filed(period: ReportingPeriod):
    """The period's reports whose figures count: submitted or accepted, of organisations that owe it."""
    return PeriodicReport.objects.filter(
        timeliness.owes_q(period, "organization__"), period=period, status__in=FILED_STATUSES
    )


def _unfiled(period: ReportingPeriod, as_of: dt.date):
    """Organisations that owe the report and had not submitted it by `as_of`: missing once the due date has
    passed, not due yet before (``timeliness``)."""
    filed = PeriodicReport.objects.filter(timeliness.filed_by_q(as_of), period=period)
    return timeliness.owing(period).exclude(pk__in=filed.values("organization_id"))


def _totals(summary: PeriodSummary, extra=None) -> PeriodSummary:
    """Counts, sums, punctuality and study coverage over every filed report (four aggregate queries), and
    what `extra()` adds, cached until the next write (``selectors.cached_under_data_version``)."""
    period, as_of = summary.period, summary.as_of

    def update(previous: dict, moved: dict) -> dict | None:
        """After a write that named only other periods' reports (a month's report, for a quarter's summary) or
        members' events, the reports' side is as it was; the registry's side is read again (cached apart)."""
        pairs = changes.named(moved)
        if pairs is None or any(period_id == period.pk for _, period_id in pairs):
            return None
        return {**previous, **_registry(period, as_of)}  # (events have no period: the registry reads them)

    totals = cached_under_data_version(
        ("period-summary", period.pk, period.due_on, as_of, extra is not None),
        lambda: {**_compute_totals(period, as_of), **(extra() if extra else {})},
        update=update,
    )
    for name, value in totals.items():
        setattr(summary, name, value)
    return summary


def _compute_totals(period: ReportingPeriod, as_of: dt.date) -> dict:
    summary = PeriodSummary(period=period, as_of=as_of, owed=[], reports=[], missing=[])
    filed = _filed(period)
    totals = filed.aggregate(figures_count=Count("pk"), **{name: Sum(name) for name, _ in SUM_FIELDS})
    summary.counts = timeliness.timeliness_counts([period], as_of)[0][period.pk]
    summary.figures_count = totals["figures_count"]
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
    names = ("counts", "figures_count", "sums", "study")
    return {**{name: getattr(summary, name) for name in names}, **_registry(period, as_of)}


def _registry(period: ReportingPeriod, as_of: dt.date) -> dict:
    """The registry's side of the summary. It reads no report: cached apart, a report written (the filing
    season) leaves it as it is and only the reports' sums are counted again (the events' aggregate is this page's
    heaviest query)."""
    bloc, registry = cached_under_data_version(
        ("period-summary-registry", period.pk, period.starts_on, period.ends_on, min(period.ends_on, as_of)),
        lambda: (
            bloc_transfers(period.starts_on, min(period.ends_on, as_of)),
            bloc_registry_figures(period, as_of),
        ),
    )
    return {"bloc_transfers": bloc, "registry": registry}


def period_summary(period: ReportingPeriod, as_of: dt.date) -> PeriodSummary:
    """The whole summary for the documents (XLSX, PDF): every owing organisation, every filed report."""
    owed = list(timeliness.owing(period).order_by("code"))
    reports = list(_filed(period).select_related("organization").order_by("organization__code"))
    summary = PeriodSummary(
        period=period,
        as_of=as_of,
        owed=owed,
        reports=reports,
        missing=list(_unfiled(period, as_of).order_by("code")),
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
        missing = _unfiled(period, as_of).order_by("code")
        return {"missing": list(missing[:MISSING_SHOWN]), "narrative_count": narratives.count()}

    summary = _totals(PeriodSummary(period=period, as_of=as_of, owed=[], reports=[], missing=[]), extra)
    paginator = Paginator(narratives, per_page)
    paginator.count = summary.narrative_count  # a cached_property: no COUNT query
    summary.page = paginator.get_page(page)
    return summary


# --- XLSX -----------------------------------------------------------------------------------------------------


def summary_sheets(summary: PeriodSummary) -> list[Sheet]:
    """The summary as two sheets: the totals, the study, each organisation's figures (and who has not filed);
    the narratives by organisation."""

    def totals():
        yield Bold([f"Tổng hợp báo cáo {summary.period.label_in_sentence}"])
        yield [
            f"Số liệu đến ngày {summary.as_of:%d/%m/%Y}; đã nộp {summary.filed}/{summary.owed_count} tổ chức"
        ]
        yield []
        yield Bold(["Chỉ tiêu", f"Tổng {summary.coverage_label}", "Toàn Khối theo sổ đảng viên"])
        yield from ([label, value, registry] for _, label, value, registry in summary.sums_with_registry())
        yield []
        yield Bold(
            ["Học tập nghị quyết", "Đảng viên đã học", "Tổng số đảng viên", "Tỷ lệ (%)", "Quần chúng đã học",
             "Tổng số quần chúng", "Tỷ lệ (%)"]
        )  # fmt: skip
        for s in summary.study:
            yield [s.resolution.short_title, s.members_studied, s.members_total, s.members_rate,
                   s.masses_studied, s.masses_total, s.masses_rate]  # fmt: skip
        yield []
        yield Bold(["Mã", "Tổ chức", "Trạng thái"] + [label for _, label in SUM_FIELDS])
        for report in summary.reports:
            yield [report.organization.code, report.organization.name, report.get_status_display()] + [
                getattr(report, name) for name, _ in SUM_FIELDS
            ]
        for org in summary.missing:
            yield [org.code, org.name, summary.unfiled_label]

    narratives = (
        [report.organization.code, report.organization.name]
        + [getattr(report, name) for name, _ in NARRATIVES]
        for report in summary.reports
    )
    return [
        Sheet("Tổng hợp", totals(), widths=[36, 40]),
        Sheet("Nội dung", narratives, headers=["Mã", "Tổ chức"] + [label for _, label in NARRATIVES]),
    ]
