"""The maintained figures against the raw records (issue 20): ``manage.py tally_check`` recomputes every tally
and finds no difference over the demo, over generated data, and after the writes that change them — an import,
a membership change, a new year of periods, a year closing — and the dashboard's punctuality read from the
tallies is the figure the report-by-report rule gives (``reports.timeliness.cells``)."""

import datetime as dt
import io
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from demo import scale
from organizations import services as org_services
from organizations.models import Organization
from organizations.tests.factories import staff_user
from reports import timeliness
from reports.models import ReportTally
from reports.periods import periods_create
from targets import dashboard as dash
from targets import indicators as ind
from targets import services as target_services
from targets.models import YearSnapshot

pytestmark = pytest.mark.django_db


def check() -> str:
    """``tally_check``'s output; it raises (exit code 1) on any difference."""
    out = StringIO()
    call_command("tally_check", stdout=out)
    return out.getvalue()


def punctuality_by_cells(year: int, on: dt.date) -> tuple[int, int]:
    """(on time, due) of `year`'s punctuality, report by report by the raw rule."""
    as_of = ind.punctuality_as_of(year, on)
    periods = ind.due_periods(year, as_of)
    orgs = ind.owing_organizations(periods)
    states = timeliness.cells(orgs, periods, as_of)
    on_time = sum(1 for c in states.values() if c.state == timeliness.ON_TIME)
    due = sum(
        1 for c in states.values() if c.state in (timeliness.ON_TIME, timeliness.LATE, timeliness.MISSING)
    )
    return on_time, due


def _sheet(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.append(["Mã", "Tên tổ chức", "Loại hình", "Loại đơn vị", "Ngày trực thuộc"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "to-chuc.xlsx"
    return out


@pytest.mark.usefixtures("demo")
def test_the_demo_then_an_import_a_departure_a_new_year_and_a_closing_leave_no_difference(client):
    today = timezone.localdate()
    assert "0 chỗ khác nhau" in check()
    assert ReportTally.objects.exists()
    staff = staff_user("vp_tally")
    # An import through the wizard: a new organisation from 01/07/2021 owes every period from then on.
    client.force_login(staff)
    url = reverse("organizations:organization_import")
    row = ["90", "Chi bộ Công ty Nhập Mới", "Chi bộ cơ sở", "Doanh nghiệp ngoài nhà nước", "01/07/2021"]
    preview = client.post(url, {"file": _sheet([row])})
    assert client.post(url, {"confirm": "1", "token": preview.context["token"]}).status_code == 302
    imported = Organization.objects.get(code="90")
    assert (
        ReportTally.objects.filter(organization=imported, period__year=2021, period__kind="month").count()
        == 6
    )
    assert "0 chỗ khác nhau" in check()
    # A departure from the Bloc (a membership spell ended).
    leaving = Organization.objects.get(code="05")
    org_services.organization_leave(
        organization=leaving, left_on=dt.date(today.year, 3, 15), change_reason="Sáp nhập", by=staff
    )
    assert "0 chỗ khác nhau" in check()
    # Next year's periods.
    periods_create(year=today.year + 1)
    assert "0 chỗ khác nhau" in check()
    # Closing last year: the stored punctuality is the raw rule's.
    year = today.year - 1
    closable, why = target_services.year_closable(year, today=today)
    assert closable, why
    target_services.year_close(year=year, by=staff, today=today)
    stored = YearSnapshot.objects.get(year=year).figure("reports_on_time")
    assert (stored["numerator"], stored["denominator"]) == punctuality_by_cells(year, today)
    assert "0 chỗ khác nhau" in check()
    # This year's dashboard, read from the tallies, says what the reports say.
    result = dash.compute_dashboard(today.year, on=today, with_charts=False).card("reports_on_time").result
    assert (result.numerator, result.denominator) == punctuality_by_cells(today.year, today)


def test_generated_data_has_no_difference():
    scale.generate(0.1, seed=7, today=dt.date(2026, 6, 15), log=lambda *_: None)
    assert ReportTally.objects.filter(organization__code__startswith=scale.PREFIX).exists()
    assert "0 chỗ khác nhau" in check()


def test_a_rebuild_that_rewrites_many_rows_leaves_no_difference(monkeypatch):
    """Past ``BULK_REWRITE`` changed rows a rebuild deletes and inserts them (bulk_update's CASE grows with its
    batch squared): the same rows as an update, one per pair owed."""
    from reports import tallies

    monkeypatch.setattr(tallies, "BULK_REWRITE", 0)
    scale.generate(0.1, seed=11, today=dt.date(2026, 6, 15), log=lambda *_: None)
    assert ReportTally.objects.exclude(submitted_on=None).exists()
    assert "0 chỗ khác nhau" in check()
