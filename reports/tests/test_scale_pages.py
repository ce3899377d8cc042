"""Pages that stay fast at a country's size: the completeness matrix and the period summary show one page of
organisations while their totals, counted in the database (and cached until the next write), agree with the
organisation-by-organisation computation, and a new submission shows at once."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.tests.factories import OrganizationFactory
from reports import services
from reports.models import ReportingSchedule, ReportStatus
from reports.summary import period_summary, period_summary_page
from reports.timeliness import timeliness_for_year, timeliness_page

from .factories import ReportFactory, period

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2021, 3, 20)
#: What a submission may not leave blank (services.missing_on_submit), for reports submitted through the service.
NARRATIVE = {
    "non_member_headcount": 12,
    "results_text": "Hoàn thành kế hoạch.",
    "shortcomings_text": "Còn chậm.",
    "directions_text": "Tiếp tục.",
}


def at(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def year_of_reports(org_a, org_b):
    """On time, late (23:30 local on the due date is still on time), missing, drafts, a late joiner, an
    organisation that left, and more organisations than one page holds."""
    jan, feb, mar = (period(2021, "month", n) for n in (1, 2, 3))
    joiner = OrganizationFactory(joined_on=dt.date(2021, 2, 10), code="900")
    leaver = OrganizationFactory(left_on=dt.date(2021, 2, 1), code="901")
    extra = [OrganizationFactory(code=f"95{i}") for i in range(3)]
    filed = ReportStatus.SUBMITTED
    ReportFactory(organization=org_a, period=jan, status=filed, first_submitted_at=at(jan.due_on, 23))
    ReportFactory(organization=org_a, period=feb, status=ReportStatus.ACCEPTED, first_submitted_at=at(feb.due_on + dt.timedelta(days=3)))  # fmt: skip
    ReportFactory(organization=org_b, period=jan, status=ReportStatus.DRAFT)
    ReportFactory(organization=joiner, period=feb, status=filed, first_submitted_at=at(feb.due_on))
    ReportFactory(organization=leaver, period=jan, status=filed, first_submitted_at=at(jan.due_on + dt.timedelta(days=1)))  # fmt: skip
    ReportFactory(organization=leaver, period=feb, status=filed, first_submitted_at=at(feb.due_on))
    ReportFactory(
        organization=extra[0], period=mar, status=filed, first_submitted_at=at(dt.date(2021, 3, 15))
    )
    ReportFactory(organization=extra[1], period=jan, status=filed, first_submitted_at=at(AS_OF + dt.timedelta(days=2)))  # fmt: skip
    return jan, feb, mar


def _counts(counts):
    return {name: getattr(counts, name) for name in ("owed", "due", "on_time", "late", "missing", "not_due")}


def test_matrix_page_totals_agree_with_the_cell_by_cell_computation(year_of_reports):
    full = timeliness_for_year(2021, "month", AS_OF)
    shown_orgs = []
    for number in (1, 2, 3):
        page, shown = timeliness_page(2021, "month", AS_OF, page=number, per_page=3)
        assert {k: _counts(v) for k, v in page.per_period.items()} == {
            k: _counts(v) for k, v in full.per_period.items()
        }
        assert _counts(page.total) == _counts(full.total)
        for org in page.organizations:
            shown_orgs.append(org.pk)
            assert _counts(page.per_organization[org.pk]) == _counts(full.per_organization[org.pk])
            for p in page.periods:
                assert page.cell(org.pk, p.pk) == full.cell(org.pk, p.pk)
        assert shown.paginator.count == len(full.organizations)
    assert shown_orgs == [o.pk for o in full.organizations]  # every organisation once, in code order
    assert full.total.on_time and full.total.late and full.total.missing and full.total.not_due


def test_matrix_search_and_garbage_page(client_for, staff, year_of_reports, org_a):
    c = client_for(staff)
    url = reverse("reports:matrix")
    body = c.get(url, {"year": 2021, "q": org_a.code}).content.decode()
    assert org_a.name in body
    assert c.get(url, {"year": 2021, "page": "abc"}).status_code == 200
    assert c.get(url, {"year": 2021, "page": "99999"}).status_code == 200
    page, _ = timeliness_page(2021, "month", AS_OF, page=1, search=org_a.code)
    assert [o.pk for o in page.organizations] == [org_a.pk]
    assert (page.total.owed, page.total.due) == (12, 2)  # the one organisation found: 12 months, 2 due


def test_a_submission_shows_in_the_matrix_and_the_summary_at_once(client_for, staff, org_a, org_b):
    """Both page bodies are cached (template fragments under the data's version): a submission made through
    the service shows in the very next page, counts and HTML alike."""
    today = timezone.localdate()
    month = period(today.year, "month", today.month)
    url = reverse("reports:matrix") + f"?year={today.year}"
    summary_url = reverse("reports:period_summary") + f"?period={month.pk}"
    c = client_for(staff)
    before = c.get(url).context["t"].total.on_time
    assert f"Cả năm: {before} đúng hạn" in c.get(url).content.decode()  # the second request: from the cache
    assert "đã nộp 0/2 tổ chức" in c.get(summary_url).content.decode()
    assert "đã nộp 0/2 tổ chức" in c.get(summary_url).content.decode()
    # This month is not over: staff allow its reports early (Lịch báo cáo), or it could not be submitted yet.
    ReportingSchedule.objects.filter(kind="month").update(early_days=31)
    report = services.report_start(organization=org_a, period=month, by=staff)
    services.report_submit(report=report, by=staff, data=NARRATIVE)
    assert f"Cả năm: {before + 1} đúng hạn" in c.get(url).content.decode()
    assert "đã nộp 1/2 tổ chức" in c.get(summary_url).content.decode()


def test_summary_page_totals_match_the_documents_and_narratives_are_paged(
    client_for, leader, year_of_reports, org_a
):
    jan = year_of_reports[0]
    whole = period_summary(jan, AS_OF)
    paged = period_summary_page(jan, AS_OF, page=1, per_page=1)
    for name in ("owed_count", "filed", "on_time", "late", "sums", "missing_count", "filed_rate"):
        assert getattr(paged, name) == getattr(whole, name), name
    assert [s.resolution for s in paged.study] == [s.resolution for s in whole.study]
    assert paged.missing == whole.missing
    assert len(paged.narratives()) == 1 and paged.page.paginator.count == len(whole.narratives())
    for page in ("2", "abc", "-1"):
        response = client_for(leader).get(reverse("reports:period_summary"), {"period": jan.pk, "page": page})
        assert response.status_code == 200 and org_a.name in response.content.decode()


def test_dashboard_table_of_organisations_is_paged(client_for, leader):
    orgs = [OrganizationFactory(code=f"7{i:02d}", name=f"Tổ chức thứ {i:02d}") for i in range(55)]
    c = client_for(leader)
    url = reverse("dashboard:dashboard")
    first = c.get(url, {"year": 2021}).content.decode()
    assert "Trang 1/2" in first and orgs[0].name in first and orgs[54].name not in first
    second = c.get(url, {"year": 2021, "page": 2}).content.decode()
    assert orgs[54].name in second and orgs[0].name not in second
    for garbage in ("abc", "-1", "9" * 12):
        assert c.get(url, {"year": 2021, "page": garbage}).status_code == 200
