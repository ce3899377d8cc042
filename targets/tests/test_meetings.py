"""The meeting indicators (from the cells' records) equal their drill-down; the rating evidence pack."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discipline import services as discipline_services
from discipline.models import DecidingBody, Violation
from members import dues
from members import services as member_services
from members.models import DuesStatus, Member, MemberRating
from members.tests import factories as mf
from organizations.models import Cell, Kind
from organizations.tests.factories import OrganizationFactory, inspection_user, leader_user, staff_user
from reports.periods import periods_create
from targets import dashboard as dash
from targets import evidence
from targets import indicators as ind

pytestmark = pytest.mark.django_db
END = dt.date(2021, 12, 31)


@pytest.fixture
def w():
    """A đảng bộ with two cells (one met every month, one missed March) and a chi bộ cơ sở that met every month
    with a combined thematic meeting each quarter."""
    staff = staff_user()
    org = OrganizationFactory(code="05", name="Đảng bộ Sở Xây dựng")
    cb1 = Cell.objects.create(organization=org, name="Chi bộ 1")
    cb2 = Cell.objects.create(organization=org, name="Chi bộ 2")
    m1 = [mf.member(org, name=f"Chi bộ 1 người {i}", cell=cb1) for i in range(4)]
    mf.member(org, name="Chi bộ 2 người", cell=cb2)
    base = OrganizationFactory(code="09", name="Chi bộ Công ty", kind=Kind.CHI_BO_CO_SO)
    mb = [mf.member(base, name=f"Chi bộ cơ sở người {i}") for i in range(2)]
    for month in range(1, 13):
        day = dt.date(2021, month, 10)
        mf.meeting(org, cb1, held_on=day, by=staff, absent=[m1[0]] if month <= 3 else [],
                   higher_attendee="Đồng chí Đảng ủy viên" if month == 6 else "")  # fmt: skip
        if month != 3:
            mf.meeting(org, cb2, held_on=day, by=staff)
        mf.meeting(base, None, held_on=day, by=staff, kind="ket_hop" if month % 3 == 0 else "thuong_ky",
                   excused=[mb[0]] if month == 1 else [])  # fmt: skip
    mf.meeting(org, cb1, held_on=dt.date(2021, 5, 20), by=staff, kind="chuyen_de")
    return {"org": org, "base": base, "staff": staff, "cb1": cb1, "m1": m1}


def test_meeting_indicators_count_what_the_records_say(w):
    """Điều lệ Art. 24: 2 of 3 cells met every month; thematic meetings in 5 of 12 cell-quarters; attendance
    and the higher committee's meetings counted over the completed meetings."""
    results = {code: ind.REGISTRY[code].compute(2021, END) for code in ind.MEETING_CODES}
    monthly = results["cells_met_monthly"]
    assert (monthly.numerator, monthly.denominator, monthly.value) == (2, 3, Decimal("66.67"))
    row = monthly.row_for(w["org"].pk)
    assert (row.numerator, row.denominator) == (1, 2) and "Chi bộ 2: tháng 3" in row.detail
    assert (results["thematic_quarterly"].numerator, results["thematic_quarterly"].denominator) == (5, 12)
    # Present: cell 1 48 - 3, cell 2 11, base 24 - 1 (excused); expected 48 + 11 + 24 (+ the thematic's 4).
    attendance = results["meeting_attendance"]
    assert (attendance.numerator, attendance.denominator) == (45 + 4 + 11 + 23, 48 + 4 + 11 + 24)
    assert (
        results["higher_committee_attended"].numerator,
        results["higher_committee_attended"].denominator,
    ) == (
        1,
        12 + 1 + 11 + 12,
    )
    # Before a month has passed it is not counted against the cell.
    early = ind.REGISTRY["cells_met_monthly"].compute(2021, dt.date(2021, 3, 31))
    assert (early.numerator, early.denominator) == (3, 3)


def test_each_meeting_indicator_equals_its_drill_down(w, client):
    """The drill-down lists every organisation with its numerator and denominator; they add up to the figure the
    dashboard shows, and the page says the total."""
    client.force_login(leader_user())
    for code in ind.MEETING_CODES:
        records = dash.records_for(code, 2021, on=dt.date(2022, 3, 1))
        rows = records["pending"] + records["done"]
        result = records["result"]
        assert sum(r.numerator for r in rows) == result.numerator
        assert sum(r.denominator for r in rows) == result.denominator
        card = dash.build_dashboard(2021, on=dt.date(2022, 3, 1), with_charts=False).card(code)
        assert (card.result.numerator, card.result.denominator) == (result.numerator, result.denominator)
        page = client.get(reverse("dashboard:indicator_records"), {"year": 2021, "code": code})
        assert f"Cộng: <strong>{result.numerator}/{result.denominator}</strong>" in page.content.decode()


