"""The data's version (core/datacache.py), under which the dashboard, the matrix, the period summary and
the lists are cached: what makes a figure change changes it; a secretary's draft does not."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from core.datacache import data_version
from reports import services
from reports.models import ReportStatus

from .factories import admitted_member, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(org_a, staff):
    for _ in range(3):
        admitted_member(org_a, dt.date(2015, 1, 1))
    jan = period(2021, "month", 1)
    return services.report_start(organization=org_a, period=jan, by=staff)


def _save(report, by, **data):
    report.refresh_from_db()
    return services.report_save_draft(report=report, data=data, revision=report.revision, by=by)


def test_a_draft_saved_as_the_secretary_types_does_not_change_the_version(draft, staff):
    before = data_version()
    _save(draft, staff, results_text="Đang soạn…", non_member_headcount=30)
    _save(draft, staff, results_text="Đang soạn tiếp…", cells_total=2, cell_meetings_held=1)
    assert data_version() == before


def test_submitting_returning_and_accepting_change_it(draft, staff):
    report = _save(
        draft,
        staff,
        non_member_headcount=30,
        cells_total=1,
        cell_meetings_held=1,
        results_text="Kết quả",
        shortcomings_text="Hạn chế",
        directions_text="Phương hướng",
    )
    versions = {data_version()}
    services.report_submit(report=report, by=staff, revision=report.revision)
    versions.add(data_version())
    report.refresh_from_db()
    services.report_return(report=report, by=staff, reason="Thiếu số liệu học tập.")
    versions.add(data_version())
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    services.report_submit(report=report, by=staff, revision=report.revision)
    versions.add(data_version())
    report.refresh_from_db()
    services.report_accept(report=report, by=staff)
    versions.add(data_version())
    assert len(versions) == 5


def test_a_change_in_the_django_admin_changes_it(draft):
    """A period's due date has no history of its own: the admin's log row is what changes the version."""
    admin = get_user_model().objects.create_superuser(
        "quantri", "quantri@example.vn", "mat-khau-quan-tri-2021"
    )
    client = Client()
    client.force_login(admin)
    p = draft.period
    before = data_version()
    response = client.post(
        reverse("admin:reports_reportingperiod_change", args=[p.pk]),
        {"kind": p.kind, "year": p.year, "number": p.number, "starts_on": "01/01/2021", "ends_on": "31/01/2021",
         "due_on": "20/02/2021"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    p.refresh_from_db()
    assert p.due_on == dt.date(2021, 2, 20)
    assert data_version() != before
