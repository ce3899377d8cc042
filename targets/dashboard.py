"""The leadership dashboard: targets against indicators, status, pace and forecast, charts, exports.

One function, ``build_dashboard``, computes everything the page, the JSON, the XLSX export and the print
view show, so they cannot disagree.

Statuses (docs/dashboard.md):
- ``met`` (đạt): the comparator holds for the value as of the indicator's day (``indicators.as_of_for_indicator``);
- ``not_yet`` (chưa đến kỳ đánh giá): a year-end assessment (ratings) while the year is open and not everyone
  is assessed, and not met yet: there is nothing to be behind on;
- current year, count targets not yet met: ``on_track`` (đúng tiến độ) when value ≥ pace, ``at_risk``
  (có nguy cơ) when value ≥ 85% of pace, else ``behind`` (chậm);
- current year, percentage targets not yet met: ``at_risk`` when value ≥ 85% of the target, else ``behind``;
- past year: ``met`` or ``not_met`` (không đạt); a rating target that has a rating and misses is ``not_met``;
- ``no_data`` (chưa có số liệu) when there is nothing to compare yet (no denominator, no rating).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from html import escape

from django.core.paginator import Page, Paginator
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe

from core import datacache
from core.spreadsheets import Bold, Sheet
from core.templatetags.portal import count
from members.models import EventKind, MemberEvent
from organizations.models import ClosedYearChange, Organization, OrganizationYear, Rating
from reports import changes, timeliness
from reports.models import ReportingPeriod

from . import indicators as ind
from .models import Comparator, Target, YearSnapshot

MET = "met"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
BEHIND = "behind"
NOT_MET = "not_met"
NOT_YET = "not_yet"
NO_DATA = "no_data"
STATUS_LABELS = {
    MET: "Đạt",
    ON_TRACK: "Đúng tiến độ",
    AT_RISK: "Có nguy cơ",
    BEHIND: "Chậm",
    NOT_MET: "Không đạt",
    NOT_YET: "Chưa đến kỳ đánh giá",
    NO_DATA: "Chưa có số liệu",
}
STATUS_CSS = {
    MET: "success",
    ON_TRACK: "primary",
    AT_RISK: "warning",
    BEHIND: "danger",
    NOT_MET: "danger",
    NOT_YET: "light",
    NO_DATA: "secondary",
}
#: The legend under the cards: what each status means, in one line.
STATUS_MEANINGS = {
    MET: "chỉ tiêu đã đạt với số liệu đến ngày xem",
    ON_TRACK: "chưa đạt nhưng bằng hoặc vượt tiến độ cần đạt đến nay (chỉ tiêu số lượng)",
    AT_RISK: "chưa đạt, từ 85% tiến độ cần đạt (hoặc 85% chỉ tiêu tỷ lệ) trở lên",
    BEHIND: "chưa đạt, dưới 85% tiến độ cần đạt (hoặc dưới 85% chỉ tiêu tỷ lệ)",
    NOT_MET: "năm đã kết thúc mà chỉ tiêu không đạt",
    NOT_YET: "chỉ tiêu đánh giá cuối năm (xếp loại), năm chưa kết thúc và chưa đánh giá xong",
    NO_DATA: "chưa có gì để so sánh (chưa có báo cáo, chưa xếp loại)",
}
#: How the one-line summary names each status ("5/8 chỉ tiêu đạt, 2 có nguy cơ, 1 chưa đến kỳ").
STATUS_SUMMARY_WORDS = {
    ON_TRACK: "đúng tiến độ",
    AT_RISK: "có nguy cơ",
    BEHIND: "chậm",
    NOT_MET: "không đạt",
    NOT_YET: "chưa đến kỳ",
    NO_DATA: "chưa có số liệu",
}
#: Below this share of the pace (or of a percentage target) a target is "behind" rather than "at risk".
AT_RISK_SHARE = Fraction(85, 100)
COMPARATOR_SIGNS = {Comparator.GTE: "≥", Comparator.GT: ">", Comparator.EQ: "="}
#: Better grades rank higher, so "≥ HTTNV" means HTTNV or HTXSNV.
RATING_RANK = {Rating.HTXSNV: 4, Rating.HTTNV: 3, Rating.HTNV: 2, Rating.KHTNV: 1}
MONTH_LABELS = [f"T{m}" for m in range(1, 13)]


# --- dates ----------------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def as_of_for(year: int, on: dt.date | None = None) -> dt.date:
    """Where the year stands: today for the current year, 31/12 for a past year, 1/1 for a future one (the
    calendar rule; punctuality has its own, ``indicators.punctuality_as_of``)."""
    return ind.calendar_as_of(year, on or today())


def is_closed(year: int, on: dt.date | None = None) -> bool:
    """A year is closed once it is over: its figures are final and targets are met or not met."""
    return year < (on or today()).year


def available_years(on: dt.date | None = None) -> list[int]:
    """Years with data (targets, organisation records, events, reporting periods), plus the current year.
    Cached under the data's version (scanning the events' years costs a pass over the events); after new
    events only (a member admitted), the years are widened by theirs, with one query instead of seven."""
    on = on or today()
    found = datacache.cached_under_data_version(
        ("dashboard-years", on), lambda: _available_years(on), update=_years_after_events
    )
    return sorted(found["other"] | _event_years(found["events"]), reverse=True)


_EVENT_KINDS_WITH_YEARS = (EventKind.ADMITTED, EventKind.FULL_MEMBER)


def _event_years(spans: dict) -> set[int]:
    """Every year from the first to the last admission or recognition decided (`spans`: {kind: (first year,
    last year)})."""
    return {year for first, last in spans.values() for year in range(first, last + 1)}


def _available_years(on: dt.date) -> dict:
    other = {on.year}
    # .order_by(): a model's default ordering would join into DISTINCT (the yearly records' distinct pairs of
    # year and organisation code, 38.000 at a province's size, instead of a handful of years).
    other.update(Target.objects.order_by().values_list("year", flat=True).distinct())
    other.update(OrganizationYear.objects.order_by().values_list("year", flat=True).distinct())
    other.update(ReportingPeriod.objects.order_by().values_list("year", flat=True).distinct())
    # The events' years by index (kind, decided_on): from the first to the last admission or recognition
    # decided, without a pass over every event.
    spans = {}
    for kind in _EVENT_KINDS_WITH_YEARS:
        events = MemberEvent.objects.filter(kind=kind, decided_on__isnull=False).order_by("decided_on")
        first, last = (
            events.values_list("decided_on", flat=True).first(),
            events.values_list("decided_on", flat=True).last(),
        )
        if first and last:
            spans[kind] = (first.year, last.year)
    return {"other": other, "events": spans}


def _years_after_events(previous: dict, moved: dict) -> dict | None:
    """The years after writes that only added events (events are written once, never changed): each kind's
    span widened by the years of the events added since (read from a little below the recorded id, as
    ``reports.changes.new_events``); None — computed afresh — when anything else moved."""
    table = MemberEvent._meta.db_table
    if set(moved) != {table}:
        return None
    added = changes.new_events(moved[table])  # read once for every figure of the page (``changes``)
    if added is None:
        return None
    spans = dict(previous["events"])
    for _, kind, day in added:
        if kind in _EVENT_KINDS_WITH_YEARS and day is not None:
            known = spans.get(kind)
            spans[kind] = (
                (min(day.year, known[0]), max(day.year, known[1])) if known else (day.year, day.year)
            )
    return {"other": previous["other"], "events": spans}


# --- comparison, pace, forecast -----------------------------------------------------------------------------


def _exact(result: ind.IndicatorResult, unit: str) -> Fraction | None:
    """The value as an exact number (a percentage from numerator/denominator, not the rounded figure)."""
    if unit == ind.PERCENT:
        if not result.denominator:
            return None
        return Fraction(result.numerator * 100, result.denominator)
    if unit == ind.COUNT:
        return None if result.value is None else Fraction(result.value)
    return Fraction(RATING_RANK[result.value]) if result.value in RATING_RANK else None


def _target_exact(target: TargetTerms | Target, unit: str) -> Fraction:
    if unit == ind.RATING:
        return Fraction(RATING_RANK.get(target.rating, 0))
    return Fraction(target.value)


def compare(lhs: Fraction, comparator: str, rhs: Fraction) -> bool:
    if comparator == Comparator.GTE:
        return lhs >= rhs
    if comparator == Comparator.GT:
        return lhs > rhs
    if comparator == Comparator.EQ:
        return lhs == rhs
    raise ValueError(f"unknown comparator {comparator!r}")


def is_met(result: ind.IndicatorResult, target: TargetTerms | Target, unit: str) -> bool | None:
    value = _exact(result, unit)
    if value is None:
        return None
    return compare(value, target.comparator, _target_exact(target, unit))


def pace_share(as_of: dt.date, profile: list[int] | None = None) -> Fraction:
    """The share of the year's total expected by `as_of`.

    With last year's monthly counts (`profile`, 12 numbers, not all zero): the cumulative share of last
    year's total up to the previous month end, plus the current month's share pro rata by day. Without a
    profile: linear by day of the year. The last day of the year gives 1.
    """
    year = as_of.year
    if profile and sum(profile) > 0:
        days_in_month = calendar.monthrange(year, as_of.month)[1]
        done = sum(profile[: as_of.month - 1])
        within = Fraction(profile[as_of.month - 1] * as_of.day, days_in_month)
        return (done + within) / sum(profile)
    days = 366 if calendar.isleap(year) else 365
    return Fraction(as_of.timetuple().tm_yday, days)


def cumulative_shares(year: int, profile: list[int] | None) -> list[Fraction]:
    """pace_share at each month end, for the pace line of the chart."""
    return [pace_share(dt.date(year, m, calendar.monthrange(year, m)[1]), profile) for m in range(1, 13)]


def projection(value: int, share: Fraction) -> int | None:
    """Projected year-end: value / share, rounded half up (None when nothing is expected yet)."""
    if share <= 0:
        return None
    return math.floor(Fraction(value) / share + Fraction(1, 2))


def status_for(
    result: ind.IndicatorResult,
    target: TargetTerms | Target,
    unit: str,
    *,
    closed: bool,
    pace: Fraction | None,
    year_end: bool = False,
) -> str:
    """The target's status. A figure that cannot exist yet is never "behind": a year-end assessment (ratings)
    not met while the year is open and not everyone is assessed is "not yet assessable"; nothing to compare
    (nothing rated, no report counted) is "no data"."""
    incomplete = (
        result.known is not None and result.denominator is not None and result.known < result.denominator
    )
    if year_end and not closed and (not result.assessable or incomplete) and not is_met(result, target, unit):
        return NOT_YET
    if not result.assessable:
        return NO_DATA
    met = is_met(result, target, unit)
    if met is None:
        return NO_DATA
    if met:
        return MET
    if closed or unit == ind.RATING:
        return NOT_MET
    value = _exact(result, unit)
    reference = pace if unit == ind.COUNT and pace is not None else _target_exact(target, unit)
    if unit == ind.COUNT and value >= reference:
        return ON_TRACK
    if value >= reference * AT_RISK_SHARE:
        return AT_RISK
    return BEHIND


# --- display helpers ----------------------------------------------------------------------------------------


def _round(value: Fraction | None, places: int = 1) -> Decimal | None:
    if value is None:
        return None
    q = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(q, ROUND_HALF_UP)


def shown_percent(
    numerator: int | None, denominator: int | None, comparator: str | None = None, target=None
) -> Decimal | None:
    """numerator/denominator as the page shows it, to 2 places, never contradicting the status: rounded half
    up unless that would cross the target, then rounded toward the side the exact value is on (22.499/25.000 =
    89,996% shows "89,99%" against "≥ 90%"; 99.999/100.000 shows "99,99%" against "= 100%"; 90,001% shows
    "90,01%" against "> 90%")."""
    if not denominator or numerator is None:
        return None
    exact = Fraction(numerator * 100, denominator)
    q = Decimal("0.01")
    shown = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(q, ROUND_HALF_UP)
    if comparator is None or target is None:
        return shown
    goal = Fraction(Decimal(target))
    met = compare(exact, comparator, goal)
    if compare(Fraction(shown), comparator, goal) == met:
        return shown
    floor = Decimal(math.floor(exact * 100)) / 100
    ceiling = Decimal(math.ceil(exact * 100)) / 100
    # Not met and below the target, or met from above: round down; otherwise up.
    return (floor if exact < goal else ceiling).quantize(q)


def percent_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",") + "%"


def target_number(target: TargetTerms | Target, unit: str):
    """The target as JSON and the page show it: a grade code, an integer count or a percentage."""
    if unit == ind.RATING:
        return target.rating
    if target.value == target.value.to_integral_value():
        return int(target.value)
    return target.value


def target_text(target: TargetTerms | Target, unit: str) -> str:
    sign = COMPARATOR_SIGNS.get(target.comparator, target.comparator)
    if unit == ind.RATING:
        return f"{sign} {target.rating}"
    number = f"{target_number(target, unit)}".replace(".", ",")
    return f"{sign} {number}{'%' if unit == ind.PERCENT else ''}"


def json_number(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Fraction):
        return float(value)
    return value


# --- the dashboard ------------------------------------------------------------------------------------------


#: How a closed year's figure changed since closing is marked (the page and the JSON).
ADJUSTED_LABEL = "đã điều chỉnh sau khi chốt"


@dataclass(frozen=True)
class TargetTerms:
    """A target as the dashboard keeps it with its figures in the cache: its terms, not the model instance (which
    costs several times as much to read back, on every page brought up to date after a write)."""

    pk: int
    year: int
    indicator: str
    comparator: str
    value: Decimal
    rating: str
    wording: str
    order: int

    @classmethod
    def of(cls, target: Target) -> TargetTerms:
        return cls(
            pk=target.pk, year=target.year, indicator=target.indicator, comparator=target.comparator,
            value=target.value, rating=target.rating, wording=target.wording, order=target.order,
        )  # fmt: skip


@dataclass
class Card:
    code: str
    label: str
    unit: str
    result: ind.IndicatorResult
    #: The target's terms (``TargetTerms``; a ``Target`` does as well).
    target: TargetTerms | Target | None = None
    status: str | None = None
    pace: Decimal | None = None
    projection: int | None = None

    #: Closed years: the snapshot's entry for this figure (``YearSnapshot.figures``) when the figure differs now
    #: (adjusted after closing).
    closed_value: dict | None = None
    adjusted: bool = False

    @property
    def value(self):
        """The figure as shown: a percentage rounded so that it never contradicts the status
        (``shown_percent``)."""
        if self.unit == ind.PERCENT:
            target = self.target.value if self.target is not None else None
            return shown_percent(self.result.numerator, self.result.denominator, self.comparator, target)
        return self.result.value

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "")

    @property
    def status_css(self) -> str:
        return STATUS_CSS.get(self.status, "secondary")

    @property
    def comparator(self) -> str | None:
        return self.target.comparator if self.target else None

    @property
    def target_value(self):
        return target_number(self.target, self.unit) if self.target else None

    @property
    def target_text(self) -> str:
        return target_text(self.target, self.unit) if self.target else ""

    @property
    def value_text(self) -> str:
        """The value as the page prints it (Vietnamese decimal comma)."""
        v = self.value
        if v is None:
            return "—"
        if self.unit == ind.PERCENT:
            return percent_text(v)
        if self.unit == ind.RATING:
            return str(v)
        return f"{v:,}".replace(",", ".")

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "value": json_number(self.value),
            "numerator": self.result.numerator,
            "denominator": self.result.denominator,
            "target": json_number(self.target_value),
            "comparator": self.comparator,
            "status": self.status,
            **self.adjusted_json(),
        }

    def adjusted_json(self) -> dict:
        """A closed year's figure changed since closing: what the HTML shows beside it ("đã điều chỉnh sau khi
        chốt", the value at closing → the value now)."""
        if not self.adjusted:
            return {}
        before = self.closed_value
        return {
            "adjusted": True,
            "adjusted_label": ADJUSTED_LABEL,
            "closed_value": {
                "value": before["value"],
                "value_text": before.get("value_text"),
                "numerator": before["numerator"],
                "denominator": before["denominator"],
                "status": before.get("status"),
            },
            "value_text": self.value_text,
            "adjusted_text": f"khi chốt: {before.get('value_text')} → nay: {self.value_text}",
        }


