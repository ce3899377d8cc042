"""The leadership dashboard: targets against indicators, status, pace and forecast, charts, exports.

One function, ``build_dashboard``, computes everything the page, the JSON, the XLSX export and the print
view show, so they cannot disagree.

Statuses (docs/dashboard.md):
- ``met`` (đạt): the comparator holds for the value as of today (or 31/12 for a past year);
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
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.utils import timezone

from core import datacache
from core.spreadsheets import Bold, Sheet
from members.models import EventKind, MemberEvent
from organizations.models import OrganizationYear, Rating
from reports import timeliness
from reports.models import ReportingPeriod

from . import indicators as ind
from .models import Comparator, Target

MET = "met"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
BEHIND = "behind"
NOT_MET = "not_met"
NO_DATA = "no_data"
STATUS_LABELS = {
    MET: "Đạt",
    ON_TRACK: "Đúng tiến độ",
    AT_RISK: "Có nguy cơ",
    BEHIND: "Chậm",
    NOT_MET: "Không đạt",
    NO_DATA: "Chưa có số liệu",
}
STATUS_CSS = {
    MET: "success",
    ON_TRACK: "primary",
    AT_RISK: "warning",
    BEHIND: "danger",
    NOT_MET: "danger",
    NO_DATA: "secondary",
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
    """Where the year stands: today for the current year, 31/12 for a past year, 1/1 for a future one."""
    on = on or today()
    return max(dt.date(year, 1, 1), min(on, dt.date(year, 12, 31)))


def is_closed(year: int, on: dt.date | None = None) -> bool:
    """A year is closed once it is over: its figures are final and targets are met or not met."""
    return year < (on or today()).year


def available_years(on: dt.date | None = None) -> list[int]:
    """Years with data (targets, organisation records, events, reporting periods), plus the current year.
    Cached under the data's version (scanning the events' years costs a pass over the events)."""
    on = on or today()
    key = f"dashboard:years:{on.isoformat()}:{data_version()}"
    years = cache.get(key)
    if years is None:
        years = _available_years(on)
        cache.set(key, years, CACHE_SECONDS)
    return years


def _available_years(on: dt.date) -> list[int]:
    years = {on.year}
    years.update(Target.objects.values_list("year", flat=True).distinct())
    years.update(OrganizationYear.objects.values_list("year", flat=True).distinct())
    years.update(ReportingPeriod.objects.values_list("year", flat=True).distinct())
    # The events' years by index (kind, decided_on): from the first to the last admission or recognition
    # decided, without a pass over every event.
    for kind in (EventKind.ADMITTED, EventKind.FULL_MEMBER):
        events = MemberEvent.objects.filter(kind=kind, decided_on__isnull=False).order_by("decided_on")
        first, last = (
            events.values_list("decided_on", flat=True).first(),
            events.values_list("decided_on", flat=True).last(),
        )
        if first and last:
            years.update(range(first.year, last.year + 1))
    return sorted(years, reverse=True)


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


def _target_exact(target: Target, unit: str) -> Fraction:
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


def is_met(result: ind.IndicatorResult, target: Target, unit: str) -> bool | None:
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
    result: ind.IndicatorResult, target: Target, unit: str, *, closed: bool, pace: Fraction | None
) -> str:
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


def target_number(target: Target, unit: str):
    """The target as JSON and the page show it: a grade code, an integer count or a percentage."""
    if unit == ind.RATING:
        return target.rating
    if target.value == target.value.to_integral_value():
        return int(target.value)
    return target.value


def target_text(target: Target, unit: str) -> str:
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


@dataclass
class Card:
    code: str
    label: str
    unit: str
    result: ind.IndicatorResult
    target: Target | None = None
    status: str | None = None
    pace: Decimal | None = None
    projection: int | None = None

    @property
    def value(self):
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
        v = self.result.value
        if v is None:
            return "—"
        if self.unit == ind.PERCENT:
            return f"{v:.2f}".replace(".", ",") + "%"
        if self.unit == ind.RATING:
            return str(v)
        return f"{v:,}".replace(",", ".")

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "value": json_number(self.result.value),
            "numerator": self.result.numerator,
            "denominator": self.result.denominator,
            "target": json_number(self.target_value),
            "comparator": self.comparator,
            "status": self.status,
        }


@dataclass
class Dashboard:
    year: int
    as_of: dt.date
    closed: bool
    cards: list[Card]
    results: dict[str, ind.IndicatorResult]
    charts: dict = field(default_factory=dict)
    #: Names this dashboard's data version: pages may cache what they render from it under the same key.
    cache_key: str = ""

    @property
    def target_cards(self) -> list[Card]:
        return sorted((c for c in self.cards if c.target), key=lambda c: (c.target.order, c.target.pk))

    @property
    def other_cards(self) -> list[Card]:
        return [c for c in self.cards if not c.target]

    def card(self, code: str) -> Card:
        return next(c for c in self.cards if c.code == code)

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "indicators": [c.as_json() for c in self.target_cards + self.other_cards],
        }

    def org_table(self) -> list[dict]:
        """One row per organisation: its contribution to each indicator."""
        orgs: dict[int, dict] = {}
        for code, result in self.results.items():
            for row in result.rows:
                entry = orgs.setdefault(row.org_id, {"id": row.org_id, "code": row.code, "name": row.name})
                entry[code] = row
        return sorted(orgs.values(), key=lambda e: e["code"])


#: The dashboard is cached under a key that includes the data's version (below): any write that could change a
#: figure changes the version, so a new figure shows at once. The timeout only bounds memory.
CACHE_SECONDS = datacache.CACHE_SECONDS
data_version = datacache.data_version


def dashboard_key(year: int, *, on: dt.date | None = None, with_charts: bool = True) -> str:
    """The cache key of the dashboard of `year` as of `on` for the data as it is now."""
    on = on or today()
    return f"dashboard:v1:{year}:{on.isoformat()}:{int(with_charts)}:{data_version()}"


def build_dashboard(year: int, *, on: dt.date | None = None, with_charts: bool = True) -> Dashboard:
    """The dashboard of `year` as of `on` (default today), from the cache when the data has not changed."""
    on = on or today()
    key = dashboard_key(year, on=on, with_charts=with_charts)
    dashboard = cache.get(key)
    if dashboard is None:
        dashboard = compute_dashboard(year, on=on, with_charts=with_charts)
        dashboard.cache_key = key
        cache.set(key, dashboard, CACHE_SECONDS)
    return dashboard


def dashboard_json(year: int, *, on: dt.date | None = None) -> dict:
    """``build_dashboard(year).as_json()``, cached on its own under the same data version: a few hundred bytes
    to read back instead of the whole dashboard with every organisation's rows."""
    on = on or today()
    key = dashboard_key(year, on=on, with_charts=False) + ":json"
    data = cache.get(key)
    if data is None:
        data = build_dashboard(year, on=on, with_charts=False).as_json()
        cache.set(key, data, CACHE_SECONDS)
    return data


