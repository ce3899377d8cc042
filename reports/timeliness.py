"""The one rule for who owes which periodic report and whether it came on time, late or not at all.

Every page that says "owes / on time / late / missing" asks this module: the completeness matrix, the period
status page, the reminders, the period summary and the dashboard's punctuality indicator (and its records).

- **Owes.** An organisation owes a period's report if it belonged to the Bloc for any part of the period
  (``owes_report``, and the same as a database filter, ``owes_q``; Bloc membership itself is
  ``organizations.models.in_bloc_during_q`` / ``Organization.belongs_during``).
- **On time / late / missing / not due** (``classify``), read as of a day `as_of`: a report counts from its
  *first* submission (a report returned for correction was still filed when it was first sent). First
  submitted, in the portal's time zone, on or before the due date: on time; after it: late, by so many days;
  never submitted by `as_of` and the due date has passed: missing; otherwise not due yet.

Database comparisons use the first instant of a local day (``local_midnight``), so "submitted on or before the
due date" means the same in Python and in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from core import sqlshape
from core.datacache import cached_sums, cached_under_data_version, cached_when_version_read
from organizations.models import Organization, in_bloc_during_q

from . import changes
from .models import PeriodicReport, ReportingPeriod, ReportTally
from .periods import periods_of_year

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


# --- the rule ------------------------------------------------------------------------------------------------


def owes_report(org: Organization, period: ReportingPeriod) -> bool:
    """The organisation belonged to the Bloc for some part of the period."""
    return org.belongs_during(period.starts_on, period.ends_on)


def owes_q(period: ReportingPeriod, prefix: str = "") -> Q:
    """``owes_report`` as a filter on organisations (`prefix`: the path to the organisation, e.g.
    ``"organization__"`` on reports)."""
    return in_bloc_during_q(period.starts_on, period.ends_on, prefix)


def local_midnight(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the portal's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def submitted_on(first_submitted_at) -> dt.date | None:
    return timezone.localdate(first_submitted_at) if first_submitted_at else None


def filed_by_q(as_of: dt.date) -> Q:
    """Reports first submitted by the end of `as_of` (local)."""
    return Q(first_submitted_at__lt=local_midnight(as_of + dt.timedelta(days=1)))


def on_time_q(period: ReportingPeriod) -> Q:
    """Reports of `period` first submitted by the end of its due date (local)."""
    return Q(period=period.pk, first_submitted_at__lt=local_midnight(period.due_on + dt.timedelta(days=1)))


@dataclass
class TimelinessCell:
    state: str
    days_late: int = 0
    report_id: int | None = None
    status: str | None = None
    #: The local day the report was first submitted (None: never).
    submitted_on: dt.date | None = None

    @property
    def label(self) -> str:
        if self.state == LATE:
            return f"Muộn {self.days_late} ngày"
        return STATE_LABELS[self.state]


def classify(*, period: ReportingPeriod, first_submitted_at, as_of: dt.date) -> TimelinessCell:
    """On time: first submitted (local date) on or before the due date; late: after it (days late);
    missing: past due and never submitted; not due: not submitted and the due date is today or later."""
    return _classify_day(period, submitted_on(first_submitted_at), as_of)


def _classify_day(period: ReportingPeriod, day: dt.date | None, as_of: dt.date) -> TimelinessCell:
    """``classify`` from the local day of the first submission."""
    if day is not None and day <= as_of:
        late = (day - period.due_on).days
        return TimelinessCell(LATE, late) if late > 0 else TimelinessCell(ON_TIME)
    if as_of > period.due_on:
        return TimelinessCell(MISSING, (as_of - period.due_on).days)
    return TimelinessCell(NOT_DUE)


def cells(
    orgs: list[Organization], periods: list[ReportingPeriod], as_of: dt.date
) -> dict[tuple[int, int], TimelinessCell]:
    """The state of every (organisation, period) pair, with its report (one query for the reports)."""
    reports = (
        sqlshape.values(  # compiled once per shape (``core.sqlshape``): one organisation's, after a write
            "timeliness-cells",
            lambda period_ids, org_ids: PeriodicReport.objects.filter(
                period__in=period_ids, organization__in=org_ids
            ).values_list("organization_id", "period_id", "pk", "status", "first_submitted_at"),
            [p.pk for p in periods],
            [o.pk for o in orgs],
        )
    )
    # the local day of each first submission converted once (a time zone conversion per cell cost more)
    found = {(o, p): (pk, status, submitted_on(first)) for o, p, pk, status, first in reports}
    out = {}
    for org in orgs:
        for period in periods:
            pk, status, day = found.get((org.pk, period.pk), (None, None, None))
            cell = _classify_day(period, day, as_of) if owes_report(org, period) else TimelinessCell(NOT_OWED)
            cell.report_id, cell.status, cell.submitted_on = pk, status, day
            out[(org.pk, period.pk)] = cell
    return out


# --- counts ---------------------------------------------------------------------------------------------------


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

    def merge(self, other: TimelinessCounts) -> None:
        for name in ("owed", "due", "on_time", "late", "missing", "not_due"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def filed(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        """On-time reports over reports due (None when nothing is due yet): the organisation's punctuality."""
        return round(100 * self.on_time / self.due, 2) if self.due else None

    @property
    def filed_rate(self) -> float | None:
        return round(100 * self.filed / self.due, 2) if self.due else None


