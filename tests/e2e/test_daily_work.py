"""Issue 12, "Done when": the secretary's and the staff's daily work, in Chromium, as people do it.

- A secretary on a 390 px phone sees the returned report first, fixes it, attaches the signed PDF, confirms and
  submits; cannot submit the month's report before the month ends; opens the yearly report with the theme and
  the cumulative study figures already there.
- Staff on a desktop find the review queue from the home page alone, accept two reports in a row with "Mở báo
  cáo tiếp theo", send one reminder from the period's page and see it in the log.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from reports import services, tallies
from reports.models import PeriodicReport, ReminderLog, ReportingPeriod, ReportStatus

from .conftest import PHONE
from .steps import click_and_wait
from .test_attachments import signed_scan_pdf
from .world import THEME, report_with_study

pytestmark = pytest.mark.e2e

RETURN_REASON = (
    "Số đảng viên đã học Nghị quyết 1 chưa khớp biên bản; đề nghị sửa và gửi kèm bản quét có chữ ký."
)


def test_a_secretary_on_a_phone_fixes_the_returned_report_first(journey_factory, world, tmp_path):
    # Stage (staff's own journeys drive returning in the browser): last month's report, submitted and returned.
    returned = report_with_study(
        world, org=world.org1, period=world.last_month, by=world.secretary1, studied=[2, 2]
    )
    services.report_return(report=returned, by=world.staff, reason=RETURN_REASON)
    scan = tmp_path / "bao-cao-da-ky.pdf"
    scan.write_bytes(signed_scan_pdf())

    journey = journey_factory("bithu01", PHONE)
    page = journey.page
    journey.login("bithu01")

    # The home page: the returned report comes first, with the reason.
    first = page.locator("main section").first
    assert first.get_by_role("heading").inner_text() == "Bị trả lại — cần sửa và nộp lại"
    first.get_by_text(RETURN_REASON).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on the phone"
    journey.shot("home-returned-first")

    # Fix it: the figure the office named.
    click_and_wait(page, first.get_by_role("link", name=f"Sửa báo cáo {world.last_month.label_in_sentence}"))
    page.get_by_role("status").filter(has_text=RETURN_REASON).wait_for()
    studied = page.get_by_label("NQ 1: đảng viên đã học")
    studied.fill("3")
    page.get_by_text("Có thay đổi chưa lưu.").wait_for()
    journey.shot("report-fixed")

    # Attach the signed scan: the typed figure is saved before the page reloads with the file.
    page.get_by_label(re.compile("Chọn tệp")).set_input_files(str(scan))
    page.get_by_text("bao-cao-da-ky.pdf").first.wait_for()
    click_and_wait(page, page.get_by_role("button", name="Tải tệp lên"))
    page.get_by_role("link", name="bao-cao-da-ky.pdf").wait_for()
    assert page.get_by_label("NQ 1: đảng viên đã học").input_value() == "3"
    journey.shot("scan-attached")

    # Confirm: what will be sent, the scan attached; then submit.
    click_and_wait(page, page.get_by_role("button", name="Xem lại và nộp báo cáo"))
    page.get_by_text("Đã đính kèm 1 tệp:").wait_for()
    page.get_by_text("bao-cao-da-ky.pdf").wait_for()
    page.get_by_text("đảng viên 3/").first.wait_for()
    journey.shot("confirm")
    submit = page.get_by_role("button", name="Nộp báo cáo", exact=True)
    assert submit.bounding_box()["height"] >= 44, "a primary action is big enough to tap"
    click_and_wait(page, submit)
    page.get_by_text("Đã nộp báo cáo.").wait_for()
    returned.refresh_from_db()
    assert returned.status == ReportStatus.SUBMITTED and returned.versions.count() == 2
    assert returned.study_lines.order_by("resolution__order").first().members_studied == 3
    assert any("đã nộp lại báo cáo" in m.subject for m in mail.outbox if "vanphong@example.vn" in m.to)
    journey.shot("resubmitted")

    # The month's report cannot be submitted before the month ends (next month's, if this one ends today).
    month = world.due_period if world.today < world.due_period.ends_on else world.next_month
    journey.goto(f"/reports/?year={month.year}")
    page.locator("summary", has_text="Mở báo cáo của một kỳ khác").click()
    click_and_wait(
        page,
        page.locator("section[aria-labelledby=h-periods]").get_by_role("link", name=month.label, exact=True),
    )
    page.get_by_text(f"nộp được từ ngày {month.ends_on:%d/%m/%Y}").first.wait_for()
    click_and_wait(page, page.get_by_role("button", name="Bắt đầu nhập báo cáo"))
    closed = page.get_by_role("button", name=f"Nộp được từ ngày {month.ends_on:%d/%m/%Y}")
    assert closed.is_disabled()
    assert page.get_by_role("button", name="Xem lại và nộp báo cáo").count() == 0
    journey.shot("month-not-over")

    # The yearly report: the theme and the cumulative study figures are already there.
    year = world.last_month.year
    journey.goto(f"/reports/?year={year}")
    page.locator("summary", has_text="Mở báo cáo của một kỳ khác").click()
    click_and_wait(
        page,
        page.locator("section[aria-labelledby=h-periods]").get_by_role(
            "link", name=f"Năm {year}", exact=True
        ),
    )
    page.get_by_text(THEME.format(year=year)).wait_for()
    click_and_wait(page, page.get_by_role("button", name="Bắt đầu nhập báo cáo"))
    assert page.get_by_label("Chủ đề năm (Chỉ thị 05)").input_value() == THEME.format(year=year)
    assert page.get_by_label("Số văn bản chủ đề").input_value() == "01-KH/01"
    assert page.get_by_label("NQ 1: đảng viên đã học").input_value() == "3"
    assert page.get_by_label("NQ 2: đảng viên đã học").input_value() == "2"
    page.get_by_text(f"điền sẵn từ báo cáo {world.last_month.label_in_sentence}").wait_for()
    journey.shot("yearly-report-prefilled")

    # The report list on the phone: the filed report's status without sideways scrolling.
    journey.goto(f"/reports/?year={year}")
    status = page.locator("section[aria-labelledby=h-filed] tbody tr").first.locator(
        "td[data-label='Trạng thái']"
    )
    assert status.inner_text() == "Đã nộp"
    assert status.evaluate("el => getComputedStyle(el, '::before').content") == '"Trạng thái: "'
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    journey.shot("report-list")


def _submitted(world, org, by, at):
    report = report_with_study(world, org=org, period=world.last_month, by=by, studied=[1, 1])
    PeriodicReport.objects.filter(pk=report.pk).update(submitted_at=at, first_submitted_at=at)
    tallies.refresh([report.period], report.organization)  # an update() bypasses the tally's signal
    return report


def test_staff_review_two_reports_in_a_row_and_send_a_reminder(journey_factory, world):
    noon = timezone.make_aware(dt.datetime.combine(world.last_month.ends_on, dt.time(12)))
    older = _submitted(world, world.org2, world.secretary2, noon)
    newer = _submitted(world, world.org1, world.secretary1, noon + dt.timedelta(hours=2))
    # The month before last: neither organisation has filed it (overdue).
    late_period = max(
        (p for p in world.periods if p.kind == "month" and p.ends_on < world.last_month.starts_on),
        key=lambda p: p.ends_on,
    )

    journey = journey_factory("vanphong")
    page = journey.page
    journey.login("vanphong")

    # From the home page alone: the inbox says two reports wait, and leads to them.
    assert page.locator("#inbox-review").inner_text() == "2"
    journey.shot("inbox")
    click_and_wait(page, page.get_by_role("link", name="Mở danh sách chờ duyệt"))
    page.get_by_role("heading", name=re.compile("Báo cáo chờ duyệt")).wait_for()
    journey.shot("review-queue")
    click_and_wait(page, page.get_by_role("link", name="Mở báo cáo nộp sớm nhất"))
    assert journey.path() == f"/reports/{older.pk}/"

    # Accept it, then "Mở báo cáo tiếp theo", accept that one too.
    click_and_wait(page, page.get_by_role("button", name="Duyệt báo cáo"))
    page.get_by_text("Đã duyệt báo cáo.").wait_for()
    click_and_wait(page, page.get_by_role("link", name=re.compile("Mở báo cáo tiếp theo")))
    assert journey.path() == f"/reports/{newer.pk}/"
    click_and_wait(page, page.get_by_role("button", name="Duyệt báo cáo"))
    page.get_by_text("Đã duyệt báo cáo.").wait_for()
    assert {r.status for r in PeriodicReport.objects.filter(pk__in=[older.pk, newer.pk])} == {
        ReportStatus.ACCEPTED
    }
    assert page.get_by_role("link", name=re.compile("Mở báo cáo tiếp theo")).count() == 0
    journey.shot("both-accepted")

    # A reminder from the period's page: the matrix of that year, the period's column, "Gửi nhắc".
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    click_and_wait(page, nav.get_by_role("link", name="Báo cáo", exact=True))
    if late_period.year != world.year:
        page.get_by_label("Năm", exact=True).select_option(str(late_period.year))
        click_and_wait(page, page.get_by_role("button", name="Xem"))
    click_and_wait(page, page.locator("table.matrix thead").get_by_role("link", name=late_period.label))
    late = page.locator("li", has_text=f"{world.org1.code} · {world.org1.name}")
    late.get_by_text("bithu01@example.vn").wait_for()
    journey.shot("period-status")
    click_and_wait(page, late.get_by_role("button", name=re.compile("Gửi nhắc")))
    page.get_by_text(f"Đã gửi 1 thư nhắc báo cáo {late_period.label_in_sentence}.").wait_for()
    assert [m.to for m in mail.outbox if "quá hạn" in m.subject] == [["bithu01@example.vn"]]

    click_and_wait(
        page, page.get_by_role("link", name=f"Nhật ký nhắc báo cáo {late_period.label_in_sentence}")
    )
    row = page.locator("tbody tr", has_text="bithu01@example.vn")
    assert late_period.label in row.inner_text() and "Văn phòng" in row.inner_text()
    entry = ReminderLog.objects.get()
    assert entry.sent_by == world.staff and entry.period == ReportingPeriod.objects.get(pk=late_period.pk)
    journey.shot("reminder-log")


def test_the_matrix_shows_its_colours_with_a_legend_and_keeps_its_headers_in_view(journey_factory, world):
    """A Bootstrap table rule painted every cell white: the state's colour must be what the browser shows, the
    same as the legend's, and the header row and organisation column stay in view while the table scrolls."""
    report = _submitted(world, world.org1, world.secretary1, timezone.now())
    journey = journey_factory("vanphong")
    journey.login("vanphong")
    page = journey.page
    journey.goto(f"/reports/matrix/?year={world.last_month.year}")
    background = "el => getComputedStyle(el).backgroundColor"
    filed = page.locator(f"td:has(a[href$='/reports/{report.pk}/'])")
    missing = page.locator("table.matrix tbody tr", has_text=world.org2.name).locator("td.tl-missing").first
    legend = page.locator(".matrix-legend")
    assert missing.evaluate(background) == "rgb(248, 215, 218)"
    assert missing.evaluate(background) == legend.locator(".swatch.tl-missing").evaluate(background)
    state = "tl-on_time" if "tl-on_time" in filed.get_attribute("class") else "tl-late"
    assert filed.evaluate(background) == legend.locator(f".swatch.{state}").evaluate(background)
    assert filed.evaluate(background) in ("rgb(209, 231, 221)", "rgb(255, 243, 205)")
    for label in ("Đúng hạn", "Muộn", "Chưa nộp (quá hạn)", "Chưa đến hạn", "Không phải nộp"):
        legend.get_by_text(label, exact=True).wait_for()
    sticky = "el => getComputedStyle(el).position"
    assert page.locator("table.matrix thead th").first.evaluate(sticky) == "sticky"
    assert page.locator("table.matrix tbody th").first.evaluate(sticky) == "sticky"
    journey.shot("matrix-colours")


