"""The dashboard: status, pace and forecast, JSON equals page, exports, scoping, query count."""

import datetime as dt
import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from members.models import EventKind
from organizations.models import BlocYear, Rating
from reports.models import ReportingPeriod
from targets import dashboard as dash
from targets import indicators as ind
from targets.models import Comparator, Target

from . import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2021, 7, 2)  # day 183 of 365


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(dash, "today", lambda: TODAY)
    return TODAY


def target(indicator, comparator, value, rating="", year=2021, order=0):
    return Target.objects.create(
        year=year,
        indicator=indicator,
        comparator=comparator,
        value=Decimal(value),
        rating=rating,
        wording=f"Chỉ tiêu {indicator}",
        order=order,
    )


# --- arithmetic -----------------------------------------------------------------------------------------


def test_as_of_is_today_for_the_current_year_and_31_december_for_a_past_year():
    assert dash.as_of_for(2021, TODAY) == TODAY
    assert dash.as_of_for(2020, TODAY) == dt.date(2020, 12, 31)
    assert dash.as_of_for(2022, TODAY) == dt.date(2022, 1, 1)
    assert dash.is_closed(2020, TODAY) and not dash.is_closed(2021, TODAY)


def test_pace_is_linear_without_a_profile_and_whole_on_the_last_day():
    assert dash.pace_share(TODAY) == Fraction(183, 365)
    assert dash.pace_share(dt.date(2021, 12, 31)) == 1
    assert dash.pace_share(dt.date(2020, 12, 31)) == 1  # leap year
    assert dash.pace_share(dt.date(2021, 12, 31), [0] * 12) == 1


def test_pace_follows_last_years_monthly_profile():
    profile = [10] * 12  # 120 a year
    # 15 March: January and February (20) plus 15/31 of March's 10.
    assert dash.pace_share(dt.date(2021, 3, 15), profile) == (20 + Fraction(150, 31)) / 120
    front_loaded = [60, 60] + [0] * 10
    assert dash.pace_share(dt.date(2021, 3, 1), front_loaded) == 1


def test_projection_divides_value_by_the_share_of_the_year_gone():
    assert dash.projection(60, Fraction(1, 2)) == 120
    assert dash.projection(10, Fraction(1, 3)) == 30
    assert dash.projection(1, Fraction(2, 3)) == 2  # 1.5 rounds half up
    assert dash.projection(5, Fraction(0)) is None


def _result(numerator, denominator):
    return ind.IndicatorResult(
        value=ind.percent(numerator, denominator), numerator=numerator, denominator=denominator
    )


def test_exactly_90_percent_fails_more_than_90_and_passes_at_least_90():
    ninety = _result(9, 10)
    gt = Target(comparator=Comparator.GT, value=Decimal("90"))
    gte = Target(comparator=Comparator.GTE, value=Decimal("90"))
    assert dash.is_met(ninety, gt, ind.PERCENT) is False
    assert dash.is_met(ninety, gte, ind.PERCENT) is True
    # 90.004% prints as 90,00 but is strictly more than 90: compared exactly, not on the rounded figure.
    assert dash.is_met(_result(22501, 25000), gt, ind.PERCENT) is True
    assert dash.is_met(_result(10, 10), Target(comparator=Comparator.EQ, value=Decimal("100")), ind.PERCENT)


def test_rating_targets_compare_grades():
    eq = Target(comparator=Comparator.EQ, rating=Rating.HTXSNV, value=0)
    gte = Target(comparator=Comparator.GTE, rating=Rating.HTTNV, value=0)
    assert dash.is_met(ind.IndicatorResult(value="HTXSNV"), eq, ind.RATING)
    assert not dash.is_met(ind.IndicatorResult(value="HTTNV"), eq, ind.RATING)
    assert dash.is_met(ind.IndicatorResult(value="HTXSNV"), gte, ind.RATING)
    assert dash.is_met(ind.IndicatorResult(value=None), eq, ind.RATING) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(120, dash.MET), (60, dash.ON_TRACK), (52, dash.AT_RISK), (51, dash.AT_RISK), (50, dash.BEHIND)],
)
def test_count_status_against_pace_in_the_current_year(value, expected):
    t = Target(comparator=Comparator.GTE, value=Decimal("120"))
    pace = Fraction(120) * Fraction(1, 2)  # 60; 85% of it is 51
    result = ind.IndicatorResult(value=value, numerator=value)
    got = dash.status_for(result, t, ind.COUNT, closed=False, pace=pace)
    assert got == expected
    assert dash.status_for(result, t, ind.COUNT, closed=True, pace=None) == (
        dash.MET if value >= 120 else dash.NOT_MET
    )


