"""Cell meetings (sinh hoạt chi bộ): the rules and the reads. The one home of:

- **which cells meet** (``units_of``): every active chi bộ trực thuộc of a đảng bộ cơ sở, and each chi bộ cơ sở,
  which is its own cell (its meetings carry no cell);
- **a month without its regular meeting, a quarter without a thematic one** (Điều lệ Đảng Art. 24: the chi bộ
  meets once a month; Hướng dẫn 42-HD/BTCTW 2025 and Hướng dẫn 12-HD/BTCTW 2018 before it: a thematic meeting at
  least once a quarter, not instead of the monthly one): flagged once the month or quarter has ended, for the
  months the organisation belonged to the Bloc (``unit_year``);
- **a member absent without good reason in three months of a year** (Điều lệ Đảng Art. 8.1: "bỏ sinh hoạt chi
  bộ … ba tháng trong năm mà không có lý do chính đáng" — three months in the year, not necessarily in a row;
  the cell then proposes removal to the competent committee): ``absence_flags``;
- the figures the periodic report takes from the meetings (``report_figures``) and the indicators'
  per-organisation numbers (``organization_year``).

Only completed meetings count; a draft or a withdrawn one counts nowhere. Every read here is a fixed number of
queries whatever the number of organisations, cells or meetings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth

from organizations.access import meeting_cells_q
from organizations.models import Cell, Kind, Organization

from .models import (
    THEMATIC_KINDS,
    CellMeeting,
    MeetingAttendance,
    MeetingCriterion,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberStatus,
    Presence,
)

#: Điều lệ Đảng Art. 8.1: three months in a year absent without good reason.
ABSENT_MONTHS_FLAG = 3
#: Members expected at a meeting (a member exempted from party life — miễn sinh hoạt — is not).
ROLL_STATUSES = (MemberStatus.DU_BI, MemberStatus.CHINH_THUC)

#: The checklist proposed for a year, by the guidance in force that year. Staff edit each year's list
#: (``MeetingCriterion``); this is only what "Tạo theo hướng dẫn" writes. Hướng dẫn 42-HD/BTCTW (28/10/2025)
#: replaced Hướng dẫn 12-HD/BTCTW (2018) from 2025 on. The 42-HD lines are what its text says (duration at least
#: 90 minutes, 120 when the thematic and the regular meeting are held in one session; the materials posted on
#: the Sổ tay đảng viên app at least a day before; the time, place and content announced to the members and to
#: the higher committee that follows the cell). The attendance line (more than 85% present) is the figure the
#: issue names; its source text was not at hand: staff check it against the guidance and edit it.
GUIDANCE_42 = "Hướng dẫn 42-HD/BTCTW ngày 28/10/2025"
GUIDANCE_12 = "Hướng dẫn 12-HD/BTCTW (2018)"
DEFAULT_CRITERIA = {
    2025: [
        ("attendance", "Đảng viên dự sinh hoạt đạt trên 85%", ""),
        ("duration", "Thời lượng tối thiểu 90 phút (120 phút khi sinh hoạt chuyên đề cùng buổi thường kỳ)",
         GUIDANCE_42),
        ("materials", "Tài liệu sinh hoạt đăng trên Sổ tay đảng viên điện tử ít nhất 01 ngày trước", GUIDANCE_42),
        ("notice", "Thông báo thời gian, địa điểm, nội dung đến đảng viên và cấp ủy cấp trên theo dõi chi bộ",
         GUIDANCE_42),
        ("resolution", "Chi bộ thảo luận, biểu quyết và thông qua nghị quyết", GUIDANCE_42),
    ],
    2018: [
        ("attendance", "Đảng viên dự sinh hoạt đạt trên 85%", GUIDANCE_12),
        ("duration", "Thời lượng sinh hoạt bảo đảm theo hướng dẫn", GUIDANCE_12),
        ("preparation", "Chi ủy chuẩn bị nội dung, dự thảo nghị quyết trước khi sinh hoạt", GUIDANCE_12),
        ("resolution", "Chi bộ thảo luận, biểu quyết và thông qua nghị quyết", GUIDANCE_12),
    ],
}  # fmt: skip


def default_criteria(year: int) -> list[tuple[str, str, str]]:
    """The guidance's lines for `year`: 42-HD from 2025, 12-HD before."""
    return DEFAULT_CRITERIA[2025 if year >= 2025 else 2018]


def criteria_of(year: int) -> list[MeetingCriterion]:
    """The year's checklist as staff keep it (active lines, in order)."""
    return list(MeetingCriterion.objects.filter(year=year, is_active=True).order_by("order", "pk"))