@dataclass
class Dashboard:
    year: int
    as_of: dt.date
    closed: bool
    cards: list[Card]
    results: dict[str, ind.IndicatorResult]
    charts: dict = field(default_factory=dict)
    #: A closed year (chốt số liệu năm): its snapshot and the changes logged since, with their reasons.
    snapshot: YearSnapshot | None = None
    changes: list = field(default_factory=list)
    #: Every organisation with a row in some indicator, in code order: the per-organisation table's lines.
    org_ids: Sequence[int] = field(default_factory=list)
    #: {indicator: the tables its figure read} (``core.datacache``): after a write, the figures that read none
    #: of the tables written are kept as they are (``compute_dashboard`` with `previous`).
    reads: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def adjusted_cards(self) -> list[Card]:
        return [c for c in self.cards if c.adjusted]

    @property
    def target_cards(self) -> list[Card]:
        return sorted((c for c in self.cards if c.target), key=lambda c: (c.target.order, c.target.pk))

    @property
    def other_cards(self) -> list[Card]:
        return [c for c in self.cards if not c.target]

    def card(self, code: str) -> Card:
        return next(c for c in self.cards if c.code == code)

    @property
    def summary_line(self) -> str:
        """ "5/8 chỉ tiêu đạt, 2 có nguy cơ, 1 chưa đến kỳ": every target counted once, by status."""
        cards = self.target_cards
        if not cards:
            return ""
        counts = {status: sum(1 for c in cards if c.status == status) for status in STATUS_LABELS}
        parts = [f"{counts[MET]}/{len(cards)} chỉ tiêu đạt"]
        parts += [f"{counts[s]} {word}" for s, word in STATUS_SUMMARY_WORDS.items() if counts[s]]
        return ", ".join(parts)

    @property
    def legend(self) -> list[tuple[str, str, str, str]]:
        """[(status, label, css, meaning)] for the statuses a year like this one can show."""
        shown = (MET, NOT_MET, NO_DATA) if self.closed else tuple(STATUS_LABELS)
        return [(s, STATUS_LABELS[s], STATUS_CSS[s], STATUS_MEANINGS[s]) for s in shown]

    def as_json(self) -> dict:
        out = {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "indicators": [c.as_json() for c in self.target_cards + self.other_cards],
        }
        if self.snapshot is not None:
            # A closed year: when and by whom, the figures adjusted since and the logged changes with reasons.
            taken_by = self.snapshot.taken_by
            out["closing"] = {
                "closed": True,
                "closed_at": self.snapshot.taken_at.isoformat(),
                "closed_by": (taken_by.get_full_name() or taken_by.username) if taken_by else None,
                "snapshot_as_of": self.snapshot.as_of.isoformat(),
                "adjusted": [c.code for c in self.adjusted_cards],
                "adjusted_label": ADJUSTED_LABEL,
                "changes": [
                    {
                        "at": ch.at.isoformat(),
                        "by": ch.by.get_full_name() or ch.by.username,
                        "what": ch.what,
                        "before": ch.before,
                        "after": ch.after,
                        "reason": ch.reason,
                    }
                    for ch in self.changes
                ],
            }
        return out

    def target_cards_html(self) -> SafeString:
        """The cards of the targets (``cards_html``)."""
        return cards_html(self.target_cards, self.year, self.closed)

    def other_cards_html(self) -> SafeString:
        """The rows of the other figures (``other_cards_html``)."""
        return other_cards_html(self.other_cards, self.year, self.closed)

    def period_rows_html(self) -> SafeString:
        """The rows of the table of reports by period (``period_rows_html``)."""
        return period_rows_html(self.results["reports_on_time"].extra.get("periods", []), self.year)

    def org_table(self, org_ids: list[int] | None = None, codes=None) -> list[dict]:
        """One row per organisation (of `org_ids`, default every one, in that order): its contribution to each
        indicator (of `codes`, default every one; an organisation's code and name are read from the others
        when none of these has a row of it). Reading a page's organisations reads only their rows
        (``IndicatorResult.rows_for``)."""
        org_ids = self.org_ids if org_ids is None else org_ids
        orgs: dict[int, dict] = {org_id: {"id": org_id} for org_id in org_ids}
        chosen = list(self.results) if codes is None else list(codes)
        for code in chosen:
            for org_id, row in self.results[code].rows_for(org_ids).items():
                entry = orgs[org_id]
                entry.setdefault("code", row.code)
                entry.setdefault("name", row.name)
                entry[code] = row
        unnamed = [org_id for org_id, entry in orgs.items() if "name" not in entry]
        for code in (code for code in self.results if code not in chosen):
            if not unnamed:
                break
            for org_id, row in self.results[code].rows_for(unnamed).items():
                orgs[org_id].update(code=row.code, name=row.name)
            unnamed = [org_id for org_id in unnamed if "name" not in orgs[org_id]]
        return list(orgs.values())


