"""Each indicator against hand-computed fixtures."""

import datetime as dt
from decimal import Decimal

import pytest

from members.models import EventKind
from organizations.models import BlocYear, Rating
from reports.models import ReportStatus
from targets import indicators as ind

from . import factories as f

pytestmark = pytest.mark.django_db
END = dt.date(2021, 12, 31)


def test_registry_has_every_contract_code():
    assert set(ind.REGISTRY) == {
        "admissions",
        "official_recognitions",
        "congress_held",
        "org_rating_good",
        "unit_professional_good",
        "enterprise_effective",
        "members_studied",
        "masses_studied",
        "theme_adopted",
        "bloc_rating",
        "reports_on_time",
        # From the cells' meeting records.
        "cells_met_monthly",
        "thematic_quarterly",
        "meeting_attendance",
        "higher_committee_attended",
        # From the dues and discipline registers.
        "dues_on_time",
        "disciplined_members",
        "disciplined_organizations",
        "inspections_done",
        "remedies_overdue",
    }


def test_admissions_count_by_decision_date_within_the_year_up_to_as_of():
    a, b = f.org("A"), f.org("B")
    f.event(a, decided_on=dt.date(2021, 1, 1))
    f.event(a, decided_on=dt.date(2021, 6, 30))
    f.event(a, decided_on=dt.date(2021, 12, 31))  # the last day of the year counts
    f.event(a, decided_on=dt.date(2020, 12, 31))
    f.event(a, decided_on=dt.date(2022, 1, 1))
    f.event(a, kind=EventKind.FULL_MEMBER, decided_on=dt.date(2021, 5, 1))
    f.event(b, decided_on=dt.date(2021, 7, 1))

    result = ind.REGISTRY["admissions"].compute(2021, END)
    assert result.value == 4
    assert result.row_for(a.pk).numerator == 3
    assert result.row_for(b.pk).numerator == 1

    mid = ind.REGISTRY["admissions"].compute(2021, dt.date(2021, 6, 30))
    assert mid.value == 2
    assert ind.monthly_event_counts(EventKind.ADMITTED, 2021, END)[:7] == [1, 0, 0, 0, 0, 1, 1]


def test_transferred_member_counts_once_where_admitted():
    a, b = f.org("A"), f.org("B")
    admitted = f.event(a, decided_on=dt.date(2021, 3, 1))
    f.event(
        a, kind=EventKind.TRANSFER_OUT, decided_on=dt.date(2021, 6, 1), who=admitted.member, counterpart=b
    )
    f.event(b, kind=EventKind.TRANSFER_IN, decided_on=dt.date(2021, 6, 1), who=admitted.member, counterpart=a)
    result = ind.REGISTRY["admissions"].compute(2021, END)
    assert result.value == 1
    assert result.row_for(a.pk).numerator == 1
    assert result.row_for(b.pk).numerator == 0


def test_admissions_count_only_while_the_organisation_belongs_to_the_bloc():
    leaver = f.org("L", left_on=dt.date(2021, 7, 1))
    joiner = f.org("J", joined_on=dt.date(2021, 5, 1))
    f.event(leaver, decided_on=dt.date(2021, 3, 1))  # counted: in the Bloc that day
    f.event(leaver, decided_on=dt.date(2021, 8, 1))  # after it left
    f.event(joiner, decided_on=dt.date(2021, 4, 1))  # before it joined
    f.event(joiner, decided_on=dt.date(2021, 6, 1))
    result = ind.REGISTRY["admissions"].compute(2021, END)
    assert result.value == 2
    assert result.row_for(leaver.pk).numerator == 1
    assert result.row_for(joiner.pk).numerator == 1
    assert sum(r.numerator for r in result.rows) == result.value


def test_official_recognitions_count_full_member_decisions():
    a = f.org("A")
    f.event(a, kind=EventKind.FULL_MEMBER, decided_on=dt.date(2021, 2, 1))
    f.event(a, kind=EventKind.FULL_MEMBER, decided_on=dt.date(2021, 11, 30))
    f.event(a, decided_on=dt.date(2021, 2, 1))
    assert ind.REGISTRY["official_recognitions"].compute(2021, END).value == 2
    assert ind.REGISTRY["official_recognitions"].compute(2021, dt.date(2021, 11, 29)).value == 1


