"""Demo reporting data: periods, resolutions to study, targets and the periodic reports of every year from
2020 to today, with a realistic mix of on-time, late, returned and missing reports (2020 the worst, as the
article complains).

Report figures are computed in Python from the simulated member events (demo/members.py), so they agree
with what ``reports.selectors.registry_figures`` would say and nothing is flagged.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left, bisect_right
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from members.models import EventKind
from organizations.models import Kind, Organization, OrganizationYear, Rating
from reports import tallies
from reports.models import (
    PeriodicReport,
    ReportingPeriod,
    ReportKind,
    ReportStatus,
    ReportTransition,
    ReportVersion,
    Resolution,
    StudyLine,
)
from reports.periods import periods_create
from targets.models import Comparator, Target

from .organizations import explicit_timestamps, record_history

TZ = ZoneInfo(settings.TIME_ZONE)
MONTHS = {ReportKind.MONTH: 1, ReportKind.QUARTER: 3, ReportKind.HALF_YEAR: 6, ReportKind.YEAR: 12}

RESOLUTIONS = {
    2020: [
        ("NQ Trung ương 4 khóa XII",
         "Nghị quyết Trung ương 4 khóa XII về tăng cường xây dựng, chỉnh đốn Đảng"),
        ("Chỉ thị 05-CT/TW",
         "Chỉ thị số 05-CT/TW của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, "
         "phong cách Hồ Chí Minh"),
    ],
    # The four the article names for 2021 (article-vi.txt, paragraph on the 2021 tasks).
    2021: [
        ("NQ Đại hội Đảng bộ cơ sở", "Nghị quyết Đại hội Đảng bộ cơ sở nhiệm kỳ 2020–2025"),
        ("NQ Đại hội Đảng bộ Khối lần thứ IV", "Nghị quyết Đại hội Đảng bộ Khối CCQ-DN tỉnh lần thứ IV"),
        ("NQ Đại hội Đảng bộ tỉnh lần thứ XII", "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XII"),
        ("NQ Đại hội XIII của Đảng", "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng"),
    ],
    # The years between: the term's resolutions have been studied; the year's own documents.
    "between": [
        ("Chỉ thị 05-CT/TW",
         "Chỉ thị số 05-CT/TW của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, "
         "phong cách Hồ Chí Minh"),
        ("NQ Trung ương khóa XIII trong năm",
         "Các nghị quyết Hội nghị Ban Chấp hành Trung ương Đảng khóa XIII ban hành trong năm"),
    ],
    "current": [
        ("NQ Đại hội XIV của Đảng", "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng"),
        ("NQ Đại hội Đảng bộ tỉnh 2025–2030", "Nghị quyết Đại hội Đảng bộ tỉnh nhiệm kỳ 2025–2030"),
        ("NQ Đại hội Đảng bộ Khối 2025–2030", "Nghị quyết Đại hội Đảng bộ Khối nhiệm kỳ 2025–2030"),
        ("NQ Đại hội Đảng bộ cơ sở 2025–2030", "Nghị quyết Đại hội Đảng bộ cơ sở nhiệm kỳ 2025–2030"),
    ],
}  # fmt: skip
RESOLUTIONS_2025 = (
    "Nghị quyết 18-NQ/TW",
    "Nghị quyết số 18-NQ/TW về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, "
    "hoạt động hiệu lực, hiệu quả",
)

#: The eight 2021 targets in the article's words ("trên" = >, "trở lên" = ≥), in the article's order.
TARGETS_2021 = [
    ("unit_professional_good", Comparator.GTE, 90, "",
     "90% trở lên các cơ quan, đơn vị hoàn thành tốt nhiệm vụ chuyên môn"),
    ("enterprise_effective", Comparator.GT, 90, "",
     "Trên 90% TCCSĐ trong doanh nghiệp lãnh đạo đơn vị tổ chức sản xuất, kinh doanh có hiệu quả, "
     "thực hiện đầy đủ các nghĩa vụ đối với Nhà nước"),
    ("members_studied", Comparator.EQ, 100, "",
     "100% đảng viên được học tập, quán triệt các nghị quyết, chỉ thị của Đảng, pháp luật của Nhà nước"),
    ("masses_studied", Comparator.GT, 90, "",
     "Trên 90% quần chúng được học tập, quán triệt các nghị quyết, chỉ thị của Đảng, pháp luật của Nhà nước"),
    ("theme_adopted", Comparator.EQ, 100, "",
     "100% TCCSĐ xây dựng chủ đề năm 2021 về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("admissions", Comparator.GTE, 120, "", "Kết nạp 120 đảng viên trở lên"),
    ("org_rating_good", Comparator.GT, 90, "", "Trên 90% TCCSĐ hoàn thành tốt nhiệm vụ"),
    ("bloc_rating", Comparator.EQ, 0, Rating.HTXSNV, "Đảng bộ Khối hoàn thành xuất sắc nhiệm vụ"),
]  # fmt: skip
CURRENT_YEAR_ADMISSIONS = 130

RESULTS = [
    "Duy trì nền nếp sinh hoạt chi bộ định kỳ; nội dung sinh hoạt có đổi mới, gắn với nhiệm vụ chính trị của "
    "đơn vị.",
    "Tổ chức quán triệt đầy đủ các nghị quyết, chỉ thị của cấp trên cho cán bộ, đảng viên và quần chúng.",
    "Lãnh đạo cơ quan hoàn thành các nhiệm vụ chuyên môn theo kế hoạch; nội bộ đoàn kết, thống nhất.",
    "Hoạt động sản xuất, kinh doanh ổn định; bảo đảm việc làm và thu nhập cho người lao động.",
    "Quan tâm bồi dưỡng quần chúng ưu tú, tạo nguồn phát triển đảng viên.",
]
SHORTCOMINGS = [
    "Chất lượng sinh hoạt ở một số chi bộ chưa cao, còn nặng về hình thức.",
    "Công tác tuyên truyền có lúc chưa kịp thời, hình thức chưa đa dạng.",
    "Việc báo cáo định kỳ có lúc còn chậm so với quy định.",
    "Số quần chúng tham gia học tập nghị quyết chưa đầy đủ do đặc thù công việc.",
    "Chưa có hạn chế đáng kể.",
]
DIRECTIONS = [
    "Tiếp tục nâng cao chất lượng sinh hoạt chi bộ; thực hiện nghiêm chế độ thông tin, báo cáo.",
    "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với chủ đề năm.",
    "Chỉ đạo hoàn thành các chỉ tiêu chuyên môn của kỳ tới; chuẩn bị tốt công tác phát triển đảng viên.",
    "Tổ chức học tập, quán triệt các nghị quyết còn lại cho đảng viên và quần chúng chưa tham gia.",
]
PROPOSALS = [
    "",
    "",
    "Đề nghị Đảng ủy Khối tổ chức tập huấn nghiệp vụ công tác đảng cho cấp ủy cơ sở.",
    "Đề nghị cung cấp thêm tài liệu học tập nghị quyết cho quần chúng.",
    "Đề nghị sớm mở lớp bồi dưỡng nhận thức về Đảng cho quần chúng ưu tú.",
]
RETURN_REASONS = [
    "Chưa báo cáo số quần chúng được học tập nghị quyết; đề nghị bổ sung.",
    "Phần kiến nghị chưa rõ; đề nghị ghi cụ thể và nộp lại.",
    "Thiếu đánh giá hạn chế, khuyết điểm trong kỳ; đề nghị bổ sung.",
]
#: Share of (organisation, period) reports never submitted, and submitted late, by year (2020 was worse).
MISSING = {2020: 0.07, 2021: 0.03}
LATE = {2020: 0.15, 2021: 0.11}
MISSING_LATER, LATE_LATER = 0.035, 0.12


def aware(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(7, 17), rng.randint(0, 59), tzinfo=TZ)


# --- periods, resolutions, targets --------------------------------------------------------------------------


def build_periods(years: list[int], today: dt.date) -> list[ReportingPeriod]:
    """Every period of `years` (made by the reporting service); returns those that have started by today."""
    for year in years:
        periods_create(year=year)
    return list(
        ReportingPeriod.objects.filter(year__in=years, starts_on__lte=today).order_by(
            "ends_on", "kind", "number"
        )
    )


def resolutions_for(year: int, today: dt.date) -> list[tuple[str, str]]:
    if year in RESOLUTIONS:
        return RESOLUTIONS[year]
    if year == today.year:
        return RESOLUTIONS["current"]
    return RESOLUTIONS["between"] + ([RESOLUTIONS_2025] if year == 2025 else [])


def build_resolutions(today: dt.date, *, staff=None) -> dict[int, list[Resolution]]:
    rows = []
    for year in range(2020, today.year + 1):
        for order, (short, title) in enumerate(resolutions_for(year, today), start=1):
            rows.append(Resolution(year=year, short_title=short, title=title, required=True, order=order))
    Resolution.objects.bulk_create(rows)
    record_history(Resolution, rows, user=staff)
    by_year = defaultdict(list)
    for r in Resolution.objects.order_by("year", "order"):
        by_year[r.year].append(r)
    return by_year


def build_targets(today: dt.date, *, staff=None) -> int:
    rows = []
    for year in (2021, today.year):
        for order, (code, comparator, value, rating, wording) in enumerate(TARGETS_2021, start=1):
            if year != 2021:
                wording = wording.replace("2021", str(year))
                if code == "admissions":
                    value = CURRENT_YEAR_ADMISSIONS
                    wording = f"Kết nạp {CURRENT_YEAR_ADMISSIONS} đảng viên trở lên"
            rows.append(
                Target(
                    year=year, indicator=code, comparator=comparator, value=Decimal(value), rating=rating,
                    wording=wording, order=order,
                )
            )  # fmt: skip
    Target.objects.bulk_create(rows)
    record_history(Target, rows, user=staff)
    return len(rows)


# --- registry figures from the simulated events ----------------------------------------------------------


class Registry:
    """Per organisation, sorted dates of each kind of event: figures for any period by bisection."""

    def __init__(self, world):
        lists = defaultdict(lambda: defaultdict(list))
        for _person, ev in world.events():
            d = lists[ev.org.pk]
            if ev.kind in (EventKind.ADMITTED, EventKind.TRANSFER_IN):
                d["in"].append(ev.effective_on)
            elif ev.kind in (EventKind.TRANSFER_OUT, EventKind.REMOVED, EventKind.EXPELLED, EventKind.LEFT,
                             EventKind.DIED):  # fmt: skip
                d["out"].append(ev.effective_on)
            if ev.kind == EventKind.ADMITTED:
                d["admissions"].append(ev.decided_on or ev.effective_on)
            elif ev.kind == EventKind.FULL_MEMBER:
                d["full"].append(ev.decided_on or ev.effective_on)
            if ev.kind == EventKind.TRANSFER_IN:
                d["tin"].append(ev.effective_on)
            elif ev.kind == EventKind.TRANSFER_OUT:
                d["tout"].append(ev.effective_on)
        for d in lists.values():
            for v in d.values():
                v.sort()
        self.lists = lists

    def figures(self, org_id: int, start: dt.date, end: dt.date) -> dict[str, int]:
        d = self.lists[org_id]

        def upto(key):
            return bisect_right(d.get(key, []), end)

        def within(key):
            dates = d.get(key, [])
            return bisect_right(dates, end) - bisect_left(dates, start)

        return {
            "members_total": max(upto("in") - upto("out"), 0),
            "admissions": within("admissions"),
            "full_memberships": within("full"),
            "transfers_in": within("tin"),
            "transfers_out": within("tout"),
        }


# --- reports ---------------------------------------------------------------------------------------------


class _Reports:
    def __init__(self, rng, orgs, periods, resolutions, world, staff, secretaries, today):
        self.rng = rng
        self.orgs = orgs
        self.periods = periods
        self.resolutions = resolutions
        self.registry = Registry(world)
        self.staff = staff
        self.secretary = {o.pk: s for o, s in zip(orgs, secretaries, strict=True)}
        self.today = today
        self.years = {
            (y.organization_id, y.year): y for y in OrganizationYear.objects.filter(organization__in=orgs)
        }
        cells = defaultdict(int)
        for org_id in Organization.objects.filter(cells__is_active=True).values_list("pk", flat=True):
            cells[org_id] += 1
        self.cells = cells
        # Masses' coverage each organisation reaches by the year's end (2021 overall ≈ 93%).
        self.masses_final = {o.pk: rng.uniform(0.88, 0.99) for o in orgs}
        self.reports: list[PeriodicReport] = []
        self.lines: list[list[StudyLine]] = []
        self.transitions: list[list[ReportTransition]] = []
        self.versions: list[list[ReportVersion]] = []

    # coverage of resolution number `j` (0-based) at the end of month `m`
    def coverage(self, org_id: int, year: int, j: int, month: int) -> tuple[float, float]:
        if month == 12:
            members = 1.0 if year == 2021 or self.rng.random() < 0.9 else 0.97
        else:
            start = j + 1
            members = (
                0.0 if month < start else min(0.98, 0.5 + 0.12 * (month - start) + self.rng.uniform(0, 0.05))
            )
        masses = members * self.masses_final[org_id] * (1 if month == 12 else self.rng.uniform(0.85, 1.0))
        return members, masses

    def content(self, org: Organization, period: ReportingPeriod, created: dt.datetime) -> PeriodicReport:
        rng = self.rng
        figures = self.registry.figures(org.pk, period.starts_on, period.ends_on)
        year_rec = self.years.get((org.pk, period.year))
        cells = self.cells[org.pk] or (1 if org.kind == Kind.CHI_BO_CO_SO else 0)
        months = MONTHS[period.kind]
        held = max(0, cells - (1 if cells > 2 and rng.random() < 0.2 * months / 3 else 0))
        # Years with meeting records (2021, the current year): the cells' figures are the records' (demo/meetings.py).
        book = (
            self.meetings.report_figures(org.pk, period.starts_on, period.ends_on) if self.meetings else None
        )
        if book is not None:
            figures = {**figures, **book}
            cells, held = book["cells_total"], book["cell_meetings_held"]
        report = PeriodicReport(
            organization=org,
            period=period,
            registry_snapshot={**figures, "taken_at": created.isoformat()},
            non_member_headcount=year_rec.non_member_headcount if year_rec else None,
            results_text=" ".join(rng.sample(RESULTS, 2)),
            shortcomings_text=rng.choice(SHORTCOMINGS),
            directions_text=" ".join(rng.sample(DIRECTIONS, 2)),
            proposals_text=rng.choice(PROPOSALS),
            created_at=created,
            **{"cells_total": cells, "cell_meetings_held": held, **figures},
        )
        if period.kind == ReportKind.YEAR and year_rec is not None:
            report.self_rating = year_rec.party_rating
            report.theme_text = year_rec.theme_text
            report.theme_doc_no = year_rec.theme_doc_no
            report.theme_issued_on = year_rec.theme_issued_on
        return report

    def study_lines(self, report: PeriodicReport) -> list[StudyLine]:
        period = report.period
        lines = []
        masses_total = report.non_member_headcount or 0
        for j, resolution in enumerate(self.resolutions.get(period.year, [])):
            members_cov, masses_cov = self.coverage(
                report.organization.pk, period.year, j, period.ends_on.month
            )
            lines.append(
                StudyLine(
                    report=report,
                    resolution=resolution,
                    members_total=report.members_total,
                    members_studied=min(report.members_total, round(report.members_total * members_cov)),
                    masses_total=masses_total,
                    masses_studied=min(masses_total, round(masses_total * masses_cov)),
                )
            )
        return lines

    def snapshot(self, report: PeriodicReport, lines: list[StudyLine]) -> dict:
        data = {
            name: getattr(report, name)
            for name in (
                "members_total", "admissions", "full_memberships", "transfers_in", "transfers_out",
                "non_member_headcount", "cells_total", "cell_meetings_held", "discrepancy_note",
                "results_text", "shortcomings_text", "directions_text", "proposals_text", "self_rating",
                "theme_text", "theme_doc_no",
            )
        }  # fmt: skip
        data["theme_issued_on"] = report.theme_issued_on.isoformat() if report.theme_issued_on else None
        data["study_lines"] = [
            {
                "resolution_id": line.resolution.pk,
                "short_title": line.resolution.short_title,
                "members_studied": line.members_studied,
                "members_total": line.members_total,
                "masses_studied": line.masses_studied,
                "masses_total": line.masses_total,
            }
            for line in lines
        ]
        data["registry_snapshot"] = report.registry_snapshot
        return data

    def add(self, report, lines, transitions=(), versions=()):
        self.reports.append(report)
        self.lines.append(lines)
        self.transitions.append(list(transitions))
        self.versions.append(list(versions))

    # --- one (organisation, period) --------------------------------------------------------------------

    def build(self):
        rng, today = self.rng, self.today
        for period in self.periods:
            for org in self.orgs:
                if not (
                    org.joined_on <= period.ends_on
                    and (org.left_on is None or org.left_on > period.starts_on)
                ):
                    continue
                if period.due_on < today:
                    self.past(org, period)
                elif org.code != "01":  # bithu01 must find the current report still to do
                    if period.ends_on < today and rng.random() < 0.4:
                        self.past(org, period, on_time_only=True)
                    elif period.kind == ReportKind.MONTH and rng.random() < 0.15:
                        self.draft(org, period)

    def draft(self, org, period):
        created = aware(
            max(period.starts_on, min(self.today - dt.timedelta(days=1), period.ends_on)), self.rng
        )
        report = self.content(org, period, created)
        report.updated_at, report.updated_by, report.revision = created, self.secretary[org.pk], 1
        self.add(report, self.study_lines(report))

    def past(self, org, period, on_time_only=False):
        rng, today = self.rng, self.today
        year = period.year
        missing = MISSING.get(year, MISSING_LATER)
        late_share = LATE.get(year, LATE_LATER)
        if year == 2021 and period.kind == ReportKind.YEAR:
            missing = 0.0  # every organisation filed its 2021 yearly report (study coverage 100%)
        roll = rng.random()
        if not on_time_only and roll < missing:
            if rng.random() < 0.4:  # a draft begun and never submitted
                self.draft(org, period)
            return
        if not on_time_only and roll < missing + late_share:
            first = period.due_on + dt.timedelta(days=rng.randint(1, 20))
        else:
            first = period.ends_on + dt.timedelta(days=rng.randint(0, (period.due_on - period.ends_on).days))
        first = min(first, today - dt.timedelta(days=1))
        secretary, staff = self.secretary[org.pk], self.staff
        first_at = aware(first, rng)
        created = first_at - dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
        report = self.content(org, period, created)
        lines = self.study_lines(report)
        transitions = [ReportTransition(report=report, from_status=ReportStatus.DRAFT,
                                        to_status=ReportStatus.SUBMITTED, by=secretary, at=first_at)]  # fmt: skip
        versions = []
        now_day = today - dt.timedelta(days=1)
        recent = period.due_on >= today - dt.timedelta(days=25)
        last_at = first_at
        status = ReportStatus.SUBMITTED
        returned_at = first_at + dt.timedelta(days=rng.randint(1, 3), hours=1)
        if rng.random() < 0.07 and returned_at.date() <= now_day:
            # Returned once: the first version lacked something, the second fixes it.
            reason = rng.choice(RETURN_REASONS)
            first_data = self.snapshot(report, lines)
            first_data["proposals_text"] = ""
            for line in first_data["study_lines"]:
                line["masses_studied"] = 0
            versions.append(ReportVersion(report=report, number=1, data=first_data, submitted_by=secretary,
                                          submitted_at=first_at))  # fmt: skip
            transitions.append(ReportTransition(report=report, from_status=ReportStatus.SUBMITTED,
                                                to_status=ReportStatus.RETURNED, by=staff, at=returned_at,
                                                reason=reason))  # fmt: skip
            status, last_at = ReportStatus.RETURNED, returned_at
            report.return_reason = reason
            again_at = returned_at + dt.timedelta(days=rng.randint(1, 4), hours=2)
            if not (recent and rng.random() < 0.5) and again_at.date() <= now_day:
                transitions.append(ReportTransition(report=report, from_status=ReportStatus.RETURNED,
                                                    to_status=ReportStatus.SUBMITTED, by=secretary,
                                                    at=again_at))  # fmt: skip
                versions.append(ReportVersion(report=report, number=2, data=self.snapshot(report, lines),
                                              submitted_by=secretary, submitted_at=again_at))  # fmt: skip
                status, last_at = ReportStatus.SUBMITTED, again_at
                report.return_reason = ""
        else:
            versions.append(ReportVersion(report=report, number=1, data=self.snapshot(report, lines),
                                          submitted_by=secretary, submitted_at=first_at))  # fmt: skip
        report.first_submitted_at = first_at
        report.submitted_at = versions[-1].submitted_at
        if status == ReportStatus.SUBMITTED and not (recent and rng.random() < 0.6):
            accepted_at = last_at + dt.timedelta(days=rng.randint(1, 7), hours=1)
            if accepted_at.date() <= now_day:
                transitions.append(ReportTransition(report=report, from_status=ReportStatus.SUBMITTED,
                                                    to_status=ReportStatus.ACCEPTED, by=staff, at=accepted_at))  # fmt: skip
                status, last_at = ReportStatus.ACCEPTED, accepted_at
                report.accepted_at, report.accepted_by = accepted_at, staff
        report.status = status
        report.revision = len(transitions) + 1
        report.updated_at = last_at
        report.updated_by = staff if status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED) else secretary
        self.add(report, lines, transitions, versions)

    def write(self):
        fields = [PeriodicReport._meta.get_field(n) for n in ("created_at", "updated_at")]
        with explicit_timestamps(*fields, ReportTransition._meta.get_field("at")):
            PeriodicReport.objects.bulk_create(self.reports, batch_size=1000)
            for report, lines, transitions, versions in zip(
                self.reports, self.lines, self.transitions, self.versions, strict=True
            ):
                for row in (*lines, *transitions, *versions):
                    row.report = report
            StudyLine.objects.bulk_create([x for group in self.lines for x in group], batch_size=2000)
            ReportTransition.objects.bulk_create(
                [x for group in self.transitions for x in group], batch_size=2000
            )
            ReportVersion.objects.bulk_create([x for group in self.versions for x in group], batch_size=1000)


def build_reports(rng, orgs, world, *, staff, secretaries, today: dt.date, meetings=None) -> dict[str, int]:
    # Every year since 2020: the secretaries' pages look back a year, so the previous one must be there too.
    years = list(range(2020, today.year + 1))
    periods = build_periods(years, today)
    resolutions = build_resolutions(today, staff=staff)
    targets = build_targets(today, staff=staff)
    builder = _Reports(rng, orgs, periods, resolutions, world, staff, secretaries, today)
    builder.meetings = meetings
    builder.build()
    builder.write()
    # The reports went in with bulk_create (no save, no signal): the punctuality tallies follow them now.
    tallies.rebuild()
    return {
        "periods": len(periods),
        "resolutions": sum(len(v) for v in resolutions.values()),
        "targets": targets,
        "reports": len(builder.reports),
    }
