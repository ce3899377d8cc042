"""Accessibility (issue 12, point 4): axe-core on the main pages of each role finds no serious or critical
violation; the navigation is readable and says where you are; focus is visible; a phone's primary actions are
big enough to tap; date fields open the number keypad and say their format.

axe-core is vendored from its npm package (static/vendor/axe-core-<version>/, see its README) and added to the
page only here, from the portal's own origin (the Content Security Policy allows nothing else).
"""

from __future__ import annotations

import re

import pytest

from .conftest import PHONE
from .steps import click_and_wait, open_period

pytestmark = pytest.mark.e2e

AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"
#: WCAG 2.1 A and AA rules, and axe's best practices.
RUN_AXE = """
async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    resultTypes: ["violations"],
  });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}
"""


def axe_violations(journey) -> list[str]:
    page = journey.page
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=journey.url(AXE))
    return page.evaluate(RUN_AXE)


def check_pages(journey, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        journey.goto(path)
        problems = axe_violations(journey)
        if problems:
            found[path] = problems
    return found


def test_axe_finds_nothing_serious_on_a_secretarys_pages_on_a_phone(journey_factory, world):
    journey = journey_factory("bithu01", PHONE)
    journey.login("bithu01")
    page = journey.page
    found = check_pages(
        journey,
        [
            "/",
            "/reports/",
            f"/organizations/{world.org1.pk}/",
            "/members/",
            f"/members/{world.members1[1].pk}/",
            "/members/candidates/",
            "/members/new/",
        ],
    )
    # The report: its period page, the form (started as a person does), the confirmation step.
    journey.goto("/reports/")
    click_and_wait(
        page, page.locator("main").get_by_role("link", name=world.last_month.label, exact=True).first
    )
    found.update({"report start page": axe_violations(journey)} if axe_violations(journey) else {})
    click_and_wait(page, page.get_by_role("button", name="Bắt đầu nhập báo cáo"))
    for what, problems in (("report form", axe_violations(journey)),):
        if problems:
            found[what] = problems
    report_path = journey.path()
    journey.goto(report_path.replace("/edit/", "/submit/"))
    if problems := axe_violations(journey):
        found["confirmation page"] = problems
    assert not found, found


def test_axe_finds_nothing_serious_on_staff_pages(journey_factory, world):
    from .world import report_with_study

    report = report_with_study(
        world, org=world.org1, period=world.last_month, by=world.secretary1, studied=[3, 2]
    )
    journey = journey_factory("vanphong")
    journey.login("vanphong")
    found = check_pages(
        journey,
        [
            "/",
            "/reports/review/",
            f"/reports/{report.pk}/",
            f"/reports/{report.pk}/return/",
            f"/reports/matrix/?year={world.last_month.year}",
            f"/reports/period-status/?period={world.last_month.pk}",
            "/reports/reminders/",
            "/reports/schedule/",
            "/reports/",
            f"/dashboard/?year={world.year}",
            f"/targets/?year={world.year}",
            "/organizations/",
            "/members/",
            "/members/import/",
            "/members/overdue/",
        ],
    )
    assert not found, found


def test_axe_finds_nothing_serious_on_leadership_pages(journey_factory, world):
    journey = journey_factory("lanhdao")
    journey.login("lanhdao")
    found = check_pages(
        journey,
        [
            f"/dashboard/?year={world.year}",
            f"/reports/matrix/?year={world.year}",
            "/organizations/",
            f"/organizations/{world.org2.pk}/",
            "/members/",
        ],
    )
    assert not found, found


def test_axe_finds_nothing_serious_on_a_cell_secretarys_pages_on_a_phone(journey_factory, world):
    """The cell secretary (bí thư chi bộ, issue 18) works on a phone: their cell's meetings, a new meeting's
    form, their cell's members and one of them, their cell's dues sheet (issue 19)."""
    import datetime as dt

    from django.urls import reverse

    from members import services as member_services
    from members.tests import factories as member_factories
    from organizations.models import Cell
    from organizations.tests.factories import cell_secretary_user

    from .world import DEMO_PASSWORD

    member_factories.dues_settings()  # data a transactional test's flush may have removed
    cell = Cell.objects.get(organization=world.org1, name="Chi bộ Văn phòng")
    user = cell_secretary_user(cell, username="bithu01.cb1")
    user.set_password(DEMO_PASSWORD)
    user.save()
    in_cell = next(m for m in world.members1 if m.cell_id == cell.pk)
    meeting = member_services.meeting_save(
        meeting=None, organization=world.org1, cell=cell,
        data={"held_on": world.today - dt.timedelta(days=1), "kind": "thuong_ky", "topics": "Nhiệm vụ tháng",
              "starts_at": dt.time(14, 0), "ends_at": dt.time(15, 40)},
        attendance={in_cell.pk: ("present", "")}, complete=True, by=world.secretary1,
    )  # fmt: skip
    unit = {"organization": world.org1.pk, "cell": cell.pk}
    journey = journey_factory("bithu01.cb1", PHONE)
    journey.login("bithu01.cb1")
    assert journey.path() == reverse("members:meeting_unit", kwargs=unit), "the home is the cell's meetings"
    found = check_pages(
        journey,
        [
            reverse("members:meeting_unit", kwargs=unit),
            reverse("members:meeting_create", kwargs=unit),
            reverse("members:meeting_detail", args=[meeting.pk]),
            reverse("members:member_list"),
            reverse("members:member_detail", args=[in_cell.pk]),
            reverse("members:dues_cell", kwargs=unit),
            reverse("password_change"),
        ],
    )
    assert not found, found


def test_axe_finds_nothing_serious_on_the_inspection_commissions_pages(journey_factory, world):
    """The Inspection Commission (kiem_tra, issue 19): its discipline and inspection registers, their forms and
    entries, and the pages it reads like leadership."""
    import datetime as dt

    from django.urls import reverse

    from discipline import services as discipline_services
    from discipline.models import DecidingBody, Violation
    from organizations import access

    from .world import _user

    inspector = _user("kiemtra", access.INSPECTION, "Ủy ban Kiểm tra", "")
    year = world.today.year
    discipline = discipline_services.discipline_record(
        subject="member", member=world.members1[1], organization=world.org1, form="khien_trach",
        deciding_body=DecidingBody.CHI_BO, decision_no="01-QĐ/CB", decided_on=world.today,
        effective_on=world.today, violation=Violation.SINH_HOAT, summary="Không đóng đảng phí nhiều tháng.",
        by=inspector,
    )  # fmt: skip
    programme = discipline_services.programme_save(
        programme=None, year=year, kind="kiem_tra", title="Kiểm tra thu nộp đảng phí", in_plan=True,
        decision_no="", starts_on=dt.date(year, 1, 5), ends_on=dt.date(year, 1, 30), organizations=[world.org1],
        by=inspector,
    )  # fmt: skip
    journey = journey_factory("kiemtra")
    journey.login("kiemtra")
    assert journey.path() == reverse("discipline:discipline_list"), "the home is the discipline register"
    found = check_pages(
        journey,
        [
            reverse("discipline:discipline_list"),
            reverse("discipline:discipline_create") + f"?organization={world.org1.pk}",
            reverse("discipline:discipline_detail", args=[discipline.pk]),
            reverse("discipline:appeal_create", args=[discipline.pk]),
            reverse("discipline:programme_list"),
            reverse("discipline:programme_create"),
            reverse("discipline:programme_detail", args=[programme.pk]),
            reverse("discipline:remedy_create", args=[programme.pk]),
            f"/dashboard/?year={world.year}",
            "/organizations/",
            "/members/",
        ],
    )
    assert not found, found


# --- what axe cannot judge alone -------------------------------------------------------------------------------


def contrast(page, selector: str) -> float:
    """The contrast ratio of the first element matching `selector` (its text colour blended over its nearest
    opaque background, as the eye sees a translucent colour) against that background."""
    return page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector);
          const rgba = s => { const v = s.match(/[\\d.]+/g).map(Number); return v.length === 4 ? v : [...v, 1]; };
          const lum = ([r, g, b]) => [r, g, b]
            .map(c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
            .reduce((acc, c, i) => acc + c * [0.2126, 0.7152, 0.0722][i], 0);
          let node = el, bg;
          while (node) { bg = rgba(getComputedStyle(node).backgroundColor); if (bg[3] === 1) break; node = node.parentElement; }
          const fg = rgba(getComputedStyle(el).color);
          const seen = [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
          const [a, b] = [lum(seen), lum(bg)];
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""",
        selector,
    )


def test_axe_itself_reports_a_serious_problem(journey_factory, world):
    """The check can fail: an image without a text alternative on the page is reported (critical)."""
    journey = journey_factory("lanhdao")
    journey.login("lanhdao")
    journey.page.evaluate("() => document.querySelector('main').appendChild(document.createElement('img'))")
    assert any(problem.startswith("image-alt (critical)") for problem in axe_violations(journey))


def test_the_navigation_is_readable_and_marks_where_you_are(journey_factory, world):
    journey = journey_factory("vanphong")
    journey.login("vanphong")
    page = journey.page
    journey.goto("/members/")
    assert contrast(page, ".navbar .nav-link") >= 4.5
    current = page.locator(".navbar [aria-current=page]")
    assert current.count() == 1 and current.text_content() == "Danh sách đảng viên"
    # The closed menu holding the current page shows it on its toggle.
    assert page.locator(".navbar .dropdown-toggle.active").inner_text() == "Đảng viên"
    journey.goto("/members/candidates/")
    assert page.locator(".navbar [aria-current=page]").text_content() == "Quần chúng ưu tú"
    journey.goto("/")
    assert page.locator(".navbar [aria-current=page]").inner_text() == "Việc cần làm"
    assert page.locator(".navbar .dropdown-toggle.active").count() == 0


def test_keyboard_focus_is_visible(journey_factory, world):
    journey = journey_factory("bithu01")
    journey.login("bithu01")
    page = journey.page
    journey.goto("/reports/")
    for _ in range(4):
        page.keyboard.press("Tab")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none" and float(style[1].rstrip("px")) >= 2, style


def test_primary_actions_are_big_enough_to_tap_on_a_phone_and_dates_say_their_format(journey_factory, world):
    journey = journey_factory("bithu01", PHONE)
    journey.login("bithu01")
    page = journey.page
    journey.goto("/reports/")
    open_period(page, page.locator("main").get_by_role("link", name=world.last_month.label, exact=True).first)
    for name in ("Lưu nháp", "Xem lại và nộp báo cáo", "Tải tệp lên"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)
    picker = page.locator("label.file-button").bounding_box()
    assert picker["height"] >= 44, picker
    toggler = page.get_by_role("button", name="Mở menu").bounding_box()
    assert toggler["height"] >= 44, toggler
    # "Chọn tệp…" is reached by the keyboard (the browser's own control, hidden, keeps the focus).
    page.locator("#id_file").focus()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('label.file-button')).outlineStyle") != "none"
    )
    # A date field: the number keypad, the format said in words.
    journey.goto("/members/new/")
    day = page.get_by_label(re.compile("^Ngày sinh"))
    assert day.get_attribute("inputmode") == "numeric" and day.get_attribute("placeholder") == "dd/mm/yyyy"
    hint = page.locator(f"#{day.get_attribute('id')}_helptext")
    assert "ví dụ 05/03/2021" in hint.inner_text()
