"""Figures as a Party office reads them (issue 14): over the demo, every figure on the dashboard and in the period
summary means what a Party office means by it, and a closed year's figures do not change behind leadership's back.

The demo is loaded once for the module (rolled back at the end); a test that changes data does it inside its own
savepoint (``changes``), so the others read the demo as loaded. Independent counts are made here from the raw
rows (spells, reports, events), never through the modules under test.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import EventKind, MemberEvent
from members.tests.factories import import_sheet
from organizations import services as org_services
from organizations.models import BlocMembership, ClosedYearChange, Congress, Organization
from reports import timeliness
from reports.models import PeriodicReport, ReportingPeriod
from reports.selectors import registry_figures
from reports.summary import period_summary
from targets import dashboard as dash
from targets import indicators as ind
from targets import services as target_services
from targets.models import Comparator, Target

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(demo_loaded, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():  # a savepoint over the session's demo
        yield
        transaction.set_rollback(True)


@pytest.fixture
def changes():
    """A savepoint rolled back after the test: what it changes stays in it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def staff():
    return get_user_model().objects.get(username="vanphong")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- independent counts -------------------------------------------------------------------------------------


def _spells():
    out = {}
    for org_id, joined, left in BlocMembership.objects.values_list("organization_id", "joined_on", "left_on"):
        out.setdefault(org_id, []).append((joined, left))
    return out


def _belongs(spells, start, end) -> bool:
    return any(joined <= end and (left is None or left > start) for joined, left in spells)


def _punctuality_by_hand(year: int, as_of: dt.date):
    """(on time, due, {period id: (on time, late, missing)}) from the raw rows, every period of the year due by
    `as_of`; a report counts from its first submission's local date."""
    spells = _spells()
    first = {
        (o, p): timezone.localdate(at) if at else None
        for o, p, at in PeriodicReport.objects.values_list(
            "organization_id", "period_id", "first_submitted_at"
        )
    }
    on_time = due = 0
    per_period = {}
    for period in ReportingPeriod.objects.filter(year=year, due_on__lt=as_of):
        counts = [0, 0, 0]
        for org_id, org_spells in spells.items():
            if not _belongs(org_spells, period.starts_on, period.ends_on):
                continue
            sent = first.get((org_id, period.pk))
            due += 1
            if sent is not None and sent <= as_of and sent <= period.due_on:
                on_time += 1
                counts[0] += 1
            elif sent is not None and sent <= as_of:
                counts[1] += 1
            else:
                counts[2] += 1
        per_period[period.pk] = tuple(counts)
    return on_time, due, per_period


# --- punctuality by period, not by calendar ------------------------------------------------------------------


def test_2020_punctuality_counts_the_304_year_end_reports(today):
    """A year's punctuality counts every period of that year whenever its due date falls: 2020 is read up to
    the end of 20/01/2021, the annual report's due date, so December, Q4, the second half-year and the annual
    report (76 × 4 = 304 reports) count: 77,70%, not 78,07%. Read at the end of 20/01/2021, 27 of them had come
    late and 45 had not come (18 of these came later: today they read 45 late and 27 never sent, the issue's count;
    the rate is the same, on time is on time)."""
    d = dash.build_dashboard(2020, on=today)
    card = d.card("reports_on_time")
    on_time, due, per_period = _punctuality_by_hand(2020, dt.date(2021, 1, 21))
    assert (card.result.numerator, card.result.denominator) == (on_time, due) == (1122, 1444)
    assert card.value_text == "77,70%"
    year_end = ReportingPeriod.objects.filter(year=2020, due_on__year=2021)
    assert year_end.count() == 4
    year_end_counts = [per_period[p.pk] for p in year_end]
    assert sum(sum(c) for c in year_end_counts) == 304
    assert sum(c[1] for c in year_end_counts) == 27 and sum(c[2] for c in year_end_counts) == 45
    _, _, today_counts = _punctuality_by_hand(2020, today)
    assert (
        sum(today_counts[p.pk][1] for p in year_end) == 45
        and sum(today_counts[p.pk][2] for p in year_end) == 27
    )
    # The page says which periods are counted and as of when.
    assert card.result.extra["scope"].startswith("Tính 19 kỳ báo cáo của năm 2020")
    assert "đến hết ngày 20/01/2021" in card.result.extra["scope"]
    body = _client(get_user_model().objects.get(username="lanhdao")).get(
        reverse("dashboard:dashboard"), {"year": 2020}
    )
    assert "đến hết ngày 20/01/2021" in body.content.decode()


