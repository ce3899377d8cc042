"""Issue 19 in the browser: a secretary records a month's party dues on a 390 px phone (everyone on the roll on
one page, one button for "đã đóng", one member unpaid, one amount typed), and the Inspection Commission records
a discipline — which the member's organisation's rating form then refuses above KHTNV."""

import re

import pytest

from discipline.models import Discipline
from members import services as member_services
from members.models import ACTIVE_STATUSES, DuesLine
from members.tests import factories as member_factories
from organizations import access
from organizations.models import Cell
from organizations.tests.factories import cell_secretary_user

from .conftest import PHONE
from .steps import click_and_wait, nav
from .world import DEMO_PASSWORD, _user

pytestmark = pytest.mark.e2e


@pytest.fixture
def viewport():
    return PHONE


def _nav(page, name: str):
    nav(page, name)


def test_secretary_records_a_months_dues_on_a_phone(world, bpage):
    """QĐ 01-QĐ/TW 2026 / QĐ 342-QĐ/TW: what each owes is shown; "chưa thu" until recorded; Điều lệ Art. 8.1
    counts the unpaid month."""
    member_factories.dues_settings()  # data a transactional test's flush may have removed
    an, binh, cuong = (
        m for m in world.members1 if m.full_name in ("Nguyễn Văn An", "Phạm Thị Bình", "Hoàng Văn Cường")
    )
    for member in (an, binh):
        member_services.member_dues_save(member=member, category="hanh_chinh", income_base=9_000_000)
    bpage.login("bithu01")
    page = bpage.page
    _nav(page, "Đảng phí")
    page.get_by_role("heading", name=re.compile("Thu đảng phí tháng")).wait_for()
    assert "chưa thu" in page.locator("#dues-summary").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert "Lê Văn Đơn Vị Khác" not in page.content()  # organisation 02's member
    bpage.shot("dues-month-empty")
    page.get_by_role("button", name=re.compile("Đánh dấu “đã đóng” cho người chưa thu")).click()
    page.get_by_label(f"Tình trạng — {binh.full_name}").select_option(label="Chưa đóng")
    # No income base on file: the button leaves him; the secretary records what he paid.
    assert page.get_by_label(f"Tình trạng — {cuong.full_name}").input_value() == ""
    page.get_by_label(f"Tình trạng — {cuong.full_name}").select_option(label="Đã đóng")
    page.get_by_label(f"Số tiền — {cuong.full_name}").fill("50000")
    click_and_wait(page, page.get_by_role("button", name=re.compile("Lưu đảng phí tháng")))
    page.get_by_text(re.compile("Đã ghi đảng phí tháng")).wait_for()
    bpage.shot("dues-month-saved")
    lines = {line.member_id: line for line in DuesLine.objects.filter(organization=world.org1)}
    assert (lines[an.pk].status, lines[an.pk].amount_paid) == ("paid", 90_000)
    assert (lines[binh.pk].status, lines[binh.pk].amount_paid) == ("unpaid", 0)
    assert (lines[cuong.pk].status, lines[cuong.pk].amount_paid) == ("paid", 50_000)
    summary = page.locator("#dues-summary").inner_text()
    # The two members left blank (no base, nothing typed) stay "chưa thu" — on the sheet, not silently absent.
    assert "đã đóng 2" in summary and "chưa đóng 1" in summary and "chưa thu 2" in summary


