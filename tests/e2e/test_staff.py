"""Committee staff (vanphong) review reports, import members, download the summaries."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.cache import cache
from django.utils import timezone

from members.models import Member
from reports import services, tallies
from reports.models import PeriodicReport, ReportStatus
from targets.models import Target

from .steps import click_and_wait, control, need
from .world import report_with_study

pytestmark = pytest.mark.e2e

RETURN_REASON = "Đề nghị bổ sung kết quả học tập Nghị quyết số 2."


def stage_submitted_report(world) -> PeriodicReport:
    """Organisation 01's report for last month (ended: it may be submitted), submitted once by its secretary
    (version 1) on the month's last day (on time, whatever today is)."""
    report = report_with_study(
        world, org=world.org1, period=world.last_month, by=world.secretary1, studied=[3, 2]
    )
    on_time = timezone.make_aware(dt.datetime.combine(world.last_month.ends_on, dt.time(16)))
    PeriodicReport.objects.filter(pk=report.pk).update(first_submitted_at=on_time, submitted_at=on_time)
    tallies.refresh([report.period], report.organization)  # an update() bypasses the tally's signal
    report.refresh_from_db()
    return report


def download(journey, locator) -> openpyxl.Workbook:
    with journey.page.expect_download() as info:
        locator.click()
    path = info.value.path()
    return openpyxl.load_workbook(BytesIO(open(path, "rb").read()), data_only=True)


def _studied(journey, year: int) -> tuple:
    """The members' study coverage as the dashboard shows it (its page, then its JSON)."""
    journey.goto(f"/dashboard/?year={year}")
    journey.page.locator("#card-members_studied").wait_for()
    response = journey.page.request.get(journey.url(f"/dashboard/data.json?year={year}"))
    assert response.status == 200
    item = next(i for i in response.json()["indicators"] if i["code"] == "members_studied")
    return item["value"], item["numerator"], item["denominator"]


def _studied_from_scratch(journey, year: int) -> tuple:
    """The same, computed on an empty cache."""
    cache.clear()
    return _studied(journey, year)


def test_staff_reviews_a_report_in_the_matrix(bpage, world):
    page = bpage.page
    report = stage_submitted_report(world)
    bpage.login("vanphong")

    # The completeness matrix shows the submitted report; it leads to the report.
    nav_link = page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Báo cáo", exact=True
    )
    click_and_wait(page, nav_link)
    assert bpage.path().startswith("/reports/matrix/")
    if world.last_month.year != world.year:  # January: last month is in last year's matrix
        bpage.goto(f"/reports/matrix/?year={world.last_month.year}")
    row = page.locator("table.matrix tbody tr", has_text=world.org1.name)
    cell = row.locator(f"a[href$='/reports/{report.pk}/']")
    assert cell.inner_text() == "Đúng hạn", "submitted before its due date"
    bpage.shot("matrix")
    click_and_wait(page, cell)
    assert bpage.path() == f"/reports/{report.pk}/"
    page.get_by_text("Đã nộp").first.wait_for()
    bpage.shot("report-submitted")

    # The dashboard, open before the return (its figures cached), shows the return at once: the organisation's
    # study figures leave the coverage (issue 20: the cached figure is brought up to date, not served stale).
    dashboard_year = world.last_month.year
    before = _studied(bpage, dashboard_year)
    bpage.goto(f"/reports/{report.pk}/")

    # Return it with a reason.
    click_and_wait(page, page.get_by_role("link", name="Trả lại…"))
    reason = page.get_by_label("Lý do trả lại")
    assert reason.evaluate("el => el.required && el.validity.valueMissing"), "a reason is required"
    reason.fill(RETURN_REASON)
    click_and_wait(page, page.get_by_role("button", name="Xác nhận trả lại"))
    page.get_by_text("Đã trả lại báo cáo cho bí thư cơ sở.").wait_for()
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.return_reason == RETURN_REASON
    assert page.get_by_role("button", name="Duyệt báo cáo").count() == 0
    bpage.shot("report-returned")
    after_return = _studied(bpage, dashboard_year)
    assert after_return != before, "the dashboard still counts the returned report"
    assert after_return == _studied_from_scratch(bpage, dashboard_year)

    # The secretary fixes a figure and submits again (their own journey does this in the browser).
    last = report.study_lines.order_by("resolution__order").last()
    services.report_submit(
        report=report, by=world.secretary1, data={}, lines={last.resolution_id: {"members_studied": 4}}
    )
    assert report.versions.count() == 2

    # Compare the two versions: the changed figure is highlighted.
    bpage.goto(f"/reports/{report.pk}/")
    click_and_wait(page, page.get_by_role("link", name="So sánh các lần nộp"))
    page.get_by_role(
        "heading", name=f"So sánh các lần nộp báo cáo {world.last_month.label_in_sentence}"
    ).wait_for()
    changed = page.locator("tr.changed")
    assert changed.count() >= 1
    assert any("4" in text and "2" in text for text in changed.all_inner_texts()), changed.all_inner_texts()
    bpage.shot("versions-compared")

    # Accept it: it is locked.
    bpage.goto(f"/reports/{report.pk}/")
    click_and_wait(page, page.get_by_role("button", name="Duyệt báo cáo"))
    page.get_by_text("Đã duyệt báo cáo.").wait_for()
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert page.get_by_role("link", name="Trả lại…").count() == 0
    assert page.get_by_role("link", name="Sửa báo cáo").count() == 0
    bpage.shot("report-accepted")
    accepted = _studied(bpage, dashboard_year)
    assert accepted != after_return
    assert accepted == _studied_from_scratch(bpage, dashboard_year)


