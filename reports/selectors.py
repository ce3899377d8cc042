"""Reads for periodic reports: scoping, registry figures, timeliness, obligations, version comparison."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.datacache import cached_under_data_version
from members.models import ROLL_IN_KINDS, ROLL_OUT_KINDS, EventKind, MemberEvent, TransferScope
from organizations.access import scope_by_organization
from organizations.models import Cell, Organization, OrganizationYear

from .models import PeriodicReport, ReportingPeriod, ReportStatus, ReportVersion, Resolution
from .periods import periods_ensure

#: Figures prefilled from the registry; a change by the secretary needs an explanation.
REGISTRY_FIELDS = ("members_total", "admissions", "full_memberships", "transfers_in", "transfers_out")
#: Statuses whose figures count in the Bloc's summary.
FILED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def reports_for_user(user) -> QuerySet[PeriodicReport]:
    """Every report the user may see, with organisation and period loaded."""
    return scope_by_organization(PeriodicReport.objects.select_related("organization", "period"), user)


# --- registry figures ----------------------------------------------------------------------------------


def registry_figures(organization: Organization, period: ReportingPeriod) -> dict[str, int]:
    """What the member registry says for `organization` and `period`, counted from events.

    Members at period end: roll-in events minus roll-out events up to the last day; admissions and full
    memberships by decision date; transfers by effective date. Cached under the data's version (one cheap query
    instead of the aggregate): the report form asks again each time it is opened, and any new event changes the
    version.
    """
    return cached_under_data_version(
        ("registry-figures", organization.pk, period.pk, period.starts_on, period.ends_on),
        lambda: _count_registry(organization, period),
    )


def _count_registry(organization: Organization, period: ReportingPeriod) -> dict[str, int]:
    start, end = period.starts_on, period.ends_on
    events = MemberEvent.objects.filter(organization=organization).annotate(
        counted_on=Coalesce("decided_on", "effective_on")
    )
    figures = events.aggregate(
        roll_in=Count("pk", filter=Q(kind__in=ROLL_IN_KINDS, effective_on__lte=end)),
        roll_out=Count("pk", filter=Q(kind__in=ROLL_OUT_KINDS, effective_on__lte=end)),
        admissions=Count("pk", filter=Q(kind=EventKind.ADMITTED, counted_on__range=(start, end))),
        full_memberships=Count("pk", filter=Q(kind=EventKind.FULL_MEMBER, counted_on__range=(start, end))),
        transfers_in=Count("pk", filter=Q(kind=EventKind.TRANSFER_IN, effective_on__range=(start, end))),
        transfers_out=Count("pk", filter=Q(kind=EventKind.TRANSFER_OUT, effective_on__range=(start, end))),
    )
    return {
        "members_total": max(figures["roll_in"] - figures["roll_out"], 0),
        "admissions": figures["admissions"],
        "full_memberships": figures["full_memberships"],
        "transfers_in": figures["transfers_in"],
        "transfers_out": figures["transfers_out"],
    }


def bloc_transfers(start, end) -> dict[str, int]:
    """Transfers seen from the Bloc for [start, end], from the events. A transfer inside the Bloc (nội bộ) is
    not a "chuyển đến / chuyển đi" of the Bloc: it is counted apart (``internal``); a temporary transfer keeps
    the member on the home roll (QĐ 232-QĐ/TW §6.3.2) and is counted apart too."""
    figures = MemberEvent.objects.filter(effective_on__range=(start, end)).aggregate(
        in_from_outside=Count(
            "pk", filter=Q(kind=EventKind.TRANSFER_IN) & ~Q(transfer_scope=TransferScope.NOI_BO)
        ),
        out_to_outside=Count(
            "pk", filter=Q(kind=EventKind.TRANSFER_OUT) & ~Q(transfer_scope=TransferScope.NOI_BO)
        ),
        internal=Count("pk", filter=Q(kind=EventKind.TRANSFER_OUT, transfer_scope=TransferScope.NOI_BO)),
        temporary=Count("pk", filter=Q(kind=EventKind.TEMP_OUT)),
    )
    return figures


def registry_suggestions(organization: Organization, period: ReportingPeriod) -> dict[str, int | None]:
    """Figures the form suggests but does not flag: the unit's non-member headcount and its active cells."""
    headcount = (
        OrganizationYear.objects.filter(organization=organization, year=period.year)
        .values_list("non_member_headcount", flat=True)
        .first()
    )
    cells = Cell.objects.filter(organization=organization, is_active=True).count()
    return {"non_member_headcount": headcount, "cells_total": cells}