def test_congress_held_counts_organisations_in_the_bloc_on_as_of():
    f.org("A", congress=dt.date(2020, 5, 1))
    f.org("B", congress=dt.date(2020, 6, 1))
    f.org("C", congress=dt.date(2022, 1, 1))  # not yet on as_of
    f.org("D")
    f.org("Gone", left_on=dt.date(2021, 6, 1), congress=dt.date(2020, 5, 1))
    f.org("Late", joined_on=dt.date(2022, 1, 1), congress=dt.date(2020, 5, 1))
    result = ind.REGISTRY["congress_held"].compute(2021, END)
    assert (result.numerator, result.denominator, result.value) == (2, 4, Decimal("50.00"))


def test_org_rating_good_counts_httnv_or_better_and_says_how_many_are_rated():
    orgs = [f.org() for _ in range(10)]
    grades = [Rating.HTXSNV, Rating.HTTNV, Rating.HTTNV, Rating.HTNV, Rating.KHTNV, "", Rating.HTTNV]
    for o, grade in zip(orgs, grades, strict=False):
        f.org_year(o, party_rating=grade)
    result = ind.REGISTRY["org_rating_good"].compute(2021, END)
    assert (result.numerator, result.denominator) == (4, 10)
    assert result.value == Decimal("40.00")
    assert result.note == "6/10 đã xếp loại"
    assert result.row_for(orgs[5].pk).detail == "Chưa xếp loại"
    assert result.row_for(orgs[0].pk).counted is True


def test_org_rating_note_is_empty_when_every_organisation_is_rated():
    for _ in range(3):
        f.org_year(f.org(), party_rating=Rating.HTTNV)
    assert ind.REGISTRY["org_rating_good"].compute(2021, END).note == ""


def test_unit_professional_good_reads_the_professional_rating():
    a, b = f.org(), f.org()
    f.org_year(a, professional_rating=Rating.HTTNV, party_rating=Rating.KHTNV)
    f.org_year(b, professional_rating=Rating.HTNV, party_rating=Rating.HTXSNV)
    f.org_year(b, year=2020, professional_rating=Rating.HTXSNV)
    result = ind.REGISTRY["unit_professional_good"].compute(2021, END)
    assert (result.numerator, result.denominator) == (1, 2)


def test_enterprise_effective_counts_enterprises_only():
    e1, e2, e3 = f.org(enterprise=True), f.org(enterprise=True), f.org(enterprise=True)
    agency = f.org()
    f.org_year(e1, enterprise_effective=True)
    f.org_year(e2, enterprise_effective=False)
    f.org_year(agency, enterprise_effective=True)
    result = ind.REGISTRY["enterprise_effective"].compute(2021, END)
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.note == "2/3 đã đánh giá"
    assert result.row_for(agency.pk) is None
    assert result.row_for(e3.pk).detail == "Chưa đánh giá"


def test_theme_adopted_needs_a_non_blank_theme():
    a, b, c = f.org(), f.org(), f.org()
    f.org_year(a, theme_text="Năm 2021: nêu gương, kỷ cương")
    f.org_year(b, theme_text="   ")
    result = ind.REGISTRY["theme_adopted"].compute(2021, END)
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.row_for(c.pk).counted is False


