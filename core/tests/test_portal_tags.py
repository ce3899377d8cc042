"""The template helpers every page shares (``{% load portal %}``): rates always with two decimals and the
Vietnamese comma, counts never with a decimal, the current menu item marked, the page links of a paged list."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.paginator import Paginator

from core.templatetags.portal import count, get_item, nav_current, page_nav, rate


@pytest.mark.parametrize(
    ("value", "text"),
    [(87.7666, "87,77%"), (50.0, "50,00%"), (Decimal("99.165"), "99,17%"), (100, "100,00%"), (0, "0,00%"),
     (None, "—"), ("", "—"), (12345.678, "12.345,68%")],
)  # fmt: skip
def test_a_rate_has_two_decimals_rounded_half_up_like_the_documents(value, text):
    assert rate(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(130.0, "130"), (Decimal("130.0"), "130"), (1234, "1.234"), (None, "—"), (2.5, "3")]
)
def test_a_count_never_shows_a_decimal(value, text):
    assert count(value) == text


def test_the_current_menu_item_is_marked_for_assistive_technology():
    request = SimpleNamespace(path="/members/candidates/3/")
    assert "aria-current" not in nav_current(request, "/members/", exclude="/members/candidates/")
    assert 'aria-current="page"' in nav_current(request, "/members/candidates/")
    # Inside a menu: the item is current, its toggle only shows it holds the current page.
    assert nav_current(request, "/members/candidates/", css="dropdown-item") == (
        ' class="dropdown-item active" aria-current="page"'
    )
    assert nav_current(request, "/members/", css="nav-link dropdown-toggle", group=True) == (
        ' class="nav-link dropdown-toggle active"'
    )
    assert get_item({1: "a"}, 1) == "a" and get_item(None, 1) is None


def test_page_nav_links_the_other_pages_with_the_query_and_counts_in_vietnamese():
    pages = Paginator(range(7600), 50)
    assert page_nav(Paginator(range(3), 50).page(1), "year=2026") == ""  # one page: no links
    html = page_nav(
        pages.page(2), "year=2026&kind=month", anchor="#org-table", noun="tổ chức", extra_class="d-print-none"
    )
    assert '<nav aria-label="Trang" class="d-print-none">' in html
    assert 'href="?year=2026&amp;kind=month&amp;page=1#org-table">Trang đầu</a>' in html
    assert 'href="?year=2026&amp;kind=month&amp;page=1#org-table">Trang trước</a>' in html
    assert 'href="?year=2026&amp;kind=month&amp;page=3#org-table">Trang sau</a>' in html
    assert 'href="?year=2026&amp;kind=month&amp;page=152#org-table">Trang cuối</a>' in html
    assert "Trang 2/152 (7.600 tổ chức)" in html
    last = page_nav(pages.page(152), "", label="Trang nội dung")
    assert '<nav aria-label="Trang nội dung">' in last and 'href="?page=151">Trang trước' in last
    assert "Trang sau" not in last and "Trang 152/152</span>" in last