def required_resolutions(year: int) -> list[Resolution]:
    return list(Resolution.objects.filter(year=year, required=True).order_by("order", "pk"))


def figure_flags(snapshot: dict, values: dict, lines: dict[int, dict]) -> dict[str, str]:
    """Figures that disagree with the registry: {field name: explanation in Vietnamese}.

    `values` holds the report's figures, `lines` the study lines by resolution id. A prefilled figure that
    differs from what the registry said, a study line whose members differ from the roll at period end, or
    whose non-members differ from the unit's non-member headcount is flagged. Study-line keys are
    ``study_<resolution id>_members_total`` / ``_masses_total``."""
    snapshot = snapshot or {}
    flags: dict[str, str] = {}
    for name in REGISTRY_FIELDS:
        value = values.get(name)
        if name in snapshot and value is not None and value != snapshot[name]:
            flags[name] = f"Khác sổ đảng viên: sổ ghi {snapshot[name]}, bạn nhập {value}. Cần giải trình."
    roll = snapshot.get("members_total")
    headcount = values.get("non_member_headcount")
    for rid, line in lines.items():
        members, masses = line.get("members_total"), line.get("masses_total")
        if roll is not None and members is not None and members != roll:
            flags[f"study_{rid}_members_total"] = (
                f"Khác sổ đảng viên: cuối kỳ có {roll} đảng viên, bạn nhập {members}. Cần giải trình."
            )
        if headcount is not None and masses is not None and masses != headcount:
            flags[f"study_{rid}_masses_total"] = (
                f"Khác số quần chúng của đơn vị ({headcount}), bạn nhập {masses}. Cần giải trình."
            )
    return flags


def report_flags(report: PeriodicReport, lines=None) -> dict[str, str]:
    """``figure_flags`` for a stored report."""
    lines = report.study_lines.all() if lines is None else lines
    return figure_flags(
        report.registry_snapshot,
        {name: getattr(report, name) for name in (*REGISTRY_FIELDS, "non_member_headcount")},
        {
            line.resolution_id: {"members_total": line.members_total, "masses_total": line.masses_total}
            for line in lines
        },
    )


# --- timeliness ----------------------------------------------------------------------------------------

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
NOT_DUE = "not_due"
NOT_OWED = "not_owed"
STATE_LABELS = {
    ON_TIME: "Đúng hạn",
    LATE: "Muộn",
    MISSING: "Chưa nộp (quá hạn)",
    NOT_DUE: "Chưa đến hạn",
    NOT_OWED: "Không phải nộp",
}


@dataclass
class TimelinessCell:
    state: str
    days_late: int = 0
    report_id: int | None = None
    status: str | None = None

    @property
    def label(self) -> str:
        if self.state == LATE:
            return f"Muộn {self.days_late} ngày"
        return STATE_LABELS[self.state]


