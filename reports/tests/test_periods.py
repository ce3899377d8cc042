"""Periods on demand, month/year-end arithmetic, schedule changes, who owes a report."""

import datetime as dt

import pytest
from django.urls import reverse

from organizations.tests.factories import OrganizationFactory
from reports.models import ReportingPeriod, ReportingSchedule, ReportKind
from reports.periods import period_bounds, periods_create, periods_of_year, schedule_update
from reports.timeliness import owes_report

pytestmark = pytest.mark.django_db


def test_a_year_has_nineteen_periods_made_once():
    assert len(periods_create(year=2021)) == 19
    assert len(periods_create(year=2021)) == 19
    assert ReportingPeriod.objects.filter(year=2021).count() == 19
    kinds = [p.kind for p in periods_create(year=2021)]
    assert kinds.count("month") == 12 and kinds.count("quarter") == 4
    assert kinds.count("half_year") == 2 and kinds.count("year") == 1


def test_reading_a_years_periods_is_one_query_and_makes_none(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert periods_of_year(2022) == []
    periods_create(year=2022)
    with django_assert_num_queries(1):
        assert len(periods_of_year(2022)) == 19


@pytest.mark.parametrize(
    ("kind", "year", "number", "start", "end"),
    [
        ("month", 2021, 2, dt.date(2021, 2, 1), dt.date(2021, 2, 28)),
        ("month", 2024, 2, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("month", 2021, 12, dt.date(2021, 12, 1), dt.date(2021, 12, 31)),
        ("quarter", 2021, 1, dt.date(2021, 1, 1), dt.date(2021, 3, 31)),
        ("quarter", 2021, 4, dt.date(2021, 10, 1), dt.date(2021, 12, 31)),
        ("half_year", 2021, 2, dt.date(2021, 7, 1), dt.date(2021, 12, 31)),
        ("year", 2021, 1, dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
    ],
)
def test_period_bounds(kind, year, number, start, end):
    assert period_bounds(kind, year, number) == (start, end)


def test_due_dates_cross_month_and_year_ends():
    periods = {(p.kind, p.number): p for p in periods_create(year=2021)}
    assert periods[("month", 12)].due_on == dt.date(2022, 1, 5)  # December's report is due in January
    assert periods[("month", 2)].due_on == dt.date(2021, 3, 5)
    assert periods[("year", 1)].due_on == dt.date(2022, 1, 20)
    assert periods[("quarter", 4)].due_on == dt.date(2022, 1, 10)
    leap = {(p.kind, p.number): p for p in periods_create(year=2024)}
    assert leap[("month", 2)].ends_on == dt.date(2024, 2, 29)
    assert leap[("month", 2)].due_on == dt.date(2024, 3, 5)


def test_schedule_change_moves_only_periods_not_yet_due(staff):
    periods_create(year=2021)
    schedule = ReportingSchedule.objects.get(kind=ReportKind.MONTH)
    moved = schedule_update(
        schedule=schedule, due_days=10, remind_days_before=2, by=staff, today=dt.date(2021, 6, 6)
    )
    months = {p.number: p for p in ReportingPeriod.objects.filter(year=2021, kind="month")}
    assert months[5].due_on == dt.date(2021, 6, 5)  # already passed: unchanged
    assert months[6].due_on == dt.date(2021, 7, 10)
    assert months[12].due_on == dt.date(2022, 1, 10)
    assert moved == 7
    # A new year's periods use the new schedule.
    assert {p.number: p for p in periods_create(year=2030) if p.kind == "month"}[1].due_on == dt.date(
        2030, 2, 10
    )


def test_schedule_page_is_staff_only_and_edits(client_for, staff, leader, secretary_a):
    url = reverse("reports:schedule_list")
    assert client_for(leader).get(url).status_code == 403
    assert client_for(leader).post(url, {}).status_code == 403
    assert client_for(secretary_a).get(url).status_code == 403
    c = client_for(staff)
    body = c.get(url).content.decode()
    assert "Hạn nộp" in body
    data = {}
    for s in ReportingSchedule.objects.all():
        data[f"{s.kind}-due_days"] = s.due_days
        data[f"{s.kind}-remind_days_before"] = s.remind_days_before
        data[f"{s.kind}-early_days"] = s.early_days
    data["quarter-due_days"] = -1
    response = c.post(url, data)
    assert response.status_code == 200 and "Không được nhập số âm" in response.content.decode()
    data["quarter-due_days"] = 12
    data["month-early_days"] = 32  # more than a month early: the figures cannot be known
    response = c.post(url, data)
    assert "Cho phép nộp sớm tối đa 31 ngày" in response.content.decode()
    data["month-early_days"] = 31
    assert c.post(url, data).status_code == 302
    assert ReportingSchedule.objects.get(kind="quarter").due_days == 12
    assert ReportingSchedule.objects.get(kind="month").early_days == 31


def test_organisation_owes_reports_only_while_in_the_bloc():
    months = {p.number: p for p in periods_create(year=2021) if p.kind == "month"}
    org = OrganizationFactory(joined_on=dt.date(2021, 3, 15), left_on=dt.date(2021, 9, 1))
    assert not owes_report(org, months[2])
    assert owes_report(org, months[3])
    assert owes_report(org, months[8])
    assert not owes_report(org, months[9])