def test_study_coverage_uses_each_organisations_latest_counted_report():
    a, b, c = f.org("A"), f.org("B"), f.org("C")
    r1, r2 = f.resolution(order=1), f.resolution(order=2)
    optional = f.resolution(required=False)
    q1, q2, q3 = (
        f.period("quarter", 2021, n, dt.date(2021, 3 * n - 2, 1), e)
        for n, e in ((1, dt.date(2021, 3, 31)), (2, dt.date(2021, 6, 30)), (3, dt.date(2021, 9, 30)))
    )
    # A: Q1 submitted, Q2 accepted (latest counted), Q3 only a draft.
    old = f.report(a, q1, ReportStatus.SUBMITTED, dt.date(2021, 4, 5))
    f.study(old, r1, 5, 20, 10, 100)
    latest = f.report(a, q2, ReportStatus.ACCEPTED, dt.date(2021, 7, 5))
    f.study(latest, r1, 18, 20, 90, 100)
    f.study(latest, r2, 20, 20, 95, 100)
    f.study(latest, optional, 0, 20, 0, 100)  # not required: ignored
    draft = f.report(a, q3, ReportStatus.DRAFT)
    f.study(draft, r1, 20, 20, 100, 100)
    # B: its report was returned, so it has not reported. C: no report.
    returned = f.report(b, q2, ReportStatus.RETURNED, dt.date(2021, 7, 1))
    f.study(returned, r1, 10, 10, 10, 10)

    members = ind.REGISTRY["members_studied"].compute(2021, END)
    # In people, per resolution (r1: 18 of 20 members, r2: 20 of 20); the year's figure is the weakest
    # resolution, never the 38/40 of member × resolution pairs.
    assert [(r["studied"], r["total"]) for r in members.extra["resolutions"]] == [(18, 20), (20, 20)]
    assert (members.numerator, members.denominator, members.value) == (18, 20, Decimal("90.00"))
    assert members.note == "1/3 tổ chức đã báo cáo"
    assert members.row_for(a.pk).detail == "Quý II/2021"
    assert members.row_for(c.pk).detail == "Chưa báo cáo"
    masses = ind.REGISTRY["masses_studied"].compute(2021, END)
    assert (masses.numerator, masses.denominator, masses.value) == (90, 100, Decimal("90.00"))

    before_q2 = ind.REGISTRY["members_studied"].compute(2021, dt.date(2021, 6, 29))
    assert (before_q2.numerator, before_q2.denominator) == (5, 20)


def test_study_coverage_latest_report_on_the_same_day_is_the_longer_period_then_the_newest():
    """The edges of "latest": two periods ending the same day (the longer one wins, whichever was sent last),
    two periods with the same dates (the newest report wins), a later report without figures for a required
    resolution (not a candidate), and an organisation that left the Bloc (neither a row nor in the sums)."""
    a, b, c, e = f.org("A"), f.org("B"), f.org("C"), f.org("E")
    gone = f.org("D", left_on=dt.date(2021, 12, 1))
    r1 = f.resolution(order=1)
    optional = f.resolution(required=False)
    june = f.period("month", 2021, 6)
    q2 = f.period("quarter", 2021, 2, dt.date(2021, 4, 1), dt.date(2021, 6, 30))
    july = f.period("month", 2021, 7)
    # Two periods with the same dates (made by hand: the schedule never does, but nothing forbids it).
    first_twin = f.period("quarter", 2021, 3, dt.date(2021, 9, 1), dt.date(2021, 9, 30))
    second_twin = f.period("month", 2021, 9)
    # A: the quarter and June both end on 30/06; the quarter is longer and wins though June came later.
    f.study(f.report(a, q2, ReportStatus.ACCEPTED, dt.date(2021, 7, 5)), r1, 7, 10)
    f.study(f.report(a, june, ReportStatus.SUBMITTED, dt.date(2021, 7, 20)), r1, 10, 10)
    # B: June counts; July carries figures only for a resolution that is not required.
    f.study(f.report(b, june, ReportStatus.SUBMITTED, dt.date(2021, 7, 2)), r1, 3, 5)
    f.study(f.report(b, july, ReportStatus.SUBMITTED, dt.date(2021, 8, 2)), optional, 5, 5)
    # C: two reports on periods with the same dates: the newest report wins.
    f.study(f.report(c, second_twin, ReportStatus.SUBMITTED, dt.date(2021, 10, 2)), r1, 1, 10)
    newest = f.report(c, first_twin, ReportStatus.SUBMITTED, dt.date(2021, 10, 3))
    f.study(newest, r1, 4, 8)
    # D left the Bloc on 01/12; E has only a draft.
    f.study(f.report(gone, q2, ReportStatus.ACCEPTED, dt.date(2021, 7, 5)), r1, 1, 100)
    f.study(f.report(e, q2, ReportStatus.DRAFT), r1, 9, 9)

    result = ind.REGISTRY["members_studied"].compute(2021, END)
    assert [(row.code, row.numerator, row.denominator, row.detail) for row in result.rows] == [
        ("A", 7, 10, "Quý II/2021"),
        ("B", 3, 5, "Tháng 06/2021"),
        ("C", 4, 8, "Quý III/2021"),
        ("E", None, None, "Chưa báo cáo"),
    ]
    assert result.row_for(c.pk).report_id == newest.pk
    assert [(r["studied"], r["total"]) for r in result.extra["resolutions"]] == [(14, 23)]
    assert (result.numerator, result.denominator, result.value) == (14, 23, Decimal("60.87"))
    assert (result.known, result.note) == (3, "3/4 tổ chức đã báo cáo")
    # Before 30/06 nothing of A's had ended; D was still in the Bloc.
    before = ind.REGISTRY["members_studied"].compute(2021, dt.date(2021, 6, 29))
    assert [row.code for row in before.rows] == ["A", "B", "C", "D", "E"]
    assert before.known == 0 and before.value is None