def test_percent_status_in_the_current_year_and_without_data():
    t = Target(comparator=Comparator.GT, value=Decimal("90"))
    assert dash.status_for(_result(80, 100), t, ind.PERCENT, closed=False, pace=None) == dash.AT_RISK
    assert dash.status_for(_result(50, 100), t, ind.PERCENT, closed=False, pace=None) == dash.BEHIND
    assert dash.status_for(_result(0, 0), t, ind.PERCENT, closed=False, pace=None) == dash.NO_DATA


# --- the assembled dashboard ----------------------------------------------------------------------------


def _data_2021():
    a, b = f.org("A", congress=dt.date(2020, 5, 1)), f.org("B", congress=dt.date(2020, 6, 1))
    for o in (a, b):
        f.org_year(o, 2020)
    for month in range(1, 13):  # 2020 profile: 2 a month
        f.event(a, decided_on=dt.date(2020, month, 10))
        f.event(b, decided_on=dt.date(2020, month, 12))
    for day in (dt.date(2021, 1, 5), dt.date(2021, 3, 3), dt.date(2021, 6, 30)):
        f.event(a, decided_on=day, decision_no="12-QĐ/ĐU")
    f.event(b, kind=EventKind.FULL_MEMBER, decided_on=dt.date(2021, 4, 1))
    f.org_year(a, 2021, party_rating=Rating.HTTNV, theme_text="Chủ đề")
    f.org_year(b, 2021, party_rating="")
    return a, b


def test_current_year_count_target_has_pace_projection_and_status(fixed_today):
    _data_2021()
    target("admissions", Comparator.GTE, "120", order=6)
    d = dash.build_dashboard(2021)
    card = d.card("admissions")
    share = (12 + Fraction(2 * 2, 31)) / 24  # 2020: 2 a month; by 2 July: Jan–Jun plus 2/31 of July
    assert card.value == 3
    assert card.pace == Decimal(str(round(float(120 * share), 1)))
    assert card.projection == dash.projection(3, share)
    assert card.status == dash.BEHIND
    assert d.charts["admissions"]["actual"][:7] == [1, 1, 2, 2, 2, 3, 3]
    assert d.charts["admissions"]["actual"][7] is None
    assert d.charts["admissions"]["pace"][-1] == 120.0


def test_past_year_is_met_or_not_met(fixed_today):
    _data_2021()
    target("admissions", Comparator.GTE, "24", year=2020)
    target("bloc_rating", Comparator.EQ, "0", rating=Rating.HTXSNV, year=2020)
    BlocYear.objects.create(year=2020, rating=Rating.HTTNV)
    d = dash.build_dashboard(2020)
    assert d.as_of == dt.date(2020, 12, 31)
    assert d.card("admissions").value == 24
    assert d.card("admissions").status == dash.MET
    assert d.card("bloc_rating").status == dash.NOT_MET
    assert d.card("congress_held").value == Decimal("100.00")