def test_the_grid_reads_a_fixed_number_of_queries(w, client):
    client.force_login(leader_user())
    url = reverse("members:meeting_grid") + "?year=2021"
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(3):
        org = OrganizationFactory(code=f"7{n}")
        cell = Cell.objects.create(organization=org, name="Chi bộ A")
        mf.meeting(org, cell, held_on=dt.date(2021, 2, 3), by=w["staff"])
    assert count() == before


def test_the_evidence_pack_shows_the_records_of_the_year(w):
    """Reports (HD timeliness rule), meetings held vs due, the 20% rule of HD 21-HD/BTCTW §2.3; dues and
    discipline through the hook."""
    periods_create(year=2021)
    org = w["org"]
    for i, member in enumerate(w["m1"]):
        MemberRating.objects.create(
            member=member, organization=org, year=2021, grade="HTXSNV" if i < 2 else "HTTNV"
        )
    pack = evidence.rating_pack(org, 2021, today=dt.date(2022, 3, 1))
    lines = {line.label: line for section in pack.sections for line in section.lines}
    assert lines["Nộp đúng hạn / đến hạn"].value.startswith("0/19")
    assert lines["Chưa nộp"].warn and "và 14 kỳ khác" in lines["Chưa nộp"].value
    regular = lines["Sinh hoạt thường kỳ (tháng có / phải có)"]
    assert regular.value.startswith("23/24; 1/2 chi bộ đủ các tháng") and regular.warn
    cap = lines["HTXSNV ≤ 20% (HD 21-HD/BTCTW, mục 2.3)"]
    assert cap.warn and cap.value.startswith("2/tối đa 0")
    assert [s.title for s in pack.sections][-2:] == ["Đảng phí", "Kỷ luật, kiểm tra, giám sát"]

    # The hook still takes a further register's section, after those.
    def extra(organization, year, as_of):
        return evidence.Section("Thi đua", [evidence.Line("Khen thưởng", "1")])

    evidence.EVIDENCE_SECTIONS.append(extra)
    try:
        titles = [s.title for s in evidence.rating_pack(org, 2021, today=dt.date(2022, 3, 1)).sections]
    finally:
        evidence.EVIDENCE_SECTIONS.remove(extra)
    assert titles[-1] == "Thi đua" and "Đảng phí" in titles


def _dues_and_discipline(w):
    """Organisation 05's 2021 registers: January collected from all five, one member unpaid February to April;
    Q1 remitted on time, Q2 five days late, Q3 never, Q4 on time; one member reprimanded in June 2021 (and one
    in 2020, which counts in 2020's rating only); an inspection concluded with a remedy left undone."""
    mf.dues_settings()
    org, m1 = w["org"], w["m1"]
    inspector = inspection_user()
    everyone = Member.objects.filter(organization=org)
    member_services.dues_month_save(
        organization=org,
        month=dt.date(2021, 1, 1),
        entries={m: (DuesStatus.PAID, 50000, "") for m in everyone},
    )
    for month in (2, 3, 4):
        member_services.dues_month_save(
            organization=org, month=dt.date(2021, month, 1), entries={m1[0]: (DuesStatus.UNPAID, None, "")}
        )
    periods = dues.remittance_periods(2021)
    for period, delay in zip(periods, (-5, 5, None, 0), strict=True):
        if delay is not None:
            member_services.dues_remittance_record(
                organization=org, period_start=period.start, amount=100000,
                remitted_on=period.due + dt.timedelta(days=delay),
            )  # fmt: skip
    common = {
        "deciding_body": DecidingBody.CHI_BO,
        "violation": Violation.SINH_HOAT,
        "summary": "x",
        "by": inspector,
    }
    for no, day in (("1", dt.date(2021, 6, 1)), ("2", dt.date(2020, 6, 1))):
        discipline_services.discipline_record(
            subject="member", member=m1[1], organization=org, form="khien_trach", decision_no=no,
            decided_on=day, effective_on=day, **common,
        )  # fmt: skip
    programme = discipline_services.programme_save(
        programme=None, year=2021, kind="kiem_tra", title="Kiểm tra 05", in_plan=True, decision_no="",
        starts_on=dt.date(2021, 3, 1), ends_on=dt.date(2021, 4, 1), organizations=[org], by=inspector,
    )  # fmt: skip
    discipline_services.programme_conclude(
        programme=programme, concluded_on=dt.date(2021, 5, 1), conclusion="Còn thiếu sót.", by=inspector
    )
    discipline_services.remedy_add(
        programme=programme, organization=org, requirement="Bổ sung sổ.", deadline=dt.date(2021, 9, 1),
        by=inspector,
    )  # fmt: skip