def test_a_year_read_in_january_counts_only_the_reports_already_due(today):
    """Looked at on 10/01/2021, 2020 counts December (due 05/01) but not the annual report (due 20/01)."""
    as_of = ind.punctuality_as_of(2020, dt.date(2021, 1, 10))
    assert as_of == dt.date(2021, 1, 10)
    labels = [p.label for p in ind.due_periods(2020, as_of)]
    assert "Tháng 12/2020" in labels and "Năm 2020" not in labels
    assert ind.punctuality_as_of(2020, today) == dt.date(2021, 1, 21)


# --- one "owes a report" rule ---------------------------------------------------------------------------------


def test_a_leaver_owes_exactly_the_periods_it_belonged_for_on_every_page(changes, staff):
    """An organisation that left the Bloc on 15/07/2021 owes H2 and the annual report of 2021 (it belonged for
    part of them), not Q4 nor December; the dashboard's records, the summary and the matrix agree."""
    leaver = Organization.objects.get(code="75")
    org_services.organization_leave(organization=leaver, left_on=dt.date(2021, 7, 15), by=staff)
    as_of = dt.date(2022, 1, 25)
    records = dash.records_for("reports_on_time", 2021, org_id=leaver.pk, on=as_of)
    counted = {r["period"].label for r in records["reports"]}
    expected = {
        p.label for p in ReportingPeriod.objects.filter(year=2021) if p.starts_on < dt.date(2021, 7, 15)
    }
    assert counted == expected
    assert {"6 tháng cuối năm 2021", "Năm 2021"} <= counted
    assert not {"Quý IV/2021", "Tháng 12/2021"} & counted
    for period in ReportingPeriod.objects.filter(year=2021):
        summary = period_summary(period, as_of)
        owed_ids = {o.pk for o in summary.owed}
        assert (leaver.pk in owed_ids) == (period.label in expected), period.label
    matrix = timeliness.timeliness_for_year(2021, "year", as_of)
    assert matrix.cell(leaver.pk, matrix.periods[0].pk).state != timeliness.NOT_OWED


def test_an_organisation_that_leaves_and_returns_owes_nothing_in_between(changes, staff):
    """Membership spells: left on 01/04/2021, back on 01/10/2021 — owes no report of Q2 nor Q3 2021, but Q1, Q4
    and the year; 2021's dashboard denominators count it (it belonged on 31/12)."""
    org = Organization.objects.get(code="74")
    org_services.organization_leave(organization=org, left_on=dt.date(2021, 4, 1), by=staff)
    org_services.organization_return(organization=org, joined_on=dt.date(2021, 10, 1), by=staff)
    org.refresh_from_db()
    assert org.joined_on < dt.date(2021, 1, 1) and org.left_on is None
    quarters = {p.number: p for p in ReportingPeriod.objects.filter(year=2021, kind="quarter")}
    owed = {n for n, p in quarters.items() if timeliness.owes_report(org, p)}
    assert owed == {1, 4}
    assert set(timeliness.owing(quarters[2])).isdisjoint({org})
    assert org in Organization.objects.in_bloc_on(dt.date(2021, 12, 31))
    assert org not in Organization.objects.in_bloc_on(dt.date(2021, 6, 30))