def test_json_returns_the_contract_with_the_page_numbers(client_for, leader, fixed_today):
    _data_2021()
    target("admissions", Comparator.GTE, "120", order=1)
    target("org_rating_good", Comparator.GT, "90", order=2)
    c = client_for(leader)
    data = c.get(reverse("dashboard:data_json"), {"year": 2021}).json()
    page = c.get(reverse("dashboard:dashboard"), {"year": 2021})
    assert page.status_code == 200
    assert set(data) == {"year", "as_of", "indicators"}
    assert data["year"] == 2021 and data["as_of"] == "2021-07-02"
    assert len(data["indicators"]) == len(ind.REGISTRY)
    for item in data["indicators"]:
        assert set(item) == {
            "code",
            "label",
            "value",
            "numerator",
            "denominator",
            "target",
            "comparator",
            "status",
        }
    first, second = data["indicators"][:2]
    assert first == {
        "code": "admissions",
        "label": "Kết nạp đảng viên mới",
        "value": 3,
        "numerator": 3,
        "denominator": None,
        "target": 120,
        "comparator": "gte",
        "status": "behind",
    }
    assert (second["code"], second["value"], second["numerator"], second["denominator"]) == (
        "org_rating_good",
        50.0,
        1,
        2,
    )
    assert (
        second["target"] == 90 and second["comparator"] == "gt" and second["status"] == "not_yet"
    )  # 1 of 2 rated mid-year
    cards = {c.code: c for c in dash.build_dashboard(data["year"]).cards}  # what the page was written from
    for item in data["indicators"]:
        card = cards[item["code"]]
        assert item["value"] == dash.json_number(card.value)
        assert item["status"] == card.status
    body = page.content.decode()
    assert 'data-value="admissions">3</a>' in body
    assert 'data-value="org_rating_good">50,00%</a>' in body
    assert "1/2 đã xếp loại" in body


def test_page_has_charts_data_print_css_and_no_inline_script(client_for, staff, fixed_today):
    _data_2021()
    body = client_for(staff).get(reverse("dashboard:dashboard")).content.decode()
    assert 'id="dashboard-charts"' in body and "chartjs-4.6.1/chart.umd.min.js" in body
    assert "css/print.css" in body and "js/dashboard.js" in body
    assert "onclick" not in body and 'style="' not in body
    assert "Năm 2021 chưa có chỉ tiêu" in body  # a year without targets still works
    assert reverse("reports:matrix") + "?year=2021" in body


@pytest.mark.parametrize("year", ["abc", "2021.5", ""])
def test_garbage_year_is_a_bad_request_not_a_crash(client_for, leader, year):
    c = client_for(leader)
    expected = 200 if year == "" else 400
    assert c.get(reverse("dashboard:dashboard"), {"year": year}).status_code == expected
    assert c.get(reverse("dashboard:data_json"), {"year": year}).status_code == expected


@pytest.mark.parametrize("year", ["99999", "-1", "1930", "2014", "9" * 30])
def test_a_year_the_portal_does_not_serve_is_not_found_and_makes_nothing(client_for, leader, year):
    """Reads never write: a far year answers 404 and creates no reporting period."""
    c = client_for(leader)
    assert c.get(reverse("dashboard:dashboard"), {"year": year}).status_code == 404
    response = c.get(reverse("dashboard:data_json"), {"year": year})
    assert response.status_code == 404 and "error" in response.json()
    assert c.get(reverse("reports:matrix"), {"year": year}).status_code in (403, 404)
    assert not ReportingPeriod.objects.exists()


def test_year_selector_lists_years_with_data(client_for, leader, fixed_today):
    _data_2021()
    target("admissions", Comparator.GTE, "1", year=2019)
    page = client_for(leader).get(reverse("dashboard:dashboard"), {"year": 2020})
    select = page.content.decode().split('id="year-select"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', select) == ["2021", "2020", "2019"]
    assert '<option value="2020" selected>2020</option>' in select


def test_admissions_records_list_exactly_the_events_counted(client_for, leader, fixed_today):
    a, b = _data_2021()
    counted = f.event(b, decided_on=dt.date(2021, 7, 1))
    f.event(b, decided_on=dt.date(2021, 7, 3))  # after as_of
    page = client_for(leader).get(
        reverse("dashboard:indicator_records"), {"code": "admissions", "year": 2021}
    )
    events = page.context["records"]["events"]
    assert len(events) == 4 == dash.build_dashboard(2021).card("admissions").value
    body = page.content.decode()
    assert reverse("members:member_detail", args=[counted.member_id]) in body
    assert counted.member.full_name in body
    only_b = client_for(leader).get(
        reverse("dashboard:indicator_records"), {"code": "admissions", "year": 2021, "org": b.pk}
    )
    assert [e.pk for e in only_b.context["records"]["events"]] == [counted.pk]