def dashboard_key(year: int, *, on: dt.date | None = None) -> str:
    """The key under which pages may cache what they render from the dashboard of `year` as of `on`, for the
    data as it is now (``core.datacache``: any write that could change a figure changes it)."""
    return datacache.data_cache_key("dashboard", year, on or today())


def build_dashboard(year: int, *, on: dt.date | None = None, with_charts: bool = True) -> Dashboard:
    """The dashboard of `year` as of `on` (default today), from the cache when the data has not changed."""
    on = on or today()
    return datacache.cached_under_data_version(
        ("dashboard", year, on, with_charts),
        lambda: compute_dashboard(year, on=on, with_charts=with_charts),
        update=lambda previous, moved: compute_dashboard(
            year, on=on, with_charts=with_charts, previous=previous, moved=moved
        ),
    )


def dashboard_json(year: int, *, on: dt.date | None = None) -> dict:
    """``build_dashboard(year).as_json()``, cached on its own under the same data version: a few hundred bytes
    to read back instead of the whole dashboard with every organisation's rows."""
    on = on or today()
    return datacache.cached_under_data_version(
        ("dashboard-json", year, on), lambda: build_dashboard(year, on=on, with_charts=False).as_json()
    )


def compute_dashboard(
    year: int, *, on: dt.date, with_charts: bool = True, previous: Dashboard | None = None, moved=None
) -> Dashboard:
    """Every indicator, target, pace and forecast of `year`, computed from the database. Brought up to date
    after a write (`previous`, the dashboard before it, and `moved`, the tables written since, as
    ``core.datacache.cached_under_data_version`` hands them over): the figures that read none of those tables
    are taken from `previous` as they are, without asking the cache for each (``Dashboard.reads``)."""
    as_of = as_of_for(year, on)
    closed = is_closed(year, on)
    reuse = {}
    if previous is not None:
        written = set(moved)
        for code, result in previous.results.items():
            tables = previous.reads.get(code)
            if tables is not None and not tables & written:
                reuse[code] = result
                datacache.note_reads(tables)
    results, reads = ind.compute_all_reading(year, on, reuse)
    reads = {**{code: previous.reads[code] for code in reuse}, **reads} if previous is not None else reads
    # Read apart from the figures (no query when a write changed only figures: ``cached_when_version_read``).
    targets = datacache.cached_when_version_read(
        ("targets", year), lambda: {t.indicator: TargetTerms.of(t) for t in Target.objects.filter(year=year)}
    )
    cards = []
    monthly = {}
    for code, definition in ind.REGISTRY.items():
        result = results[code]
        card = Card(code=code, label=definition.label, unit=definition.unit, result=result)
        target = targets.get(code)
        share = None
        if definition.unit == ind.COUNT and definition.monthly is not None:
            # Forecast even without a target (the current year's likely total); pace needs a target.
            profile = definition.monthly(year - 1, dt.date(year - 1, 12, 31))
            share = pace_share(as_of, profile if sum(profile) else None)
            monthly[code] = profile
            card.projection = result.value if closed else projection(result.value or 0, share)
        if target is not None:
            card.target = target
            pace = None
            if share is not None and not closed:
                pace = Fraction(target.value) * share
                card.pace = _round(pace)
            card.status = status_for(
                result, target, definition.unit, closed=closed, pace=pace, year_end=definition.year_end
            )
        cards.append(card)
    dashboard = Dashboard(year=year, as_of=as_of, closed=closed, cards=cards, results=results, reads=reads)
    dashboard.org_ids = _table_org_ids(results)
    _compare_with_snapshot(dashboard)
    if with_charts:
        dashboard.charts = _charts(dashboard, monthly.get("admissions"))
    return dashboard


