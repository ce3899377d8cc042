"""Timeliness (on time, late, missing, not due), the matrix and its query-count guard, period status."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations.tests.factories import OrganizationFactory
from reports.models import ReportStatus
from reports.periods import periods_create
from reports.timeliness import LATE, MISSING, NOT_DUE, NOT_OWED, ON_TIME, timeliness_for_year

from .factories import ReportFactory, period

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def test_states(org_a, org_b):
    jan, feb, mar = (period(2021, "month", n) for n in (1, 2, 3))
    ReportFactory(
        organization=org_a, period=jan, status=ReportStatus.SUBMITTED, first_submitted_at=at(jan.due_on, 23)
    )
    ReportFactory(
        organization=org_a,
        period=feb,
        status=ReportStatus.ACCEPTED,
        first_submitted_at=at(dt.date(2021, 3, 8)),
    )
    late_joiner = OrganizationFactory(joined_on=dt.date(2021, 2, 10))
    t = timeliness_for_year(2021, "month", dt.date(2021, 3, 20))
    assert t.cell(org_a.pk, jan.pk).state == ON_TIME  # 23:00 local on the due date is still on time
    feb_cell = t.cell(org_a.pk, feb.pk)
    assert feb_cell.state == LATE and feb_cell.days_late == 3
    assert t.cell(org_b.pk, jan.pk).state == MISSING
    assert t.cell(org_a.pk, mar.pk).state == NOT_DUE
    assert t.cell(late_joiner.pk, jan.pk).state == NOT_OWED
    assert t.cell(late_joiner.pk, feb.pk).state == MISSING
    assert t.per_period[jan.pk].due == 2 and t.per_period[jan.pk].on_time == 1
    assert t.per_organization[org_a.pk].on_time_rate == 50.0
    assert t.per_organization[org_b.pk].missing == 2


def test_matrix_page_and_query_count_guard(client_for, staff, org_a):
    c = client_for(staff)
    url = reverse("reports:matrix") + "?year=2021&kind=month"
    periods_create(year=2021)
    cache.clear()  # the counts per period are cached until the next write: compare two computations
    with CaptureQueriesContext(connection) as before:
        assert c.get(url).status_code == 200
    for _ in range(20):
        org = OrganizationFactory()
        ReportFactory(
            organization=org,
            period=period(2021, "month", 1),
            status=ReportStatus.SUBMITTED,
            first_submitted_at=at(dt.date(2021, 2, 1)),
        )
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        response = c.get(url)
    assert len(after) == len(before)
    body = response.content.decode()
    assert "tl-on_time" in body and "tl-missing" in body and "Tỷ lệ đúng hạn" in body


def test_matrix_for_readers_only(client_for, leader, secretary_a):
    assert client_for(leader).get(reverse("reports:matrix")).status_code == 200
    assert client_for(secretary_a).get(reverse("reports:matrix")).status_code == 403


def test_period_status_lists_missing_and_late(client_for, leader, org_a, org_b):
    jan = period(2021, "month", 1)
    ReportFactory(
        organization=org_a,
        period=jan,
        status=ReportStatus.SUBMITTED,
        first_submitted_at=at(dt.date(2021, 2, 9)),
    )
    body = client_for(leader).get(reverse("reports:period_status"), {"period": jan.pk}).content.decode()
    assert "muộn 4 ngày" in body and org_b.name in body