def _tallies(periods: list[ReportingPeriod]) -> QuerySet:
    """The maintained rows (``ReportTally``, kept by ``reports.tallies``) of the pairs owed for `periods`."""
    return ReportTally.objects.filter(period__in=[p.pk for p in periods])


def _filed_counts(as_of: dt.date) -> dict:
    """The conditional counts of a group of tally rows, as of `as_of`: owed, filed (first submitted by the end of
    `as_of`) and on time (and by the end of the period's due date)."""
    filed = Q(submitted_on__lte=as_of)
    return {
        "owed": Count("pk"),
        "filed": Count("pk", filter=filed),
        "on_time": Count("pk", filter=filed & Q(submitted_on__lte=F("period__due_on"))),
    }


def period_counts(owed: int, filed: int, on_time: int, *, past_due: bool) -> TimelinessCounts:
    """The counts of one period's pairs owed from how many were `owed`, `filed` by the day counted and filed
    `on_time`: those not filed are missing once the period is `past_due`, not due before."""
    counts = TimelinessCounts(owed=owed, on_time=on_time, late=filed - on_time)
    if past_due:
        counts.missing = owed - filed
    else:
        counts.not_due = owed - filed
    counts.due = owed - counts.not_due
    return counts


#: A pair's state in ``pair_states``, one byte per period.
PAIR_NOT_FILED, PAIR_ON_TIME, PAIR_LATE, PAIR_NOT_OWED = range(4)


def pair_states(
    periods: list[ReportingPeriod],
    as_of: dt.date,
    org_ids: list[int] | None = None,
    organizations: Q | None = None,
) -> dict[int, bytes]:
    """{organisation: its state in each of `periods`, one byte each, in their order} for every organisation that
    owes at least one of them (of `org_ids` only, and matching `organizations`, when given), read as of `as_of`
    from the maintained rows of
    the pairs owed (``ReportTally``, one query): not owed, not filed by `as_of`, filed on time, filed late. The
    same rule as ``classify``; ``pair_counts`` turns a state into counts."""
    position = {p.pk: i for i, p in enumerate(periods)}
    due_on = [p.due_on for p in periods]

    def build(period_ids, org_ids):
        rows = ReportTally.objects.filter(period__in=period_ids).order_by()
        if org_ids is not None:
            rows = rows.filter(organization_id__in=org_ids)
        if organizations is not None:
            rows = rows.filter(organization__in=Organization.objects.filter(organizations).values("pk"))
        return rows.values_list("organization_id", "period_id", "submitted_on")

    period_ids = [p.pk for p in periods]
    if organizations is None:  # compiled once per shape (``core.sqlshape``): asked right after every write
        found = sqlshape.values("pair-states", build, period_ids, org_ids)
    else:  # a search: its own SQL each time
        found = build(period_ids, org_ids)
    states: dict[int, bytearray] = {}
    for org_id, period_id, day in found:
        i = position[period_id]
        if day is None or day > as_of:
            state = PAIR_NOT_FILED
        else:
            state = PAIR_ON_TIME if day <= due_on[i] else PAIR_LATE
        states.setdefault(org_id, bytearray([PAIR_NOT_OWED]) * len(periods))[i] = state
    return {org_id: bytes(row) for org_id, row in states.items()}


def pair_counts(state: int, period: ReportingPeriod, as_of: dt.date) -> TimelinessCounts:
    """The counts of one pair owed in state `state` (``pair_states``)."""
    filed = state != PAIR_NOT_FILED
    return period_counts(1, int(filed), int(state == PAIR_ON_TIME), past_due=as_of > period.due_on)