def _table_org_ids(results: dict[str, ind.IndicatorResult]) -> array:
    """Every organisation with a row in some indicator, in code order: cached under the orders of the
    indicators' rows (``IndicatorResult.order_token``), which a figure brought up to date after a write keeps —
    at the whole Party's size, gathering and sorting 20 × 76.000 ids is most of the dashboard's work after a
    write."""

    def compute():
        return array(
            "q", _in_code_order({org_id for result in results.values() for org_id in result.row_ids()})
        )

    tokens = tuple(result.order_token for result in results.values())
    if None in tokens:
        return compute()
    return datacache.cached_under_data_version(("dashboard-org-ids", tokens), compute)


def _in_code_order(org_ids: set[int]) -> list[int]:
    """`org_ids` ordered by the organisations' codes (read from a map cached until an organisation changes)."""
    codes = datacache.cached_under_data_version(
        ("organization-codes",), lambda: dict(Organization.objects.values_list("pk", "code"))
    )
    return sorted(org_ids, key=lambda org_id: (codes.get(org_id, ""), org_id))


def _compare_with_snapshot(d: Dashboard) -> None:
    """A closed year shows the figures stored when it was closed; a figure that differs now (a change made
    since, with its reason in ``ClosedYearChange``) is marked adjusted, with the value at closing. Two
    queries."""
    d.snapshot = datacache.cached_when_version_read(
        ("year-snapshot", d.year),
        lambda: YearSnapshot.objects.filter(year=d.year).select_related("taken_by").first(),
    )
    if d.snapshot is None:
        return
    d.changes = list(ClosedYearChange.objects.filter(year=d.year).select_related("by").order_by("at", "pk"))
    for card in d.cards:
        before = d.snapshot.figure(card.code)
        if before is None:
            continue
        now = (json_number(card.value), card.result.numerator, card.result.denominator)
        if (before["value"], before["numerator"], before["denominator"]) != now:
            card.adjusted = True
            card.closed_value = before


