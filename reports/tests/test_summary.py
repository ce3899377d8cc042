"""The Bloc's summary for a period: page and XLSX (formula-safe). Its PDF and DOCX: test_documents.py."""

import datetime as dt
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from reports.models import ReportStatus, StudyLine
from reports.summary import period_summary

from .factories import ReportFactory, ResolutionFactory, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(org_a, org_b):
    jan = period(2021, "month", 1)
    resolution = ResolutionFactory(year=2021, short_title="NQ 4")
    report = ReportFactory(
        organization=org_a,
        period=jan,
        status=ReportStatus.ACCEPTED,
        members_total=12,
        admissions=2,
        first_submitted_at=dt.datetime(2021, 2, 1, tzinfo=dt.UTC),
        results_text='=HYPERLINK("http://x") <b>đậm</b>',
        shortcomings_text="Còn chậm nộp báo cáo.",
    )
    StudyLine.objects.create(
        report=report,
        resolution=resolution,
        members_studied=9,
        members_total=12,
        masses_studied=10,
        masses_total=20,
    )
    ReportFactory(organization=org_b, period=jan, status=ReportStatus.DRAFT, members_total=99)
    return jan


def test_sums_rates_and_missing(filed, org_b):
    s = period_summary(filed, dt.date(2021, 3, 1))
    sums = {k: v for k, _, v in s.sums}
    assert sums["members_total"] == 12 and sums["admissions"] == 2  # the draft does not count
    assert s.missing == [org_b]
    assert s.study[0].members_rate == 75.0 and s.study[0].masses_rate == 50.0
    assert s.on_time == 1


def test_page_escapes_narratives(client_for, staff, leader, filed):
    url = reverse("reports:period_summary")
    for user in (staff, leader):  # leadership reads everything, the summary included
        body = client_for(user).get(url, {"period": filed.pk}).content.decode()
        assert "&lt;b&gt;đậm&lt;/b&gt;" in body and "<b>đậm</b>" not in body
        assert "Còn chậm nộp báo cáo." in body


def test_xlsx_escapes_formulae(client_for, staff, filed, org_a):
    response = client_for(staff).get(
        reverse("reports:period_summary"), {"period": filed.pk, "format": "xlsx"}
    )
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(BytesIO(response.getvalue()))
    values = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert org_a.name in values
    texts = [v for v in values if isinstance(v, str) and "HYPERLINK" in v]
    assert texts and all(v.startswith("'=") for v in texts)
