"""The page itself — language, labels, keyboard use, nothing broken, nothing external."""

import pytest

from .conftest import PHONE
from .steps import open_period

pytestmark = pytest.mark.e2e

#: Form controls a person fills in (hidden inputs and buttons need no label).
UNLABELLED_FIELDS_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes((el.type || '').toLowerCase()))
  .filter(el => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.labels && el.labels.length) return false;
    if (el.closest('label')) return false;
    return true;
  })
  .map(el => el.outerHTML.slice(0, 160))
"""


def assert_page_is_sound(journey, what: str):
    page = journey.page
    assert page.evaluate("document.documentElement.lang") == "vi", f"{what}: <html lang> is not vi"
    unlabelled = page.evaluate(UNLABELLED_FIELDS_JS)
    assert not unlabelled, f"{what}: form fields without a label: {unlabelled}"
    # Every stylesheet and script came from the portal and loaded (the Journey checks the requests too).
    css_ok = page.evaluate(
        "() => Array.from(document.styleSheets).every(s => { try { return s.cssRules.length > 0 } catch (e) { return false } })"
    )
    assert css_ok, f"{what}: a stylesheet is empty or unreadable"
    assert page.evaluate("typeof window.bootstrap") == "object", f"{what}: Bootstrap's JS did not load"
    assert page.evaluate("typeof window.htmx") == "object", f"{what}: htmx did not load"


def tab_until(page, predicate_js: str, limit: int = 60) -> bool:
    """Press Tab until the focused element satisfies `predicate_js` (a JS arrow function of the element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate_js})(document.activeElement)"):
            return True
    return False


def test_login_page_is_vietnamese_labelled_and_keyboard_usable(bpage, world):
    page = bpage.page
    bpage.goto("/accounts/login/")
    assert_page_is_sound(bpage, "login page")
    bpage.shot("login")
    # Keyboard only: Tab to the user name, type, Tab to the password, type, Tab to the button, Enter.
    assert tab_until(page, "el => el.name === 'username'"), "Tab never reaches the user name field"
    page.keyboard.type("bithu01")
    assert tab_until(page, "el => el.name === 'password'", limit=3), (
        "Tab from user name does not reach password"
    )
    page.keyboard.type("demo-khoi-2021")
    assert tab_until(page, "el => el.type === 'submit'", limit=5), "Tab never reaches the submit button"
    assert page.evaluate("document.activeElement.textContent.trim()") == "Đăng nhập"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert bpage.path() == "/", page.url
    page.get_by_role("heading", name=world.org1.name).wait_for()
    bpage.shot("home-after-keyboard-login")


def test_wrong_password_is_refused_in_vietnamese(bpage, world):
    page = bpage.page
    bpage.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("bithu01")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert "/accounts/login/" in page.url
    page.get_by_text("Tên đăng nhập và mật khẩu chính xác").wait_for(state="visible")
    assert page.get_by_label("Tên đăng nhập").input_value() == "bithu01"


@pytest.mark.parametrize("username", ["bithu01", "vanphong", "lanhdao"])
def test_each_role_home_is_sound(journey_factory, world, username):
    journey = journey_factory(username)
    journey.login(username)
    assert_page_is_sound(journey, f"home of {username}")
    journey.shot("home")


def test_phone_navigation_menu_opens(journey_factory, world):
    journey = journey_factory("phone", PHONE)
    journey.login("bithu01")
    page = journey.page
    toggler = page.get_by_role("button", name="Mở menu")
    assert toggler.is_visible(), "the navigation collapses behind a menu button on a phone"
    toggler.click()
    menu = page.get_by_role("navigation", name="Điều hướng chính")
    menu.get_by_role("link", name="Báo cáo", exact=True).wait_for(state="visible")
    menu.get_by_role("button", name="Đảng viên").click()  # a menu inside the menu: its items unfold
    menu.get_by_role("link", name="Danh sách đảng viên", exact=True).wait_for(state="visible")
    journey.shot("phone-menu-open")


def test_report_form_is_labelled_and_its_submit_reachable_by_keyboard(bpage, world):
    page = bpage.page
    bpage.login("bithu01")
    bpage.goto("/reports/")
    open_period(page, page.locator("main").get_by_role("link", name=world.last_month.label, exact=True).first)
    page.get_by_role("button", name="Xem lại và nộp báo cáo").wait_for()
    assert_page_is_sound(bpage, "report form")
    bpage.shot("report-form")
    # From the top of the page, Tab alone reaches "Lưu nháp" and then "Xem lại và nộp báo cáo".
    assert tab_until(
        page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Lưu nháp'", limit=200
    ), "Tab never reaches the report form's save button"
    assert tab_until(
        page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Xem lại và nộp báo cáo'", limit=2
    ), "Tab from 'Lưu nháp' does not reach 'Xem lại và nộp báo cáo'"
    bpage.shot("report-submit-focused")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Submitting the untouched form asks for what is missing, in Vietnamese, on the page itself.
    page.get_by_text("Cần ghi kết quả trước khi nộp.").wait_for()
    bpage.shot("report-submit-by-keyboard")