# --- which cells meet ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A cell that holds the monthly meeting: a chi bộ trực thuộc, or a chi bộ cơ sở itself (``cell_id`` None)."""

    organization_id: int
    cell_id: int | None
    code: str
    name: str
    joined_on: dt.date
    left_on: dt.date | None

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.organization_id, self.cell_id)

    def in_bloc_during(self, start: dt.date, end: dt.date) -> bool:
        return self.joined_on <= end and (self.left_on is None or self.left_on > start)


def units_of(organizations: QuerySet[Organization] | Iterable[Organization]) -> list[Unit]:
    """The cells that meet, of `organizations`, in code then name order (two queries)."""
    orgs = list(organizations)
    base_ids = [o.pk for o in orgs if o.kind == Kind.CHI_BO_CO_SO]
    cells = defaultdict(list)
    for cell in (
        Cell.objects.filter(meeting_cells_q(), organization__in=[o.pk for o in orgs if o.pk not in base_ids])
        .only("pk", "name", "organization_id")
        .order_by("name", "pk")
    ):
        cells[cell.organization_id].append(cell)
    units = []
    for org in sorted(orgs, key=lambda o: o.code):
        if org.kind == Kind.CHI_BO_CO_SO:
            units.append(Unit(org.pk, None, org.code, org.name, org.joined_on, org.left_on))
        for cell in cells[org.pk]:
            units.append(Unit(org.pk, cell.pk, org.code, cell.name, org.joined_on, org.left_on))
    return units


def unit_of(organization: Organization, cell: Cell | None) -> Unit:
    name = cell.name if cell else organization.name
    return Unit(organization.pk, cell.pk if cell else None, organization.code, name, organization.joined_on,
                organization.left_on)  # fmt: skip


def roll_of(organization: Organization, cell: Cell | None) -> QuerySet[Member]:
    """The members expected at the unit's meetings: its members on the roll, not exempted (miễn sinh hoạt)."""
    members = Member.objects.filter(organization=organization, status__in=ROLL_STATUSES)
    if cell is not None:
        members = members.filter(cell=cell)
    return members.order_by("full_name", "pk")


# --- months and quarters ----------------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    end = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def _ended(end: dt.date, as_of: dt.date) -> bool:
    """A month or quarter is judged once it has passed."""
    return end < as_of


@dataclass
class UnitYear:
    """One cell's year of meetings as of a day: which months had the regular meeting, which quarters a thematic
    one, and which are due (ended, while the organisation belonged to the Bloc)."""

    unit: Unit
    year: int
    regular_months: set[int] = field(default_factory=set)
    thematic_quarters: set[int] = field(default_factory=set)
    meetings: int = 0
    thematic: int = 0
    with_higher: int = 0
    present: int = 0
    expected: int = 0
    due_months: list[int] = field(default_factory=list)
    due_quarters: list[int] = field(default_factory=list)
    as_of: dt.date | None = None

    @property
    def missing_months(self) -> list[int]:
        """Ended months without a regular meeting (Điều lệ Art. 24)."""
        return [m for m in self.due_months if m not in self.regular_months]

    @property
    def missing_quarters(self) -> list[int]:
        """Ended quarters without a thematic meeting."""
        return [q for q in self.due_quarters if q not in self.thematic_quarters]

    @property
    def met_every_month(self) -> bool:
        return not self.missing_months

    @property
    def attendance_rate(self) -> float | None:
        return round(100 * self.present / self.expected, 1) if self.expected else None

    @property
    def month_states(self) -> list[tuple[int, str]]:
        return [(m, self.month_state(m)) for m in range(1, 13)]

    def month_state(self, month: int) -> str:
        """For the grid: ``held``, ``missing`` (ended, none), ``open`` (not ended yet) or ``none`` (not owed)."""
        if month in self.regular_months:
            return "held"
        if month in self.due_months:
            return "missing"
        start, end = month_bounds(self.year, month)
        if self.as_of is not None and not _ended(end, self.as_of) and self.unit.in_bloc_during(start, end):
            return "open"
        return "none"


def _counted(year: int, as_of: dt.date) -> QuerySet[CellMeeting]:
    return CellMeeting.objects.filter(
        status=MeetingStatus.COMPLETED,
        held_on__gte=dt.date(year, 1, 1),
        held_on__lte=min(as_of, dt.date(year, 12, 31)),
    )