@dataclass
class TimelinessCounts:
    owed: int = 0  # the organisation belongs to the Bloc during the period
    due: int = 0  # owed and either filed or past due
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_due: int = 0

    def add(self, state: str) -> None:
        if state == NOT_OWED:
            return
        self.owed += 1
        if state == NOT_DUE:
            self.not_due += 1
            return
        self.due += 1
        setattr(self, state, getattr(self, state) + 1)

    @property
    def filed(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        """On-time reports over reports due (None when nothing is due yet): the organisation's punctuality."""
        return round(100 * self.on_time / self.due, 1) if self.due else None

    @property
    def filed_rate(self) -> float | None:
        return round(100 * self.filed / self.due, 1) if self.due else None


@dataclass
class Timeliness:
    year: int
    kind: str
    as_of: dt.date
    periods: list[ReportingPeriod]
    organizations: list[Organization]
    cells: dict[tuple[int, int], TimelinessCell] = field(default_factory=dict)
    per_period: dict[int, TimelinessCounts] = field(default_factory=dict)
    per_organization: dict[int, TimelinessCounts] = field(default_factory=dict)
    total: TimelinessCounts = field(default_factory=TimelinessCounts)

    def cell(self, org_id: int, period_id: int) -> TimelinessCell:
        return self.cells[(org_id, period_id)]

    def period_columns(self):
        """[(period, counts)] in column order."""
        return [(p, self.per_period[p.pk]) for p in self.periods]

    def rows(self):
        """[(organisation, [cell per period], counts)] in matrix order."""
        return [
            (o, [self.cells[(o.pk, p.pk)] for p in self.periods], self.per_organization[o.pk])
            for o in self.organizations
        ]


def owes_report(org: Organization, period: ReportingPeriod) -> bool:
    """An organisation owes a report for a period only if it belongs to the Bloc during the period."""
    return org.joined_on <= period.ends_on and (org.left_on is None or org.left_on > period.starts_on)


def submitted_on(first_submitted_at) -> dt.date | None:
    return timezone.localdate(first_submitted_at) if first_submitted_at else None


def classify(*, period: ReportingPeriod, first_submitted_at, as_of: dt.date) -> TimelinessCell:
    """On time: first submitted (local date) on or before the due date; late: after it (days late);
    missing: past due and never submitted; not due: not submitted and the due date is today or later."""
    day = submitted_on(first_submitted_at)
    if day is not None and day <= as_of:
        late = (day - period.due_on).days
        return TimelinessCell(LATE, late) if late > 0 else TimelinessCell(ON_TIME)
    if as_of > period.due_on:
        return TimelinessCell(MISSING, (as_of - period.due_on).days)
    return TimelinessCell(NOT_DUE)


def _matrix_organizations(
    periods: list[ReportingPeriod], organizations: QuerySet[Organization] | None
) -> QuerySet[Organization]:
    orgs_qs = Organization.objects.all() if organizations is None else organizations
    if periods:
        orgs_qs = orgs_qs.in_bloc_during(periods[0].starts_on, periods[-1].ends_on)
    return orgs_qs.order_by("code")


def timeliness_for_year(
    year: int, kind: str, as_of: dt.date, organizations: QuerySet[Organization] | None = None
) -> Timeliness:
    """State of every (organisation, period) of `kind` in `year` as of `as_of`, with counts per period and per
    organisation. A fixed number of queries whatever the number of organisations (periods, orgs, reports)."""
    periods = [p for p in periods_ensure(year) if p.kind == kind]
    orgs = list(_matrix_organizations(periods, organizations))
    return _timeliness(year, kind, as_of, periods, orgs, restrict=organizations is not None)


def timeliness_page(
    year: int, kind: str, as_of: dt.date, *, page: str | int | None, per_page: int = 50, search: str = ""
) -> tuple[Timeliness, Page]:
    """One page of the matrix: the cells and per-organisation counts of `per_page` organisations (in code
    order, optionally those whose code or name contains `search`), with the counts per period and for the whole
    year over every organisation counted in the database. A fixed number of queries whatever the size."""
    periods = [p for p in periods_ensure(year) if p.kind == kind]
    search = search.strip()
    matching = (Q(code__icontains=search) | Q(name__icontains=search)) if search else None
    organizations = Organization.objects.filter(matching) if matching else None
    orgs_qs = _matrix_organizations(periods, organizations)
    shown = Paginator(orgs_qs, per_page).get_page(page)
    result = _timeliness(year, kind, as_of, periods, list(shown.object_list), restrict=True, count=False)
    # Counting every organisation's reports is the page's one heavy read (~70,000 reports a year at a
    # country's size): cached until the next write.
    result.per_period, result.total = cached_under_data_version(
        ("timeliness", tuple(p.pk for p in periods), as_of, search),
        lambda: timeliness_counts(periods, as_of, matching),
    )
    return result, shown


def _local_midnight(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the portal's time zone (a report submitted before it was submitted on an
    earlier local day): comparisons with it need no time-zone conversion in the database."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def timeliness_counts(
    periods: list[ReportingPeriod], as_of: dt.date, search: Q | None = None
) -> tuple[dict[int, TimelinessCounts], TimelinessCounts]:
    """Counts per period (and their total) over every organisation (matching `search`, a filter on
    organisations), in two aggregate queries with the same results as ``owes_report`` and ``classify`` cell
    by cell: one row per organisation, one conditional count per period."""
    per_period = {p.pk: TimelinessCounts() for p in periods}
    total = TimelinessCounts()
    if not periods:
        return per_period, total

    def owes(p: ReportingPeriod, prefix: str = "") -> Q:
        return Q(**{f"{prefix}joined_on__lte": p.ends_on}) & (
            Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": p.starts_on})
        )

    orgs = Organization.objects.all() if search is None else Organization.objects.filter(search)
    owed = orgs.aggregate(**{f"p{p.pk}": Count("pk", filter=owes(p)) for p in periods})
    # Filed by the end of `as_of` (local), on time if by the end of the due date (local).
    by_as_of = _local_midnight(as_of + dt.timedelta(days=1))
    reports = PeriodicReport.objects.filter(
        period__in=[p.pk for p in periods], first_submitted_at__lt=by_as_of
    )
    if search is not None:
        reports = reports.filter(organization__in=orgs.values("pk"))
    filed = reports.aggregate(
        **{
            f"{name}{p.pk}": Count("pk", filter=Q(period=p.pk) & owes(p, "organization__") & condition)
            for p in periods
            for name, condition in (
                ("filed", Q()),
                ("on_time", Q(first_submitted_at__lt=_local_midnight(p.due_on + dt.timedelta(days=1)))),
            )
        }
    )
    for p in periods:
        counts = per_period[p.pk]
        counts.owed = owed[f"p{p.pk}"]
        on_time, filed_n = filed[f"on_time{p.pk}"], filed[f"filed{p.pk}"]
        counts.on_time, counts.late = on_time, filed_n - on_time
        if as_of > p.due_on:
            counts.missing = counts.owed - filed_n
        else:
            counts.not_due = counts.owed - filed_n
        counts.due = counts.owed - counts.not_due
        for name in ("owed", "due", "on_time", "late", "missing", "not_due"):
            setattr(total, name, getattr(total, name) + getattr(counts, name))
    return per_period, total