def timeliness_counts(
    periods: list[ReportingPeriod], as_of: dt.date, search: Q | None = None
) -> tuple[dict[int, TimelinessCounts], TimelinessCounts]:
    """Counts per period (and their total) over every organisation (matching `search`, a filter on
    organisations), with the same results as ``cells``: one aggregate query over the maintained rows of the pairs
    owed (``ReportTally``), one row per period."""
    if not periods:
        return {}, TimelinessCounts()
    rows = _tallies(periods)
    if search is not None:
        rows = rows.filter(organization__in=Organization.objects.filter(search).values("pk"))
    sums = {
        row["period_id"]: (row["owed"], row["filed"], row["on_time"])
        for row in rows.values("period_id").annotate(**_filed_counts(as_of)).order_by()
    }
    return counts_from_sums(periods, as_of, sums)


# --- the completeness matrix -------------------------------------------------------------------------------


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
    #: {organisation: its row as HTML} (``timeliness_page`` with `render`).
    rendered: dict[int, str] = field(default_factory=dict)

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


def _owing_any(periods: list[ReportingPeriod], organizations: QuerySet[Organization] | None):
    """Organisations that owe at least one of `periods`, in code order."""
    orgs = Organization.objects.all() if organizations is None else organizations
    if periods:
        owes_one = Q(pk__in=[])
        for p in periods:
            owes_one |= owes_q(p)
        orgs = orgs.filter(owes_one)
    return orgs.prefetch_related("spells").order_by("code")


def timeliness_for_year(
    year: int, kind: str, as_of: dt.date, organizations: QuerySet[Organization] | None = None
) -> Timeliness:
    """State of every (organisation, period) of `kind` in `year` as of `as_of`, with counts per period and per
    organisation. A fixed number of queries whatever the number of organisations (periods, orgs, reports)."""
    periods = [p for p in periods_of_year(year) if p.kind == kind]
    orgs = list(_owing_any(periods, organizations))
    return _timeliness(year, kind, as_of, periods, orgs)


def timeliness_page(
    year: int,
    kind: str,
    as_of: dt.date,
    *,
    page: str | int | None,
    per_page: int = 50,
    search: str = "",
    render: Callable[[Organization, list[TimelinessCell], TimelinessCounts], str] | None = None,
) -> tuple[Timeliness, Page]:
    """One page of the matrix: the cells and per-organisation counts of `per_page` organisations (in code
    order, optionally those whose code or name contains `search`), with the counts per period and for the whole
    year over every organisation counted in the database. A fixed number of queries whatever the size.

    With `render` (an organisation, its cells and its counts → its row of HTML), the result holds the rendered
    rows (``Timeliness.rendered``, cached: ``rendered_rows``) instead of the cells."""
    periods = [p for p in periods_of_year(year) if p.kind == kind]
    search = search.strip()
    matching = (Q(code__icontains=search) | Q(name__icontains=search)) if search else None

    def owing():  # built only when the page's organisations are not cached (a filter per period: costly)
        return _owing_any(periods, Organization.objects.filter(matching) if matching else None)

    def page_of() -> tuple[int, int, list[Organization]]:
        shown = Paginator(owing(), per_page).get_page(page)
        return shown.number, shown.paginator.count, list(shown.object_list)

    # The page's organisations (with their spells) read apart: a report written leaves them as they are.
    number, count, orgs = cached_when_version_read(
        ("matrix-organizations", tuple(p.pk for p in periods), search, str(page), per_page), page_of
    )
    paginator = Paginator(range(count), per_page)  # counts and numbers the pages; no query
    shown = Page(orgs, number, paginator)
    if render is None:
        result = _timeliness(year, kind, as_of, periods, orgs, count=False)
    else:
        result = Timeliness(year=year, kind=kind, as_of=as_of, periods=periods, organizations=orgs)
        result.rendered = rendered_rows(year, kind, periods, orgs, as_of, render)
    result.per_period, result.total = cached_counts(periods, as_of, matching, search)
    return result, shown


def rendered_rows(
    year: int, kind: str, periods: list[ReportingPeriod], orgs: list[Organization], as_of: dt.date, render
) -> dict[int, str]:
    """{organisation: ``render(it, its cells, its counts)``} for a page of the matrix, cached until a report of
    theirs is written; after a write naming a few of them (``changes.named``), only their rows are made again
    (a page's 600 cells cost more than the rest of it). The periods and the organisations (code, name, spells
    of the Bloc) are in the key."""
    by_id = {o.pk: o for o in orgs}
    period_ids = {p.pk for p in periods}

    def rows(org_ids) -> dict[int, str]:
        chosen = _timeliness(year, kind, as_of, periods, [by_id[org_id] for org_id in org_ids], count=False)
        return {org.pk: render(org, row, counts) for org, row, counts in chosen.rows()}

    def update(previous: dict, moved: dict) -> dict | None:
        pairs = changes.named(moved)
        if pairs is None:
            return None
        named = {o for o, p in pairs if o in by_id and (p is None or p in period_ids)}
        return {**previous, **rows(sorted(named))} if named else previous

    parts = (
        "matrix-rows",
        f"{render.__module__}.{render.__qualname__}",
        tuple((p.pk, p.starts_on, p.ends_on, p.due_on) for p in periods),
        as_of,
        tuple((o.pk, o.code, o.name, tuple((s.joined_on, s.left_on) for s in o.spell_list)) for o in orgs),
    )
    return cached_under_data_version(parts, lambda: rows(list(by_id)), update=update)


