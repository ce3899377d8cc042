"""The secretary's report form stays O(1) in queries: the registry figures, the required resolutions, the
schedule's early days and the report's register entry come from the cache while nothing they read has changed
(one query for the data's version), and the attachments are asked for only when the report has some. What
they show stays fresh: a change to each is on the next page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations.tests.factories import OrganizationFactory
from reports.models import ReportingSchedule
from reports.periods import schedule_update

from .factories import ResolutionFactory, admitted_member, period
from .test_documents import _issue
from .test_uploads import PDF
from .test_workflow import open_report

pytestmark = pytest.mark.django_db

#: A warm GET of the form: the session, the user and their groups, their officer row (the access middleware),
#: the report (with its attachments' Exists), its study lines, the data's version, and saving the session.
WARM_QUERIES = 10
#: Next year's January: its report cannot be submitted yet, so the form says from which day.
YEAR = dt.date.today().year + 1


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def form(client_for, secretary_a, org_a):
    for _ in range(3):
        admitted_member(org_a, dt.date(2015, 1, 1))
    for title in ("NQ 4", "CT 05"):
        ResolutionFactory(year=YEAR, short_title=title)
    client = client_for(secretary_a)
    report = open_report(client, period(YEAR, "month", 1))
    return client, report, reverse("reports:report_edit", args=[report.pk])


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_a_warm_form_makes_a_fixed_number_of_queries(form, org_a):
    client, report, url = form
    queries(client, url)  # warms the cached figures
    count, body = queries(client, url)
    assert count == WARM_QUERIES, count
    assert "Chưa có tệp đính kèm." in body and 'name="csrfmiddlewaretoken"' in body
    # More members and organisations: still the same.
    for _ in range(5):
        admitted_member(org_a, dt.date(2016, 1, 1))
    OrganizationFactory(code="950")
    queries(client, url)
    assert queries(client, url)[0] == WARM_QUERIES


def test_attachments_cost_one_query_and_show(form, secretary_a):
    client, report, url = form
    response = client.post(
        reverse("reports:attachment_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("bien-ban.pdf", PDF), "next": "edit"},
    )
    assert response.status_code == 302
    queries(client, url)
    count, body = queries(client, url)
    assert count == WARM_QUERIES + 1, count
    assert "bien-ban.pdf" in body and "Gỡ tệp bien-ban.pdf" in body


def test_what_the_cache_keeps_is_fresh_on_the_next_page(form, staff):
    client, report, url = form
    body = queries(client, url)[1]
    assert "KL 21" not in body and "Hoàn thành, cấp số" in body and f"Nộp được từ ngày 31/01/{YEAR}" in body
    # A resolution made required, submission opened early: both show at once.
    ResolutionFactory(year=YEAR, short_title="KL 21")
    schedule_update(
        schedule=ReportingSchedule.objects.get(kind="month"),
        due_days=10,
        remind_days_before=3,
        early_days=5,
        by=staff,
        today=timezone.localdate(),
    )
    body = queries(client, url)[1]
    assert "KL 21: đảng viên đã học" in body
    assert f"Nộp được từ ngày 31/01/{YEAR}" not in body and f"Nộp được từ ngày 26/01/{YEAR}" in body
    # Numbered in the register: the number shows, the button goes.
    response = _issue(
        client,
        reverse("reports:report_issue", args=[report.pk]),
        on=timezone.localdate().strftime("%d/%m/%Y"),
    )
    assert response.status_code == 302, response
    body = queries(client, url)[1]
    assert "Hoàn thành, cấp số" not in body and "Số <strong>" in body
