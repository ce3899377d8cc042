"""The dues rules and the reads built on them — one home for each:

- what a member owes for a month: the rate of their category in force on the month's date (``rate_for``), applied
  to their income base (``amount_due``) — Quyết định 342-QĐ/TW 2010 until 31/01/2026, Quy định 01-QĐ/TW 2026
  from 01/02/2026, both kept as data (``DuesRate``);
- who owes dues for a month: the organisation's roll at the end of the month (``roll_for_month``); a member on
  it with no line is "chưa thu" (never silently absent);
- three unpaid months in a year without good reason flag the member (Điều lệ Đảng Art. 8.1, repeated in
  QĐ 01-QĐ/TW 2026): ``flagged_members``;
- the share each level keeps and when a TCCSĐ's remittance is due, late or missing (``DuesPolicy``,
  ``remittance_periods``, ``remittance_status``);
- the Bloc's yearly report by organisation (``year_report``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum, prefetch_related_objects

from organizations.models import ENTERPRISE_UNIT_TYPES, Organization, UnitType

from .models import (
    ROLL_IN_KINDS,
    ROLL_OUT_KINDS,
    DuesLine,
    DuesPolicy,
    DuesRate,
    DuesRemittance,
    DuesStatus,
    Member,
    MemberDues,
    MemberEvent,
)

#: Điều lệ Đảng Art. 8.1 (QĐ 01-QĐ/TW 2026 repeats it): not paying dues three months in a year without good
#: reason — the member is flagged for the cell to consider (xóa tên).
UNPAID_MONTHS_FLAG = 3


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_of(year: int, until: dt.date | None = None) -> list[dt.date]:
    """The first days of `year`'s months, up to the month of `until` (inclusive) when given."""
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    if until is not None:
        months = [m for m in months if m <= month_start(until)]
    return months


def parse_month(raw: str | None) -> dt.date | None:
    """ "2021-03" → 01/03/2021; anything else → None."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return dt.date(year, month, 1) if 1930 <= year <= 2100 else None
    except ValueError:
        return None


# --- what a member owes ---------------------------------------------------------------------------------------


def rates_on(month: dt.date) -> dict[str, DuesRate]:
    """{category: rate} in force in `month` (the month's first day chooses)."""
    rows = DuesRate.objects.filter(valid_from__lte=month).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=month)
    )
    found: dict[str, DuesRate] = {}
    for rate in rows.order_by("category", "-valid_from"):
        found.setdefault(rate.category, rate)
    return found


def rate_for(category: str, month: dt.date) -> DuesRate | None:
    return rates_on(month).get(category)