def _charts(d: Dashboard, last_year_profile: list[int] | None) -> dict:
    admissions = ind.REGISTRY["admissions"]
    this_year = admissions.monthly(d.year, d.as_of)
    cumulative, running = [], 0
    for month, n in enumerate(this_year, start=1):
        running += n
        cumulative.append(running if month <= d.as_of.month else None)
    card = d.card("admissions")
    pace_line = None
    if card.target is not None:
        profile = last_year_profile if last_year_profile and sum(last_year_profile) else None
        pace_line = [
            float(_round(Fraction(card.target.value) * s)) for s in cumulative_shares(d.year, profile)
        ]
    ratings = {code: 0 for code in RATING_RANK}
    unrated = 0
    for raw, n in d.results["org_rating_good"].extra.get("distribution", {}).items():
        if raw in ratings:
            ratings[raw] += n
        else:
            unrated += n
    members = [(r["title"], r["value"]) for r in d.results["members_studied"].extra.get("resolutions", [])]
    masses = [(r["title"], r["value"]) for r in d.results["masses_studied"].extra.get("resolutions", [])]
    periods = d.results["reports_on_time"].extra.get("periods", [])
    return {
        "admissions": {
            "labels": MONTH_LABELS,
            "actual": cumulative,
            "pace": pace_line,
            "target": json_number(card.target_value),
        },
        "study": {
            "labels": [title for title, _ in members],
            "members": [json_number(v) for _, v in members],
            "masses": [json_number(v) for _, v in masses],
        },
        "ratings": {
            "labels": [*ratings.keys(), "Chưa xếp loại"],
            "counts": [*ratings.values(), unrated],
        },
        "timeliness": {
            "labels": [p["label"] for p in periods],
            "on_time": [p["on_time"] for p in periods],
            "late": [p["late"] for p in periods],
            "missing": [p["missing"] for p in periods],
        },
    }


# --- records behind a figure --------------------------------------------------------------------------------

EVENT_KINDS = {"admissions": "admitted", "official_recognitions": "full_member"}


