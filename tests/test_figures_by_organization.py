"""Figures brought up to date after a write by recomputing only the organisations it changed (issue 20:
``targets.indicators.ByOrganization``, ``targets.changes``, ``core.datacache``'s `update`).

At a province's size the dashboard right after a report or a new member must not read every organisation's
reports again: the cached figure is brought up to date from the rows of the organisations the write named, and
it must equal what a computation from scratch gives."""

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from members import services as member_services
from members.models import Gender
from organizations import services as org_services
from organizations.models import Organization
from organizations.tests.factories import secretary_user, staff_user
from reports import changes
from reports import services as report_services
from reports.models import PeriodicReport, ReportingPeriod, ReportStatus, ReportTransition
from targets import consistency
from targets import indicators as ind

pytestmark = pytest.mark.django_db


@pytest.fixture
def recomputed(monkeypatch):
    """{indicator: [the organisations each computation of its rows asked for (None: every one)]}."""
    calls: dict[str, list] = {}
    for code, definition in ind.REGISTRY.items():
        spec = definition.by_organization
        if spec is None:
            continue

        def rows(year, as_of, org_ids, known, _rows=spec.rows, _code=code):
            calls.setdefault(_code, []).append(None if org_ids is None else sorted(org_ids))
            return _rows(year, as_of, org_ids, known)

        spy = dataclasses.replace(spec, rows=rows)
        monkeypatch.setitem(ind.REGISTRY, code, dataclasses.replace(definition, by_organization=spy))
    return calls


def _only_a_few(calls, org_id):
    """One computation, of the organisation written and at most the few named by the rows just below the
    highest id recorded (``changes.MARGIN``), not of every organisation."""
    assert len(calls) == 1 and calls[0] is not None, calls
    assert org_id in calls[0]
    assert len(calls[0]) <= changes.MARGIN + 1 < Organization.objects.count() or len(calls[0]) == 1


def _main(response) -> str:
    """The page's body (the menu's count of reports waiting changes with any return)."""
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _dashboard(client, year):
    assert client.get(f"/dashboard/?year={year}").status_code == 200
    assert client.get(f"/dashboard/data.json?year={year}").status_code == 200


@pytest.mark.usefixtures("demo")
def test_a_report_returned_recomputes_its_organisation_only_and_the_figures_stay_exact(recomputed):
    staff = staff_user("vp_by_org")
    client = Client()
    client.force_login(staff)
    report = PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("-period__ends_on").first()
    year = report.period.year
    _dashboard(client, year)
    recomputed.clear()

    report_services.report_return(report=report, reason="Bổ sung số liệu học tập.", by=staff)
    _dashboard(client, year)
    for code in ("members_studied", "masses_studied", "reports_on_time"):
        _only_a_few(recomputed[code], report.organization_id)
    assert "admissions" not in recomputed  # a report write leaves the events' figures as they were
    assert consistency.differences() == []

    recomputed.clear()
    report_services.report_submit(
        report=PeriodicReport.objects.get(pk=report.pk), by=secretary_user(report.organization, "bt_by_org")
    )
    _dashboard(client, year)
    _only_a_few(recomputed["reports_on_time"], report.organization_id)
    assert consistency.differences() == []


@pytest.mark.usefixtures("demo")
def test_an_admission_recomputes_its_organisation_and_a_change_of_the_bloc_recomputes_everything(
    recomputed, monkeypatch
):
    monthly = []
    count_months = ind._monthly_event_counts

    def spy(kind, year, until, org_ids):
        monthly.append(None if org_ids is None else sorted(org_ids))
        return count_months(kind, year, until, org_ids)

    monkeypatch.setattr(ind, "_monthly_event_counts", spy)
    staff = staff_user("vp_by_org_2")
    client = Client()
    client.force_login(staff)
    year = timezone.localdate().year
    org = Organization.objects.get(code="05")
    _dashboard(client, year)
    recomputed.clear()
    monthly.clear()

    today = timezone.localdate()
    member_services.member_create(
        organization=org, full_name="Lê Văn Mới", birth_date=dt.date(1999, 1, 2), gender=Gender.NAM,
        admission_decided_on=today, ceremony_on=today, by=staff,
    )  # fmt: skip
    _dashboard(client, year)
    _only_a_few(recomputed["admissions"], org.pk)
    assert monthly and all(org_ids is not None and org.pk in org_ids for org_ids in monthly), monthly
    assert consistency.differences() == []

    # An organisation leaving the Bloc changes who is counted at all: every row is computed afresh.
    recomputed.clear()
    org_services.organization_leave(
        organization=Organization.objects.get(code="07"), left_on=today, by=staff,
        change_reason="Theo quyết định của Ban Thường vụ.",
    )  # fmt: skip
    _dashboard(client, year)
    assert None in recomputed["admissions"]
    assert None in recomputed["reports_on_time"]
    assert consistency.differences() == []