def test_a_cell_secretary_records_their_cells_dues_on_a_phone(world, bpage):
    """Issue 19: collection per cell and month, "entered by the cell or TCCSĐ secretary". The cell secretary
    opens "Đảng phí" from the menu, sees their cell's members only and records the month."""
    member_factories.dues_settings()
    cell = Cell.objects.get(organization=world.org1, name="Chi bộ Văn phòng")
    user = cell_secretary_user(cell, username="bithu01.cb1")
    user.set_password(DEMO_PASSWORD)
    user.save()
    in_cell = [m for m in world.members1 if m.cell_id == cell.pk and m.status in ACTIVE_STATUSES]
    outside = [m for m in world.members1 if m.cell_id != cell.pk]
    assert in_cell and outside
    for member in in_cell:
        member_services.member_dues_save(member=member, category="hanh_chinh", income_base=8_000_000)
    bpage.login("bithu01.cb1")
    page = bpage.page
    _nav(page, "Đảng phí")
    page.get_by_role("heading", name=re.compile("Thu đảng phí tháng")).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    text = page.content()
    assert all(m.full_name in text for m in in_cell)
    assert not any(m.full_name in text for m in outside)
    page.get_by_role("button", name=re.compile("Đánh dấu “đã đóng” cho người chưa thu")).click()
    click_and_wait(page, page.get_by_role("button", name=re.compile("Lưu đảng phí tháng")))
    page.get_by_text(re.compile("Đã ghi đảng phí tháng")).wait_for()
    bpage.shot("dues-cell-saved")
    lines = DuesLine.objects.filter(organization=world.org1)
    assert {(line.member_id, line.cell_id, line.amount_paid) for line in lines} == {
        (m.pk, cell.pk, 80_000) for m in in_cell
    }


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}])
def test_the_inspection_commission_records_a_discipline(world, bpage, viewport):
    """Điều lệ Đảng Art. 35: the Inspection Commission records a warning of a member of organisation 01; the
    register shows it, 01's secretary reads it, and HD 21-HD/BTCTW §II.B leaves only KHTNV on the rating form."""
    _user("kiemtra", access.INSPECTION, "Ủy ban Kiểm tra", "")
    an = next(m for m in world.members1 if m.full_name == "Nguyễn Văn An")
    bpage.login("kiemtra")
    page = bpage.page
    page.get_by_role("heading", name="Sổ kỷ luật đảng").wait_for()
    click_and_wait(page, page.get_by_role("link", name="Ghi quyết định kỷ luật"))
    page.locator("#pick_organization").select_option(label=f"01 · {world.org1.name}")
    click_and_wait(page, page.get_by_role("button", name="Chọn tổ chức"))
    page.get_by_label("Đảng viên", exact=True).select_option(label=an.full_name)
    page.get_by_label("Hình thức kỷ luật").select_option(label="Cảnh cáo")
    page.get_by_label("Cấp quyết định").select_option(label="Ủy ban Kiểm tra Đảng ủy Khối")
    page.get_by_label("Số quyết định").fill("27-QĐ/UBKTĐUK")
    day = world.today.strftime("%d/%m/%Y")
    page.get_by_label("Ngày quyết định").fill(day)
    page.get_by_label("Ngày có hiệu lực").fill(day)
    page.get_by_label("Nhóm vi phạm").select_option(label="Sinh hoạt đảng, đóng đảng phí")
    page.get_by_label("Nội dung vi phạm").fill(
        "Không đóng đảng phí ba tháng liền, không có lý do chính đáng."
    )
    click_and_wait(page, page.get_by_role("button", name="Ghi vào sổ kỷ luật"))
    page.get_by_role("heading", name=f"Cảnh cáo: {an.full_name}").wait_for()
    bpage.shot("discipline-recorded")
    discipline = Discipline.objects.get(decision_no="27-QĐ/UBKTĐUK")
    assert (discipline.member, discipline.organization, discipline.recorded_by.username) == (
        an,
        world.org1,
        "kiemtra",
    )

    other = _journey_as(bpage, "bithu01")
    other.goto(f"/discipline/{discipline.pk}/")
    assert "27-QĐ/UBKTĐUK" in other.page.content()
    other.goto(f"/members/ratings/{world.org1.pk}/?year={world.today.year}")
    assert "chỉ xếp loại “Không hoàn thành nhiệm vụ”" in other.page.content()
    options = other.page.get_by_label(an.full_name).locator("option").all_inner_texts()
    assert options == ["— chưa xếp loại —", "Không hoàn thành nhiệm vụ"]


def _journey_as(journey, username):
    journey.page.context.clear_cookies()
    journey.login(username)
    return journey