def unit_years(units: list[Unit], year: int, as_of: dt.date) -> dict[tuple, UnitYear]:
    """Every unit's ``UnitYear`` (two queries: the meetings by unit, month and kind; the attendance by unit)."""
    out = {u.key: UnitYear(unit=u, year=year, as_of=as_of) for u in units}
    org_ids = sorted({u.organization_id for u in units})
    if not units:
        return out
    meetings = (
        _counted(year, as_of)
        .filter(organization__in=org_ids)
        .annotate(month=ExtractMonth("held_on"))
        .values("organization_id", "cell_id", "month", "kind")
        .annotate(n=Count("pk"), higher=Count("pk", filter=~Q(higher_attendee="")))
        .order_by()
    )
    for row in meetings:
        record = out.get((row["organization_id"], row["cell_id"]))
        if record is None:  # a meeting of a cell that no longer meets (made inactive)
            continue
        record.meetings += row["n"]
        record.with_higher += row["higher"]
        if row["kind"] in THEMATIC_KINDS:
            record.thematic += row["n"]
            record.thematic_quarters.add(quarter_of(row["month"]))
        if row["kind"] != MeetingKind.CHUYEN_DE:
            record.regular_months.add(row["month"])
    attendance = (
        MeetingAttendance.objects.filter(meeting__in=_counted(year, as_of).filter(organization__in=org_ids))
        .values("meeting__organization_id", "meeting__cell_id")
        .annotate(expected=Count("pk"), present=Count("pk", filter=Q(presence=Presence.PRESENT)))
        .order_by()
    )
    for row in attendance:
        record = out.get((row["meeting__organization_id"], row["meeting__cell_id"]))
        if record is not None:
            record.expected, record.present = row["expected"], row["present"]
    for record in out.values():
        for month in range(1, 13):
            start, end = month_bounds(year, month)
            if _ended(end, as_of) and record.unit.in_bloc_during(start, end):
                record.due_months.append(month)
        for quarter in range(1, 5):
            start, end = month_bounds(year, 3 * quarter - 2)[0], month_bounds(year, 3 * quarter)[1]
            if _ended(end, as_of) and record.unit.in_bloc_during(start, end):
                record.due_quarters.append(quarter)
    return out


def unit_year(organization: Organization, cell: Cell | None, year: int, as_of: dt.date) -> UnitYear:
    unit = unit_of(organization, cell)
    return unit_years([unit], year, as_of)[unit.key]


@dataclass
class OrganizationMeetings:
    """An organisation's cells over a year: the figures the indicators and the evidence pack read."""

    units: list[UnitYear]

    @property
    def cells(self) -> int:
        return len(self.units)

    @property
    def cells_every_month(self) -> int:
        return sum(1 for u in self.units if u.met_every_month)

    @property
    def months_due(self) -> int:
        return sum(len(u.due_months) for u in self.units)

    @property
    def months_held(self) -> int:
        return sum(len(set(u.due_months) & u.regular_months) for u in self.units)

    @property
    def quarters_due(self) -> int:
        return sum(len(u.due_quarters) for u in self.units)

    @property
    def quarters_held(self) -> int:
        return sum(len(set(u.due_quarters) & u.thematic_quarters) for u in self.units)

    @property
    def meetings(self) -> int:
        return sum(u.meetings for u in self.units)

    @property
    def thematic(self) -> int:
        return sum(u.thematic for u in self.units)

    @property
    def with_higher(self) -> int:
        return sum(u.with_higher for u in self.units)

    @property
    def present(self) -> int:
        return sum(u.present for u in self.units)

    @property
    def expected(self) -> int:
        return sum(u.expected for u in self.units)


def organization_years(
    organizations: QuerySet[Organization] | Iterable[Organization], year: int, as_of: dt.date
) -> dict[int, OrganizationMeetings]:
    """{organisation id: its cells' year} for `organizations` (four queries whatever their number)."""
    orgs = list(organizations)
    units = units_of(orgs)
    years = unit_years(units, year, as_of)
    out = {o.pk: OrganizationMeetings(units=[]) for o in orgs}
    for unit in units:
        out[unit.organization_id].units.append(years[unit.key])
    return out


def organization_year(organization: Organization, year: int, as_of: dt.date) -> OrganizationMeetings:
    return organization_years([organization], year, as_of)[organization.pk]


# --- the periodic report's figures --------------------------------------------------------------------------------


def report_figures(organization: Organization, start: dt.date, end: dt.date) -> dict[str, int] | None:
    """ "Số chi bộ" and "số chi bộ sinh hoạt đúng định kỳ" for a report of [start, end] (whole months): the cells
    that meet, and those that held their regular meeting in every month of the period. None when the
    organisation recorded no meeting in that year: then there is nothing to prefill from."""
    if not _counted(start.year, dt.date(start.year, 12, 31)).filter(organization=organization).exists():
        return None
    units = units_of([organization])
    years = unit_years(units, start.year, end + dt.timedelta(days=1))
    months = range(start.month, end.month + 1)
    held = sum(1 for u in years.values() if all(m in u.regular_months for m in months))
    return {"cells_total": len(units), "cell_meetings_held": held}


# --- absences ---------------------------------------------------------------------------------------------------


@dataclass
class AbsenceFlag:
    member_id: int
    full_name: str
    organization_id: int
    code: str
    cell_name: str
    months: list[int]

    @property
    def months_text(self) -> str:
        return ", ".join(f"tháng {m}" for m in self.months)


