"""A secretary (bithu01) keeps their organisation and sends its report — phone and desktop."""

import re

import pytest

from reports.models import PeriodicReport, ReportStatus

from .conftest import DESKTOP, PHONE
from .steps import click_and_wait, control, field, need, open_period
from .steps import nav as steps_nav
from .world import OTHER_ORG_MEMBER, PROBATIONER

pytestmark = pytest.mark.e2e

RESULTS = "Chi bộ sinh hoạt đều, học tập nghị quyết đầy đủ."
RETURN_REASON = "Số đảng viên đã học Nghị quyết chưa khớp với sổ, đề nghị kiểm tra lại."


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def viewport(request):
    return request.param


def nav(journey, name: str):
    """Follow a link of the main navigation (opening the collapsed menu, and the menu holding it, on a phone)."""
    steps_nav(journey.page, name)


def record_full_membership(journey, world) -> str | None:
    """Open the probationer and record their full membership. Returns what is missing, if anything."""
    page = journey.page
    nav(journey, "Danh sách đảng viên")
    member_link = control(page, re.escape(PROBATIONER))
    if member_link is None:
        return "the member list links each member"
    click_and_wait(page, member_link)
    journey.shot("member")
    record = control(page, r"Công nhận.*chính thức|Ghi nhận sự kiện|Thêm sự kiện")
    if record is None:
        return "recording a member event from the member page"
    click_and_wait(page, record)
    kind = field(page, r"^Sự kiện|loại sự kiện")
    if kind is not None and kind.evaluate("el => el.tagName") == "SELECT":
        kind.select_option(label="Công nhận đảng viên chính thức")
    today = world.today.strftime("%d/%m/%Y")
    for label in (r"ngày quyết định", r"ngày hiệu lực"):
        box = field(page, label)
        if box is not None and not box.input_value():
            box.fill(today)
    number = field(page, r"số quyết định")
    if number is not None:
        number.fill("15-QĐ/ĐU")
    journey.shot("member-event-form")
    click_and_wait(page, control(page, r"^(Lưu|Ghi nhận|Công nhận)", roles=("button",)))
    page.get_by_text("Chính thức").first.wait_for()
    journey.shot("member-after-event")
    return None


def return_as_staff(journey_factory, report_pk: int, viewport):
    """Staff return the report with a reason, in their own browser."""
    staff = journey_factory("vanphong", viewport)
    staff.login("vanphong")
    staff.goto(f"/reports/{report_pk}/")
    click_and_wait(staff.page, staff.page.get_by_role("link", name="Trả lại…"))
    staff.page.get_by_label("Lý do trả lại").fill(RETURN_REASON)
    click_and_wait(staff.page, staff.page.get_by_role("button", name="Xác nhận trả lại"))
    staff.page.get_by_text("Đã trả lại báo cáo").wait_for()
    staff.shot("staff-returned")


def fill_report(page, *, members: int, masses: int):
    """Everything a submission needs on the report form (the registry's figures are prefilled)."""
    page.get_by_label("Kết quả", exact=True).fill(RESULTS)
    page.get_by_label("Hạn chế", exact=True).fill("Một chi bộ sinh hoạt chưa đúng kỳ.")
    page.get_by_label("Phương hướng", exact=True).fill("Tiếp tục học tập nghị quyết.")
    for n in (1, 2):
        page.get_by_label(f"NQ {n}: đảng viên đã học").fill(str(members))
        page.get_by_label(f"NQ {n}: quần chúng đã học").fill(str(masses))


def review_and_submit(journey):
    """ "Xem lại và nộp báo cáo", read what will be sent, "Nộp báo cáo"."""
    page = journey.page
    click_and_wait(page, page.get_by_role("button", name="Xem lại và nộp báo cáo"))
    page.get_by_role("heading", name=re.compile("Xem lại trước khi nộp báo cáo")).wait_for()
    journey.shot("report-confirm")
    click_and_wait(page, page.get_by_role("button", name="Nộp báo cáo", exact=True))
    page.get_by_text("Đã nộp báo cáo.").wait_for()