@pytest.mark.usefixtures("demo")
def test_the_organisations_a_write_named():
    last = ReportTransition.objects.order_by("-pk").first()
    table = ReportTransition._meta.db_table
    # A row added after the highest id recorded names its organisation.
    assert last.report.organization_id in changes.organizations_named({table: last.pk - 1})
    if connection.vendor == "postgresql":
        # A row that took its id before the highest one recorded but committed after it is still found.
        assert last.report.organization_id in changes.organizations_named({table: last.pk})
    else:
        # SQLite commits one write at a time, in id order: the rows up to the recorded id were counted then.
        assert changes.margin() == 0 and changes.organizations_named({table: last.pk}) == set()
    # A table whose rows do not name their organisation: computed afresh.
    assert changes.organizations_named({table: last.pk, "organizations_organization": 1}) is None
    # Nothing moved: nothing to recompute.
    assert changes.organizations_named({}) == set()
    # Too many organisations (an import): computed afresh.
    assert (
        changes.organizations_named({table: None}) is None
        or len(changes.organizations_named({table: None})) <= changes.LIMIT
    )


@pytest.mark.usefixtures("demo")
def test_a_period_summary_is_kept_after_a_write_to_another_period_and_recomputed_after_one_to_its_own(
    monkeypatch,
):
    from reports import summary, views

    page = views.period_summary_page
    computed = []
    compute_totals = summary._compute_totals
    monkeypatch.setattr(
        summary,
        "_compute_totals",
        lambda period, as_of: computed.append(period.pk) or compute_totals(period, as_of),
    )
    staff = staff_user("vp_by_period")
    client = Client()
    client.force_login(staff)
    monthly = (
        PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED, period__kind="month")
        .order_by("-period__ends_on")
        .first()
    )
    quarter = ReportingPeriod.objects.filter(kind="quarter", year=monthly.period.year).first()
    of_quarter = f"/reports/period-summary/?period={quarter.pk}"
    of_month = f"/reports/period-summary/?period={monthly.period_id}"
    for url in (of_quarter, of_month):
        assert client.get(url).status_code == 200
    computed.clear()

    quarter_page = _main(client.get(of_quarter))
    report_services.report_return(report=monthly, reason="Bổ sung số liệu.", by=staff)
    rendered = []
    monkeypatch.setattr(views, "period_summary_page", lambda *a, **k: rendered.append(1) or page(*a, **k))
    assert _main(client.get(of_quarter)) == quarter_page
    assert computed == [] and rendered == []  # a month's report: the quarter's page is as it was
    assert client.get(of_month).status_code == 200
    assert computed == [monthly.period_id]  # its own month's are counted again
    assert consistency.differences() == []


@pytest.mark.usefixtures("demo")
def test_the_matrix_counts_the_organisations_a_write_named_again_and_no_other(monkeypatch):
    from reports import timeliness

    asked = []
    pair_states = timeliness.pair_states

    def spy(periods, as_of, org_ids=None, organizations=None):
        asked.append(None if org_ids is None else sorted(org_ids))
        return pair_states(periods, as_of, org_ids, organizations)

    monkeypatch.setattr(timeliness, "pair_states", spy)
    staff = staff_user("vp_by_org_matrix")
    client = Client()
    client.force_login(staff)
    report = PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED, period__kind="month").first()
    url = f"/reports/matrix/?year={report.period.year}"
    assert client.get(url).status_code == 200
    asked.clear()

    report_services.report_return(report=report, reason="Bổ sung số liệu.", by=staff)
    assert client.get(url).status_code == 200
    _only_a_few(asked, report.organization_id)
    assert consistency.differences() == []

    # The organisations' states dropped by the cache: counted again from every organisation.
    from core import datacache

    monkeypatch.setattr(datacache, "side_fetch", lambda token, parts: {})
    asked.clear()
    report_services.report_submit(
        report=PeriodicReport.objects.get(pk=report.pk), by=secretary_user(report.organization, "bt_matrix")
    )
    assert client.get(url).status_code == 200
    assert asked == [None]
    assert consistency.differences() == []


@pytest.mark.usefixtures("demo")
def test_the_days_figures_computed_ahead_are_what_the_first_leader_is_served():
    """``manage.py warm_figures`` (cron, after midnight): the day's dashboard, JSON and matrix counts of this year
    and last are in the cache before anyone asks."""
    from io import StringIO

    from django.core.cache import cache
    from django.core.management import call_command

    from core import datacache
    from reports import timeliness
    from targets import dashboard

    cache.clear()
    out = StringIO()
    call_command("warm_figures", stdout=out)
    today = timezone.localdate()
    assert f"Năm {today.year}:" in out.getvalue()
    with datacache.served_only(), datacache.one_version():
        for year in (today.year, today.year - 1):
            assert dashboard.build_dashboard(year).year == year
            assert dashboard.dashboard_json(year)["year"] == year
            months = [p for p in timeliness.periods_of_year(year) if p.kind == "month"]
            timeliness.cached_counts(months, today)


