"""Issue 18: a cell secretary records a monthly meeting on a phone; the member absent without reason for the
third month is flagged (Điều lệ Đảng Art. 8.1); the organisation's next monthly report opens with the meeting
figures filled in; staff open an organisation's 2021 rating, see its evidence pack and print it."""

import datetime as dt
import re
import subprocess
import time

import pytest

from discipline import services as discipline_services
from discipline.models import DecidingBody, Violation
from members import dues
from members import services as member_services
from members.models import CellMeeting, MeetingStatus, MemberRating
from organizations.models import Cell, OrganizationYear
from organizations.tests.factories import cell_secretary_user, inspection_user
from reports.models import ReportingPeriod
from reports.periods import periods_create

from .conftest import PHONE
from .steps import click_and_wait
from .world import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

ABSENTEE = "Nguyễn Văn An"


def _months(today: dt.date) -> tuple[list[dt.date], dt.date]:
    """Two earlier meetings in two months of one year, and the day of the third, all on or before today."""
    if today.month >= 3:
        return [dt.date(today.year, 1, 12), dt.date(today.year, 2, 9)], today
    year = today.year - 1
    return [dt.date(year, 10, 12), dt.date(year, 11, 9)], dt.date(year, 12, 15)


def test_a_cell_secretary_records_a_meeting_on_a_phone(journey_factory, world):
    cell = Cell.objects.get(organization=world.org1, name="Chi bộ Văn phòng")
    user = cell_secretary_user(cell, username="bithu01.cb1")
    user.set_password(DEMO_PASSWORD)
    user.save()
    member_services.meeting_criteria_from_guidance(year=world.year, by=world.staff)
    member_services.meeting_criteria_from_guidance(year=world.year - 1, by=world.staff)
    absentee = next(m for m in world.members1 if m.full_name == ABSENTEE)
    earlier, day = _months(world.today)
    for held_on in earlier:  # twice absent without reason already, in two different months
        member_services.meeting_save(
            meeting=None, organization=world.org1, cell=cell,
            data={"held_on": held_on, "kind": "thuong_ky", "topics": "Nhiệm vụ tháng",
                  "starts_at": dt.time(14, 0), "ends_at": dt.time(15, 40)},
            attendance={absentee.pk: ("unexcused", "")}, complete=True, by=world.secretary1,
        )  # fmt: skip

    journey = journey_factory("bithu01.cb1", PHONE)
    page = journey.page
    journey.login("bithu01.cb1", shot=True)
    page.get_by_role("heading", name=re.compile("Chi bộ Văn phòng — sinh hoạt chi bộ")).wait_for()
    assert page.locator("#absence-flags").count() == 0, "two months are not yet three"
    journey.shot("cell-home")

    started = time.monotonic()
    click_and_wait(page, page.get_by_role("link", name="Ghi buổi sinh hoạt"))
    page.get_by_label("Ngày sinh hoạt").fill(day.strftime("%d/%m/%Y"))
    page.get_by_label("Bắt đầu").fill("14:00")
    page.get_by_label("Kết thúc").fill("15:45")
    page.get_by_role("radiogroup", name=f"Điểm danh {ABSENTEE}").get_by_text("Vắng không lý do").click()
    page.get_by_role("radiogroup", name="Điểm danh Hoàng Văn Cường").get_by_text("Vắng có lý do").click()
    page.get_by_label("Lý do vắng — Hoàng Văn Cường").fill("Đi công tác")
    page.get_by_label("Nội dung sinh hoạt").fill("Kiểm điểm nhiệm vụ tháng; phân công đảng viên.")
    page.get_by_label(re.compile("Thời lượng tối thiểu 90 phút|Thời lượng sinh hoạt")).check()
    journey.shot("meeting-form")
    click_and_wait(page, page.get_by_role("button", name="Hoàn thành biên bản"))
    page.get_by_text(f"Đã hoàn thành biên bản sinh hoạt ngày {day:%d/%m/%Y}.").wait_for()
    assert time.monotonic() - started < 60, "recording a meeting takes under a minute of taps"
    meeting = CellMeeting.objects.get(cell=cell, held_on=day)
    assert meeting.status == MeetingStatus.COMPLETED and meeting.minutes == 105
    assert {a.member.full_name: a.presence for a in meeting.attendance.select_related("member")} == {
        "Trần Thị Dự Bị": "present",
        ABSENTEE: "unexcused",
        "Hoàng Văn Cường": "excused",
    }
    journey.shot("meeting-recorded")

    # The third month absent without reason: flagged on the cell's page.
    click_and_wait(page, page.get_by_role("link", name="Chi bộ Văn phòng"))
    flag = page.locator("#absence-flags")
    flag.get_by_text(ABSENTEE).wait_for()
    assert "ba tháng trong năm" in flag.inner_text()
    journey.shot("absence-flagged")
    # Nothing else is theirs: the organisation's page is a page they may not use.
    journey.goto(f"/organizations/{world.org1.pk}/", expect_status=403)

    # The organisation's secretary sees the flag on the organisation's page, and the report opens with the
    # meeting figures filled in.
    secretary = journey_factory("bithu01", PHONE)
    secretary.login("bithu01")
    spage = secretary.page
    secretary.goto(f"/organizations/{world.org1.pk}/")  # their home is their work; the flag is on this page
    spage.locator("#org-meetings").get_by_text(ABSENTEE).wait_for()
    secretary.shot("organisation-flag")
    period = ReportingPeriod.objects.get(kind="month", year=day.year, number=day.month)
    secretary.goto(f"/reports/periods/{period.pk}/edit/")
    start = spage.get_by_role("button", name="Bắt đầu nhập báo cáo")
    if start.count():
        click_and_wait(spage, start)
    assert spage.get_by_label("Số chi bộ", exact=True).input_value() == "2"
    assert spage.get_by_label("Số chi bộ sinh hoạt đúng định kỳ").input_value() == "1"
    spage.get_by_text("Sổ sinh hoạt chi bộ: 1").wait_for()
    secretary.shot("report-prefilled")