def test_weakest_resolution_compares_shares_exactly_and_prefers_the_larger_total():
    assert ind._weakest([]) is None
    assert ind._weakest([(0, 0), (3, 0)]) is None
    assert ind._weakest([(2, 3), (1, 2), (3, 5)]) == (1, 2)
    assert ind._weakest([(1, 2), (2, 4), (0, 0)]) == (2, 4)  # equal shares: the larger total
    big = 10**12
    assert ind._weakest([(big - 1, big), (big - 2, big - 1)]) == (big - 2, big - 1)


def test_bloc_rating_is_the_blocs_own_grade():
    assert ind.REGISTRY["bloc_rating"].compute(2021, END).value is None
    BlocYear.objects.create(year=2021, rating=Rating.HTXSNV)
    assert ind.REGISTRY["bloc_rating"].compute(2021, END).value == "HTXSNV"


def test_reports_on_time_counts_first_submission_against_the_due_date():
    a, b = f.org("A"), f.org("B")
    jan = f.period("month", 2021, 1)  # due 05/02
    feb = f.period("month", 2021, 2)  # due 05/03
    f.period("month", 2021, 12)  # due 05/01/2022: not due by 31/12
    f.report(a, jan, submitted_on=jan.due_on, hour=23)  # late evening of the due day: on time
    f.report(a, feb, submitted_on=feb.due_on + dt.timedelta(days=1))  # late
    f.report(b, jan, ReportStatus.DRAFT)  # never submitted: missing
    joiner = f.org("J", joined_on=dt.date(2021, 2, 15))  # only February is expected of it
    f.report(joiner, feb, submitted_on=feb.due_on)

    result = ind.REGISTRY["reports_on_time"].compute(2021, END)
    assert (result.numerator, result.denominator) == (2, 5)
    assert result.value == Decimal("40.00")
    assert result.note == "2 báo cáo chưa nộp, 1 nộp muộn"
    assert (result.row_for(a.pk).numerator, result.row_for(a.pk).denominator) == (1, 2)
    assert result.row_for(joiner.pk).denominator == 1
    series = {p["label"]: p for p in result.extra["periods"]}
    assert (series["Tháng 01/2021"]["on_time"], series["Tháng 01/2021"]["missing"]) == (1, 1)
    assert (series["Tháng 02/2021"]["on_time"], series["Tháng 02/2021"]["late"]) == (1, 1)
    assert series["Tháng 02/2021"]["missing"] == 1


def test_reports_on_time_without_periods_says_so():
    f.org()
    result = ind.REGISTRY["reports_on_time"].compute(2021, END)
    assert result.value is None
    assert result.note == "Chưa có kỳ báo cáo nào đến hạn"


def test_percent_rounds_half_up_and_refuses_zero_denominators():
    assert ind.percent(2, 3) == Decimal("66.67")
    assert ind.percent(0, 0) is None