def test_unrated_organisations_are_listed_behind_the_rating_figure(client_for, staff, fixed_today):
    a, b = _data_2021()
    page = client_for(staff).get(
        reverse("dashboard:indicator_records"), {"code": "org_rating_good", "year": 2021}
    )
    assert [r.org_id for r in page.context["records"]["pending"]] == [b.pk]
    assert "Chưa xếp loại" in page.content.decode()


def test_missing_reports_are_listed(client_for, staff, fixed_today):
    a, _ = _data_2021()
    jan = f.period("month", 2021, 1)
    f.report(a, jan, submitted_on=jan.due_on)
    page = client_for(staff).get(
        reverse("dashboard:indicator_records"), {"code": "reports_on_time", "year": 2021}
    )
    states = [(i["organization"].code, i["state"]) for i in page.context["records"]["reports"]]
    assert states == [("B", "missing"), ("A", "on_time")]


def test_unknown_indicator_code_is_a_bad_request(client_for, staff):
    assert client_for(staff).get(reverse("dashboard:indicator_records"), {"code": "nope"}).status_code == 400


def test_xlsx_export_has_the_figures_and_escapes_formulas(client_for, leader, fixed_today):
    a, b = _data_2021()
    f.org("X", name='=HYPERLINK("http://evil")')
    target("admissions", Comparator.GTE, "120")
    response = client_for(leader).get(reverse("dashboard:export_xlsx"), {"year": 2021})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="chi-tieu-2021.xlsx"'
    wb = load_workbook(io.BytesIO(response.getvalue()))
    rows = list(wb["Chỉ tiêu"].iter_rows(values_only=True))
    admissions = next(r for r in rows if r and r[0] == "admissions")
    assert admissions[2] == 3 and admissions[6] == 120 and admissions[7] == "Chậm"
    names = [r[1] for r in wb["Theo tổ chức"].iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://evil")' in names


# --- who may see what -----------------------------------------------------------------------------------


def test_bloc_wide_pages_are_for_staff_and_leadership(client_for, secretary_a, leader, staff, org_a):
    for name in ("dashboard:dashboard", "dashboard:data_json", "dashboard:export_xlsx"):
        assert client_for(secretary_a).get(reverse(name)).status_code == 403
        assert client_for(leader).get(reverse(name)).status_code == 200
        assert client_for(staff).get(reverse(name)).status_code == 200
    records = reverse("dashboard:indicator_records")
    assert client_for(secretary_a).get(records, {"code": "admissions"}).status_code == 403


def test_per_organisation_view_is_scoped(client_for, secretary_a, leader, org_a, org_b):
    f.event(org_a, decided_on=dt.date(2021, 3, 1))
    c = client_for(secretary_a)
    own = c.get(reverse("dashboard:organization", args=[org_a.pk]), {"year": 2021})
    assert own.status_code == 200
    assert own.context["lines"][0]["row"] is not None
    assert c.get(reverse("dashboard:organization", args=[org_b.pk])).status_code == 404
    records = reverse("dashboard:indicator_records")
    assert c.get(records, {"code": "admissions", "year": 2021, "org": org_a.pk}).status_code == 200
    assert c.get(records, {"code": "admissions", "year": 2021, "org": org_b.pk}).status_code == 404
    assert client_for(leader).get(reverse("dashboard:organization", args=[org_b.pk])).status_code == 200


def test_leadership_cannot_post(client_for, leader):
    assert client_for(leader).post(reverse("dashboard:dashboard")).status_code in (403, 405)


# --- fast -----------------------------------------------------------------------------------------------


def _grow(n):
    r1 = f.resolution(short_title=f"R{n}")
    jan = f.period("month", 2021, n // 5)  # January, then February: both due by 2 July
    for _ in range(n):
        o = f.org(congress=dt.date(2020, 5, 1), enterprise=n % 2 == 0)
        f.org_year(o, 2021, party_rating=Rating.HTTNV, theme_text="x", enterprise_effective=True)
        f.org_year(o, 2020)
        for day in (dt.date(2020, 3, 1), dt.date(2021, 2, 1), dt.date(2021, 5, 1)):
            f.event(o, decided_on=day)
        f.event(o, kind=EventKind.FULL_MEMBER, decided_on=dt.date(2021, 4, 1))
        rep = f.report(o, jan, submitted_on=jan.due_on)
        f.study(rep, r1, 5, 10, 50, 100)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow_with_the_data(client_for, leader, fixed_today):
    for code, comparator, value in (("admissions", "gte", "120"), ("members_studied", "eq", "100")):
        target(code, comparator, value)
    c = client_for(leader)
    urls = [
        reverse("dashboard:dashboard") + "?year=2021",
        reverse("dashboard:data_json") + "?year=2021",
        reverse("dashboard:export_xlsx") + "?year=2021",
        reverse("dashboard:indicator_records") + "?year=2021&code=admissions",
        reverse("dashboard:indicator_records") + "?year=2021&code=reports_on_time",
        reverse("dashboard:indicator_records") + "?year=2021&code=cells_met_monthly",
    ]
    for url in urls:  # the first visit creates the year's periods; measure steady state
        c.get(url)
    _grow(5)
    small = [_queries(c, u) for u in urls]
    _grow(10)
    large = [_queries(c, u) for u in urls]
    assert small == large
    assert small[0] < 60


def test_a_new_figure_shows_at_once_despite_the_cache(client_for, leader, fixed_today):
    """The dashboard is cached; recording an event or accepting a report changes the figures at once."""
    from django.core.cache import cache

    target("admissions", "gte", "120")
    c = client_for(leader)
    url = reverse("dashboard:data_json") + "?year=2021"

    def admissions():
        data = c.get(url).json()
        return next(i for i in data["indicators"] if i["code"] == "admissions")["value"]

    o = f.org(congress=dt.date(2020, 5, 1))
    f.event(o, decided_on=dt.date(2021, 3, 1))
    assert admissions() == 1
    assert any(key.startswith(":1:portal:cached:") for key in cache._cache)  # it was cached
    with CaptureQueriesContext(connection) as ctx:
        assert admissions() == 1
    assert len(ctx.captured_queries) < 10  # served from the cache: the version query, not the indicators
    f.event(o, decided_on=dt.date(2021, 5, 2))
    assert admissions() == 2


def test_a_new_target_changes_the_data_version(staff):
    """The targets app's tables are part of the data version (settings.PORTAL_DATA_APPS): a new or changed
    target shows on the dashboard at once."""
    from core.datacache import data_version
    from targets.services import target_create

    before = data_version()
    target_create(year=2021, indicator="admissions", comparator="gte", value=120, wording="Kết nạp", by=staff)
    assert data_version() != before


def test_a_second_staff_member_closes_the_year_from_the_cached_page(fixed_today):
    """The page body is cached alike for every staff member; the year-closing form's CSRF field is each user's
    own. A token is tied to its user's cookie: the first user's, served to the second from the cache, was
    refused (403) — only whoever opened the page first after a write could close the year."""
    from django.test import Client

    from organizations.models import ClosedYear
    from organizations.tests.factories import staff_user
    from reports.periods import periods_create

    periods_create(year=2019)  # two years before TODAY: its annual report long due
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(staff_user("vp1"))
    second.force_login(staff_user("vp2"))
    url = reverse("dashboard:dashboard") + "?year=2019"
    form = re.compile(
        r'id="year-close-form">\s*<input type="hidden" name="csrfmiddlewaretoken" value="(\w+)"'
    )
    mine = form.search(first.get(url).content.decode()).group(1)
    theirs = form.search(second.get(url).content.decode()).group(1)  # the body from the cache
    assert mine != theirs
    response = second.post(reverse("dashboard:year_close") + "?year=2019", {"csrfmiddlewaretoken": theirs})
    assert response.status_code == 302
    assert ClosedYear.objects.filter(year=2019).exists()