def amount_due(rate: DuesRate | None, income_base: int | None) -> int | None:
    """The month's dues in whole đồng: the rate of the base (half up), or the fixed amount; None when the
    base is not known for a rate."""
    if rate is None:
        return None
    if rate.fixed_amount is not None:
        return rate.fixed_amount
    if income_base is None:
        return None
    return int((Decimal(income_base) * rate.percent / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def default_category(organization: Organization) -> str:
    """The category a member of `organization` has until their own is recorded (QĐ 342 Art. 2: enterprises and
    public service units on the wage fund; agencies on salary and allowances)."""
    if organization.unit_type in (*ENTERPRISE_UNIT_TYPES, UnitType.SU_NGHIEP_CONG_LAP):
        return "doanh_nghiep"
    return "hanh_chinh"


def categories() -> list[tuple[str, str]]:
    """Every category of the settings (code, label of its newest row)."""
    seen: dict[str, str] = {}
    for code, label in DuesRate.objects.order_by("category", "-valid_from").values_list("category", "label"):
        seen.setdefault(code, label)
    return sorted(seen.items(), key=lambda kv: kv[1])


# --- who owes for a month -------------------------------------------------------------------------------------


def roll_ids(organization: Organization, day: dt.date) -> set[int]:
    """Members on `organization`'s roll at the end of `day`, from the events (a temporary transfer keeps the
    member on the home roll: it is neither a roll-in nor a roll-out)."""
    counts = (
        MemberEvent.objects.filter(organization=organization, effective_on__lte=day)
        .values("member_id")
        .annotate(
            ins=Count("pk", filter=Q(kind__in=ROLL_IN_KINDS)),
            outs=Count("pk", filter=Q(kind__in=ROLL_OUT_KINDS)),
        )
    )
    return {row["member_id"] for row in counts if row["ins"] > row["outs"]}


@dataclass
class MonthRow:
    member: Member
    category: str
    rate: DuesRate | None
    due: int | None
    line: DuesLine | None


def month_sheet(organization: Organization, month: dt.date, cell=None) -> list[MonthRow]:
    """The month's collection sheet: every member on the roll at the month's end (of `cell` if given), with what
    they owe and the line recorded (None: "chưa thu"). Four queries."""
    ids = roll_ids(organization, month_end(month))
    members = Member.objects.filter(pk__in=ids).select_related("cell", "dues_profile")
    if cell is not None:
        members = members.filter(cell=cell)
    lines = {
        line.member_id: line
        for line in DuesLine.objects.filter(organization=organization, month=month, member_id__in=ids)
    }
    rates = rates_on(month)
    fallback = default_category(organization)
    rows = []
    for member in members.order_by("cell__name", "sort_name", "pk"):
        profile = getattr(member, "dues_profile", None)
        category = profile.category if profile else fallback
        rate = rates.get(category)
        rows.append(
            MonthRow(
                member=member,
                category=category,
                rate=rate,
                due=amount_due(rate, profile.income_base if profile else None),
                line=lines.get(member.pk),
            )
        )
    return rows


def profile_of(member: Member) -> MemberDues | None:
    return MemberDues.objects.filter(member=member).first()


# --- three unpaid months -------------------------------------------------------------------------------------


@dataclass
class Flag:
    member_id: int
    full_name: str
    organization_code: str
    organization_id: int
    months: list[dt.date]


def flagged_members(year: int, organizations=None) -> list[Flag]:
    """Members with at least three months of `year` recorded unpaid without good reason (Điều lệ Art. 8.1).
    A month with no line is "chưa thu" — the organisation has not recorded it — and is shown apart, not
    counted against the member."""
    lines = DuesLine.objects.filter(month__year=year, status=DuesStatus.UNPAID)
    if organizations is not None:
        lines = lines.filter(organization__in=organizations)
    by_member: dict[int, list] = defaultdict(list)
    names = {}
    for member_id, month, name, code, org_id in lines.values_list(
        "member_id", "month", "member__full_name", "organization__code", "organization_id"
    ).order_by("member_id", "month"):
        by_member[member_id].append(month)
        names[member_id] = (name, code, org_id)
    return sorted(
        (
            Flag(pk, names[pk][0], names[pk][1], names[pk][2], months)
            for pk, months in by_member.items()
            if len(months) >= UNPAID_MONTHS_FLAG
        ),
        key=lambda f: (f.organization_code, f.full_name),
    )


def member_year(member: Member, year: int) -> dict:
    """One member's months of `year` by what was recorded: {status: [months]} for paid, unpaid and exempt, and
    whether the unpaid ones reach the Art. 8.1 flag (the evidence beside their rating). One query."""
    out: dict = {status: [] for status in DuesStatus.values}
    for month, status in (
        DuesLine.objects.filter(member=member, month__year=year)
        .order_by("month")
        .values_list("month", "status")
    ):
        out[status].append(month.month)
    out["flagged"] = len(out[DuesStatus.UNPAID]) >= UNPAID_MONTHS_FLAG
    return out


# --- remittances ----------------------------------------------------------------------------------------------


def policy_on(day: dt.date) -> DuesPolicy | None:
    return DuesPolicy.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def in_force(policies: list[DuesPolicy], day: dt.date) -> DuesPolicy | None:
    """``policy_on`` over policies already read (newest first): for a caller that loops over days."""
    return next((p for p in policies if p.valid_from <= day), None)


@dataclass(frozen=True)
class RemittancePeriod:
    start: dt.date
    end: dt.date
    due: dt.date

    @property
    def label(self) -> str:
        if self.start.month == self.end.month:
            return f"Tháng {self.start.month}/{self.start.year}"
        return f"Quý {(self.start.month - 1) // 3 + 1}/{self.start.year}"


def remittance_periods(year: int) -> list[RemittancePeriod]:
    """`year`'s remittance periods under the policy in force at its start (months or quarters: a change of the
    period starts a year, ``services.dues_policy_set``), each due ``remit_due_days`` after it ends under the
    policy in force when the period starts."""
    policies = list(DuesPolicy.objects.filter(valid_from__lte=dt.date(year, 12, 31)).order_by("-valid_from"))

    first_policy = in_force(policies, dt.date(year, 1, 1))
    every = first_policy.remit_every_months if first_policy else 3
    periods = []
    for first in range(1, 13, every):
        start = dt.date(year, first, 1)
        end = month_end(dt.date(year, first + every - 1, 1))
        policy = in_force(policies, start)
        days = policy.remit_due_days if policy else 15
        periods.append(RemittancePeriod(start, end, end + dt.timedelta(days=days)))
    return periods


ON_TIME, LATE, MISSING, NOT_YET = "on_time", "late", "missing", "not_yet"
REMITTANCE_LABELS = {
    ON_TIME: "Đúng hạn",
    LATE: "Muộn",
    MISSING: "Chưa nộp (quá hạn)",
    NOT_YET: "Chưa đến hạn",
}


def remittance_status(period: RemittancePeriod, remittance: DuesRemittance | None, as_of: dt.date) -> str:
    """On time (remitted by the due date), late (after it), missing (nothing by `as_of`, the due date passed)
    or not yet due — the one rule for a TCCSĐ's remittance to the Bloc."""
    if remittance is not None and remittance.remitted_on <= as_of:
        return ON_TIME if remittance.remitted_on <= period.due else LATE
    return MISSING if as_of > period.due else NOT_YET


def owing_organizations(year: int, as_of: dt.date) -> list[Organization]:
    """The TCCSĐ that owe the Bloc dues for `year`: those in the Bloc for some part of it (up to `as_of`)."""
    end = min(dt.date(year, 12, 31), as_of)
    return list(
        Organization.objects.in_bloc_during(dt.date(year, 1, 1), end)
        .order_by("code")
        .prefetch_related("spells")
    )


def remittance_table(year: int, as_of: dt.date, organizations=None) -> dict[int, list[tuple]]:
    """{organisation id: [(period, remittance or None, status)]} for the periods of `year` (three queries)."""
    orgs = organizations if organizations is not None else owing_organizations(year, as_of)
    prefetch_related_objects(
        [o for o in orgs if "spells" not in getattr(o, "_prefetched_objects_cache", {})], "spells"
    )
    periods = remittance_periods(year)
    recorded = {
        (r.organization_id, r.period_start): r
        for r in DuesRemittance.objects.filter(organization__in=orgs, period_start__year=year)
    }
    table = {}
    for org in orgs:
        rows = []
        for period in periods:
            if not org.belongs_during(period.start, period.end):
                continue
            remittance = recorded.get((org.pk, period.start))
            rows.append((period, remittance, remittance_status(period, remittance, as_of)))
        table[org.pk] = rows
    return table


def kept_share(amount: int, percent: Decimal) -> int:
    return int((Decimal(amount) * percent / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _keeps_percent(policy: DuesPolicy | None) -> Decimal:
    return policy.organization_keeps_percent if policy else Decimal("70")


def _bloc_keeps_percent(policy: DuesPolicy | None) -> Decimal:
    return policy.bloc_keeps_percent if policy else Decimal("50")


def kept_by_policy(collected_by_month: dict[dt.date, int], policies: list[DuesPolicy] | None = None) -> int:
    """What a TCCSĐ keeps of what it collected, each month under the ``DuesPolicy`` in force that month (the
    months under one policy summed first, so one policy for the year keeps exactly its share of the total).
    `policies`: every policy, newest first (read once by a caller that loops)."""
    if policies is None:
        policies = list(DuesPolicy.objects.order_by("-valid_from"))
    by_policy: dict[int | None, list] = {}
    for month, amount in collected_by_month.items():
        policy = in_force(policies, month)
        entry = by_policy.setdefault(policy.pk if policy else None, [policy, 0])
        entry[1] += amount
    return sum(kept_share(amount, _keeps_percent(policy)) for policy, amount in by_policy.values())


def period_owed(organization: Organization, period: RemittancePeriod) -> tuple[int, int]:
    """(collected, owed to the Bloc) for a TCCSĐ's remittance period: what its lines record as paid in the
    period's months, less the share it keeps under the policy of each month (QĐ 342 Art. 4: keeps 70%, remits
    30% — an edited ``DuesPolicy`` changes it from its date)."""
    collected = dict(
        DuesLine.objects.filter(organization=organization, month__gte=period.start, month__lte=period.end)
        .values_list("month")
        .annotate(total=Sum("amount_paid"))
        .order_by()
    )
    total = sum(v or 0 for v in collected.values())
    return total, total - kept_by_policy({m: v or 0 for m, v in collected.items()})


# --- the Bloc's yearly report --------------------------------------------------------------------------------


@dataclass
class ReportRow:
    organization: Organization
    members: int = 0  # on the roll at the year's (or as_of's) end
    member_months: int = 0  # Σ over the months of the roll at each month's end
    lines: int = 0
    paid: int = 0
    unpaid: int = 0
    exempt: int = 0
    due: int = 0  # Σ amount due of the recorded lines
    collected: int = 0
    kept: int = 0
    remitted: int = 0
    late: int = 0  # remittances late or missing
    periods: int = 0

    @property
    def not_recorded(self) -> int:
        """Member-months on the roll with no line: "chưa thu"."""
        return max(self.member_months - self.lines, 0)


@dataclass
class YearReport:
    year: int
    as_of: dt.date
    rows: list[ReportRow] = field(default_factory=list)
    total: ReportRow | None = None
    keeps_percent: Decimal = Decimal("70")
    #: Of what the TCCSĐ remitted in the year: what the Bloc keeps and what it passes to the Tỉnh ủy, each
    #: remittance under the policy in force when its period starts (``DuesPolicy.bloc_keeps_percent``).
    bloc_kept: int = 0
    to_province: int = 0
    bloc_keeps_percent: Decimal = Decimal("50")


SUMMED = ("members", "member_months", "lines", "paid", "unpaid", "exempt", "due", "collected", "kept",
          "remitted", "late", "periods")  # fmt: skip


def _roll_counts(day: dt.date, org_ids) -> dict[int, int]:
    """{organisation id: members on its roll at the end of `day`} in one grouped query (roll-ins minus
    roll-outs up to that day)."""
    rows = (
        MemberEvent.objects.filter(organization_id__in=org_ids, effective_on__lte=day)
        .values("organization_id")
        .annotate(
            ins=Count("pk", filter=Q(kind__in=ROLL_IN_KINDS)),
            outs=Count("pk", filter=Q(kind__in=ROLL_OUT_KINDS)),
        )
    )
    return {r["organization_id"]: max(r["ins"] - r["outs"], 0) for r in rows}


def year_report(year: int, as_of: dt.date, organizations=None) -> YearReport:
    """The Bloc's yearly dues report by organisation: members, member-months, lines by status, amount due,
    collected, kept (the TCCSĐ's share of what was collected, under the ``DuesPolicy`` of each month), remitted, remittances late or
    missing. Totals are the sums of the rows, and the rows the sums of the monthly lines (a test proves it).
    `organizations` (a queryset) limits the rows to those (a secretary's own)."""
    orgs = owing_organizations(year, as_of)
    if organizations is not None:
        visible = set(organizations.values_list("pk", flat=True))
        orgs = [o for o in orgs if o.pk in visible]
    ids = [o.pk for o in orgs]
    policy = policy_on(dt.date(year, 1, 1))
    report = YearReport(
        year=year,
        as_of=as_of,
        keeps_percent=_keeps_percent(policy),
        bloc_keeps_percent=_bloc_keeps_percent(policy),
    )
    rows = {o.pk: ReportRow(organization=o) for o in orgs}
    months = months_of(year, until=as_of)
    for month in months:
        for org_id, n in _roll_counts(month_end(month), ids).items():
            rows[org_id].member_months += n
    if months:
        for org_id, n in _roll_counts(min(month_end(months[-1]), as_of), ids).items():
            rows[org_id].members = n
    sums = (
        DuesLine.objects.filter(organization_id__in=ids, month__in=months)
        .values("organization_id")
        .annotate(
            lines=Count("pk"),
            paid=Count("pk", filter=Q(status=DuesStatus.PAID)),
            unpaid=Count("pk", filter=Q(status=DuesStatus.UNPAID)),
            exempt=Count("pk", filter=Q(status=DuesStatus.EXEMPT)),
            due=Sum("amount_due", filter=~Q(status=DuesStatus.EXEMPT)),
            collected=Sum("amount_paid"),
        )
    )
    collected_months: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for org_id, month, amount in (
        DuesLine.objects.filter(organization_id__in=ids, month__in=months)
        .values_list("organization_id", "month")
        .annotate(total=Sum("amount_paid"))
        .order_by()
    ):
        collected_months[org_id][month] = amount or 0
    for s in sums:
        row = rows[s["organization_id"]]
        row.lines, row.paid, row.unpaid, row.exempt = s["lines"], s["paid"], s["unpaid"], s["exempt"]
        row.due, row.collected = s["due"] or 0, s["collected"] or 0
    policies = list(DuesPolicy.objects.order_by("-valid_from"))
    for org_id, periods in remittance_table(year, as_of, orgs).items():
        row = rows[org_id]
        row.periods = sum(1 for _p, _r, status in periods if status != NOT_YET)
        row.remitted = sum(r.amount for _p, r, _s in periods if r is not None and r.remitted_on <= as_of)
        row.late = sum(1 for _p, _r, status in periods if status in (LATE, MISSING))
        for period, remittance, _s in periods:
            if remittance is not None and remittance.remitted_on <= as_of:
                kept = kept_share(remittance.amount, _bloc_keeps_percent(in_force(policies, period.start)))
                report.bloc_kept += kept
                report.to_province += remittance.amount - kept
    for org_id, row in rows.items():
        row.kept = kept_by_policy(collected_months.get(org_id, {}), policies)
    report.rows = [rows[o.pk] for o in orgs]
    total = ReportRow(organization=None)
    for name in SUMMED:
        setattr(total, name, sum(getattr(r, name) for r in report.rows))
    report.total = total
    return report