# --- statuses that tell the truth --------------------------------------------------------------------------------


def test_this_years_unrated_targets_read_not_yet_assessable_never_behind(today):
    """In the current year (December in the issue) nothing is rated yet: the three rating targets and the
    Bloc's own rating are "Chưa đến kỳ đánh giá", not "Chậm" at 0/76; the summary line says so."""
    d = dash.build_dashboard(today.year, on=today)
    for code in ("org_rating_good", "unit_professional_good", "enterprise_effective", "bloc_rating"):
        card = d.card(code)
        assert card.status == dash.NOT_YET, code
        assert card.status_label == "Chưa đến kỳ đánh giá"
    assert all(c.status != dash.BEHIND or c.result.assessable for c in d.target_cards)
    assert "4 chưa đến kỳ" in d.summary_line and d.summary_line.startswith(f"{_met(d)}/8 chỉ tiêu đạt")
    body = (
        _client(get_user_model().objects.get(username="lanhdao")).get(reverse("dashboard:dashboard")).content
    )
    assert "Chú giải trạng thái" in body.decode() and d.summary_line in body.decode()


def _met(d):
    return sum(1 for c in d.target_cards if c.status == dash.MET)


# --- study coverage in people ----------------------------------------------------------------------------------


def test_2021_study_shows_3722_members_per_resolution():
    """4 resolutions × 3.722 members is not 14.888 people: each resolution reads 3.722/3.722 đảng viên, and the
    year's figure is the weakest resolution (every member studied every resolution)."""
    d = dash.build_dashboard(2021, on=dt.date(2022, 3, 1))
    card = d.card("members_studied")
    lines = card.result.extra["resolutions"]
    assert len(lines) == 4
    assert all((r["studied"], r["total"]) == (3722, 3722) for r in lines)
    assert (card.result.numerator, card.result.denominator, card.value_text) == (3722, 3722, "100,00%")
    # An organisation's row counts its people, not member × resolution pairs.
    roll = {r.org_id: r for r in card.result.rows}
    assert sum(r.denominator for r in roll.values()) == 3722
    staff = get_user_model().objects.get(username="vanphong")
    body = _client(staff).get(reverse("dashboard:dashboard"), {"year": 2021}).content.decode()
    assert "3.722/3.722 đảng viên" in body and "14.888" not in body


def test_study_drill_down_follows_the_targets_comparator():
    """Masses "> 90%": an organisation at 93% is listed under "Đạt (> 90%)", not under "chưa đạt 100%"."""
    records = dash.records_for("masses_studied", 2021, on=dt.date(2022, 3, 1))
    assert records["done_label"] == "Đạt (> 90%)"
    for row in records["done"]:
        assert row.numerator * 100 > 90 * row.denominator
    for row in records["pending"]:
        assert row.numerator is None or row.numerator * 100 <= 90 * row.denominator
    card = dash.build_dashboard(2021, on=dt.date(2022, 3, 1)).card("masses_studied")
    assert card.status == dash.MET and len(records["done"]) > len(records["pending"])


# --- displayed percentages never contradict the status ----------------------------------------------------------


@pytest.mark.parametrize(
    "numerator, denominator, comparator, target, shown, met",
    [
        (22499, 25000, Comparator.GTE, 90, "89,99%", False),  # 89,996% would round to 90,00%
        (22500, 25000, Comparator.GTE, 90, "90,00%", True),
        (99999, 100000, Comparator.EQ, 100, "99,99%", False),  # 99,999% would round to 100,00%
        (100000, 100000, Comparator.EQ, 100, "100,00%", True),
        (90001, 100000, Comparator.GT, 90, "90,01%", True),  # 90,001% would round to 90,00% against "> 90%"
        (90000, 100000, Comparator.GT, 90, "90,00%", False),
    ],
)
def test_percentages_round_toward_the_side_the_figure_is_on(
    numerator, denominator, comparator, target, shown, met
):
    result = ind.IndicatorResult(
        value=ind.percent(numerator, denominator), numerator=numerator, denominator=denominator
    )
    goal = Target(year=2020, indicator="theme_adopted", comparator=comparator, value=Decimal(target))
    card = dash.Card(code="theme_adopted", label="", unit=ind.PERCENT, result=result, target=goal)
    card.status = dash.status_for(result, goal, ind.PERCENT, closed=True, pace=None)
    assert card.value_text == shown
    assert card.status == (dash.MET if met else dash.NOT_MET)
    assert card.as_json()["value"] == float(shown.rstrip("%").replace(",", "."))


