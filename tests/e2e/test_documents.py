"""The documents the office signs, driven as people do — staff finalise the period summary with a
number from the register and download it in Word; a secretary on a phone downloads their report as a PDF from
the report page, to print, sign, scan and attach."""

import re

import pytest
from django.utils import timezone

from core.documents import docx_text
from organizations.models import OutgoingDocument
from reports.models import PeriodicReport

from .conftest import PHONE
from .steps import click_and_wait, open_period

pytestmark = pytest.mark.e2e

SIGNER = "Nguyễn Văn Hùng"


def test_staff_finalise_the_summary_with_a_number_and_download_the_docx(bpage, world):
    page = bpage.page
    period = world.last_month
    bpage.login("vanphong")
    bpage.goto(f"/reports/period-summary/?period={period.pk}")
    page.get_by_text("Bản tải về là dự thảo").wait_for()
    bpage.shot("summary-draft")

    click_and_wait(page, page.get_by_role("link", name="Hoàn thành, cấp số…"))
    page.get_by_text("01-BC/ĐUK").first.wait_for()  # the number the register will give
    issued_on = page.get_by_label("Ngày ban hành")
    assert issued_on.input_value() == timezone.localdate().strftime("%d/%m/%Y"), "default: today"
    page.get_by_label("Người ký", exact=False).and_(page.get_by_role("textbox")).fill(SIGNER)
    page.get_by_label("Chức vụ người ký").select_option(label="Bí thư")
    assert "Lưu Văn phòng Đảng ủy Khối" in page.get_by_label(re.compile("Nơi nhận")).input_value()
    bpage.shot("issue-form")
    click_and_wait(page, page.get_by_role("button", name="Cấp số"))
    page.get_by_text("Đã cấp số 01-BC/ĐUK").wait_for()
    assert bpage.path() == f"/reports/period-summary/?period={period.pk}"
    entry = OutgoingDocument.objects.get()
    assert (entry.number_text, entry.signer_name, entry.issued_by.username) == (
        "01-BC/ĐUK",
        SIGNER,
        "vanphong",
    )
    bpage.shot("numbered")

    with page.expect_download() as info:
        page.get_by_role("link", name="Tải Word (.docx)").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    text = " ".join(docx_text(open(download.path(), "rb").read()).split())
    assert "Số 01-BC/ĐUK" in text and SIGNER in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text


def test_a_secretary_on_a_phone_downloads_the_report_as_pdf(journey_factory, world):
    secretary = journey_factory("bithu01", PHONE)
    page = secretary.page
    secretary.login("bithu01")
    secretary.goto("/reports/")
    open_period(page, page.locator("main").get_by_role("link", name=world.last_month.label, exact=True).first)
    page.get_by_role("heading", name=f"Báo cáo {world.last_month.label}").wait_for()
    link = page.get_by_role("link", name="Tải bản PDF")
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    secretary.shot("report-page")
    with page.expect_download() as info:
        link.click()
    download = info.value
    report = PeriodicReport.objects.get(organization=world.org1, period=world.last_month)
    assert (
        download.suggested_filename
        == f"bao-cao-01-month-{world.last_month.year}-{world.last_month.number:02d}.pdf"
    )
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF") and len(data) > 5000
    assert report.pk  # the report the page opened is the one downloaded