def test_staff_imports_members_through_the_preview(bpage, world, tmp_path):
    page = bpage.page
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Ngày sinh", "Giới tính", "Mã tổ chức", "Ngày vào Đảng", "Ngày chính thức"])
    sheet.append(["Đỗ Văn Nhập Một", "12/03/1985", "Nam", "02", "03/02/2010", "03/02/2011"])
    sheet.append(["Ngô Thị Nhập Hai", "07/09/1991", "Nữ", "02", "19/05/2015", "19/05/2016"])
    upload = tmp_path / "dang-vien.xlsx"
    book.save(upload)

    bpage.login("vanphong")
    bpage.goto("/members/")
    click_and_wait(page, need(control(page, r"Nhập.*(Excel|tệp)|Nhập danh sách"), "member XLSX import"))
    bpage.shot("import-form")
    page.locator("input[type=file]").set_input_files(str(upload))
    click_and_wait(page, control(page, r"^(Xem trước|Tải lên|Kiểm tra)", roles=("button",)))
    page.get_by_text("Đỗ Văn Nhập Một").first.wait_for()
    page.get_by_text("Ngô Thị Nhập Hai").first.wait_for()
    assert not Member.objects.filter(full_name="Đỗ Văn Nhập Một").exists(), "the preview must not save"
    bpage.shot("import-preview")
    click_and_wait(page, control(page, r"^(Xác nhận|Nhập|Lưu)", roles=("button",)))
    assert (
        Member.objects.filter(
            organization=world.org2, full_name__in=["Đỗ Văn Nhập Một", "Ngô Thị Nhập Hai"]
        ).count()
        == 2
    )
    bpage.shot("import-done")


def test_staff_downloads_dashboard_and_period_summary(bpage, world):
    page = bpage.page
    bpage.login("vanphong")

    # The dashboard XLSX: the admissions figure is the one on the page (1 this year).
    bpage.goto(f"/dashboard/?year={world.year}")
    book = download(bpage, page.get_by_role("link", name="Xuất Excel"))
    rows = {row[0]: row for row in book.active.iter_rows(values_only=True) if row and row[0]}
    assert rows["admissions"][2] == 1, rows["admissions"]
    assert rows["official_recognitions"][2] == 0

    # The period summary of last month (the matrix's default period): the accepted report's figures.
    period = world.last_month
    report_with_study(
        world, org=world.org1, period=period, by=world.secretary1, studied=[3, 4], accepted_by=world.staff
    )
    bpage.goto(f"/reports/matrix/?year={period.year}")
    bpage.shot("matrix")
    book = download(bpage, page.get_by_role("link", name=f"Xuất Excel tổng hợp kỳ {period.label}"))
    cells = list(book["Tổng hợp"].iter_rows(values_only=True))
    study = {row[0]: row for row in cells if row and row[0] in ("NQ 1", "NQ 2")}
    assert study["NQ 1"][1:3] == (3, 5), study
    assert study["NQ 2"][1:3] == (4, 5), study
    org_rows = [row for row in cells if row and row[0] == world.org1.code]
    assert org_rows and org_rows[0][2] == "Đã duyệt", org_rows
    # Not sent: "chưa nộp (quá hạn)" once due, "chưa đến hạn nộp" before.
    assert any(
        row and row[0] == world.org2.code and row[2].startswith(("Chưa nộp", "Chưa đến hạn nộp"))
        for row in cells
    )


def test_staff_type_a_rate_with_the_vietnamese_comma(bpage, world):
    """ "90,5" is 90,5 — in a browser of any language (a number box of an English Chrome reads it as 905)."""
    page = bpage.page
    bpage.login("vanphong")
    bpage.goto(f"/targets/new/?year={world.year + 1}")
    page.get_by_label("Chỉ số").select_option(label="Quần chúng được học tập, quán triệt nghị quyết")
    page.get_by_label("So sánh").select_option(value="gt")
    value = page.get_by_label("Giá trị")
    assert value.get_attribute("inputmode") == "decimal"
    value.fill("90,5")
    page.get_by_label("Nguyên văn nghị quyết").fill("Trên 90,5% quần chúng được học tập nghị quyết")
    click_and_wait(page, page.get_by_role("button", name="Lưu"))
    target = Target.objects.get(year=world.year + 1, indicator="masses_studied")
    assert target.value == Decimal("90.50")
    page.get_by_text("> 90,50%").first.wait_for()
    bpage.shot("target-saved")