# --- congresses per term -----------------------------------------------------------------------------------------


def test_2026_congresses_read_the_2025_2030_term(changes, today):
    """From 2025 the congress figure reads the 2025–2030 term; 2021 still reads 2020–2025. Without its 2025
    congress an organisation is not counted in the current year, whatever it did in 2020."""
    current = dash.build_dashboard(today.year, on=today).card("congress_held")
    assert current.result.note == "Nhiệm kỳ 2025–2030" and current.result.numerator == 76
    org = Organization.objects.get(code="01")
    Congress.objects.filter(organization=org, term_start=2025).delete()
    assert ind.congress_held(today.year, today).numerator == 75
    assert ind.congress_held(today.year, today).row_for(org.pk).detail == "Chưa đại hội nhiệm kỳ 2025–2030"
    assert ind.congress_held(2021, dt.date(2021, 12, 31)).numerator == 76


# --- closing a year ----------------------------------------------------------------------------------------------

NEW_2020 = ["01", "Lê Văn Bổ Sung", "01/02/1990", "Nam", "", "10/11/2020", "20/11/2020", "", ""]


def test_after_closing_2020_an_import_dated_2020_needs_a_reason_and_shows_as_adjusted(changes, staff, today):
    """After closing 2020, importing a member admitted in 2020 says so in its preview, refuses to run without a
    reason, and once done with one the 2020 dashboard shows 147 → 148 marked "đã điều chỉnh sau khi chốt"."""
    snapshot = target_services.year_close(year=2020, by=staff, today=today)
    assert snapshot.figure("admissions")["value"] == 147
    assert snapshot.figure("reports_on_time")["value_text"] == "77,70%"
    client = _client(staff)
    page = client.get(reverse("dashboard:dashboard"), {"year": 2020}).content.decode()
    assert "Số liệu năm 2020 đã chốt" in page and "đã điều chỉnh sau khi chốt" not in page

    preview = client.post(reverse("members:member_import"), {"file": import_sheet([NEW_2020])})
    body = preview.content.decode()
    assert "chạm đến số liệu năm đã chốt: 2020" in body
    token = preview.context["token"]
    refused = client.post(reverse("members:member_import"), {"confirm": "1", "token": token})
    assert refused.status_code == 200 and "hãy ghi lý do điều chỉnh" in refused.content.decode()
    assert not MemberEvent.objects.filter(member__full_name="Lê Văn Bổ Sung").exists()

    done = client.post(
        reverse("members:member_import"),
        {"confirm": "1", "token": token, "change_reason": "Bổ sung hồ sơ kết nạp năm 2020 bị sót"},
    )
    assert done.status_code == 302
    assert MemberEvent.objects.filter(kind=EventKind.ADMITTED, decided_on__year=2020).count() == 148
    change = ClosedYearChange.objects.get(year=2020)
    assert change.reason == "Bổ sung hồ sơ kết nạp năm 2020 bị sót" and change.by == staff
    assert change.after == "Lê Văn Bổ Sung (10/11/2020)"  # the log names who was added, and when

    d = dash.build_dashboard(2020, on=today)
    card = d.card("admissions")
    assert card.adjusted and (card.closed_value["value"], card.value) == (147, 148)
    assert [c.code for c in d.adjusted_cards] == ["admissions"]
    page = client.get(reverse("dashboard:dashboard"), {"year": 2020}).content.decode()
    assert "đã điều chỉnh sau khi chốt" in page and "khi chốt: 147 → nay: 148" in page
    assert "Bổ sung hồ sơ kết nạp năm 2020 bị sót" in page


