"""A small demo-like world for the browser journeys, built through the ORM in well under a second.

Not the full ``load_demo`` (76 organisations, thousands of members): two organisations, a handful of
members, the current year's reporting periods, resolutions and targets, and the demo accounts
``vanphong``, ``lanhdao``, ``bithu01``, ``bithu02`` with the demo password.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from members.models import EventKind, Member, MemberEvent, MemberStatus
from organizations import access
from organizations.models import (
    BlocMembership,
    Cell,
    Congress,
    Kind,
    Officer,
    Organization,
    OrganizationYear,
    UnitType,
)
from reports.models import (
    DEFAULT_SCHEDULE,
    PeriodicReport,
    ReportingPeriod,
    ReportingSchedule,
    ReportKind,
    Resolution,
)
from reports.periods import periods_create
from targets.models import Comparator, Target

DEMO_PASSWORD = "demo-khoi-2021"
PROBATIONER = "Trần Thị Dự Bị"
OTHER_ORG_MEMBER = "Lê Văn Đơn Vị Khác"
NEWCOMER = "Võ Thị Mới Kết Nạp"
#: Each organisation's Chỉ thị 05 theme of a year (OrganizationYear), which the yearly report starts from.
THEME = "Năm {year}: siết chặt kỷ luật, kỷ cương; nêu gương học tập và làm theo Bác"
#: What a submitted report may not leave blank (reports.services.missing_on_submit), for staged submissions.
NARRATIVE = {
    "results_text": "Hoàn thành kế hoạch học tập nghị quyết.",
    "shortcomings_text": "Một chi bộ sinh hoạt chưa đúng kỳ.",
    "directions_text": "Tiếp tục học tập, quán triệt nghị quyết.",
}


@dataclass
class World:
    today: dt.date
    year: int
    org1: Organization
    org2: Organization
    staff: object
    leader: object
    secretary1: object
    secretary2: object
    probationer: Member
    members1: list[Member]
    other_member: Member
    resolutions: list[Resolution]
    periods: list[ReportingPeriod] = field(default_factory=list)

    @property
    def last_month(self) -> ReportingPeriod:
        """Last month's period: ended, so its figures count on the dashboard (now overdue if not sent)."""
        ended = [p for p in self.periods if p.kind == ReportKind.MONTH and p.ends_on < self.today]
        return max(ended, key=lambda p: p.ends_on)

    @property
    def next_month(self) -> ReportingPeriod:
        """Next month's period: not over, so its report may be saved but not submitted."""
        return min(
            (p for p in self.periods if p.kind == ReportKind.MONTH and p.starts_on > self.today),
            key=lambda p: p.starts_on,
        )

    @property
    def due_period(self) -> ReportingPeriod:
        """This month's period: its report is the one due next (``obligations_for_organization``'s "due")."""
        return next(
            p for p in self.periods if p.kind == ReportKind.MONTH and p.starts_on <= self.today <= p.ends_on
        )


