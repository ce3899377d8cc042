"""The figures the cache serves against a recomputation from the raw records (issue 20), one of the checks of
``manage.py tally_check`` (``reports.tallies.CHECKS``).

The dashboard, the completeness matrix and the period summary keep their figures in the cache until a table they
read changes (``core.datacache``). For every year with data this takes what the cache serves now
(``datacache.served_only``; what it does not hold, the next page computes from the database anyway) and compares
it with the same figures computed without the cache (``datacache.uncached``): every indicator's figure and
per-organisation rows, the dashboard's JSON (targets and statuses included), the matrix's counts per period of
each kind and every period summary's totals. Any difference means a write changed a figure without changing what
the cached value was stored with; ``--fix`` drops the cache.
"""

from __future__ import annotations

import dataclasses

from django.core.cache import cache

from core import datacache
from reports import summary, tallies, timeliness
from reports.models import ReportingPeriod

from . import dashboard as dash
from . import indicators as ind

WHAT = "Số liệu trong bộ nhớ đệm (bảng điều khiển, ma trận báo cáo, tổng hợp kỳ)"


def _served_and_fresh(compute, *args, **kwargs):
    """(what the cache serves, the same computed from the database), or (None, None) when the cache holds
    nothing for it (the next page computes it from the database: nothing to compare)."""
    try:
        with datacache.served_only():
            served = compute(*args, **kwargs)
    except datacache.NotCached:
        return None, None
    with datacache.uncached():
        fresh = compute(*args, **kwargs)
    return served, fresh


def _row_tuples(result: ind.IndicatorResult) -> list[tuple]:
    return [dataclasses.astuple(row) for row in result.rows]


def _figure(result: ind.IndicatorResult) -> tuple:
    return (result.value, result.numerator, result.denominator, result.known, result.note, result.extra)


def _matrix_counts(year: int, kind: str, as_of) -> tuple:
    """The matrix's counts per period of `kind` and their total (its page without a search)."""
    return timeliness.cached_counts([p for p in timeliness.periods_of_year(year) if p.kind == kind], as_of)


def _summary_totals(period: ReportingPeriod, as_of) -> dict:
    page = summary.period_summary_page(period, as_of, page=1)
    names = ("counts", "figures_count", "sums", "study", "bloc_transfers", "registry", "narrative_count")
    return {name: getattr(page, name) for name in names} | {"missing": [o.pk for o in page.missing]}


def differences() -> list[str]:
    """Each figure the cache serves that differs from a recomputation, in words (none: an empty list). Read-only:
    the data's version is read once for the whole pass (``datacache.one_version``)."""
    with datacache.one_version():
        return _differences()


def _differences() -> list[str]:
    on = dash.today()
    out: list[str] = []
    for year in sorted(dash.available_years(on)):
        served, fresh = _served_and_fresh(dash.dashboard_json, year, on=on)
        if served is not None and served != fresh:
            out.append(f"Bảng điều khiển năm {year}: số liệu trong bộ nhớ đệm khác số liệu tính lại")
        for code, indicator in ind.REGISTRY.items():
            as_of = ind.as_of_for_indicator(code, year, on)
            served, fresh = _served_and_fresh(ind.compute_one, code, year, as_of)
            if served is None:
                continue
            if _figure(served) != _figure(fresh):
                out.append(
                    f"{indicator.label} năm {year}: {served.value} trong bộ nhớ đệm, tính lại {fresh.value}"
                )
            elif _row_tuples(served) != _row_tuples(fresh):
                out.append(f"{indicator.label} năm {year}: số liệu từng tổ chức khác số liệu tính lại")
        periods = list(ReportingPeriod.objects.filter(year=year).order_by("kind", "number"))
        as_of = dash.as_of_for(year, on)
        for kind in sorted({p.kind for p in periods}):
            served, fresh = _served_and_fresh(_matrix_counts, year, kind, as_of)
            if served is not None and served != fresh:
                out.append(f"Ma trận báo cáo năm {year} ({kind}): số đếm khác số liệu tính lại")
        for period in periods:
            served, fresh = _served_and_fresh(_summary_totals, period, on)
            if served is not None and served != fresh:
                names = ", ".join(name for name in served if served[name] != fresh[name])
                out.append(f"Tổng hợp {period.label}: {names} khác số liệu tính lại")
    return out


def repair() -> None:
    """Drop every cached value: the next page computes its figures afresh (sessions live in the database)."""
    cache.clear()


def register() -> None:
    tallies.register_check(WHAT, differences, repair)