def test_after_closing_2020_moving_a_join_date_into_2020_needs_a_reason(changes, staff, today):
    """Editing an organisation's join date across a closed year changes that year's denominators: refused
    without a reason, logged with one; the 2020 congress figure then shows its change (76/76 → 75/75)."""
    target_services.year_close(year=2020, by=staff, today=today)
    org = Organization.objects.get(code="02")
    org.joined_on = dt.date(2021, 1, 1)
    with pytest.raises(ValidationError) as refused:
        org_services.organization_save(organization=org, by=staff)
    assert "năm đã chốt (2020" in str(refused.value)
    org_services.organization_save(organization=org, change_reason="Sửa theo quyết định thành lập", by=staff)
    card = dash.build_dashboard(2020, on=today).card("congress_held")
    assert card.adjusted and card.closed_value["denominator"] == 76 and card.result.denominator == 75


def test_a_year_is_closed_only_once_its_annual_reports_were_due(staff, today):
    assert target_services.year_closable(today.year, today=today)[0] is False
    assert target_services.year_closable(2021, today=dt.date(2022, 1, 20)) == (
        False,
        "Chưa hết hạn nộp báo cáo năm 2021 (20/01/2022).",
    )
    assert target_services.year_closable(2021, today=dt.date(2022, 1, 21)) == (True, "")


# --- summaries say what they cover ---------------------------------------------------------------------------------


def test_the_summary_labels_its_sums_beside_the_registrys_bloc_wide_figures(today):
    """The sums of the filed reports say "của N tổ chức đã báo cáo"; beside them the registry's own figure for
    every organisation that owes the report, counted independently here."""
    period = ReportingPeriod.objects.get(year=2021, kind="quarter", number=4)
    summary = period_summary(period, today)
    assert summary.coverage_label.startswith(f"của {summary.figures_count} tổ chức đã báo cáo")
    owing = [
        o for o in Organization.objects.all() if _belongs(_spells()[o.pk], period.starts_on, period.ends_on)
    ]
    by_hand = sum(registry_figures(o, period)["members_total"] for o in owing)
    assert summary.registry["members_total"] == by_hand
    body = _client(get_user_model().objects.get(username="vanphong")).get(
        reverse("reports:period_summary"), {"period": period.pk}
    )
    assert (
        "tổ chức đã báo cáo" in body.content.decode()
        and "Toàn Khối theo sổ đảng viên" in body.content.decode()
    )


def test_a_period_not_yet_due_lists_chua_den_han_not_chua_nop():
    """Before its due date (10/01/2022) nobody is late for Q4 2021: those who have not sent it are "chưa đến
    hạn", never "chưa nộp"; the day after the due date they are "chưa nộp (quá hạn)"."""
    period = ReportingPeriod.objects.get(year=2021, kind="quarter", number=4)
    before = period_summary(period, period.due_on - dt.timedelta(days=5))
    assert before.missing_count == 0 and before.not_due_count == len(before.missing) > 0
    assert before.unfiled_label.startswith("Chưa đến hạn nộp (hạn 10/01/2022)")
    after = period_summary(period, period.due_on + dt.timedelta(days=1))
    assert after.not_due_count == 0 and after.unfiled_label == "Chưa nộp (quá hạn)"


# --- every indicator defined for a leader --------------------------------------------------------------------------


def test_docs_define_every_indicator_with_numerator_denominator_and_as_of():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "dashboard.md").read_text()
    for code in ind.REGISTRY:
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| `{code}`")), None)
        assert line is not None, code
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) >= 5 and all(cells[1:5]), code