def records_for(code: str, year: int, *, org_id: int | None = None, on: dt.date | None = None) -> dict:
    """The records a figure counts: events, organisations (counted or not), reports (on time, late, missing)."""
    if code not in ind.REGISTRY:
        raise KeyError(code)
    as_of = ind.as_of_for_indicator(code, year, on or today())
    definition = ind.REGISTRY[code]
    out = {"code": code, "label": definition.label, "unit": definition.unit, "year": year, "as_of": as_of}
    if code in EVENT_KINDS:
        events = ind.counted_events(EVENT_KINDS[code], year, as_of).select_related("member", "organization")
        if org_id is not None:
            events = events.filter(organization_id=org_id)
        out["kind"] = "events"
        out["events"] = list(events.order_by("decided_on", "organization__code", "pk"))
        return out
    if code == "reports_on_time":
        out["kind"] = "reports"
        out["reports"] = _report_records(year, as_of, org_id)
        out["result"] = definition.compute(year, as_of)
        return out
    result = definition.compute(year, as_of)
    rows = [r for r in result.rows if org_id is None or r.org_id == org_id]
    out["kind"] = "study" if code in ("members_studied", "masses_studied") else "organizations"
    if code in ind.MEETING_CODES:
        out["kind"] = "meetings"
    if code == "bloc_rating":
        out["kind"] = "bloc"
    out["result"] = result
    target = Target.objects.filter(year=year, indicator=code).first()
    if out["kind"] == "study" and target is not None:
        # An organisation's study figure is a percentage: it is grouped by the target's own comparator.
        sign = f"{COMPARATOR_SIGNS[target.comparator]} {target_number(target, ind.PERCENT)}%"
        for r in rows:
            if r.denominator:
                r.counted = compare(
                    Fraction(r.numerator * 100, r.denominator), target.comparator, Fraction(target.value)
                )
            elif r.numerator is not None:
                r.counted = True  # nobody to study
        out["done_label"], out["pending_label"] = f"Đạt ({sign})", f"Chưa đạt ({sign}) hoặc chưa báo cáo"
    elif out["kind"] == "study":
        out["done_label"], out["pending_label"] = "Đủ 100%", "Chưa đủ 100% hoặc chưa báo cáo"
    else:
        out["done_label"], out["pending_label"] = "Đạt", "Chưa đạt / chưa có số liệu"
    out["pending"] = [r for r in rows if not r.counted]
    out["done"] = [r for r in rows if r.counted]
    return out


def _report_records(year: int, as_of: dt.date, org_id: int | None) -> list[dict]:
    """Every report the punctuality figure counts (on time, late, missing), by ``reports.timeliness``."""
    periods = ind.due_periods(year, as_of)
    orgs = [o for o in ind.owing_organizations(periods) if org_id is None or o.pk == org_id]
    states = timeliness.cells(orgs, periods, as_of)
    labels = {timeliness.ON_TIME: "Đúng hạn", timeliness.LATE: "Nộp muộn", timeliness.MISSING: "Chưa nộp"}
    out = []
    for p in periods:
        for o in orgs:
            cell = states[(o.pk, p.pk)]
            if cell.state not in labels:  # not owed, or due today and not sent yet
                continue
            out.append(
                {
                    "organization": o,
                    "period": p,
                    "report_id": cell.report_id,
                    "submitted_on": cell.submitted_on,
                    "days_late": cell.days_late,
                    "state": cell.state,
                    "state_label": labels[cell.state],
                }
            )
    order = {timeliness.MISSING: 0, timeliness.LATE: 1, timeliness.ON_TIME: 2}
    out.sort(key=lambda x: (order[x["state"]], x["period"].ends_on, x["organization"].code))
    return out


# --- XLSX -----------------------------------------------------------------------------------------------

XLSX_HEADER = ["Mã", "Chỉ tiêu", "Giá trị", "Tử số", "Mẫu số", "So sánh", "Chỉ tiêu đặt ra", "Trạng thái",
               "Tiến độ cần đạt", "Dự báo cuối năm", "Ghi chú", "Nguyên văn nghị quyết"]  # fmt: skip


def dashboard_sheets(d: Dashboard) -> list[Sheet]:
    """The targets and indicators (one row each), and every organisation's contribution."""

    def targets():
        yield [f"Chỉ tiêu năm {d.year} — số liệu đến ngày {d.as_of:%d/%m/%Y}"]
        yield []
        yield Bold(XLSX_HEADER)
        for c in d.target_cards + d.other_cards:
            yield [
                c.code, c.label, c.value, c.result.numerator, c.result.denominator,
                COMPARATOR_SIGNS.get(c.comparator, "") if c.comparator else "",
                c.target_value if c.target else "", c.status_label, c.pace, c.projection, c.result.note,
                c.target.wording if c.target else "",
            ]  # fmt: skip

    organisations = (
        [entry["code"], entry["name"], *[c["text"] for c in entry["cells"]]] for entry in org_table_cells(d)
    )
    return [
        Sheet("Chỉ tiêu", targets()),
        Sheet(
            "Theo tổ chức",
            organisations,
            headers=["Mã", "Tổ chức cơ sở đảng", *[label for _, label in ORG_COLUMNS]],
        ),
    ]


# --- the per-organisation table ------------------------------------------------------------------------------

#: Columns of the per-organisation table (the Bloc's own rating has no per-organisation figure).
ORG_COLUMNS = (
    ("admissions", "Kết nạp"),
    ("official_recognitions", "Công nhận chính thức"),
    ("members_studied", "ĐV học NQ"),
    ("masses_studied", "QC học NQ"),
    ("org_rating_good", "Xếp loại TCĐ"),
    ("unit_professional_good", "Xếp loại chuyên môn"),
    ("enterprise_effective", "SXKD hiệu quả"),
    ("theme_adopted", "Chủ đề năm"),
    ("congress_held", "Đại hội"),
    ("reports_on_time", "Báo cáo đúng hạn"),
)


