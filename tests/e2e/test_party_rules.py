"""The Party's rules in the browser, on a 390 px phone as a secretary uses it: the Huy hiệu Đảng round list (record a
dossier, export it) and a rule-bound step (the cell's resolution moves a late probation from "chi bộ chậm"
to the committee)."""

import datetime as dt
import re

import pytest
from openpyxl import load_workbook

from members import lifecycle
from members.lifecycle import add_months, badge_round_on
from members.models import BadgeAward, Member
from members.tests import factories as member_factories

from .conftest import PHONE
from .steps import click_and_wait, nav
from .world import PROBATIONER

pytestmark = pytest.mark.e2e

VETERAN = "Đặng Văn Lão Thành"


@pytest.fixture
def viewport():
    return PHONE


def _nav(journey, name: str):
    nav(journey.page, name)


def _fits_the_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def _section(page, heading: str):
    return page.locator("section").filter(has=page.get_by_role("heading", name=re.compile(heading)))


def test_secretary_prepares_the_badge_round_on_a_phone(world, bpage, tmp_path):
    """HD 01-HD/TW 2021 item 18: a member decided 30 years before the coming round is on its list (by the
    decision date); the secretary proposes the badge and exports the list."""
    round_on = badge_round_on(world.today)
    decided = add_months(round_on, -12 * 30)
    veteran = member_factories.member(
        world.org1,
        name=VETERAN,
        admission_decided_on=decided,
        ceremony_on=decided + dt.timedelta(days=20),  # counting from the ceremony would miss this round
        birth_date=dt.date(decided.year - 24, 6, 1),
        full=True,
    )
    bpage.login("bithu01")
    _nav(bpage, "Huy hiệu Đảng")
    page = bpage.page
    page.get_by_role("heading", name=f"Huy hiệu Đảng — đợt {round_on:%d/%m/%Y}").wait_for()
    row = page.get_by_role("listitem").filter(has_text=VETERAN)
    row.wait_for()
    assert "Huy hiệu 30 năm" in row.inner_text()
    assert "Lê Văn Đơn Vị Khác" not in page.content()  # organisation 02's member is not the secretary's
    _fits_the_phone(page)
    bpage.shot("badge-round")
    row.get_by_label(re.compile("Tình trạng hồ sơ")).select_option(label="Đề nghị")
    click_and_wait(page, row.get_by_role("button", name="Lưu"))
    page.get_by_text(re.compile("Đã ghi hồ sơ Huy hiệu 30 năm")).wait_for()
    assert "Hồ sơ: Đề nghị" in page.get_by_role("listitem").filter(has_text=VETERAN).inner_text()
    assert BadgeAward.objects.get(member=veteran).status == "de_nghi"
    bpage.shot("badge-proposed")
    with page.expect_download() as info:
        page.get_by_role("link", name="Xuất Excel").click()
    path = tmp_path / "huy-hieu.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][2] == "Họ và tên" and [r[2] for r in rows[1:]] == [VETERAN]
    assert rows[1][5] == 30 and rows[1][8] == "Đề nghị"


def test_recording_the_cells_resolution_moves_the_late_probation_to_the_committee(world, bpage):
    """QĐ 24-QĐ/TW §4.2 a and §4.3.1: with no resolution the cell is late; once the secretary records it, the
    probation is waiting on the committee above (late too when 30 working days have passed since)."""
    probationer = Member.objects.get(full_name=PROBATIONER)
    anniversary = lifecycle.probation_ends_on(probationer.ceremony_on)
    resolution = anniversary + dt.timedelta(days=3)
    committee_late = world.today > lifecycle.committee_full_due(resolution)

    bpage.login("bithu01")
    page = bpage.page
    bpage.goto("/members/overdue/")
    assert PROBATIONER in _section(page, "Chi bộ chậm").inner_text()
    _fits_the_phone(page)
    bpage.shot("overdue-cell-late")

    click_and_wait(page, _section(page, "Chi bộ chậm").get_by_role("link", name=PROBATIONER))
    page.get_by_text("Quá hạn xét chính thức: chi bộ chậm").wait_for()
    click_and_wait(page, page.get_by_role("link", name="Hồ sơ công nhận chính thức"))
    page.get_by_label("Ngày nghị quyết chi bộ đề nghị công nhận chính thức").fill(
        resolution.strftime("%d/%m/%Y")
    )
    page.get_by_label("Số giấy chứng nhận lớp bồi dưỡng đảng viên mới").fill("215/GCN-TTCT")
    page.get_by_label("Ngày cấp giấy chứng nhận lớp bồi dưỡng đảng viên mới").fill(
        anniversary.replace(day=1).strftime("%d/%m/%Y")
    )
    bpage.shot("dossier-form")
    click_and_wait(page, page.get_by_role("button", name="Ghi nhận"))
    page.get_by_text("Nghị quyết chi bộ đề nghị chính thức").wait_for()
    assert "chi bộ chậm" not in page.content()

    bpage.goto("/members/overdue/")
    assert PROBATIONER not in _section(page, "Chi bộ chậm").inner_text()
    committee = _section(page, "Cấp ủy cấp trên chậm").inner_text()
    assert (PROBATIONER in committee) == committee_late
    if committee_late:
        assert resolution.strftime("%d/%m/%Y") in committee
    bpage.shot("overdue-committee")
