"""Two people editing one organisation (the secretary on a phone), a lockout and its
unlock. (The back button after a logout is not driven here: this headless Chromium asks the server again even
without ``Cache-Control: no-store``, so such a journey could not fail; khoi_portal/tests/test_operations.py checks the header
on every page instead.)"""

import re

import pytest
from django.conf import settings

from organizations.models import Organization

from .conftest import PHONE
from .steps import click_and_wait

pytestmark = pytest.mark.e2e


def test_two_people_editing_an_organisation_neither_overwrites_the_other(journey_factory, world):
    """Staff (desktop) and the secretary (phone) open the organisation's form; staff save a new phone number;
    the secretary, who opened the form before, saves a new address: the portal refuses (409), keeps the address
    typed, shows the new phone and who changed it; saving again keeps both changes."""
    staff = journey_factory("vanphong")
    secretary = journey_factory("bithu01", PHONE)
    staff.login("vanphong")
    secretary.login("bithu01")
    edit = f"/organizations/{world.org1.pk}/edit/"
    staff.goto(edit)
    secretary.goto(edit)

    staff.page.get_by_label("Điện thoại").fill("0233 3852 999")
    click_and_wait(staff.page, staff.page.get_by_role("button", name="Lưu"))
    staff.page.get_by_text("Đã lưu thông tin tổ chức.").wait_for()

    secretary.allow_console(r"status of 409\b")  # Chromium's note about the refused save: expected here
    page = secretary.page
    page.get_by_label("Địa chỉ").fill("Số 9 Hùng Vương, Đông Hà")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    banner = page.locator("#edit-conflict")
    banner.wait_for()
    assert "Chưa lưu" in banner.inner_text() and "0233 3852 999" in banner.inner_text()
    assert "Văn phòng" in banner.inner_text()  # who changed it (the staff account's name)
    assert page.get_by_label("Địa chỉ").input_value() == "Số 9 Hùng Vương, Đông Hà"  # what they typed is kept
    assert (
        page.get_by_label("Điện thoại").input_value() == "0233 3852 999"
    )  # the field they left: as stored now
    secretary.shot("conflict-on-a-phone")
    assert Organization.objects.get(pk=world.org1.pk).address != "Số 9 Hùng Vương, Đông Hà"

    click_and_wait(page, page.get_by_role("button", name="Lưu"))
    page.get_by_text("Đã lưu thông tin tổ chức.").wait_for()
    saved = Organization.objects.get(pk=world.org1.pk)
    assert (saved.phone, saved.address) == ("0233 3852 999", "Số 9 Hùng Vương, Đông Hà")


def test_a_locked_out_secretary_is_told_until_when_and_staff_unlock_them(journey_factory, world):
    secretary = journey_factory("bithu01", PHONE)
    page = secretary.page
    secretary.allow_console(r"status of 429\b")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        secretary.goto("/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill("bithu01")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau")
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Tạm khóa đăng nhập").wait_for()
    assert re.search(r"đến \d\d:\d\d ngày \d\d/\d\d/\d{4}", page.locator("#locked-until").inner_text())
    secretary.shot("locked-out")

    staff = journey_factory("vanphong")
    staff.login("vanphong")
    staff.goto("/accounts/lockouts/")
    row = staff.page.locator("tr", has_text="bithu01")
    assert "Khóa đến" in staff.page.locator("thead").inner_text()
    staff.shot("lockout-list")
    click_and_wait(staff.page, row.get_by_role("button", name="Mở khóa"))
    staff.page.get_by_text("Không có tài khoản nào bị khóa.").wait_for()

    secretary.login("bithu01")  # the real password works again at once
