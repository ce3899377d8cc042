"""Small helpers shared by the journeys: find a control by its Vietnamese wording, or mark a missing feature."""

from __future__ import annotations

import os
import re

import pytest


def first_visible(locator):
    """The first visible element of `locator`, or None."""
    for i in range(locator.count()):
        item = locator.nth(i)
        if item.is_visible():
            return item
    return None


def control(page, words: str, *, roles=("link", "button")):
    """The first visible link or button whose accessible name matches the regex `words`, or None."""
    # Playwright writes the regex into a `/…/i` selector: a bare slash would end it early.
    pattern = re.compile(words.replace("/", r"\/"), re.I)
    for role in roles:
        found = first_visible(page.get_by_role(role, name=pattern))
        if found is not None:
            return found
    return None


def need(found, feature: str):
    """Stop the journey as an expected failure when the feature it drives is not built yet."""
    if found is None or found is False:
        if os.environ.get("E2E_STRICT") == "1":  # once every feature has landed: a missing one is a failure
            pytest.fail(f"feature missing: {feature}", pytrace=False)
        pytest.xfail(f"feature not built yet: {feature}")
    return found


def field(page, label: str):
    """The visible form field labelled by the regex `label`, or None."""
    return first_visible(page.get_by_label(re.compile(label.replace("/", r"\/"), re.I)))


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def open_period(page, link):
    """Follow a period's link from the report list; if its report is not started yet, start it the way a
    person does ("Bắt đầu nhập báo cáo")."""
    click_and_wait(page, link)
    start = page.get_by_role("button", name="Bắt đầu nhập báo cáo")
    if start.count():
        click_and_wait(page, start)


def nav(page, name: str):
    """Follow the main navigation's link `name` the way a person does: open the collapsed menu on a phone, then
    the menu that holds the link (Đảng viên ▾, Sổ sách ▾, Quản trị ▾) when it sits in one."""
    toggler = page.get_by_role("button", name="Mở menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        # Bootstrap's collapse animates (.collapsing) before the menu is shown: a click during it may be lost.
        page.locator(".navbar-collapse.show:not(.collapsing)").wait_for()
    bar = page.get_by_role("navigation", name="Điều hướng chính")
    link = bar.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        hidden = page.get_by_role("link", name=name, exact=True, include_hidden=True)  # a closed menu's item
        holder = bar.locator("li.dropdown", has=hidden)
        holder.locator(".dropdown-toggle").click()
        link.wait_for(state="visible")
    click_and_wait(page, link)