def cached_counts(
    periods: list[ReportingPeriod], as_of: dt.date, matching: Q | None = None, search: str = ""
) -> tuple[dict[int, TimelinessCounts], TimelinessCounts]:
    """``timeliness_counts`` for the matrix: counting every organisation's reports is the page's one heavy read
    (~70,000 reports a year at a country's size), cached until a write changes what it read. Kept as sums over
    the organisations' states (``pair_states``), each organisation's beside them (``KeptByKey``): after a write
    that names a few organisations (``changes.named``), their old states are taken away and their new ones
    added instead of counting every organisation again; a write naming only other periods leaves it as it is."""
    order = [p.pk for p in periods]
    period_ids = set(order)

    def named(moved: dict) -> set[int] | None:
        pairs = changes.named(moved)
        if pairs is None:
            return None
        return {org_id for org_id, period_id in pairs if period_id is None or period_id in period_ids}

    sums = cached_sums(
        ("timeliness", tuple((p.pk, p.due_on) for p in periods), as_of, search),
        lambda org_ids: pair_states(periods, as_of, org_ids, matching),
        lambda sums, states, sign: add_states(sums, order, states, sign),
        named,
    )
    return counts_from_sums(periods, as_of, sums)


def counts_from_sums(
    periods: list[ReportingPeriod], as_of: dt.date, sums: dict[int, list[int]]
) -> tuple[dict[int, TimelinessCounts], TimelinessCounts]:
    """Counts per period (and their total) from `sums` (``add_states``: per period [owed, filed, on time])."""
    per_period = {}
    total = TimelinessCounts()
    for p in periods:
        per_period[p.pk] = period_counts(*sums.get(p.pk, (0, 0, 0)), past_due=as_of > p.due_on)
        total.merge(per_period[p.pk])
    return per_period, total


def add_states(sums: dict[int, list[int]], period_ids, states: bytes, sign: int) -> None:
    """Add (sign 1) or take away (-1) one organisation's states (``pair_states``, in the order of `period_ids`)
    in `sums`: per period, [owed, filed, on time]."""
    for period_id, state in zip(period_ids, states, strict=True):
        if state == PAIR_NOT_OWED:
            continue
        counts = sums.setdefault(period_id, [0, 0, 0])
        counts[0] += sign
        if state != PAIR_NOT_FILED:
            counts[1] += sign
            if state == PAIR_ON_TIME:
                counts[2] += sign


def _timeliness(
    year: int,
    kind: str,
    as_of: dt.date,
    periods: list[ReportingPeriod],
    orgs: list[Organization],
    *,
    count: bool = True,
) -> Timeliness:
    """The cells of `orgs` × `periods` with per-organisation counts; with `count`, also the counts per period
    and the total over `orgs`."""
    result = Timeliness(year=year, kind=kind, as_of=as_of, periods=periods, organizations=orgs)
    result.cells = cells(orgs, periods, as_of)
    result.per_period = {p.pk: TimelinessCounts() for p in periods}
    result.per_organization = {o.pk: TimelinessCounts() for o in orgs}
    for (org_id, period_id), cell in result.cells.items():
        result.per_organization[org_id].add(cell.state)
        if count:
            result.per_period[period_id].add(cell.state)
            result.total.add(cell.state)
    return result


# --- one period ---------------------------------------------------------------------------------------------


def owing(period: ReportingPeriod) -> QuerySet[Organization]:
    """The organisations that owe `period`'s report."""
    return Organization.objects.filter(owes_q(period))


def period_status(period: ReportingPeriod, as_of: dt.date) -> dict:
    """Missing and late filers (and the on-time ones) for one period."""
    orgs = list(owing(period).prefetch_related("spells").order_by("code"))
    found = cells(orgs, [period], as_of)
    out = {MISSING: [], LATE: [], ON_TIME: [], NOT_DUE: []}
    counts = TimelinessCounts()
    for org in orgs:
        cell = found[(org.pk, period.pk)]
        out[cell.state].append((org, cell))
        counts.add(cell.state)
    return {"period": period, "groups": out, "counts": counts}
