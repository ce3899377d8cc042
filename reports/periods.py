"""Reporting periods: 19 a year, with due dates from the staff-editable schedule.

Reads never write: pages read a year's periods with ``periods_of_year``. Periods are made by the service
``periods_create`` — run daily by ``send_report_reminders`` (this year, and next year from December), by
``load_demo``, and by staff from the completeness matrix when they open a year that has none (a POST). Years
outside ``settings.PORTAL_YEARS`` (first year to next year) are not served at all.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.datacache import cached_when_version_read, per_request
from organizations import access

from .models import DEFAULT_SCHEDULE, PERIODS_PER_YEAR, ReportingPeriod, ReportingSchedule, ReportKind

#: Order in which the kinds are listed on pages.
KIND_ORDER = (ReportKind.MONTH, ReportKind.QUARTER, ReportKind.HALF_YEAR, ReportKind.YEAR)
#: Months covered by one period of each kind.
MONTHS_PER_PERIOD = {ReportKind.MONTH: 1, ReportKind.QUARTER: 3, ReportKind.HALF_YEAR: 6, ReportKind.YEAR: 12}


def period_bounds(kind: str, year: int, number: int) -> tuple[dt.date, dt.date]:
    """First and last day of period `number` (1-based) of `kind` in `year`."""
    size = MONTHS_PER_PERIOD[ReportKind(kind)]
    if not 1 <= number <= PERIODS_PER_YEAR[ReportKind(kind)]:
        raise ValueError(f"{kind} has no period {number}")
    first_month = (number - 1) * size + 1
    last_month = first_month + size - 1
    starts_on = dt.date(year, first_month, 1)
    ends_on = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    return starts_on, ends_on


def due_days_by_kind() -> dict[str, int]:
    found = dict(ReportingSchedule.objects.values_list("kind", "due_days"))
    return {kind: found.get(kind, DEFAULT_SCHEDULE[kind][0]) for kind in KIND_ORDER}


def submission_opens_on(period: ReportingPeriod) -> dt.date:
    """The first day a report of `period` may be submitted: its figures can be known only once the period is
    over, so from its last day (DESIGN.md, reports: "a report cannot be submitted before its figures can be
    known"; the last day itself because offices close the month's work on it). Staff may open submission
    ``early_days`` earlier for a kind (*Lịch báo cáo*, ``ReportingSchedule.early_days``). The one home of the
    rule: ``services.report_submit`` enforces it, the form and the confirmation page say it."""
    early = cached_when_version_read(
        ("submission-early-days", period.kind),
        lambda: (
            ReportingSchedule.objects.filter(kind=period.kind).values_list("early_days", flat=True).first()
        ),
    )
    return period.ends_on - dt.timedelta(days=early or 0)


def year_range(today: dt.date | None = None) -> range:
    """The years the portal serves: from ``settings.PORTAL_FIRST_YEAR`` to next year."""
    today = today or timezone.localdate()
    return range(settings.PORTAL_FIRST_YEAR, today.year + 2)


def periods_of_year(year: int) -> list[ReportingPeriod]:
    """The periods of `year` that exist (a read: makes none), in page order (months, quarters, halves, year);
    read once per GET request (a page asks before and inside its cached body)."""
    return list(
        per_request(("periods-of-year", year), lambda: _sorted(ReportingPeriod.objects.filter(year=year)))
    )


@transaction.atomic
def periods_create(*, year: int, by=None) -> list[ReportingPeriod]:
    """All 19 periods of `year` (12 months, 4 quarters, 2 halves, the year), creating the missing ones.
    Idempotent, and safe when two callers make the same year at once. Staff, or the system (the daily command,
    the demo loader)."""
    access.require_staff(by)
    expected = sum(PERIODS_PER_YEAR.values())
    existing = list(ReportingPeriod.objects.filter(year=year))
    if len(existing) >= expected:
        return _sorted(existing)
    have = {(p.kind, p.number) for p in existing}
    due_days = due_days_by_kind()
    for kind in KIND_ORDER:
        for number in range(1, PERIODS_PER_YEAR[kind] + 1):
            if (kind, number) in have:
                continue
            starts_on, ends_on = period_bounds(kind, year, number)
            try:
                # A savepoint: two requests making the same year at once must not break each other.
                with transaction.atomic():
                    ReportingPeriod.objects.create(
                        kind=kind,
                        year=year,
                        number=number,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        due_on=ends_on + dt.timedelta(days=due_days[kind]),
                    )
            except IntegrityError:
                pass
    return _sorted(ReportingPeriod.objects.filter(year=year))


def _sorted(periods) -> list[ReportingPeriod]:
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(periods, key=lambda p: (rank[p.kind], p.number))


@transaction.atomic
def schedule_update(
    *,
    schedule: ReportingSchedule,
    due_days: int,
    remind_days_before: int,
    early_days: int | None = None,
    by,
    today: dt.date | None = None,
) -> int:
    """Change a kind's due days (and reminder lead, and how many days before the period's end a report may be
    submitted). Periods whose due date has not passed yet move with it; periods already due keep the date they
    had (a late report stays late). Returns how many periods moved."""
    access.require_staff(by)
    today = today or timezone.localdate()
    schedule.due_days = due_days
    schedule.remind_days_before = remind_days_before
    if early_days is not None:
        schedule.early_days = early_days
    schedule.full_clean()
    schedule._history_user = by
    schedule.save()
    moved = 0
    for period in ReportingPeriod.objects.select_for_update().filter(kind=schedule.kind, due_on__gte=today):
        new_due = period.ends_on + dt.timedelta(days=due_days)
        if new_due != period.due_on:
            period.due_on = new_due
            period.save(update_fields=["due_on"])
            moved += 1
    return moved