def test_the_evidence_pack_shows_dues_and_discipline_of_the_year(w):
    """Dues (QĐ 342-QĐ/TW: collected by the month, remitted by the period's due date; Điều lệ Art. 8.1: three
    unpaid months) and discipline counting in the year (HD 21-HD/BTCTW §II.B: the decision's year), as the
    registers say."""
    _dues_and_discipline(w)
    pack = evidence.rating_pack(w["org"], 2021, today=dt.date(2022, 3, 1))
    lines = {line.label: line for section in pack.sections for line in section.lines}
    collected = lines["Thu (tháng-đảng viên đã thu / phải thu)"]
    # 5 members × 12 months on the roll; 5 paid in January, 3 unpaid (one member, Art. 8.1), 52 never recorded.
    assert collected.warn and collected.value == (
        "5/60; chưa đóng 3; chưa ghi sổ 52; chưa đóng 3 tháng (Điều lệ, Đ. 8.1): Chi bộ 1 người 0"
    )
    remitted = lines["Nộp Đảng ủy Khối (đúng hạn / đến hạn)"]
    assert remitted.warn
    assert remitted.value == "2/4; muộn 1: Quý 2/2021 (5 ngày); chưa nộp 1: Quý 3/2021 (quá hạn 137 ngày)"
    disciplined = lines["Bị kỷ luật trong năm (tổ chức, chi bộ / đảng viên)"]
    assert disciplined.value == "0 / 1: Chi bộ 1 người 1 — khiển trách (01/06/2021)" and disciplined.warn
    inspected = lines["Kiểm tra, giám sát đã kết luận; khắc phục quá hạn"]
    assert inspected.value == "1/1 cuộc; 1 yêu cầu quá hạn: hạn 01/09/2021" and inspected.warn
    # 2020's pack counts the 2020 decision only; its dues were never entered in the portal: no figures held
    # against the organisation, the pack sends the rater to the paper book.
    before = evidence.rating_pack(w["org"], 2020, today=dt.date(2022, 3, 1))
    lines = {line.label: line for section in before.sections for line in section.lines}
    assert lines["Sổ đảng phí"].value == "Chưa ghi sổ năm 2020 trong hệ thống: đối chiếu sổ giấy"
    assert "Nộp Đảng ủy Khối (đúng hạn / đến hạn)" not in lines
    assert lines["Bị kỷ luật trong năm (tổ chức, chi bộ / đảng viên)"].value == (
        "0 / 1: Chi bộ 1 người 1 — khiển trách (01/06/2020)"
    )
    # As of August 2021 the Q3 remittance was not yet due and the remedy not yet overdue.
    early = evidence.rating_pack(w["org"], 2021, today=dt.date(2021, 8, 1))
    lines = {line.label: line for section in early.sections for line in section.lines}
    assert lines["Nộp Đảng ủy Khối (đúng hạn / đến hạn)"].value == "1/2; muộn 1: Quý 2/2021 (5 ngày)"
    assert lines["Kiểm tra, giám sát đã kết luận; khắc phục quá hạn"].value == "1/1 cuộc; 0 yêu cầu quá hạn"


def test_the_evidence_pack_page_and_its_document(w, client):
    client.force_login(w["staff"])
    url = reverse("targets:rating_evidence", kwargs={"pk": w["org"].pk, "year": 2021})
    page = client.get(url).content.decode()
    assert "Hồ sơ đánh giá, xếp loại năm 2021" in page and "Chi bộ 2: tháng 3" in page
    docx = client.get(url, {"format": "docx"})
    assert docx["Content-Disposition"] == 'attachment; filename="ho-so-danh-gia-05-2021.docx"'
    assert client.get(url.replace("2021", "1999")).status_code == 404