def test_secretary_journey(journey_factory, world, viewport):
    journey = journey_factory("bithu01")
    page = journey.page
    journey.login("bithu01", shot=True)

    # Their home: their organisation's work.
    assert journey.path() == "/", page.url
    page.get_by_role("heading", name=world.org1.name).wait_for()
    journey.shot("home")

    # Another organisation's member is simply not there.
    journey.goto(f"/members/{world.other_member.pk}/", expect_status=404)
    assert OTHER_ORG_MEMBER not in page.content()
    page.get_by_role("heading", name=re.compile("Không tìm thấy", re.I)).wait_for()
    journey.shot("other-organisation-member-not-found")

    # A member: record an event (the probationer's 12 months are over: full membership).
    missing_member_step = record_full_membership(journey, world)

    # What is due: this month's report, under "Sắp đến hạn".
    journey.goto(f"/organizations/{world.org1.pk}/")
    nav(journey, "Báo cáo")
    due = world.due_period
    due_section = page.locator("section[aria-labelledby=h-due]")
    due_section.get_by_role("link", name=due.label).wait_for()
    journey.shot("what-is-due")
    open_period(page, due_section.get_by_role("link", name=due.label))

    # The report form: a wrong figure gives the Vietnamese error and keeps everything typed.
    page.get_by_role("heading", name=f"Báo cáo {due.label_in_sentence}").wait_for()
    if world.today < due.ends_on:  # the month is not over: it may be typed and saved, not submitted
        page.get_by_role("button", name=f"Nộp được từ ngày {due.ends_on:%d/%m/%Y}").wait_for()
        assert page.get_by_role("button", name="Xem lại và nộp báo cáo").count() == 0
    page.get_by_label("Kết quả", exact=True).fill(RESULTS)
    total = int(page.get_by_label("NQ 1: tổng số đảng viên").input_value())
    assert total == len(world.members1), "the study line is prefilled with the roll at the period's end"
    page.get_by_label("NQ 1: đảng viên đã học").fill(str(total + 3))
    page.get_by_label("NQ 2: đảng viên đã học").fill(str(total))
    journey.shot("report-wrong-figure")
    click_and_wait(page, page.get_by_role("button", name="Lưu nháp"))
    page.get_by_text(
        f"NQ 1: số đảng viên đã học không được lớn hơn tổng số đảng viên ({total})."
    ).first.wait_for()
    page.get_by_text("Dữ liệu bạn nhập vẫn còn nguyên").wait_for()
    assert page.get_by_label("Kết quả", exact=True).input_value() == RESULTS
    assert page.get_by_label("NQ 1: đảng viên đã học").input_value() == str(total + 3)
    assert page.get_by_label("NQ 2: đảng viên đã học").input_value() == str(total)
    report = PeriodicReport.objects.get(organization=world.org1, period=due)
    assert report.results_text == "", "an invalid form saves nothing"
    journey.shot("report-error")

    # Correct it and save a draft.
    page.get_by_label("NQ 1: đảng viên đã học").fill(str(total - 1))
    click_and_wait(page, page.get_by_role("button", name="Lưu nháp"))
    page.get_by_text(re.compile(r"Đã lưu nháp lúc")).wait_for()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.results_text == RESULTS
    journey.shot("report-draft-saved")

    # Last month is over: its report is filled in, reviewed and submitted.
    nav(journey, "Báo cáo")
    open_period(page, page.locator("main").get_by_role("link", name=world.last_month.label, exact=True).first)
    page.get_by_role("heading", name=f"Báo cáo {world.last_month.label_in_sentence}").wait_for()
    fill_report(page, members=total - 1, masses=20)
    review_and_submit(journey)
    report = PeriodicReport.objects.get(organization=world.org1, period=world.last_month)
    assert report.status == ReportStatus.SUBMITTED
    journey.shot("report-submitted")

    # Staff return it; the secretary sees why, fixes it and submits again.
    return_as_staff(journey_factory, report.pk, viewport)
    nav(journey, "Báo cáo")
    returned = page.locator("section[aria-labelledby=h-returned]")
    returned.get_by_text(RETURN_REASON).wait_for()
    journey.shot("report-returned")
    click_and_wait(page, returned.get_by_role("link", name=world.last_month.label))
    page.get_by_role("status").filter(has_text="Văn phòng trả lại báo cáo").filter(
        has_text=RETURN_REASON
    ).wait_for()
    page.get_by_label("NQ 1: đảng viên đã học").fill(str(total))
    review_and_submit(journey)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.versions.count() == 2
    assert report.study_lines.get(resolution=world.resolutions[0]).members_studied == total
    journey.shot("report-resubmitted")

    need(missing_member_step is None, missing_member_step or "")