def _n(x) -> str:
    return f"{x:,}".replace(",", ".")


def cell_text(code: str, row: ind.OrgRow | None) -> str:
    if row is None:
        return ""
    unit = ind.REGISTRY[code].unit
    if unit == ind.COUNT:
        return _n(row.numerator or 0)
    if code in ("org_rating_good", "unit_professional_good"):
        return row.raw or "Chưa xếp loại"
    if code in ("members_studied", "masses_studied"):
        return "Chưa báo cáo" if row.numerator is None else f"{_n(row.numerator)}/{_n(row.denominator)}"
    if code == "reports_on_time":
        return f"{_n(row.numerator)}/{_n(row.denominator)}"
    if code == "enterprise_effective":
        return {True: "Đạt", False: "Chưa đạt"}.get(row.raw, "Chưa đánh giá")
    return "Có" if row.counted else "Chưa"


#: Organisations per page of the dashboard's per-organisation table.
ORG_PER_PAGE = 50


def org_table_page(d: Dashboard, number) -> Page:
    """One page of the per-organisation table (a province has thousands of organisations), its rows as HTML
    (``rows_html``), kept column by column (``org_table_columns``)."""
    page = Paginator(d.org_ids, ORG_PER_PAGE).get_page(number)
    page.rows_html = org_rows_html(org_table_columns(d, list(page.object_list)))
    return page


