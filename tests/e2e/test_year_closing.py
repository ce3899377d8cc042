"""Issue 14: staff close last year's figures on the dashboard, then import a member admitted that year; the
import's preview says it touches the closed year and asks for a reason, and last year's dashboard shows the
admissions figure as adjusted after closing, with the value at closing and the value now."""

import datetime as dt

import openpyxl
import pytest
from django.test import Client

from members.models import EventKind, MemberEvent
from organizations.models import ClosedYearChange
from organizations.tests.factories import staff_user
from reports.periods import periods_create

from .steps import click_and_wait
from .world import _member

pytestmark = pytest.mark.e2e

REASON = "Bổ sung hồ sơ kết nạp bị sót khi tổng hợp cuối năm"


def test_staff_close_a_year_and_see_an_adjusted_figure_marked(bpage, world, tmp_path):
    page = bpage.page
    last = world.year - 1
    periods_create(year=last)  # last year's reports are long due: the year may be closed
    _member(world.org1, "Trần Văn Năm Trước", ceremony_on=dt.date(last, 6, 12), by=world.staff)

    before = MemberEvent.objects.filter(kind=EventKind.ADMITTED, decided_on__year=last).count()
    assert before >= 1

    # Another staff member opens the page first: the body is cached, the form's CSRF field must still be ours
    # (served from the cache with theirs, the button answered 403).
    other = Client()
    other.force_login(staff_user("vp_khac"))
    assert 'id="year-close-form"' in other.get(f"/dashboard/?year={last}").content.decode()

    bpage.login("vanphong")
    bpage.goto(f"/dashboard/?year={last}")
    row = page.locator("#card-admissions")
    assert str(before) in row.inner_text()
    bpage.shot("before-closing")
    click_and_wait(page, page.get_by_role("button", name=f"Chốt số liệu năm {last}"))
    page.get_by_text(f"Số liệu năm {last} đã chốt").wait_for()
    assert page.get_by_role("button", name=f"Chốt số liệu năm {last}").count() == 0
    bpage.shot("closed")

    # Import a member admitted last year: the preview says so and asks for a reason.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Mã tổ chức", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày quyết định kết nạp", "Ngày vào Đảng"]
    )
    sheet.append(["01", "Lê Thị Bổ Sung", "07/09/1991", "Nữ", f"02/09/{last}", f"12/09/{last}"])
    upload = tmp_path / "bo-sung.xlsx"
    book.save(upload)
    bpage.goto("/members/import/")
    page.locator("input[type=file]").set_input_files(str(upload))
    click_and_wait(page, page.get_by_role("button", name="Xem trước"))
    page.get_by_text(f"Tệp này chạm đến số liệu năm đã chốt: {last}.").wait_for()
    bpage.shot("import-preview-closed-year")
    reason = page.get_by_label("Lý do điều chỉnh số liệu năm đã chốt")
    reason.fill(REASON)
    click_and_wait(page, page.get_by_role("button", name="Xác nhận nhập 1 đảng viên"))
    assert MemberEvent.objects.filter(kind=EventKind.ADMITTED, decided_on__year=last).count() == before + 1
    assert ClosedYearChange.objects.get(year=last).reason == REASON

    # Last year's dashboard: the admissions figure is marked adjusted, before and after, with the reason.
    bpage.goto(f"/dashboard/?year={last}")
    marked = page.locator("#card-admissions .adjusted-figure")
    marked.wait_for()
    assert "đã điều chỉnh sau khi chốt" in marked.inner_text()
    assert f"khi chốt: {before} → nay: {before + 1}" in marked.inner_text()
    page.get_by_text(REASON, exact=False).first.wait_for()
    bpage.shot("adjusted")