def compute_dashboard(year: int, *, on: dt.date, with_charts: bool = True) -> Dashboard:
    """Every indicator, target, pace and forecast of `year`, computed from the database."""
    as_of = as_of_for(year, on)
    closed = is_closed(year, on)
    results = ind.compute_all(year, as_of)
    targets = {t.indicator: t for t in Target.objects.filter(year=year)}
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
            card.status = status_for(result, target, definition.unit, closed=closed, pace=pace)
        cards.append(card)
    dashboard = Dashboard(year=year, as_of=as_of, closed=closed, cards=cards, results=results)
    if with_charts:
        dashboard.charts = _charts(dashboard, monthly.get("admissions"))
    return dashboard


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
    for row in d.results["org_rating_good"].rows:
        if row.raw in ratings:
            ratings[row.raw] += 1
        else:
            unrated += 1
    members = d.results["members_studied"].extra.get("resolutions", [])
    masses = d.results["masses_studied"].extra.get("resolutions", [])
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
    as_of = as_of_for(year, on)
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
                c.code, c.label, c.result.value, c.result.numerator, c.result.denominator,
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
    """One page of the per-organisation table (a province has thousands of organisations)."""
    page = Paginator(d.org_table(), ORG_PER_PAGE).get_page(number)
    page.object_list = org_table_cells(d, entries=page.object_list)
    return page


def org_table_cells(
    d: Dashboard, org_ids: set[int] | None = None, entries: list[dict] | None = None
) -> list[dict]:
    """Rows of the per-organisation table: organisation and one cell per column (text, counted flag)."""
    out = []
    for entry in d.org_table() if entries is None else entries:
        if org_ids is not None and entry["id"] not in org_ids:
            continue
        cells = []
        for code, _ in ORG_COLUMNS:
            row = entry.get(code)
            cells.append({"code": code, "text": cell_text(code, row), "row": row})
        out.append({"id": entry["id"], "code": entry["code"], "name": entry["name"], "cells": cells})
    return out