def org_table_columns(d: Dashboard, org_ids: list[int]) -> dict[str, list[str]]:
    """The cells of the table's rows for `org_ids`, as HTML, column by column: "org" (the organisation's code and
    linked name) and one per figure of ``ORG_COLUMNS``, each a cell per organisation. Kept in the cache column
    by column (``datacache.cached_by_parts``), each under the tokens of the chunks its figure's rows of these
    organisations are stored in (``LazyRows``): a write that changes some organisation's row of a figure
    replaces that figure's chunk, so after a submitted report only its figures' columns are written again —
    from the rows just brought up to date, still in memory — and the rest are served as they were. The
    organisations' codes and names change only when every figure is computed afresh (an organisation
    renamed), which gives each figure's rows a new order (``LazyRows.order_token``): their column is kept
    under those."""
    codes = [code for code, _ in ORG_COLUMNS]
    year = d.year  # read once: `d` may be the view's lazy object (a proxied lookup per cell)
    results = d.results

    def compute(names) -> dict[str, list[str]]:
        records = reverse("dashboard:indicator_records")
        made = {}
        wanted = [name for name in names if name != "org"]
        if "org" in names:
            entries = d.org_table(org_ids, codes=wanted)  # the names, with the columns asked for too
            organizations = reverse("dashboard:organization", args=[0]).removesuffix("0/")
            made["org"] = []
            for e in entries:
                href = escape(f"{organizations}{e['id']}/?year={year}")
                made["org"].append(
                    f"<td>{escape(e.get('code', ''))}</td>\n      "
                    f'<td><a href="{href}">{escape(e.get("name", ""))}</a></td>'
                )
            found = {code: [e.get(code) for e in entries] for code in wanted}
        else:
            found = {}
            for code in wanted:
                rows = results[code].rows_for(org_ids)
                found[code] = [rows.get(org_id) for org_id in org_ids]
        for code in wanted:
            cells = []
            for org_id, row in zip(org_ids, found[code], strict=True):
                text = cell_text(code, row)
                href = escape(f"{records}?code={code}&year={year}&org={org_id}")
                cells.append(f'<td><a href="{href}">{escape(text)}</a></td>' if text else "<td></td>")
            made[code] = cells
        return made

    if not org_ids:
        return {"org": [], **{code: [] for code in codes}}
    stored = {  # where each figure's rows wait in the cache (a figure just computed still holds them as a list)
        code: result.kept_rows if result.kept_rows is not None else result.rows
        for code, result in results.items()
    }
    if not all(isinstance(rows, ind.LazyRows) for rows in stored.values()):  # computed afresh, not kept
        return compute(["org", *codes])
    chunks = sorted({org_id // ind.ROW_CHUNK for org_id in org_ids})
    tokens = {"org": tuple(rows.order_token for rows in stored.values())}
    tokens.update({code: tuple(stored[code].tokens.get(chunk) for chunk in chunks) for code in codes})
    return datacache.cached_by_parts(("org-table-columns", year, tuple(org_ids)), tokens, compute)


def period_rows_html(periods: list[dict], year: int) -> SafeString:
    """The table of reports by period: one row per period due (label, due date, on time, late, and the missing
    ones linked to their records), escaped here (``cards_html``'s reasons)."""
    href = _records_href(reverse("dashboard:indicator_records"), "reports_on_time", year)
    return mark_safe(  # noqa: S308 — every value escaped
        "\n  ".join(
            f"<tr><td>{escape(p['label'])}</td><td>{p['due_on']:%d/%m/%Y}</td>"
            f'<td class="text-end">{_shown(p["on_time"])}</td><td class="text-end">{_shown(p["late"])}</td>\n'
            f'      <td class="text-end"><a href="{href}">{_shown(p["missing"])}</a></td></tr>'
            for p in periods
        )
    )


def year_options_html(years: list[int], year: int) -> SafeString:
    """The options of the dashboard's choice of year, `year` selected."""
    return mark_safe(  # noqa: S308 — numbers only
        "".join(f'<option value="{y:d}"{" selected" if y == year else ""}>{y:d}</option>' for y in years)
    )


def _shown(value) -> str:
    """`value` as the template engine prints it (numbers localised: 1.234), escaped; a whole number grouped here
    directly (``_n``, the project's format: "." every 3 digits), without the locale's lookups."""
    if type(value) is int:
        return _n(value)
    return escape(str(formats.localize(value)))


def _records_href(records: str, code: str, year: int) -> str:
    return escape(f"{records}?code={code}&year={year}")


def _adjusted_html(card: Card) -> str:
    """A closed year's figure changed since closing: the mark and the value at closing → the value now."""
    before = escape(str(card.closed_value.get("value_text", "")))
    return f'<span class="badge text-bg-warning">{ADJUSTED_LABEL}</span> khi chốt: {before} → nay: {escape(card.value_text)}'


def cards_html(cards: list[Card], year: int, closed: bool) -> SafeString:
    """The dashboard's cards, one per target, escaped here: written afresh after every write that changes a
    figure, in Python they cost a tenth of what the template engine took (a lookup per field, a reverse() per
    link)."""
    out, records = [], reverse("dashboard:indicator_records")
    for card in cards:
        result, extra, href = card.result, card.result.extra, _records_href(records, card.code, year)
        css, code = escape(card.status_css), escape(card.code)
        parts = [
            f'<div class="col">\n    <div class="card h-100 border-{css}" id="card-{code}">\n      <div class="card-body">\n'
            f'        <h2 class="h6 card-title">{escape(card.label)}</h2>\n'
            f'        <p class="display-6 mb-1"><a class="link-dark text-decoration-none" href="{href}" '
            f'data-value="{code}">{escape(card.value_text)}</a></p>\n'
        ]
        if card.unit == ind.PERCENT and result.denominator:
            noun = f" {escape(extra['noun'])} (nghị quyết thấp nhất)" if extra.get("noun") else ""
            parts.append(
                f'        <p class="small mb-1"><a href="{href}">{_shown(result.numerator)}/'
                f"{_shown(result.denominator)}{noun}</a></p>\n"
            )
        if extra.get("resolutions"):
            lines = "".join(
                f"<li>{escape(r['title'])}: {_shown(r['studied'])}/{_shown(r['total'])} {escape(extra.get('noun', ''))}"
                + (f", {escape(str(floatformat(r['value'], 2)))}%" if r["value"] is not None else "")
                + "</li>"
                for r in extra["resolutions"]
            )
            parts.append(f'        <ul class="small list-unstyled mb-1 study-lines">{lines}</ul>\n')
        if extra.get("scope"):
            parts.append(
                f'        <p class="small text-muted mb-1 punctuality-scope">{escape(extra["scope"])}</p>\n'
            )
        parts.append(
            f'        <p class="small mb-1">Chỉ tiêu: <strong>{escape(card.target_text)}</strong></p>\n'
            f'        <p class="mb-1"><span class="badge text-bg-{css}" data-status="{escape(str(card.status))}">'
            f"{escape(card.status_label)}</span></p>\n"
        )
        if card.adjusted:
            parts.append(f'        <p class="small mb-1 adjusted-figure">{_adjusted_html(card)}</p>\n')
        if card.pace is not None:
            parts.append(f'        <p class="small mb-0">Tiến độ cần đạt đến nay: {count(card.pace)}</p>\n')
        if card.projection is not None and not closed:
            parts.append(f'        <p class="small mb-0">Dự báo cuối năm: {_shown(card.projection)}</p>\n')
        if result.note:
            parts.append(
                f'        <p class="small text-muted mb-0"><a class="link-secondary" href="{href}">{escape(result.note)}</a></p>\n'
            )
        wording = escape(card.target.wording) if card.target is not None else ""
        parts.append(
            f'      </div>\n      <div class="card-footer small text-muted">{wording}</div>\n    </div>\n  </div>'
        )
        out.append("".join(parts))
    return mark_safe("\n  ".join(out))  # noqa: S308 — every value above is escaped


def other_cards_html(cards: list[Card], year: int, closed: bool) -> SafeString:
    """The rows of the figures without a target (``cards_html``'s reasons)."""
    out, records = [], reverse("dashboard:indicator_records")
    for card in cards:
        result, extra = card.result, card.result.extra
        value = f'<a href="{_records_href(records, card.code, year)}">{escape(card.value_text)}</a>'
        if card.unit == ind.PERCENT and result.denominator:
            value += f" ({_shown(result.numerator)}/{_shown(result.denominator)})"
        if card.adjusted:
            value += f' <span class="adjusted-figure">{_adjusted_html(card)}</span>'
        note = ""
        if card.projection is not None and not closed:
            note += f"Dự báo cuối năm: {_shown(card.projection)}. "
        note += escape(result.note)
        if extra.get("scope"):
            note += (
                "." if result.note else ""
            ) + f' <span class="punctuality-scope">{escape(extra["scope"])}</span>'
        out.append(
            f'<tr id="card-{escape(card.code)}"><th scope="row" class="fw-normal">{escape(card.label)}</th>\n'
            f"      <td>{value}</td>\n"
            f'      <td class="text-muted small">{note}</td></tr>'
        )
    return mark_safe("\n  ".join(out))  # noqa: S308 — every value above is escaped


def org_rows_html(columns: dict[str, list[str]]) -> SafeString:
    """The table's body rows from its columns (``org_table_columns``: every cell escaped there)."""
    figures = [columns[code] for code, _ in ORG_COLUMNS]
    out = [
        f"<tr>{org}\n      {''.join(column[i] for column in figures)}\n    </tr>"
        for i, org in enumerate(columns["org"])
    ]
    return mark_safe("\n    ".join(out))  # noqa: S308 — every cell escaped in org_table_columns


def org_table_cells(d: Dashboard, entries: list[dict] | None = None) -> list[dict]:
    """Rows of the per-organisation table: organisation and one cell per column (text, counted flag)."""
    out = []
    for entry in d.org_table() if entries is None else entries:
        cells = []
        for code, _ in ORG_COLUMNS:
            row = entry.get(code)
            cells.append({"code": code, "text": cell_text(code, row), "row": row})
        out.append({"id": entry["id"], "code": entry["code"], "name": entry["name"], "cells": cells})
    return out
