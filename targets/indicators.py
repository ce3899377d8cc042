"""The one registry of the Bloc's indicators.

An indicator is a function ``(year, as_of) -> IndicatorResult`` decorated with ``@indicator(code, ...)``.
Every figure is computed in the database (``annotate``/``aggregate``) with a fixed number of queries,
whatever the number of organisations, members or reports. Denominators count only the organisations that
belong to the Bloc on ``as_of``. See docs/dashboard.md for the five-minute guide to adding one.

Each indicator is read as of its own day (``as_of_for_indicator``): the calendar rule (today in the current
year, 31/12 for a past one) for all but punctuality, which is read by period (``punctuality_as_of``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractMonth, RowNumber, Trim

from core import datacache, sqlshape
from discipline.models import Discipline, InspectionProgramme, ProgrammeStatus, Remedy, Subject
from members import dues, meetings
from members.models import EventKind, MemberEvent
from organizations.models import (
    GOOD_RATINGS,
    BlocYear,
    Organization,
    Rating,
    in_bloc_on_field_q,
    term_label,
    term_of_year,
)
from reports import changes, selectors, timeliness
from reports.models import (
    PeriodicReport,
    ReportingPeriod,
    ReportKind,
    ReportStatus,
    StudyLine,
)

COUNT = "count"
PERCENT = "percent"
RATING = "rating"

#: Report statuses whose figures count (a draft or a returned report does not).
COUNTED_REPORT_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
RATING_LABELS = dict(Rating.choices)


@dataclass
class OrgRow:
    """One organisation's contribution to an indicator (pickled as a plain tuple: a province's thousands of
    rows go in and out of the cache)."""

    def __reduce__(self):
        return (OrgRow, _org_row_values(self))

    org_id: int
    code: str
    name: str
    #: For count indicators the count; for share-of-organisations indicators 1 or 0.
    numerator: int | None = None
    #: For share indicators: 1 when the organisation is in the denominator; for study coverage the Σ total.
    denominator: int | None = None
    #: Whether the organisation counts in the numerator (None: not applicable / not yet known).
    counted: bool | None = None
    #: What the records say, in words ("Hoàn thành tốt nhiệm vụ", "Chưa báo cáo", "Quý II/2021").
    detail: str = ""
    #: Optional link target (a report pk for study coverage).
    report_id: int | None = None
    #: The raw value behind `detail` (a rating code, a date, a flag).
    raw: object = None
    #: What the organisation adds to the figure's sums (``ByOrganization``): taken away again when a write
    #: changes its row.
    parts: object = None


#: OrgRow's fields in order, read once (``dataclasses.fields`` per row cost a third of pickling a province's rows).
_ORG_ROW_FIELDS = tuple(f.name for f in fields(OrgRow))
_org_row_values = attrgetter(*_ORG_ROW_FIELDS)


@dataclass
class IndicatorResult:
    value: int | Decimal | str | None
    numerator: int | None = None
    denominator: int | None = None
    rows: list[OrgRow] = field(default_factory=list)
    note: str = ""
    #: Extra series an indicator can hand to the dashboard charts (no extra queries there).
    extra: dict = field(default_factory=dict)
    #: How many organisations have a value at all (rated, reported) and out of how many; None: not applicable.
    known: int | None = None
    #: The day the figure is read as of (set by ``compute_all``).
    as_of: dt.date | None = None
    #: Where the rows wait in the cache, apart from the figure (set by ``compute_one``): a cached result carries
    #: them as ``LazyRows``, read chunk by chunk when a page shows some organisations.
    kept_rows: LazyRows | None = field(default=None, repr=False, compare=False)
    #: The sums the figure is made from, for a figure kept per organisation (``ByOrganization``).
    totals: dict | None = field(default=None, repr=False, compare=False)

    def __getstate__(self):
        state = self.__dict__.copy()
        if self.kept_rows is not None:
            state["rows"] = self.kept_rows
        return state

    @property
    def order_token(self) -> str | None:
        """Names the rows' organisations and their order (``LazyRows.order_token``); None for rows kept nowhere."""
        kept = self.kept_rows if self.kept_rows is not None else self.rows
        return kept.order_token if isinstance(kept, LazyRows) else None

    def row_ids(self) -> list[int]:
        """The organisations of the rows, in row order (without reading lazy rows)."""
        if isinstance(self.rows, LazyRows):
            return list(self.rows.order)
        return [r.org_id for r in self.rows]

    def rows_for(self, org_ids) -> dict[int, OrgRow]:
        """{organisation: its (first) row} for `org_ids` (a lazy result reads only their chunks)."""
        if isinstance(self.rows, LazyRows):
            return self.rows.get_many(org_ids)
        wanted, out = set(org_ids), {}
        for row in self.rows:
            if row.org_id in wanted and row.org_id not in out:
                out[row.org_id] = row
        return out

    @property
    def assessable(self) -> bool:
        """Something can be compared: a denominator, a value; for ratings and reports, at least one known."""
        if self.known is not None and self.known == 0:
            return False
        return self.value is not None

    def row_for(self, org_id: int) -> OrgRow | None:
        return self.rows_for([org_id]).get(org_id)


#: Organisations per cached chunk of an indicator's rows (by id): a page of the dashboard's table reads a few.
ROW_CHUNK = 64