def absence_flags(year: int, *, organization: Organization | None = None, cell: Cell | None = None,
                  organizations: QuerySet[Organization] | None = None) -> list[AbsenceFlag]:  # fmt: skip
    """Members absent without good reason from their cell's completed meetings in at least three different
    months of `year` (Điều lệ Đảng Art. 8.1), in `organization` (its `cell` only) or `organizations`
    (default: all). Two queries."""
    absences = MeetingAttendance.objects.filter(
        presence=Presence.UNEXCUSED,
        meeting__status=MeetingStatus.COMPLETED,
        meeting__held_on__year=year,
    )
    if organization is not None:
        absences = absences.filter(meeting__organization=organization)
    if organizations is not None:
        absences = absences.filter(meeting__organization__in=organizations)
    if cell is not None:
        absences = absences.filter(meeting__cell=cell)
    months: dict[int, set[int]] = defaultdict(set)
    for member_id, day in absences.values_list("member_id", "meeting__held_on").order_by():
        months[member_id].add(day.month)
    flagged = {m: sorted(ms) for m, ms in months.items() if len(ms) >= ABSENT_MONTHS_FLAG}
    if not flagged:
        return []
    members = Member.objects.filter(pk__in=flagged).select_related("organization", "cell")
    return sorted(
        (
            AbsenceFlag(
                member_id=m.pk,
                full_name=m.full_name,
                organization_id=m.organization_id,
                code=m.organization.code,
                cell_name=m.cell.name if m.cell_id else m.organization.name,
                months=flagged[m.pk],
            )
            for m in members
        ),
        key=lambda f: (f.code, f.cell_name, f.full_name, f.member_id),
    )


def organization_flags(
    organization: Organization, year: int, as_of: dt.date, *, cell: Cell | None = None
) -> tuple[list[AbsenceFlag], list[UnitYear]]:
    """What the organisation's page flags for `year`: the members absent without reason in three months (Điều lệ
    Art. 8.1) and its cells with a passed month or quarter missing (only `cell`'s, when given)."""
    units = [u for u in units_of([organization]) if cell is None or u.cell_id == cell.pk]
    years = unit_years(units, year, as_of)
    gaps = [years[u.key] for u in units if years[u.key].missing_months or years[u.key].missing_quarters]
    return absence_flags(year, organization=organization, cell=cell), gaps


def member_year(member: Member, year: int) -> dict[str, int]:
    """A member's year at their cell's completed meetings: present, excused, unexcused, and the months absent
    without reason (the evidence beside their rating)."""
    rows = MeetingAttendance.objects.filter(
        member=member, meeting__status=MeetingStatus.COMPLETED, meeting__held_on__year=year
    ).values_list("presence", "meeting__held_on")
    out = {Presence.PRESENT: 0, Presence.EXCUSED: 0, Presence.UNEXCUSED: 0}
    months = set()
    for presence, day in rows:
        out[presence] += 1
        if presence == Presence.UNEXCUSED:
            months.add(day.month)
    return {
        "present": out[Presence.PRESENT],
        "excused": out[Presence.EXCUSED],
        "unexcused": out[Presence.UNEXCUSED],
        "meetings": sum(out.values()),
        "unexcused_months": sorted(months),
        "flagged": len(months) >= ABSENT_MONTHS_FLAG,
    }


def meetings_of(organization: Organization, cell: Cell | None, year: int) -> QuerySet[CellMeeting]:
    """The unit's meetings of `year` (drafts and withdrawn ones included), newest first, with their counts."""
    return (
        CellMeeting.objects.filter(organization=organization, cell=cell, held_on__year=year)
        .annotate(
            present=Count("attendance", filter=Q(attendance__presence=Presence.PRESENT)),
            expected=Count("attendance"),
        )
        .order_by("-held_on", "-pk")
    )


def attendance_by_member(organization: Organization, year: int) -> dict[int, dict]:
    """{member id: {present, meetings, unexcused_months}} at the completed meetings of `year` in
    `organization`: the evidence column of the members' rating page (one query)."""
    out: dict[int, dict] = {}
    rows = MeetingAttendance.objects.filter(
        meeting__organization=organization,
        meeting__status=MeetingStatus.COMPLETED,
        meeting__held_on__year=year,
    ).values_list("member_id", "presence", "meeting__held_on")
    for member_id, presence, day in rows:
        entry = out.setdefault(member_id, {"present": 0, "meetings": 0, "months": set()})
        entry["meetings"] += 1
        if presence == Presence.PRESENT:
            entry["present"] += 1
        elif presence == Presence.UNEXCUSED:
            entry["months"].add(day.month)
    for entry in out.values():
        entry["unexcused_months"] = sorted(entry.pop("months"))
        entry["flagged"] = len(entry["unexcused_months"]) >= ABSENT_MONTHS_FLAG
    return out