@pytest.mark.usefixtures("demo")
def test_the_matrix_makes_again_only_the_rows_of_the_organisations_a_write_named(monkeypatch):
    """A page of the matrix keeps each organisation's row (``timeliness.rendered_rows``): a report written
    makes its organisation's row again, no other, and the page is what a computation from scratch shows."""
    from django.core.cache import cache

    from reports import timeliness

    made = []
    cells = timeliness.cells
    monkeypatch.setattr(
        timeliness,
        "cells",
        lambda orgs, periods, as_of: made.append(sorted(o.pk for o in orgs)) or cells(orgs, periods, as_of),
    )
    staff = staff_user("vp_matrix_rows")
    client = Client()
    client.force_login(staff)
    report = PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED, period__kind="month").first()
    url = f"/reports/matrix/?year={report.period.year}&q={report.organization.code}"
    assert client.get(url).status_code == 200
    made.clear()

    report_services.report_return(report=report, reason="Bổ sung số liệu.", by=staff)
    after = _main(client.get(url))
    assert made == [[report.organization_id]]
    cache.clear()
    assert _main(client.get(url)) == after


@pytest.mark.usefixtures("demo")
def test_an_admission_leaves_the_other_kinds_and_years_and_widens_the_dashboards_years(
    recomputed, monkeypatch
):
    """Events are written once: an admission can change this year's admissions only (``changes.events_named``)
    — not the recognitions, not last year's months — and the dashboard's years are widened by its year without
    reading every table again (``dashboard._years_after_events``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import datacache
    from targets import dashboard as dash

    monthly = []
    count_months = ind._monthly_event_counts
    monkeypatch.setattr(
        ind,
        "_monthly_event_counts",
        lambda kind, year, until, org_ids: (
            monthly.append((kind, year)) or count_months(kind, year, until, org_ids)
        ),
    )
    staff = staff_user("vp_event_kinds")
    client = Client()
    client.force_login(staff)
    today = timezone.localdate()
    org = Organization.objects.get(code="05")
    _dashboard(client, today.year)
    recomputed.clear()
    monthly.clear()

    member_services.member_create(
        organization=org, full_name="Trần Thị Kết Nạp", birth_date=dt.date(2000, 3, 4), gender=Gender.NU,
        admission_decided_on=today, ceremony_on=today, by=staff,
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        _dashboard(client, today.year)
    assert set(recomputed) == {"admissions"}
    assert monthly == [("admitted", today.year)]  # this year's months of admissions; last year's kept
    years_read = [
        q["sql"] for q in queries if "organizations_organizationyear" in q["sql"] and "DISTINCT" in q["sql"]
    ]
    assert years_read == []  # the years widened from the new events, not read again
    kept = dash.available_years()
    with datacache.uncached():
        assert dash.available_years() == kept
    assert consistency.differences() == []


@pytest.mark.usefixtures("demo")
def test_after_a_report_the_dashboard_asks_only_the_figures_that_read_reports_and_writes_only_their_columns(
    monkeypatch,
):
    """The dashboard brought up to date after a write (``compute_dashboard`` with `previous`) takes the figures
    whose tables the write left alone from the dashboard before it, without asking the cache for each; its
    table of organisations (``org_table_columns``) writes again only the columns of the figures the report
    changed, from their rows just brought up to date. The page is what a computation from scratch shows."""
    from django.core.cache import cache

    from targets import dashboard as dash

    asked, written = [], []
    compute_one = ind.compute_one
    monkeypatch.setattr(ind, "compute_one", lambda code, *a: asked.append(code) or compute_one(code, *a))
    cached_by_parts = dash.datacache.cached_by_parts

    def spy(parts, tokens, compute):
        return cached_by_parts(parts, tokens, lambda names: written.append(sorted(names)) or compute(names))

    monkeypatch.setattr(dash.datacache, "cached_by_parts", spy)
    staff = staff_user("vp_dash_reuse")
    client = Client()
    client.force_login(staff)
    report = PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("-period__ends_on").first()
    url = f"/dashboard/?year={report.period.year}"
    assert client.get(url).status_code == 200
    assert len(asked) == len(ind.REGISTRY)  # the first time: every figure
    asked.clear(), written.clear()

    report_services.report_return(report=report, reason="Bổ sung số liệu học tập.", by=staff)
    after = _main(client.get(url))
    reading_reports = {"members_studied", "masses_studied", "reports_on_time"}
    assert reading_reports <= set(asked) and "admissions" not in asked and len(asked) < len(ind.REGISTRY)
    assert written == [sorted(reading_reports & {code for code, _ in dash.ORG_COLUMNS})]
    cache.clear()
    assert _main(client.get(url)) == after
    assert consistency.differences() == []