def test_staff_open_a_rating_and_print_its_evidence_pack(bpage, world, tmp_path):
    """Staff open organisation 01's 2021 rating, see its evidence pack and print it (one A4 page)."""
    periods_create(year=2021)
    OrganizationYear.objects.create(organization=world.org1, year=2021, party_rating="HTTNV")
    cell = Cell.objects.get(organization=world.org1, name="Chi bộ Văn phòng")
    for month in (1, 2, 4):
        member_services.meeting_save(
            meeting=None, organization=world.org1, cell=cell,
            data={"held_on": dt.date(2021, month, 10), "kind": "thuong_ky", "topics": "Nhiệm vụ tháng",
                  "starts_at": dt.time(14, 0), "ends_at": dt.time(15, 40), "higher_attendee": "Đồng chí Ủy viên"},
            attendance={}, complete=True, by=world.staff,
        )  # fmt: skip
    for member in world.members1[1:4]:  # the three full members admitted long before 2021
        MemberRating.objects.create(member=member, organization=world.org1, year=2021, grade="HTTNV")
    q2 = dues.remittance_periods(2021)[1]
    member_services.dues_remittance_record(
        organization=world.org1,
        period_start=q2.start,
        amount=500000,
        remitted_on=q2.due + dt.timedelta(days=3),
    )
    disciplined = world.members1[1]
    discipline_services.discipline_record(
        subject="member", member=disciplined, organization=world.org1, form="khien_trach", decision_no="12-QĐ/ĐUK",
        decided_on=dt.date(2021, 7, 5), effective_on=dt.date(2021, 7, 5), deciding_body=DecidingBody.UBKT_DANG_UY_KHOI,
        violation=Violation.SINH_HOAT, summary="Không dự sinh hoạt chi bộ.", by=inspection_user(),
    )  # fmt: skip

    page = bpage.page
    bpage.login("vanphong")
    bpage.goto(f"/organizations/{world.org1.pk}/years/2021/")
    click_and_wait(page, page.get_by_role("link", name="Hồ sơ đánh giá, xếp loại năm 2021"))
    page.get_by_role("heading", name="Hồ sơ đánh giá, xếp loại năm 2021").wait_for()
    for section in (
        "Báo cáo định kỳ",
        "Sinh hoạt chi bộ",
        "Xếp loại chất lượng đảng viên",
        "Đảng phí",
        "Kỷ luật, kiểm tra, giám sát",
    ):
        page.get_by_role("heading", name=section).wait_for()
    body = page.locator("main").inner_text() if page.locator("main").count() else page.content()
    assert "3/24" in body, "months held over months due: 2 cells × 12 months, 3 held"
    assert "HTTNV 3" in body
    assert "muộn 1: Quý 2/2021 (3 ngày)" in body, "the late remittance with its days"
    assert f"0 / 1: {disciplined.full_name} — khiển trách (05/07/2021)" in body
    bpage.shot("evidence-pack")
    with page.expect_download() as info:
        page.get_by_role("link", name="In hồ sơ (PDF)").click()
    download = info.value
    assert download.suggested_filename == "ho-so-danh-gia-01-2021.pdf"
    path = tmp_path / "pack.pdf"
    download.save_as(path)
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", pages, re.M), "the pack prints on one page"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "HỒ SƠ ĐÁNH GIÁ, XẾP LOẠI NĂM 2021" in text and "Sinh hoạt chi bộ".upper() in text
    assert "KỶ LUẬT, KIỂM TRA, GIÁM SÁT" in text and "Quý 2/2021 (3 ngày)" in text