class LazyRows(Sequence):
    """An indicator's rows stored in the cache in chunks of ``ROW_CHUNK`` organisation ids, beside its figure
    (``core.datacache.side_store``): the dashboard's figures and a page of its table read a few chunks, not every
    organisation's row. Reading them all (the XLSX, a drill-down) fetches every chunk; a chunk the cache has
    dropped is recomputed from the database (the figure it belongs to is fresh, so the rows are the same).
    A figure brought up to date after a write (``replaced``) stores anew only the chunks of the organisations
    the write changed and points to the others where they are (each chunk has its own token)."""

    def __init__(self, code: str, year: int, as_of: dt.date, rows: list[OrgRow]):
        self.code, self.year, self.as_of = code, year, as_of
        #: Names this order of organisations: kept by ``replaced`` (same organisations, same order), so what is
        #: derived from the order alone (the dashboard's table of organisations) is cached under it. The order
        #: itself waits in the cache too (76.000 ids for the whole Party, in every indicator: not in the figure).
        self.order_token = uuid.uuid4().hex
        self._order: array | None = array("q", (r.org_id for r in rows))
        self.count = len(self._order)
        datacache.side_store(self.order_token, {"order": self._order})
        chunks: dict[int, list] = {}
        for position, row in enumerate(rows):
            chunks.setdefault(row.org_id // ROW_CHUNK, []).append((position, row))
        token = uuid.uuid4().hex
        datacache.side_store(token, chunks)
        #: {chunk: the token it is stored under}
        self.tokens = dict.fromkeys(chunks, token)
        self._all: list[OrgRow] | None = None
        #: {chunk: its rows} read or stored (``replaced``) by this object in this process, read from here rather
        #: than the cache again (the page that brought the figure up to date shows them next; never pickled).
        self._local: dict[int, list] | None = None

    def __getstate__(self):
        return {**self.__dict__, "_all": None, "_order": None, "_local": None}

    @property
    def order(self) -> array:
        """The organisations' ids in row order."""
        if self._order is None:
            stored = datacache.side_fetch(self.order_token, ["order"]).get("order")
            self._order = stored if stored is not None else array("q", (r.org_id for r in self._rows()))
        return self._order

    def _chunks(self, wanted: set[int]) -> dict[int, list]:
        wanted = wanted & self.tokens.keys()  # a chunk with none of the rows was never stored
        local = getattr(self, "_local", None) or {}
        got = {chunk: local[chunk] for chunk in wanted if chunk in local}
        if len(got) == len(wanted):
            return got
        fetched = datacache.side_fetch_chunks(self.tokens, wanted - got.keys())
        got.update(fetched)
        self._local = {**local, **fetched}  # read once per object (``updated`` reads, then replaces them)
        if len(got) < len(wanted):  # dropped by the cache: the same rows, from the database
            rows = REGISTRY[self.code].compute(self.year, self.as_of).rows
            fresh = LazyRows(self.code, self.year, self.as_of, rows)
            self.tokens, self._local = fresh.tokens, None
            got = datacache.side_fetch_chunks(self.tokens, wanted) or {
                chunk: [(i, r) for i, r in enumerate(rows) if r.org_id // ROW_CHUNK == chunk]
                for chunk in wanted
            }
        return got

    def replaced(self, rows: dict[int, OrgRow]) -> LazyRows:
        """These rows with `rows` ({organisation: its new row}, organisations already among them) in place of
        theirs: the chunks holding them are stored anew, the others shared."""
        out = LazyRows.__new__(LazyRows)
        out.code, out.year, out.as_of, out._all = self.code, self.year, self.as_of, None
        out.order_token, out._order, out.count = self.order_token, self._order, self.count
        changed = self._chunks({org_id // ROW_CHUNK for org_id in rows})
        token = uuid.uuid4().hex
        out._local = {
            chunk: [(i, rows.get(row.org_id, row)) for i, row in part] for chunk, part in changed.items()
        }
        datacache.side_store(token, out._local)
        out.tokens = {**self.tokens, **dict.fromkeys(changed, token)}
        return out

    def _rows(self) -> list[OrgRow]:
        if self._all is None:
            chunks = self._chunks(set(self.tokens))
            self._all = [row for _, row in sorted((p for part in chunks.values() for p in part), key=_first)]
        return self._all

    def get_many(self, org_ids) -> dict[int, OrgRow]:
        wanted = set(org_ids)
        if self._all is not None:
            candidates = ((None, r) for r in self._all)
        else:
            chunks = self._chunks({org_id // ROW_CHUNK for org_id in wanted})
            candidates = sorted((p for part in chunks.values() for p in part), key=_first)
        out = {}
        for _, row in candidates:
            if row.org_id in wanted and row.org_id not in out:
                out[row.org_id] = row
        return out

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        return self._rows()[index]

    def __iter__(self):
        return iter(self._rows())


def _first(pair):
    return pair[0]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    func: Callable[[int, dt.date], IndicatorResult]
    order: int
    #: For count indicators: ``(year, until) -> [12 monthly counts]``, used for pace and the charts.
    monthly: Callable[[int, dt.date], list[int]] | None = None
    #: ``(year, on) -> as_of``: the day the figure of `year` is read when looked at on `on` (default: the
    #: calendar rule ``calendar_as_of``).
    as_of_rule: Callable[[int, dt.date], dt.date] | None = None
    #: Assessed once a year (ratings): while the year is open and not everyone is rated, there is nothing to
    #: say yet ("Chưa đến kỳ đánh giá"), not "behind".
    year_end: bool = False
    #: A figure that sums what each organisation adds (``ByOrganization``): brought up to date after a write by
    #: recomputing the organisations it changed.
    by_organization: ByOrganization | None = None

    def compute(self, year: int, as_of: dt.date) -> IndicatorResult:
        if self.by_organization is not None:
            return self.by_organization.compute(year, as_of)
        return self.func(year, as_of)


@dataclass(frozen=True)
class ByOrganization:
    """An indicator whose figure is made from sums over its organisations' rows, each row carrying what its
    organisation adds (``OrgRow.parts``). After a write, the cached figure is brought up to date
    (``updated``) by recomputing only the rows of the organisations the new rows name (``reports.changes``):
    their old parts are taken from the sums, their new ones added, and the figure made again from the sums —
    at a province's size, one organisation's reports read instead of every organisation's. The exact result is
    the same as computing everything afresh; ``manage.py tally_check`` compares the two.

    - ``rows(year, as_of, org_ids, known)``: the rows, with their parts, of the organisations `org_ids` (None:
      every one the figure counts), in the figure's order; `known` ({organisation: its row before}, when
      brought up to date) lends their codes and names (``org_names``);
    - ``add(totals, parts, sign)``: add (sign 1) or take away (-1) one row's parts in `totals`, a dict;
    - ``figure(year, as_of, totals, rows)``: the result (without its rows) from the sums and the number of rows.
    """

    rows: Callable[[int, dt.date, list[int] | None, dict[int, OrgRow] | None], list[OrgRow]]
    add: Callable[[dict, object, int], None]
    figure: Callable[[int, dt.date, dict, int], IndicatorResult]
    #: ``named(moved, year)``: the organisations the rows written since may have changed (default
    #: ``changes.organizations_named``; a count of events: ``changes.events_named``, its kind and year only).
    named: Callable[[dict, int], set[int] | None] | None = None

    def compute(self, year: int, as_of: dt.date) -> IndicatorResult:
        rows = self.rows(year, as_of, None, None)
        totals: dict = {}
        for row in rows:
            self.add(totals, row.parts, 1)
        result = self.figure(year, as_of, totals, len(rows))
        result.rows, result.totals = rows, totals
        return result

    def updated(
        self, year: int, as_of: dt.date, previous: IndicatorResult, moved: dict
    ) -> IndicatorResult | None:
        """`previous` brought up to date after the writes that moved `moved` (``core.datacache``); None when it
        has to be computed afresh: a table moved that does not name its organisations, or an organisation comes
        into the figure or leaves it (the rows' order changes)."""
        if previous.totals is None or not isinstance(previous.rows, LazyRows):
            return None
        org_ids = self.named(moved, year) if self.named is not None else changes.organizations_named(moved)
        if org_ids is None:
            return None
        if not org_ids:
            return previous  # nothing it counts was written
        old = previous.rows.get_many(org_ids)
        new = {row.org_id: row for row in self.rows(year, as_of, sorted(org_ids), old)}
        if old.keys() != new.keys():
            return None
        parts = (row.parts for row in old.values()), (row.parts for row in new.values())
        totals = datacache.resummed(previous.totals, *parts, self.add)
        result = self.figure(year, as_of, totals, len(previous.rows))
        result.totals, result.as_of = totals, as_of
        result.rows = result.kept_rows = previous.rows.replaced(new) if new else previous.rows
        return result


REGISTRY: dict[str, Indicator] = {}


def indicator(
    code: str, *, label: str, unit: str, monthly=None, as_of_rule=None, year_end=False, by_organization=None
):
    """Register ``func(year, as_of) -> IndicatorResult`` under ``code`` (with `by_organization`, a
    ``ByOrganization``: the figure is computed by it, `func` unused)."""
    if unit not in (COUNT, PERCENT, RATING):
        raise ValueError(f"unknown unit {unit!r}")

    def decorator(func):
        if code in REGISTRY:
            raise ValueError(f"indicator {code!r} registered twice")
        REGISTRY[code] = Indicator(
            code=code, label=label, unit=unit, func=func, order=len(REGISTRY), monthly=monthly,
            as_of_rule=as_of_rule, year_end=year_end, by_organization=by_organization,
        )  # fmt: skip
        return func

    return decorator


def indicator_choices() -> list[tuple[str, str]]:
    return [(i.code, i.label) for i in REGISTRY.values()]


#: Reads shared by several indicators within one ``compute_all`` (the study figures serve both coverages).
_shared: ContextVar[dict | None] = ContextVar("indicator_shared_reads", default=None)


def shared(key: tuple, compute: Callable[[], object]):
    """`compute()` once per ``compute_all`` for `key` (every time outside one)."""
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = datacache.tracked(compute)
    value, reads = memo[key]
    datacache.note_reads(reads)  # each indicator that uses it read what it read (its cache entry says so)
    return value


def calendar_as_of(year: int, on: dt.date) -> dt.date:
    """Where the year stands when looked at on `on`: `on` itself during the year, 31/12 for a past year, 1/1 for
    a future one."""
    return max(dt.date(year, 1, 1), min(on, dt.date(year, 12, 31)))


def as_of_for_indicator(code: str, year: int, on: dt.date) -> dt.date:
    """The day indicator `code` of `year` is read as of, looked at on `on`."""
    rule = REGISTRY[code].as_of_rule or calendar_as_of
    return rule(year, on)


def compute_all(year: int, on: dt.date) -> dict[str, IndicatorResult]:
    """Every indicator of `year`, each read as of its own day (``as_of_for_indicator``) when looked at on
    `on`."""
    return compute_all_reading(year, on)[0]


def compute_all_reading(
    year: int, on: dt.date, reuse: dict[str, IndicatorResult] | None = None
) -> tuple[dict[str, IndicatorResult], dict[str, frozenset[str]]]:
    """``compute_all`` and the tables each indicator read (``core.datacache.tracked``); the indicators of
    `reuse` ({code: its result, known to be fresh}) are taken from there as they are (the dashboard brought up
    to date after a write: the figures whose tables the write left alone)."""
    reuse = reuse or {}
    results, reads = {}, {}
    token = _shared.set({})
    try:
        for code in REGISTRY:
            if code in reuse:
                results[code] = reuse[code]
                continue
            as_of = as_of_for_indicator(code, year, on)
            results[code], reads[code] = datacache.tracked(
                lambda code=code, as_of=as_of: compute_one(code, year, as_of)
            )
    finally:
        _shared.reset(token)
    return results, reads


def compute_one(code: str, year: int, as_of: dt.date) -> IndicatorResult:
    """Indicator `code` of `year` as of `as_of`, cached until the data it read changes (``core.datacache``): a
    submitted report makes the next dashboard compute the indicators that read reports, not the others."""

    def compute():
        result = REGISTRY[code].compute(year, as_of)
        result.as_of = as_of
        if not datacache.bypassed():  # nothing is stored while the cache is bypassed
            result.kept_rows = LazyRows(code, year, as_of, result.rows)
        return result

    spec = REGISTRY[code].by_organization
    update = None
    if spec is not None:

        def update(previous, moved):
            return spec.updated(year, as_of, previous, moved)

    return datacache.cached_under_data_version(("indicator", code, year, as_of), compute, update=update)


def percent(numerator: int | None, denominator: int | None) -> Decimal | None:
    """numerator / denominator as a percentage rounded to 2 places (None when the denominator is 0)."""
    if not denominator or numerator is None:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def year_start(year: int) -> dt.date:
    return dt.date(year, 1, 1)


def orgs_in_bloc(as_of: dt.date) -> QuerySet[Organization]:
    return Organization.objects.in_bloc_on(as_of)


def org_names(
    org_ids: list[int] | None,
    known: dict[int, OrgRow] | None,
    orgs: Callable[[], QuerySet],
    *,
    every_one: bool = False,
):
    """(id, code, name) of the organisations a figure's rows are made for, in code order: those of `orgs()` (of
    `org_ids` only, when given), or — for a figure brought up to date after a write (``ByOrganization.updated``)
    whose rows before (`known`) hold every one of `org_ids` — their codes and names from those rows, with no
    query. The same answer: a write that changes an organisation, its code or its spells of the Bloc moves a
    table that makes the figure be computed afresh (``reports.changes.named``), so here they are as they were.
    With `every_one` (the rows before hold every organisation `orgs()` gives: those in the Bloc, whose set only
    such a write changes), an organisation without a row before has none now either: no query for it."""
    if org_ids is not None and known is not None:
        if every_one or all(org_id in known for org_id in org_ids):
            rows = ((i, known[i].code, known[i].name) for i in org_ids if i in known)
            return sorted(rows, key=lambda row: (row[1], row[0]))
    chosen = orgs()
    if org_ids is not None:
        chosen = chosen.filter(pk__in=org_ids)
    return list(chosen.values_list("pk", "code", "name").order_by("code"))


# --- counts of member events (admissions, full memberships) ------------------------------------------------


def counted_events(kind: str, year: int, as_of: dt.date) -> QuerySet[MemberEvent]:
    """The events of `kind` decided between 1 January and `as_of`, in an organisation of the Bloc that day.

    Counted once, in the event's own organisation (the one that made the decision), so a member
    transferred later in the year still counts where they were admitted.
    """
    return MemberEvent.objects.filter(
        in_bloc_on_field_q("decided_on", "organization__"),
        kind=kind,
        decided_on__gte=year_start(year),
        decided_on__lte=as_of,
    )


def monthly_event_counts(kind: str, year: int, until: dt.date) -> list[int]:
    """The events of `kind` counted in `year` up to `until`, month by month (the pace and the charts), cached
    until a member event or a spell changes (``core.datacache``); after a new event, only its organisation's
    months are counted again (``cached_sums``)."""
    sums = datacache.cached_sums(
        ("monthly-events", kind, year, until),
        lambda org_ids: _monthly_event_counts(kind, year, until, org_ids),
        _add_months,
        lambda moved: changes.events_named(moved, {kind}, year),
    )
    return [sums.get(month, 0) for month in range(1, 13)]


def _monthly_event_counts(kind: str, year: int, until: dt.date, org_ids: list[int] | None) -> dict:
    """{organisation: ((month, count), …)} of the events of `kind` counted in `year` up to `until`."""

    def build(org_ids):
        events = counted_events(kind, year, until)
        if org_ids is not None:
            events = events.filter(organization_id__in=org_ids)
        return (
            events.annotate(month=ExtractMonth("decided_on"))
            .values_list("organization_id", "month")
            .annotate(n=Count("pk"))
            .order_by()
        )

    # compiled once per shape (``core.sqlshape``): right after a new member, one organisation's months
    rows = sqlshape.values(("monthly-events", kind, year, until), build, org_ids)
    out: dict[int, list] = {}
    for org_id, month, n in rows:
        out.setdefault(org_id, []).append((month, n))
    return {org_id: tuple(months) for org_id, months in out.items()}


def _add_months(sums: dict, months, sign: int) -> None:
    for month, n in months:
        sums[month] = sums.get(month, 0) + sign * n


def _event_rows(kind: str):
    def rows(year: int, as_of: dt.date, org_ids: list[int] | None, known=None) -> list[OrgRow]:
        """Counted from the events' side (the year's events of `kind`, by index), then spread over the
        organisations in the Bloc during the year: two queries that read only the year's events."""

        def build(org_ids):
            events = counted_events(kind, year, as_of)
            if org_ids is not None:
                events = events.filter(organization_id__in=org_ids)
            return (
                events.values("organization_id")
                .annotate(n=Count("pk"))
                .values_list("organization_id", "n")
                .order_by()
            )

        orgs = org_names(
            org_ids,
            known,
            lambda: Organization.objects.in_bloc_during(year_start(year), as_of),
            every_one=True,
        )
        # compiled once per shape (``core.sqlshape``): right after a new member, one organisation's count
        per_org = dict(sqlshape.values(("event-counts", kind, year, as_of), build, org_ids))
        return [
            OrgRow(pk, code, name, numerator=per_org.get(pk, 0), parts=per_org.get(pk, 0))
            for pk, code, name in orgs
        ]

    return rows


def _count_add(totals: dict, n: int, sign: int) -> None:
    totals["n"] = totals.get("n", 0) + sign * n


def _count_figure(year: int, as_of: dt.date, totals: dict, count: int) -> IndicatorResult:
    total = totals.get("n", 0)
    return IndicatorResult(value=total, numerator=total)


def _event_count(kind: str) -> ByOrganization:
    """The year's events of `kind` (``counted_events``), per organisation and in all."""
    return ByOrganization(
        rows=_event_rows(kind),
        add=_count_add,
        figure=_count_figure,
        named=lambda moved, year: changes.events_named(moved, {kind}, year),
    )


def _admissions_monthly(year, until):
    return monthly_event_counts(EventKind.ADMITTED, year, until)


def _recognitions_monthly(year, until):
    return monthly_event_counts(EventKind.FULL_MEMBER, year, until)


@indicator(
    "admissions", label="Kết nạp đảng viên mới", unit=COUNT, monthly=_admissions_monthly,
    by_organization=_event_count(EventKind.ADMITTED),
)  # fmt: skip
def admissions(year: int, as_of: dt.date) -> IndicatorResult:
    return REGISTRY["admissions"].compute(year, as_of)


@indicator(
    "official_recognitions", label="Công nhận đảng viên chính thức", unit=COUNT, monthly=_recognitions_monthly,
    by_organization=_event_count(EventKind.FULL_MEMBER),
)  # fmt: skip
def official_recognitions(year: int, as_of: dt.date) -> IndicatorResult:
    return REGISTRY["official_recognitions"].compute(year, as_of)


# --- shares of organisations --------------------------------------------------------------------------------


def _org_share(
    orgs: QuerySet[Organization],
    *,
    counted: Q,
    known: Q | None,
    describe: Callable[[object], str],
    known_word: str = "đã xếp loại",
) -> IndicatorResult:
    """Share of `orgs` (annotated with ``val``) matching `counted`; `known` says which have a value at all."""
    # One query: each organisation with its value and whether it counts (the totals are summed here).
    values = list(
        orgs.annotate(
            ok=Case(When(counted, then=Value(1)), default=Value(0)),
            kn=Case(When(known, then=Value(1)), default=Value(0)) if known is not None else Value(1),
        )
        .values("pk", "code", "name", "val", "ok", "kn")
        .order_by("code")
    )
    totals = {
        "total": len(values),
        "good": sum(1 for o in values if o["ok"]),
        "known": sum(1 for o in values if o["kn"]),
    }
    rows = [
        OrgRow(
            o["pk"],
            o["code"],
            o["name"],
            numerator=1 if o["ok"] else 0,
            denominator=1,
            counted=bool(o["ok"]),
            detail=describe(o["val"]),
            raw=o["val"],
        )
        for o in values
    ]
    note = ""
    if known is not None and totals["known"] < totals["total"]:
        note = f"{totals['known']}/{totals['total']} {known_word}"
    return IndicatorResult(
        value=percent(totals["good"], totals["total"]),
        numerator=totals["good"],
        denominator=totals["total"],
        rows=rows,
        note=note,
        known=totals["known"] if known is not None else None,
    )


def _with_year(orgs: QuerySet[Organization], year: int) -> QuerySet[Organization]:
    """`orgs` joined (left) to their record of `year`, as ``oy`` (one join, not a subquery per organisation)."""
    return orgs.annotate(oy=FilteredRelation("years", condition=Q(years__year=year)))


def _year_field(year: int, name: str) -> F:
    """The field `name` of the organisation's record of `year` (on a queryset made by ``_with_year``)."""
    return F(f"oy__{name}")


def _rating_word(value) -> str:
    return RATING_LABELS.get(value or "", "Chưa xếp loại")


@indicator("congress_held", label="Tổ chức cơ sở đảng đã tổ chức đại hội nhiệm kỳ", unit=PERCENT)
def congress_held(year: int, as_of: dt.date) -> IndicatorResult:
    """Organisations in the Bloc on `as_of` that have held the congress of the year's term (``term_of_year``:
    2020–2025 for 2020–2024, 2025–2030 from 2025) by `as_of`. One query (a join on the term's congress)."""
    term = term_of_year(year)
    orgs = (
        orgs_in_bloc(as_of)
        .annotate(term_congress=FilteredRelation("congresses", condition=Q(congresses__term_start=term)))
        .annotate(val=F("term_congress__held_on"))
    )
    label = term_label(term)
    result = _org_share(
        orgs,
        counted=Q(val__lte=as_of),
        known=None,
        describe=lambda d: (
            f"Đại hội nhiệm kỳ {label} ngày {d:%d/%m/%Y}"
            if d and d <= as_of
            else f"Chưa đại hội nhiệm kỳ {label}"
        ),
    )
    result.extra["term"] = label
    result.note = f"Nhiệm kỳ {label}"
    return result


def _rating_share(year: int, as_of: dt.date, field_name: str) -> IndicatorResult:
    orgs = _with_year(orgs_in_bloc(as_of), year).annotate(val=_year_field(year, field_name))
    result = _org_share(
        orgs,
        counted=Q(val__in=GOOD_RATINGS),
        known=Q(val__isnull=False) & ~Q(val=""),
        describe=_rating_word,
    )
    # How many organisations have each rating (the dashboard's chart), without reading every row again.
    result.extra["distribution"] = dict(Counter(row.raw for row in result.rows))
    return result


@indicator("org_rating_good", label="TCCSĐ hoàn thành tốt nhiệm vụ trở lên", unit=PERCENT, year_end=True)
def org_rating_good(year: int, as_of: dt.date) -> IndicatorResult:
    return _rating_share(year, as_of, "party_rating")


@indicator(
    "unit_professional_good",
    label="Cơ quan, đơn vị hoàn thành tốt nhiệm vụ chuyên môn",
    unit=PERCENT,
    year_end=True,
)
def unit_professional_good(year: int, as_of: dt.date) -> IndicatorResult:
    return _rating_share(year, as_of, "professional_rating")


@indicator(
    "enterprise_effective",
    label="TCCSĐ doanh nghiệp: SXKD hiệu quả, hoàn thành nghĩa vụ với Nhà nước",
    unit=PERCENT,
    year_end=True,
)
def enterprise_effective(year: int, as_of: dt.date) -> IndicatorResult:
    orgs = _with_year(orgs_in_bloc(as_of).enterprises(), year).annotate(
        val=_year_field(year, "enterprise_effective")
    )
    words = {True: "Hiệu quả, hoàn thành nghĩa vụ", False: "Chưa đạt", None: "Chưa đánh giá"}
    return _org_share(
        orgs,
        counted=Q(val=True),
        known=Q(val__isnull=False),
        describe=lambda v: words[v],
        known_word="đã đánh giá",
    )


@indicator("theme_adopted", label="TCCSĐ xây dựng chủ đề năm (Chỉ thị 05)", unit=PERCENT)
def theme_adopted(year: int, as_of: dt.date) -> IndicatorResult:
    orgs = _with_year(orgs_in_bloc(as_of), year).annotate(val=Trim(_year_field(year, "theme_text")))
    return _org_share(
        orgs,
        counted=Q(val__isnull=False) & ~Q(val=""),
        known=None,
        describe=lambda v: v if v else "Chưa xây dựng chủ đề",
    )


# --- study coverage from the reports ------------------------------------------------------------------------


def latest_study_lines(
    resolution_ids: list[int], period_ids: list[int], org_ids: list[int] | None = None
) -> QuerySet:
    """The study lines, for `resolution_ids` (a year's required resolutions), of each organisation's latest
    submitted-or-accepted report of `period_ids` (that year's periods ending by the day the figure is read as of)
    that carries study figures for those resolutions (latest: the period ending last; on the same day the longer
    period; then the newest report), as ``(organization_id, report_id, period_id, resolution_id, members_studied,
    members_total, masses_studied, masses_total)``; of the organisations `org_ids` only, when given.

    One query: the database ranks each organisation's candidate reports (a window function) and returns the
    first one's lines only. The periods' and resolutions' ids let it read the year's reports and lines by index
    rather than the whole tables."""
    with_lines = StudyLine.objects.filter(report=OuterRef("pk"), resolution_id__in=resolution_ids)
    latest_first = Window(
        RowNumber(),
        partition_by=F("organization_id"),
        order_by=[F("period__ends_on").desc(), F("period__starts_on").asc(), F("pk").desc()],
    )
    candidates = PeriodicReport.objects.filter(period_id__in=period_ids, status__in=COUNTED_REPORT_STATUSES)
    if org_ids is not None:
        candidates = candidates.filter(organization_id__in=org_ids)
    latest = candidates.filter(Exists(with_lines)).annotate(rank=latest_first).filter(rank=1).values("pk")
    return (
        StudyLine.objects.filter(report_id__in=latest, resolution_id__in=resolution_ids)
        .values_list("report__organization_id", "report_id", "report__period_id", "resolution_id",
                     "members_studied", "members_total", "masses_studied", "masses_total")
        .order_by()
    )  # fmt: skip


#: Which figures of a study line each coverage reads: (studied, total) positions in the line's tuple.
STUDY_FIGURES = {"members": (0, 1), "masses": (2, 3)}
STUDY_NOUNS = {"members": "đảng viên", "masses": "quần chúng"}


def required_resolutions(year: int) -> list[tuple[int, str]]:
    """(id, short title) of the resolutions every member of `year` had to study, in their order (no query on a
    page that shows cached figures: ``reports.selectors.required_resolutions``)."""
    return [(r.pk, r.short_title) for r in selectors.required_resolutions(year)]


def study_data(year: int, as_of: dt.date, org_ids: list[int] | None = None, names=None) -> list[dict]:
    """Both coverages' figures from each organisation's latest report (``latest_study_lines``), in one pass over
    its lines: per organisation (in the Bloc on `as_of`, by code; of `org_ids` only, when given, with their
    (id, code, name) in `names` when known: ``org_names``) the report, its period's label and, for each coverage,
    its lines' (resolution, studied, total). Four queries (resolutions, periods, organisations, lines), whatever
    the number of reports."""
    resolutions = [pk for pk, _ in required_resolutions(year)]
    labels = datacache.cached_when_version_read(
        ("ended-period-labels", year, as_of),
        lambda: {p.pk: p.label for p in ReportingPeriod.objects.filter(year=year, ends_on__lte=as_of)},
    )
    orgs = names if names is not None else org_names(org_ids, None, lambda: orgs_in_bloc(as_of))
    # compiled once per shape (``core.sqlshape``): right after a report is written, one organisation's lines
    lines = sqlshape.values("latest-study-lines", latest_study_lines, resolutions, list(labels), org_ids)
    latest: dict[int, tuple] = {}  # organisation → (its latest report, its period, [(resolution, figures)])
    for org_id, report_id, period_id, resolution_id, *figures in lines:
        entry = latest.setdefault(org_id, (report_id, period_id, []))
        entry[2].append((resolution_id, tuple(v or 0 for v in figures)))
    rows = []
    for org_id, code, name in orgs:
        report_id, period_id, its_lines = latest.get(org_id, (None, None, None))
        figures = {}
        if its_lines:
            its_lines.sort()
            for who, (s_at, t_at) in STUDY_FIGURES.items():
                figures[who] = tuple((r, f[s_at], f[t_at]) for r, f in its_lines)
        rows.append(
            {
                "pk": org_id,
                "code": code,
                "name": name,
                "report_id": report_id,
                "label": labels[period_id] if period_id else "Chưa báo cáo",
                "figures": figures,
            }
        )
    return rows


def _weakest(pairs: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The (studied, total) pair with the lowest share (a resolution nobody had to study counts as done); of
    equal shares the larger total. Shares compared exactly, by cross-multiplying (totals are positive)."""
    weakest = None
    for studied, total in pairs:
        if not total:
            continue
        if weakest is None:
            weakest = (studied, total)
            continue
        lhs, rhs = studied * weakest[1], weakest[0] * total
        if lhs < rhs or (lhs == rhs and total > weakest[1]):
            weakest = (studied, total)
    return weakest


def _study_rows(who: str):
    def rows(year: int, as_of: dt.date, org_ids: list[int] | None, known=None) -> list[OrgRow]:
        if org_ids is None:
            data = shared(("study", year, as_of), lambda: study_data(year, as_of))
        else:  # both coverages brought up to date on one page read the same organisations
            names = org_names(org_ids, known, lambda: orgs_in_bloc(as_of), every_one=True)
            data = datacache.per_request(
                ("study", year, as_of, tuple(names)), lambda: study_data(year, as_of, org_ids, names)
            )
        out = []
        for o in data:
            lines = o["figures"].get(who)
            pair = (_weakest([(s, t) for _, s, t in lines]) or (0, 0)) if lines else None
            out.append(
                OrgRow(
                    o["pk"],
                    o["code"],
                    o["name"],
                    numerator=pair[0] if pair else None,
                    denominator=pair[1] if pair else None,
                    counted=(pair[0] == pair[1]) if pair else None,
                    detail=o["label"],
                    report_id=o["report_id"],
                    parts=lines,
                )
            )
        return out

    return rows


def _study_add(totals: dict, lines, sign: int) -> None:
    """One organisation's latest report: reported, and per resolution Σ studied and Σ total."""
    if not lines:
        return
    totals["reported"] = totals.get("reported", 0) + sign
    for resolution_id, studied, total in lines:
        sums = totals.setdefault(resolution_id, [0, 0])
        sums[0] += sign * studied
        sums[1] += sign * total


def _study_figure(who: str):
    def figure(year: int, as_of: dt.date, totals: dict, count: int) -> IndicatorResult:
        """Study coverage in **people**, per required resolution: Σ studied / Σ total over the organisations'
        latest reports (members and member × resolution pairs are never added up). The year's figure is the
        weakest resolution's: "100% đảng viên được học tập, quán triệt các nghị quyết" (Nghị quyết Đại hội Đảng
        bộ Khối, target 3) holds only when every member studied every listed resolution, so the minimum, not
        the average, is what the target's wording means. An organisation's figure is likewise its weakest
        resolution."""
        titles = required_resolutions(year)
        reported = totals.get("reported", 0)
        resolutions = []
        for pk, title in titles:
            studied, total = totals.get(pk, (0, 0))
            resolutions.append(
                {"title": title, "studied": studied, "total": total, "value": percent(studied, total)}
            )
        weakest = _weakest([(r["studied"], r["total"]) for r in resolutions]) if reported else None
        note = ""
        if reported < count:
            note = f"{reported}/{count} tổ chức đã báo cáo"
        if not titles:
            note = "Chưa có nghị quyết bắt buộc học tập trong năm"
        return IndicatorResult(
            value=percent(*weakest) if weakest else None,
            numerator=weakest[0] if weakest else None,
            denominator=weakest[1] if weakest else None,
            note=note,
            known=reported,
            extra={"resolutions": resolutions, "noun": STUDY_NOUNS[who]},
        )

    return figure


def _study_coverage(who: str) -> ByOrganization:
    return ByOrganization(rows=_study_rows(who), add=_study_add, figure=_study_figure(who))


@indicator(
    "members_studied", label="Đảng viên được học tập, quán triệt nghị quyết", unit=PERCENT,
    by_organization=_study_coverage("members"),
)  # fmt: skip
def members_studied(year: int, as_of: dt.date) -> IndicatorResult:
    return REGISTRY["members_studied"].compute(year, as_of)


@indicator(
    "masses_studied", label="Quần chúng được học tập, quán triệt nghị quyết", unit=PERCENT,
    by_organization=_study_coverage("masses"),
)  # fmt: skip
def masses_studied(year: int, as_of: dt.date) -> IndicatorResult:
    return REGISTRY["masses_studied"].compute(year, as_of)


# --- the Bloc's own rating ----------------------------------------------------------------------------------


@indicator("bloc_rating", label="Đảng bộ Khối hoàn thành xuất sắc nhiệm vụ", unit=RATING, year_end=True)
def bloc_rating(year: int, as_of: dt.date) -> IndicatorResult:
    rating = BlocYear.objects.filter(year=year).values_list("rating", flat=True).first() or None
    return IndicatorResult(value=rating, note="" if rating else "Chưa xếp loại")


# --- punctuality of the periodic reports --------------------------------------------------------------------


def punctuality_as_of(year: int, on: dt.date) -> dt.date:
    """Punctuality by period, not by calendar: a year's punctuality counts every period of that year, whenever
    its due date falls, so a past year is read up to the end of the last due date of its periods (the annual
    report's, 20/01 of the next year by default): the day after it, when every report of the year is in,
    late or missing. During the year: `on` itself. One query."""
    if on <= dt.date(year, 12, 31):
        return calendar_as_of(year, on)
    last_due = ReportingPeriod.objects.filter(year=year).aggregate(last=Max("due_on"))["last"]
    if last_due is None:
        return dt.date(year, 12, 31)
    return min(on, last_due + dt.timedelta(days=1))


def due_periods(year: int, as_of: dt.date) -> list[ReportingPeriod]:
    """The periods of `year` whose due date has come by `as_of` (no query on a page that shows cached figures)."""
    return datacache.cached_when_version_read(
        ("due-periods", year, as_of),
        lambda: list(
            ReportingPeriod.objects.filter(year=year, due_on__lte=as_of).order_by("ends_on", "starts_on")
        ),
    )


def owing_organizations(periods: list[ReportingPeriod]) -> list[Organization]:
    """Organisations that owe at least one of `periods` (``reports.timeliness``), in code order."""
    if not periods:
        return []
    owes_one = Q(pk__in=[])
    for p in periods:
        owes_one |= timeliness.owes_q(p)
    return list(
        Organization.objects.filter(owes_one)
        .only("pk", "code", "name", "joined_on", "left_on")
        .prefetch_related("spells")
        .order_by("code")
    )


def _punctuality_rows(year: int, as_of: dt.date, org_ids: list[int] | None, known=None) -> list[OrgRow]:
    """Each owing organisation's on-time reports over reports due, every period due together, with its state
    in each period as parts (``timeliness.pair_states``)."""
    periods = due_periods(year, as_of)
    if not periods:
        return []
    states = timeliness.pair_states(periods, as_of, org_ids)
    period_ids = tuple(p.pk for p in periods)
    rows = []
    for org_id, code, name in org_names(org_ids, known, Organization.objects.all):
        if org_id not in states:  # owes none of the periods
            continue
        counts = timeliness.TimelinessCounts()
        for period, state in zip(periods, states[org_id], strict=True):
            if state != timeliness.PAIR_NOT_OWED:
                counts.merge(timeliness.pair_counts(state, period, as_of))
        rows.append(
            OrgRow(
                org_id,
                code,
                name,
                numerator=counts.on_time,
                denominator=counts.due,
                counted=counts.on_time == counts.due if counts.due else None,
                detail=f"{counts.on_time}/{counts.due} đúng hạn, {counts.late} muộn",
                parts=(period_ids, states[org_id]),
            )
        )
    return rows


def _punctuality_add(totals: dict, parts, sign: int) -> None:
    """Per period due: [owed, filed, on time]."""
    timeliness.add_states(totals, *parts, sign)


def _punctuality_figure(year: int, as_of: dt.date, totals: dict, count: int) -> IndicatorResult:
    """On-time reports over reports due, every kind together, by the one rule of ``reports.timeliness``: an
    organisation owes a period's report if it belonged to the Bloc for any part of the period."""
    periods = due_periods(year, as_of)
    per_period, total = timeliness.counts_from_sums(periods, as_of, totals)
    series = [
        {
            "period_id": p.pk,
            "label": p.label,
            "due_on": p.due_on,
            "expected": per_period[p.pk].due,
            "on_time": per_period[p.pk].on_time,
            "late": per_period[p.pk].late,
            "missing": per_period[p.pk].missing,
        }
        for p in periods
    ]
    if not periods:
        note = "Chưa có kỳ báo cáo nào đến hạn"
    elif total.missing or total.late:
        note = f"{total.missing} báo cáo chưa nộp, {total.late} nộp muộn"
    else:
        note = ""
    return IndicatorResult(
        value=percent(total.on_time, total.due),
        numerator=total.on_time,
        denominator=total.due,
        note=note,
        extra={"periods": series, "scope": punctuality_scope(year, as_of, periods)},
    )


@indicator(
    "reports_on_time", label="Báo cáo định kỳ nộp đúng hạn", unit=PERCENT, as_of_rule=punctuality_as_of,
    by_organization=ByOrganization(rows=_punctuality_rows, add=_punctuality_add, figure=_punctuality_figure),
)  # fmt: skip
def reports_on_time(year: int, as_of: dt.date) -> IndicatorResult:
    return REGISTRY["reports_on_time"].compute(year, as_of)


def punctuality_scope(year: int, as_of: dt.date, periods: list[ReportingPeriod]) -> str:
    """Which periods the figure counts and as of when, in words: "Tính 19 kỳ báo cáo của năm 2020 (12 tháng,
    4 quý, 2 kỳ 6 tháng, 1 năm), đến hết ngày 20/01/2021"."""
    if not periods:
        return f"Chưa có kỳ báo cáo nào của năm {year} đến hạn."
    words = {
        ReportKind.MONTH: "tháng",
        ReportKind.QUARTER: "quý",
        ReportKind.HALF_YEAR: "kỳ 6 tháng",
        ReportKind.YEAR: "năm",
    }
    parts = [
        f"{n} {word}" for kind, word in words.items() if (n := sum(1 for p in periods if p.kind == kind))
    ]
    counted = f"Tính {len(periods)} kỳ báo cáo của năm {year} đã đến hạn ({', '.join(parts)}), theo hạn nộp của từng kỳ"
    if as_of > dt.date(year, 12, 31):
        # A past year is read the day after its last due date: "to the end of" that due date.
        return f"{counted}, đến hết ngày {as_of - dt.timedelta(days=1):%d/%m/%Y}."
    return f"{counted}, đến ngày {as_of:%d/%m/%Y}."


# --- cell meetings (members.meetings: the one home of which cells meet and what counts) ----------------------

#: The indicators read from the cells' meeting records (their drill-down lists organisations with numerator
#: and denominator, summing to the figure).
MEETING_CODES = ("cells_met_monthly", "thematic_quarterly", "meeting_attendance", "higher_committee_attended")


def _meeting_years(year: int, as_of: dt.date) -> dict:
    """Every organisation in the Bloc on `as_of` with its cells' year (``members.meetings``), shared by the four
    meeting indicators (five queries in all)."""
    # A month counts once it has passed: a closed year is read as of 31/12, so its December is judged too.
    judged_on = as_of + dt.timedelta(days=1) if as_of == dt.date(year, 12, 31) else as_of

    def compute():
        orgs = list(
            orgs_in_bloc(as_of).only("pk", "code", "name", "kind", "joined_on", "left_on").order_by("code")
        )
        return {"orgs": orgs, "years": meetings.organization_years(orgs, year, judged_on)}

    return shared(("meetings", year, as_of), compute)


def _meeting_share(year, as_of, numerator, denominator, describe, empty_note) -> IndicatorResult:
    data = _meeting_years(year, as_of)
    rows, num, den = [], 0, 0
    for org in data["orgs"]:
        record = data["years"][org.pk]
        n, d = numerator(record), denominator(record)
        num, den = num + n, den + d
        rows.append(
            OrgRow(org.pk, org.code, org.name, numerator=n, denominator=d,
                   counted=(n == d) if d else None, detail=describe(record, n, d))
        )  # fmt: skip
    return IndicatorResult(
        value=percent(num, den), numerator=num, denominator=den, rows=rows, note="" if den else empty_note
    )


def _missing_text(record) -> str:
    gaps = [
        f"{u.unit.name}: tháng {', '.join(map(str, u.missing_months))}"
        for u in record.units
        if u.missing_months
    ]
    return "; ".join(gaps)


@indicator("cells_met_monthly", label="Chi bộ sinh hoạt thường kỳ đủ các tháng", unit=PERCENT)
def cells_met_monthly(year: int, as_of: dt.date) -> IndicatorResult:
    """Cells that held their regular meeting in every month of the year ended by `as_of` (Điều lệ Art. 24)."""
    return _meeting_share(
        year,
        as_of,
        lambda r: r.cells_every_month,
        lambda r: r.cells,
        lambda r, n, d: f"{n}/{d} chi bộ đủ các tháng" + (f" — thiếu {_missing_text(r)}" if n < d else ""),
        "Chưa có chi bộ nào",
    )


@indicator("thematic_quarterly", label="Sinh hoạt chuyên đề đủ mỗi quý", unit=PERCENT)
def thematic_quarterly(year: int, as_of: dt.date) -> IndicatorResult:
    """Quarters ended by `as_of` in which a cell held a thematic meeting, over every cell's ended quarters."""
    return _meeting_share(
        year,
        as_of,
        lambda r: r.quarters_held,
        lambda r: r.quarters_due,
        lambda r, n, d: f"{n}/{d} lượt chi bộ × quý có sinh hoạt chuyên đề ({r.thematic} buổi)",
        "Chưa có quý nào kết thúc",
    )


@indicator("meeting_attendance", label="Đảng viên dự sinh hoạt chi bộ", unit=PERCENT)
def meeting_attendance(year: int, as_of: dt.date) -> IndicatorResult:
    """Members present over members expected, at the completed meetings of the year up to `as_of`."""
    return _meeting_share(
        year,
        as_of,
        lambda r: r.present,
        lambda r: r.expected,
        lambda r, n, d: f"{n}/{d} lượt có mặt ({r.meetings} buổi)",
        "Chưa có buổi sinh hoạt nào được ghi",
    )


@indicator("higher_committee_attended", label="Buổi sinh hoạt chi bộ có cấp ủy cấp trên dự", unit=PERCENT)
def higher_committee_attended(year: int, as_of: dt.date) -> IndicatorResult:
    """Completed meetings of the year up to `as_of` that a member of the higher committee attended."""
    return _meeting_share(
        year,
        as_of,
        lambda r: r.with_higher,
        lambda r: r.meetings,
        lambda r, n, d: f"{n}/{d} buổi có cấp ủy cấp trên dự",
        "Chưa có buổi sinh hoạt nào được ghi",
    )


# --- party dues, discipline and inspection (issue 19) ------------------------------------------------------------


def _year_end(year: int, as_of: dt.date) -> dt.date:
    return min(dt.date(year, 12, 31), as_of)


@indicator("dues_on_time", label="TCCSĐ nộp đảng phí đúng hạn", unit=PERCENT)
def dues_on_time(year: int, as_of: dt.date) -> IndicatorResult:
    """TCCSĐ whose every remittance of the year due by `as_of` reached the Bloc on time, over those that owed
    at least one — by the one rule ``members.dues.remittance_status`` (a missing one is not on time)."""
    owing = dues.owing_organizations(year, as_of)
    table = dues.remittance_table(year, as_of, owing)
    orgs = {o.pk: o for o in owing}
    rows = []
    for org_id, periods in table.items():
        due = [status for _p, _r, status in periods if status != dues.NOT_YET]
        on_time = sum(1 for s in due if s == dues.ON_TIME)
        org = orgs[org_id]
        rows.append(
            OrgRow(
                org.pk, org.code, org.name,
                numerator=1 if due and on_time == len(due) else 0,
                denominator=1 if due else 0,
                counted=(on_time == len(due)) if due else None,
                detail=f"{on_time}/{len(due)} kỳ đúng hạn" if due else "Chưa có kỳ nộp đến hạn",
            )
        )  # fmt: skip
    numerator = sum(r.numerator for r in rows)
    denominator = sum(r.denominator for r in rows)
    note = "" if denominator else "Chưa có kỳ nộp đảng phí nào đến hạn"
    return IndicatorResult(percent(numerator, denominator), numerator, denominator, rows, note=note)


def _discipline_rows(queryset, year: int, as_of: dt.date) -> tuple[int, list[OrgRow]]:
    per_org = dict(
        queryset.counting_in(year)
        .filter(decided_on__lte=as_of)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
        .order_by()
    )
    orgs = Organization.objects.filter(pk__in=per_org).values_list("pk", "code", "name").order_by("code")
    rows = [
        OrgRow(
            pk, code, name, numerator=per_org[pk], counted=True, detail=f"{per_org[pk]} quyết định kỷ luật"
        )
        for pk, code, name in orgs
    ]
    return sum(per_org.values()), rows


@indicator("disciplined_members", label="Đảng viên bị kỷ luật trong năm", unit=COUNT)
def disciplined_members(year: int, as_of: dt.date) -> IndicatorResult:
    """Disciplines of members decided in the year by `as_of` and still in force (``counting_in``: a discipline
    changed on appeal counts once, an annulled one not at all)."""
    total, rows = _discipline_rows(Discipline.objects.filter(subject=Subject.MEMBER), year, as_of)
    return IndicatorResult(total, total, None, rows)


@indicator("disciplined_organizations", label="Tổ chức đảng bị kỷ luật trong năm", unit=COUNT)
def disciplined_organizations(year: int, as_of: dt.date) -> IndicatorResult:
    """Disciplines of TCCSĐ and their subordinate organisations decided in the year by `as_of`, in force."""
    total, rows = _discipline_rows(Discipline.objects.exclude(subject=Subject.MEMBER), year, as_of)
    return IndicatorResult(total, total, None, rows)


@indicator("inspections_done", label="Cuộc kiểm tra, giám sát theo chương trình đã kết luận", unit=PERCENT)
def inspections_done(year: int, as_of: dt.date) -> IndicatorResult:
    """Programmes of the year's plan concluded by `as_of`, over those planned; per organisation, the
    programmes that cover it."""
    planned = InspectionProgramme.objects.filter(year=year, in_plan=True)
    total = planned.count()
    finished = planned.filter(status=ProgrammeStatus.CONCLUDED, concluded_on__lte=as_of).count()
    per_org = (
        Organization.objects.filter(inspection_programmes__in=planned)
        .annotate(
            programmes=Count(
                "inspection_programmes", filter=Q(inspection_programmes__in=planned), distinct=True
            ),
        )
        .values_list("pk", "code", "name", "programmes")
        .order_by("code")
    )
    concluded = dict(
        Organization.objects.filter(
            inspection_programmes__in=planned.filter(
                status=ProgrammeStatus.CONCLUDED, concluded_on__lte=as_of
            )
        )
        .annotate(n=Count("inspection_programmes", distinct=True))
        .values_list("pk", "n")
        .order_by()
    )
    rows = [
        OrgRow(pk, code, name, numerator=concluded.get(pk, 0), denominator=n, counted=concluded.get(pk, 0) == n,
               detail=f"{concluded.get(pk, 0)}/{n} cuộc đã kết luận")
        for pk, code, name, n in per_org
    ]  # fmt: skip
    note = "" if total else "Chưa có chương trình kiểm tra, giám sát trong năm"
    return IndicatorResult(percent(finished, total), finished, total, rows, note=note)


@indicator("remedies_overdue", label="Yêu cầu khắc phục sau kiểm tra, giám sát quá hạn", unit=COUNT)
def remedies_overdue(year: int, as_of: dt.date) -> IndicatorResult:
    """Remedies not done whose deadline passed by the year's end (or `as_of` in the current year):
    ``Remedy.objects.overdue_on``, the register's one rule."""
    day = _year_end(year, as_of)
    per_org = dict(
        Remedy.objects.overdue_on(day)
        .filter(deadline__year__lte=year)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
        .order_by()
    )
    orgs = Organization.objects.filter(pk__in=per_org).values_list("pk", "code", "name").order_by("code")
    rows = [
        OrgRow(pk, code, name, numerator=per_org[pk], counted=False, detail=f"{per_org[pk]} yêu cầu quá hạn")
        for pk, code, name in orgs
    ]
    total = sum(per_org.values())
    return IndicatorResult(total, total, None, rows)