def _timeliness(
    year: int,
    kind: str,
    as_of: dt.date,
    periods: list[ReportingPeriod],
    orgs: list[Organization],
    *,
    restrict: bool,
    count: bool = True,
) -> Timeliness:
    """The cells of `orgs` × `periods` (one query for their reports) with per-organisation counts; with
    `count`, also the counts per period and the total over `orgs`."""
    reports = PeriodicReport.objects.filter(period__in=[p.pk for p in periods]).values_list(
        "organization_id", "period_id", "pk", "status", "first_submitted_at"
    )
    if restrict:
        reports = reports.filter(organization__in=[o.pk for o in orgs])
    found = {(o, p): (pk, status, first) for o, p, pk, status, first in reports}
    result = Timeliness(year=year, kind=kind, as_of=as_of, periods=periods, organizations=orgs)
    result.per_period = {p.pk: TimelinessCounts() for p in periods}
    result.per_organization = {o.pk: TimelinessCounts() for o in orgs}
    for org in orgs:
        for period in periods:
            pk, status, first = found.get((org.pk, period.pk), (None, None, None))
            if not owes_report(org, period):
                cell = TimelinessCell(NOT_OWED)
            else:
                cell = classify(period=period, first_submitted_at=first, as_of=as_of)
            cell.report_id, cell.status = pk, status
            result.cells[(org.pk, period.pk)] = cell
            result.per_organization[org.pk].add(cell.state)
            if count:
                result.per_period[period.pk].add(cell.state)
                result.total.add(cell.state)
    return result