def _user(username: str, role: str, first_name: str = "", last_name: str = ""):
    User = get_user_model()
    user = User.objects.create_user(
        username=username, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def _member(org, name, *, ceremony_on, full_on=None, cell=None, by=None):
    status = MemberStatus.CHINH_THUC if full_on else MemberStatus.DU_BI
    member = Member.objects.create(
        full_name=name,
        birth_date=dt.date(1990, 5, 17),
        gender="nu" if "Thị" in name else "nam",
        organization=org,
        cell=cell,
        admission_decided_on=ceremony_on - dt.timedelta(days=10),
        ceremony_on=ceremony_on,
        full_member_on=full_on,
        status=status,
    )
    MemberEvent.objects.create(
        member=member,
        kind=EventKind.ADMITTED,
        organization=org,
        decided_on=ceremony_on - dt.timedelta(days=10),
        effective_on=ceremony_on,
        decision_no=f"{member.pk}-QĐ/ĐU",
        recorded_by=by,
    )
    if full_on:
        MemberEvent.objects.create(
            member=member,
            kind=EventKind.FULL_MEMBER,
            organization=org,
            decided_on=full_on,
            effective_on=full_on,
            decision_no=f"{member.pk}-CT/ĐU",
            recorded_by=by,
        )
    return member


def _ensure_periods(year: int) -> list[ReportingPeriod]:
    for y in (year - 1, year, year + 1):  # next year's too: in December, next month is next year's
        periods_create(year=y)
    return list(ReportingPeriod.objects.filter(year__in=(year - 1, year, year + 1)))


def build_world() -> World:
    today = timezone.localdate()
    year = today.year
    for name in access.ROLES:
        Group.objects.get_or_create(name=name)
    for kind, (due_days, remind) in DEFAULT_SCHEDULE.items():
        ReportingSchedule.objects.get_or_create(
            kind=kind, defaults={"due_days": due_days, "remind_days_before": remind}
        )

    org1 = Organization.objects.create(
        code="01",
        name="Đảng bộ Sở Tài chính",
        kind=Kind.DANG_BO_CO_SO,
        unit_type=UnitType.CO_QUAN_HANH_CHINH,
        joined_on=dt.date(2000, 1, 1),
    )
    org2 = Organization.objects.create(
        code="02",
        name="Chi bộ Công ty Điện lực",
        kind=Kind.CHI_BO_CO_SO,
        unit_type=UnitType.DN_NHA_NUOC,
        joined_on=dt.date(2005, 1, 1),
    )
    for org, congress in ((org1, dt.date(2020, 5, 12)), (org2, dt.date(2020, 6, 3))):
        BlocMembership.objects.create(organization=org, joined_on=org.joined_on)
        Congress.objects.create(organization=org, term_start=2020, held_on=congress)
    cells = [Cell.objects.create(organization=org1, name=n) for n in ("Chi bộ Văn phòng", "Chi bộ Thanh tra")]
    for org, headcount in ((org1, 40), (org2, 25)):
        for y in (year - 1, year):  # last year too: in January, last month's report is last year's
            OrganizationYear.objects.create(
                organization=org,
                year=y,
                non_member_headcount=headcount,
                theme_text=THEME.format(year=y),
                theme_doc_no=f"01-KH/{org.code}",
                theme_issued_on=dt.date(y, 1, 8),
            )

    staff = _user("vanphong", access.STAFF, "Văn phòng", "")
    leader = _user("lanhdao", access.LEADERSHIP, "Lãnh đạo", "")
    secretary1 = _user("bithu01", access.SECRETARY, "Bí thư", "01")
    secretary2 = _user("bithu02", access.SECRETARY, "Bí thư", "02")
    for user in (staff, secretary1, secretary2):  # mails: a returned report, a resubmission, reminders
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    Officer.objects.create(user=secretary1, organization=org1, title="bi_thu")
    Officer.objects.create(user=secretary2, organization=org2, title="bi_thu")

    # A probationary member whose 12 months are over (full membership is due), and three full members.
    ceremony = dt.date(year - 1, 3, 2) if today.month >= 4 else dt.date(year - 2, 9, 2)
    probationer = _member(org1, PROBATIONER, ceremony_on=ceremony, cell=cells[0], by=secretary1)
    members1 = [probationer] + [
        _member(
            org1,
            name,
            ceremony_on=dt.date(2010 + i, 4, 1),
            full_on=dt.date(2011 + i, 4, 1),
            cell=cells[i % 2],
            by=secretary1,
        )
        for i, name in enumerate(("Nguyễn Văn An", "Phạm Thị Bình", "Hoàng Văn Cường"))
    ]
    # Admitted this year (counts in the year's admissions figure).
    admitted_on = dt.date(year, 1, 20) if today > dt.date(year, 1, 20) else today
    members1.append(_member(org1, NEWCOMER, ceremony_on=admitted_on, cell=cells[1], by=secretary1))
    other = _member(org2, OTHER_ORG_MEMBER, ceremony_on=dt.date(2012, 1, 5), full_on=dt.date(2013, 1, 5))

    resolutions = [
        Resolution.objects.create(
            year=year,
            title=f"Nghị quyết số {n} của Trung ương",
            short_title=f"NQ {n}",
            required=True,
            order=n,
        )
        for n in (1, 2)
    ]
    for n in (1, 2):  # last year's (in January, last month's report studies them)
        Resolution.objects.create(
            year=year - 1,
            title=f"Nghị quyết số {n} của Trung ương",
            short_title=f"NQ {n}",
            required=True,
            order=n,
        )
    for order, (code, comparator, value) in enumerate(
        (
            ("admissions", Comparator.GTE, Decimal("10")),
            ("official_recognitions", Comparator.GTE, Decimal("5")),
            ("members_studied", Comparator.GTE, Decimal("90")),
            ("reports_on_time", Comparator.GTE, Decimal("95")),
        )
    ):
        Target.objects.create(
            year=year,
            indicator=code,
            comparator=comparator,
            value=value,
            wording=f"Chỉ tiêu {order + 1} năm {year}",
            order=order,
        )

    periods = _ensure_periods(year)
    return World(
        today=today,
        year=year,
        org1=org1,
        org2=org2,
        staff=staff,
        leader=leader,
        secretary1=secretary1,
        secretary2=secretary2,
        probationer=probationer,
        members1=members1,
        other_member=other,
        resolutions=resolutions,
        periods=periods,
    )


def report_with_study(
    world: World, *, org, period, by, studied: list[int], accepted_by=None
) -> PeriodicReport:
    """`org`'s report for `period`, opened and submitted by `by` through the reporting services, with
    `studied[i]` members having studied resolution i (of the roll the registry prefills), accepted by
    `accepted_by` when given. The journeys drive this workflow in the browser; this only sets the stage
    for what another role sees."""
    from reports import services

    report = services.report_start(organization=org, period=period, by=by)
    lines = {
        line.resolution_id: {"members_studied": done, "masses_studied": min(20, line.masses_total)}
        for line, done in zip(report.study_lines.order_by("resolution__order"), studied, strict=False)
    }
    report = services.report_submit(report=report, by=by, data=NARRATIVE, lines=lines)
    if accepted_by is not None:
        report = services.report_accept(report=report, by=accepted_by)
    return report
