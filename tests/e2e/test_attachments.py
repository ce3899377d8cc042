"""The signed scan, attached as a person does it: a secretary on a phone picks a real PDF, staff download it.

The test client skips CSRF checks, so for months every upload answered 403 in a browser while the suite was
green (the attachment forms were included with `only` and lost their token). This journey goes through
Chromium's own form submission, with the browser's cookies and the page's token.
"""

import re

import pytest

from reports.models import ReportAttachment

from .conftest import PHONE
from .steps import click_and_wait, open_period

pytestmark = pytest.mark.e2e


def signed_scan_pdf() -> bytes:
    """A small but real one-page PDF (what a scanner's "save as PDF" makes, minus the picture)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # the content stream, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    text = b"BT /F1 14 Tf 72 760 Td (Bao cao thang - ban quet co chu ky) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_secretary_attaches_a_signed_pdf_on_a_phone_and_staff_download_it(journey_factory, world, tmp_path):
    scan = tmp_path / "bien-ban-ky.pdf"
    scan.write_bytes(signed_scan_pdf())

    secretary = journey_factory("bithu01", PHONE)
    page = secretary.page
    secretary.login("bithu01")
    secretary.goto("/reports/")
    # Last month's report: overdue or still due, depending on today's date.
    open_period(page, page.locator("main").get_by_role("link", name=world.last_month.label, exact=True).first)
    page.get_by_role("heading", name=f"Báo cáo {world.last_month.label}").wait_for()

    page.get_by_label(re.compile("Tệp đính kèm|Chọn tệp", re.I)).set_input_files(str(scan))
    secretary.shot("file-chosen")
    click_and_wait(page, page.get_by_role("button", name="Tải tệp lên"))
    assert "Biểu mẫu chưa được gửi đi" not in page.content(), "the upload was refused (CSRF)"
    page.get_by_role("link", name="bien-ban-ky.pdf").wait_for()
    secretary.shot("attached")
    attachment = ReportAttachment.objects.get(report__period=world.last_month, is_removed=False)
    assert attachment.original_name == "bien-ban-ky.pdf" and attachment.size == scan.stat().st_size

    staff = journey_factory("vanphong")
    staff.login("vanphong")
    staff.goto(f"/reports/{attachment.report_id}/")
    with staff.page.expect_download() as download_info:
        staff.page.get_by_role("link", name="bien-ban-ky.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "bien-ban-ky.pdf"
    assert open(download.path(), "rb").read() == scan.read_bytes()
    staff.shot("downloaded")

    # The secretary removes it again ("Gỡ tệp" is a form too).
    click_and_wait(page, page.get_by_role("button", name="Gỡ tệp bien-ban-ky.pdf"))
    page.get_by_text("Chưa có tệp đính kèm.").wait_for()
    attachment.refresh_from_db()
    assert attachment.is_removed


def test_a_session_ended_in_another_tab_loses_nothing_typed(journey_factory, world):
    """The session ends in another tab (log out, log in again: a new CSRF token). Submitting the old tab's form
    shows the Vietnamese page, not Django's English 403; its link leads back to the form, where the browser's
    copy of what was typed is offered again."""
    secretary = journey_factory("bithu01", PHONE)
    page = secretary.page
    secretary.login("bithu01")
    secretary.goto("/reports/")
    open_period(page, page.locator("main").get_by_role("link", name=world.last_month.label, exact=True).first)
    form_path = secretary.path()
    typed = "Chi bộ họp đủ, có ý kiến đóng góp thẳng thắn."
    page.get_by_label("Kết quả", exact=True).fill(typed)

    # In another tab of the same browser: log out, log in again (Django gives the session a new CSRF token).
    other_tab = secretary.new_page()
    other_tab.goto(secretary.url("/accounts/login/"))
    with other_tab.expect_navigation():
        other_tab.locator("form[action='/accounts/logout/'] button").dispatch_event("click")
    other_tab.goto(secretary.url("/accounts/login/"))
    other_tab.get_by_label("Tên đăng nhập").fill("bithu01")
    other_tab.get_by_label("Mật khẩu").fill("demo-khoi-2021")
    with other_tab.expect_navigation():
        other_tab.get_by_role("button", name="Đăng nhập").click()
    secretary.allow_console(r"status of 403\b")

    page = secretary.page
    click_and_wait(page, page.get_by_role("button", name="Lưu nháp"))
    page.get_by_role("heading", name="Biểu mẫu chưa được gửi đi").wait_for()
    assert "Forbidden" not in page.content()
    secretary.shot("csrf-page")
    click_and_wait(page, page.get_by_role("link", name="Mở lại biểu mẫu"))
    assert secretary.path() == form_path
    page.get_by_role("button", name=re.compile("Khôi phục", re.I)).click()
    assert page.get_by_label("Kết quả", exact=True).input_value() == typed
    secretary.shot("restored")
