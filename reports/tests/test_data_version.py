"""The data's version (core/datacache.py), under which the dashboard, the matrix, the period summary and
the lists are cached: what makes a figure change changes it; a secretary's draft does not."""

import datetime as dt

import pytest

from core.datacache import data_version
from reports import services
from reports.models import ReportingSchedule, ReportStatus
from reports.periods import schedule_update

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


def test_a_due_date_moved_by_the_schedule_changes_it(draft, staff):
    """A period's due date has no history of its own; it moves only through the schedule's service, whose
    history row changes the version (the Django admin cannot change it: tests/test_admin.py)."""
    before = data_version()
    schedule = ReportingSchedule.objects.get(kind="month")
    schedule_update(schedule=schedule, due_days=20, remind_days_before=3, by=staff, today=dt.date(2021, 1, 1))
    draft.period.refresh_from_db()
    assert draft.period.due_on == dt.date(2021, 2, 20)
    assert data_version() != before
