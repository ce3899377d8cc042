"""The maintained punctuality figures (issue 20, ``reports.tallies``): every write that can change who owes a
report or when it came updates the tally in its own transaction, the counts read from it agree with the raw
report-by-report rule (``timeliness.cells``), and ``manage.py tally_check`` finds any difference."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from organizations import services as org_services
from reports import tallies, timeliness
from reports.models import ReportingPeriod, ReportTally
from reports.periods import periods_create

from .test_workflow import open_report, resolutions, roll, submit  # noqa: F401  (the form's helpers and world)

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2021(org_a):
    return periods_create(year=2021)


def _counts_from_cells(periods, as_of):
    """The per-period counts by the raw rule, report by report (``timeliness.cells``)."""
    orgs = list(timeliness._owing_any(periods, None))
    states = timeliness.cells(orgs, periods, as_of)
    out = {p.pk: timeliness.TimelinessCounts() for p in periods}
    for (_org, period_id), cell in states.items():
        out[period_id].add(cell.state)
    return {pk: vars(c) for pk, c in out.items()}


def _counts_from_tallies(periods, as_of):
    return {pk: vars(c) for pk, c in timeliness.timeliness_counts(periods, as_of)[0].items()}


@pytest.mark.usefixtures("roll", "resolutions")
def test_a_submission_through_the_form_is_counted_at_once(client_for, secretary_a, org_a):
    """A report counts from its first submission (reports.timeliness, docs/reporting.md): the tally row of
    (organisation, period) carries that day from the submitting transaction on, and the counts read from the
    tallies are the ones the report-by-report rule gives."""
    periods = periods_create(year=2021)
    jan = next(p for p in periods if p.kind == "month" and p.number == 1)
    row = ReportTally.objects.get(organization=org_a, period=jan)
    assert row.submitted_on is None
    c = client_for(secretary_a)
    report = open_report(c, jan)
    assert submit(c, report).status_code == 302
    row.refresh_from_db()
    assert row.submitted_on == timezone.localdate()
    as_of = timezone.localdate()
    assert _counts_from_tallies(periods, as_of) == _counts_from_cells(periods, as_of)
    assert _counts_from_tallies([jan], as_of)[jan.pk]["late"] == 1
    assert tallies.differences() == []


def test_leaving_the_bloc_ends_what_the_organisation_owes(staff, org_a, year_2021):
    """An organisation that leaves the Bloc on 15/05/2021 owes May (it belonged for part of it) and nothing
    after (reports.timeliness.owes_report); the tally follows the spell in the leaving transaction."""
    org_services.organization_leave(
        organization=org_a, left_on=dt.date(2021, 5, 15), change_reason="Sáp nhập", by=staff
    )
    owed = set(
        ReportTally.objects.filter(organization=org_a, period__kind="month").values_list(
            "period__number", flat=True
        )
    )
    assert owed == {1, 2, 3, 4, 5}
    assert tallies.differences() == []
    org_services.organization_return(
        organization=org_a, joined_on=dt.date(2021, 10, 1), change_reason="Trở lại", by=staff
    )
    owed = set(
        ReportTally.objects.filter(organization=org_a, period__kind="month").values_list(
            "period__number", flat=True
        )
    )
    assert owed == {1, 2, 3, 4, 5, 10, 11, 12}
    assert tallies.differences() == []


def test_a_new_year_of_periods_is_owed_by_every_organisation_in_the_bloc(org_a):
    periods_create(year=2022)
    assert ReportTally.objects.filter(organization=org_a, period__year=2022).count() == 19
    assert tallies.differences() == []


def test_tally_check_names_every_difference_and_fix_repairs_them(org_a, year_2021):
    """A row changed behind the services' back (a restore, a hand edit in the database): the check prints
    where, in words, and exits with an error; --fix rewrites the rows from the raw records."""
    jan = ReportingPeriod.objects.get(year=2021, kind="month", number=1)
    feb = ReportingPeriod.objects.get(year=2021, kind="month", number=2)
    ReportTally.objects.filter(organization=org_a, period=jan).update(submitted_on=dt.date(2021, 2, 1))
    ReportTally.objects.filter(organization=org_a, period=feb).delete()
    out = StringIO()
    with pytest.raises(CommandError, match="2 chỗ"):
        call_command("tally_check", stdout=out)
    text = out.getvalue()
    assert "A1 × Tháng 01/2021 ghi nộp ngày 01/02/2021, đúng là chưa nộp" in text
    assert "thiếu dòng A1 × Tháng 02/2021" in text
    out = StringIO()
    call_command("tally_check", "--fix", stdout=out)
    assert "đã sửa 2 chỗ" in out.getvalue()
    out = StringIO()
    call_command("tally_check", stdout=out)
    assert "0 chỗ khác nhau" in out.getvalue()
