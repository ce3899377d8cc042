"""The report's "số chi bộ / số chi bộ sinh hoạt đúng định kỳ" come from the cells' meeting records; a figure
that disagrees needs an explanation, as the member figures do."""

import datetime as dt

import pytest
from django.urls import reverse

from members.tests import factories as mf
from organizations.models import Cell
from reports.models import ReportStatus

from .factories import period
from .test_workflow import form_data, open_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def cells(org_a, secretary_a):
    cb1 = Cell.objects.create(organization=org_a, name="Chi bộ 1")
    cb2 = Cell.objects.create(organization=org_a, name="Chi bộ 2")
    Cell.objects.create(organization=org_a, name="Tổ đảng cũ", is_active=False)
    mf.member(org_a, cell=cb1)
    return cb1, cb2


def test_the_report_opens_with_the_meeting_figures(client_for, secretary_a, org_a, cells):
    cb1, cb2 = cells
    for month in (1, 2):
        mf.meeting(org_a, cb1, held_on=dt.date(2021, month, 8), by=secretary_a)
    mf.meeting(org_a, cb2, held_on=dt.date(2021, 2, 8), by=secretary_a)
    c = client_for(secretary_a)
    january = open_report(c, period(2021, "month", 1))
    february = open_report(c, period(2021, "month", 2))
    assert (january.cells_total, january.cell_meetings_held) == (2, 1)
    assert (february.cells_total, february.cell_meetings_held) == (2, 2)
    assert january.registry_snapshot["cell_meetings_held"] == 1
    page = c.get(reverse("reports:report_edit", args=[january.pk])).content.decode()
    assert "Sổ sinh hoạt chi bộ: 1" in page

    # Another figure than the records' is flagged and needs an explanation before submitting.
    url = reverse("reports:report_edit", args=[january.pk])
    refused = c.post(url, form_data(january, cells_total=2, cell_meetings_held=2, action="submit"))
    assert "Khác sổ sinh hoạt chi bộ: sổ ghi 1, bạn nhập 2" in refused.content.decode()
    january.refresh_from_db()
    assert january.status == ReportStatus.DRAFT
    explained = form_data(
        january, cells_total=2, cell_meetings_held=2, discrepancy_note="Chi bộ 2 họp ngày 31/01, chưa ghi sổ.",
        action="submit",
    )  # fmt: skip
    assert c.post(url, explained).status_code == 302  # saved; on to the confirmation step
    january.refresh_from_db()
    c.post(reverse("reports:report_confirm", args=[january.pk]), {"revision": january.revision})
    january.refresh_from_db()
    assert january.status == ReportStatus.SUBMITTED and january.cell_meetings_held == 2


def test_without_meeting_records_the_cells_are_only_suggested(client_for, secretary_a, org_a, cells):
    c = client_for(secretary_a)
    report = open_report(c, period(2021, "month", 3))
    assert (report.cells_total, report.cell_meetings_held) == (2, None)
    assert "cells_total" not in report.registry_snapshot
    url = reverse("reports:report_edit", args=[report.pk])
    response = c.post(url, form_data(report, cells_total=3, cell_meetings_held=3, action="submit"))
    assert response.status_code == 302, "no record to disagree with: no explanation needed"