def period_status(period: ReportingPeriod, as_of: dt.date) -> dict:
    """Missing and late filers (and the on-time ones) for one period."""
    orgs = list(Organization.objects.in_bloc_during(period.starts_on, period.ends_on).order_by("code"))
    reports = {
        r.organization_id: r
        for r in PeriodicReport.objects.filter(period=period).only(
            "pk", "organization_id", "status", "first_submitted_at"
        )
    }
    out = {MISSING: [], LATE: [], ON_TIME: [], NOT_DUE: []}
    counts = TimelinessCounts()
    for org in orgs:
        report = reports.get(org.pk)
        cell = classify(period=period, first_submitted_at=report and report.first_submitted_at, as_of=as_of)
        cell.report_id = report.pk if report else None
        cell.status = report.status if report else None
        out[cell.state].append((org, cell))
        counts.add(cell.state)
    return {"period": period, "groups": out, "counts": counts}


# --- a secretary's obligations ----------------------------------------------------------------------------


@dataclass
class Obligation:
    period: ReportingPeriod
    report: PeriodicReport | None
    cell: TimelinessCell

    @property
    def days_left(self) -> int:
        return (self.period.due_on - timezone.localdate()).days


def obligations_for_organization(organization: Organization, as_of: dt.date) -> dict[str, list[Obligation]]:
    """What the organisation owes: ``overdue`` (past due, not submitted), ``due`` (ended or ending within
    31 days, not yet due, not submitted: soonest first) and ``filed`` (its reports, newest first)."""
    periods = []
    for year in (as_of.year - 1, as_of.year):
        periods += periods_ensure(year)
    reports = {
        r.period_id: r
        for r in PeriodicReport.objects.filter(organization=organization, period__in=[p.pk for p in periods])
    }
    overdue, due, filed = [], [], []
    horizon = as_of + dt.timedelta(days=31)
    for period in sorted(periods, key=lambda p: (p.due_on, p.ends_on)):
        if not owes_report(organization, period):
            continue
        report = reports.get(period.pk)
        cell = classify(period=period, first_submitted_at=report and report.first_submitted_at, as_of=as_of)
        item = Obligation(period=period, report=report, cell=cell)
        if cell.state == MISSING:
            overdue.append(item)
        elif cell.state == NOT_DUE and period.ends_on <= horizon:
            due.append(item)
    for report in (
        PeriodicReport.objects.filter(organization=organization)
        .exclude(first_submitted_at=None)
        .select_related("period")
        .order_by("-period__ends_on", "period__kind")
    ):
        filed.append(
            Obligation(
                period=report.period,
                report=report,
                cell=classify(
                    period=report.period, first_submitted_at=report.first_submitted_at, as_of=as_of
                ),
            )
        )
    return {"overdue": overdue, "due": due, "filed": filed}


# --- versions ----------------------------------------------------------------------------------------------


def version_rows(a: ReportVersion, b: ReportVersion) -> list[dict]:
    """Field-by-field comparison of two versions: [{label, a, b, changed}]."""
    from .services import SNAPSHOT_LABELS

    rows = []
    for key, label in SNAPSHOT_LABELS.items():
        va, vb = a.data.get(key), b.data.get(key)
        rows.append({"label": label, "a": va, "b": vb, "changed": va != vb})
    lines_a = {str(line["resolution_id"]): line for line in a.data.get("study_lines", [])}
    lines_b = {str(line["resolution_id"]): line for line in b.data.get("study_lines", [])}
    for rid in list(dict.fromkeys([*lines_a, *lines_b])):
        la, lb = lines_a.get(rid, {}), lines_b.get(rid, {})
        title = la.get("short_title") or lb.get("short_title") or rid
        for key, label in (
            ("members_studied", "đảng viên đã học"),
            ("members_total", "tổng số đảng viên"),
            ("masses_studied", "quần chúng đã học"),
            ("masses_total", "tổng số quần chúng"),
        ):
            va, vb = la.get(key), lb.get(key)
            rows.append({"label": f"{title}: {label}", "a": va, "b": vb, "changed": va != vb})
    return rows
