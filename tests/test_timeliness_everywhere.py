"""One rule, five pages: the completeness matrix, the period status page, the reminders, the period summary and
the dashboard's punctuality records say the same "owes / on time / late / missing" for every organisation and
every period of the demo's 2020 and 2021 (reports/timeliness.py is the rule; this checks nobody re-derives it).

The demo is loaded once for the module (rolled back at the end), with one organisation made to leave the Bloc in
the middle of 2021: it owes exactly the periods it belonged to the Bloc for, everywhere.
"""

import datetime as dt
import re

import pytest
from django.db import transaction

from organizations.models import Organization
from organizations.services import organization_leave
from reports import timeliness
from reports.models import ReportingPeriod
from reports.periods import KIND_ORDER
from reports.reminders import plan_messages
from reports.summary import period_summary
from targets import dashboard

pytestmark = pytest.mark.django_db

YEARS = (2020, 2021)
#: Read when every 2021 report is due (the annual report on 20/01/2022) and a few days more.
AS_OF = dt.date(2022, 1, 25)
LEAVES_ON = dt.date(2021, 7, 15)
FILED = {timeliness.ON_TIME, timeliness.LATE}


@pytest.fixture(scope="module")
def demo(demo_loaded, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():  # a savepoint over the session's demo
        leaver = Organization.objects.get(code="76")
        organization_leave(organization=leaver, left_on=LEAVES_ON)
        yield leaver
        transaction.set_rollback(True)


def _periods(year):
    return list(ReportingPeriod.objects.filter(year=year).order_by("ends_on", "kind"))


def _matrix(year, as_of) -> dict:
    states = {}
    for kind in KIND_ORDER:
        result = timeliness.timeliness_for_year(year, kind, as_of)
        for (org_id, period_id), cell in result.cells.items():
            if cell.state != timeliness.NOT_OWED:
                states[(org_id, period_id)] = cell.state
    return states


def _status_page(period, as_of) -> dict:
    data = timeliness.period_status(period, as_of)
    return {(org.pk, period.pk): state for state, rows in data["groups"].items() for org, _cell in rows}


def test_the_leaver_owes_only_what_it_belonged_for(demo):
    periods = _periods(2021)
    owed = {p.pk for p in periods if timeliness.owes_report(demo, p)}
    assert owed == {p.pk for p in periods if p.starts_on < LEAVES_ON}
    matrix = _matrix(2021, AS_OF)
    assert {pid for (oid, pid) in matrix if oid == demo.pk} == owed


@pytest.mark.parametrize("year", YEARS)
def test_matrix_status_page_and_summary_agree_on_every_organisation_and_period(demo, year):
    matrix = _matrix(year, AS_OF)
    for period in _periods(year):
        status = _status_page(period, AS_OF)
        in_matrix = {key: state for key, state in matrix.items() if key[1] == period.pk}
        assert status == in_matrix, period.label

        summary = period_summary(period, AS_OF)
        states = list(in_matrix.values())
        assert summary.owed_count == len(states), period.label
        assert (summary.on_time, summary.late, summary.missing_count, summary.not_due_count) == (
            states.count(timeliness.ON_TIME),
            states.count(timeliness.LATE),
            states.count(timeliness.MISSING),
            states.count(timeliness.NOT_DUE),
        ), period.label
        unfiled = {org.pk for org in summary.missing}
        assert unfiled == {
            oid for (oid, _pid), s in in_matrix.items() if s in (timeliness.MISSING, timeliness.NOT_DUE)
        }, period.label


@pytest.mark.parametrize("year", YEARS)
def test_the_dashboard_counts_what_the_matrix_says(demo, year):
    records = dashboard.records_for("reports_on_time", year, on=AS_OF)
    as_of = records["as_of"]
    matrix = _matrix(year, as_of)
    counted = {(r["organization"].pk, r["period"].pk): r["state"] for r in records["reports"]}
    due = {p.pk for p in _periods(year) if p.due_on <= as_of}
    expected = {key: state for key, state in matrix.items() if key[1] in due and state != timeliness.NOT_DUE}
    assert counted == expected
    result = records["result"]
    assert result.numerator == sum(1 for s in expected.values() if s == timeliness.ON_TIME)
    assert result.denominator == len(expected)


def test_the_reminders_remind_exactly_who_the_matrix_says(demo):
    """On the day after each 2021 due date, every overdue reminder is for a missing report, every "due soon"
    reminder for a report not due yet, and no filed report is reminded."""
    days = sorted(
        {p.due_on + dt.timedelta(days=1) for p in _periods(2021)} | {p.due_on for p in _periods(2021)}
    )
    checked = 0
    for day in days:
        matrix = {**_matrix(day.year - 1, day), **_matrix(day.year, day)}
        keys = [m.key for m in plan_messages(day) if m.kind in ("due", "overdue")]
        reminded = {}
        for key in keys:
            kind, org_id, period_id = re.match(r"(\w+):(\d+):(\d+):", key).groups()
            reminded[(int(org_id), int(period_id))] = kind
        checked += len(reminded)
        for pair, kind in reminded.items():
            expected = timeliness.MISSING if kind == "overdue" else timeliness.NOT_DUE
            assert matrix.get(pair) == expected, (day, pair, kind, matrix.get(pair))
        overdue_in_window = {
            pair
            for pair, state in matrix.items()
            if state == timeliness.MISSING
            and ReportingPeriod.objects.get(pk=pair[1]).due_on >= day - dt.timedelta(days=90)
        }
        assert overdue_in_window <= {p for p, k in reminded.items() if k == "overdue"} | _without_secretary(
            overdue_in_window
        ), day
    assert checked > 200  # the demo's secretaries are reminded often: the check is not empty


def _without_secretary(pairs):
    from organizations.models import Officer

    with_one = set(
        Officer.objects.filter(is_active=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("organization_id", flat=True)
    )
    return {pair for pair in pairs if pair[0] not in with_one}


def test_the_year_end_periods_count_on_every_page_for_the_leaver_too(demo):
    """December, Q4, the second half-year and the annual report of 2021 are due in January 2022: the dashboard
    of 2021 (read by period, to the end of 20/01/2022) counts them, and the leaver (left 15/07/2021) owes the
    second half-year and the year — it belonged for part of them — but not Q4 nor December, on every page."""
    year_end = [p for p in _periods(2021) if p.due_on.year == 2022]
    assert sorted(p.kind for p in year_end) == ["half_year", "month", "quarter", "year"]
    records = dashboard.records_for("reports_on_time", 2021, on=AS_OF)
    assert records["as_of"] == dt.date(2022, 1, 21)
    counted = {(r["organization"].pk, r["period"].pk) for r in records["reports"]}
    owes = {p.kind: timeliness.owes_report(demo, p) for p in year_end}
    assert owes == {"month": False, "quarter": False, "half_year": True, "year": True}
    matrix = _matrix(2021, AS_OF)
    for period in year_end:
        summary_owed = {o.pk for o in period_summary(period, AS_OF).owed}
        status_owed = set(_status_page(period, AS_OF))
        assert ((demo.pk, period.pk) in counted) == owes[period.kind], period.label
        assert (demo.pk in summary_owed) == owes[period.kind], period.label
        assert ((demo.pk, period.pk) in status_owed) == owes[period.kind], period.label
        assert ((demo.pk, period.pk) in matrix) == owes[period.kind], period.label
        assert len([k for k in counted if k[1] == period.pk]) == len(summary_owed), period.label