def test_typed_work_is_never_lost(journey_factory, world):
    """Between saves the form says "Có thay đổi chưa lưu."; leaving then asks first; a form sent back with an
    error keeps the browser's copy, which is offered again when the report is opened later."""
    journey = journey_factory("bithu01", PHONE)
    page = journey.page
    journey.login("bithu01")
    journey.goto("/reports/")
    click_and_wait(
        page, page.locator("main").get_by_role("link", name=world.last_month.label, exact=True).first
    )
    click_and_wait(page, page.get_by_role("button", name="Bắt đầu nhập báo cáo"))
    form_path = journey.path()
    typed = "Tổ chức hội nghị quán triệt nghị quyết cho toàn thể đảng viên."
    page.get_by_label("Kết quả", exact=True).fill(typed)
    page.get_by_text("Có thay đổi chưa lưu.").wait_for()

    # Leaving asks first (dismissed: the page stays).
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("link", name="Báo cáo", exact=True).first.dispatch_event("click")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"] and journey.path() == form_path
    page.remove_listener("dialog", answer)

    # A wrong figure: the form comes back with the error; the browser still holds the copy.
    page.get_by_label("NQ 1: đảng viên đã học").fill("999")
    page.once("dialog", lambda dialog: dialog.accept())
    click_and_wait(page, page.get_by_role("button", name="Lưu nháp"))
    page.get_by_text("Dữ liệu bạn nhập vẫn còn nguyên").wait_for()
    kept = page.evaluate(
        "key => JSON.parse(localStorage.getItem(key))", f"khoi-report-{form_path.split('/')[2]}"
    )
    assert kept["values"]["results_text"] == typed

    # Away and back (leaving is confirmed): the copy is offered and restores what was typed.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("link", name="Báo cáo", exact=True).first.dispatch_event("click")
    journey.goto(form_path)
    page.get_by_role("button", name="Khôi phục dữ liệu đã nhập").click()
    assert page.get_by_label("Kết quả", exact=True).input_value() == typed
    page.get_by_text("Có thay đổi chưa lưu.").wait_for()
