"""The organisation and member lists are cached under the data's version (core/datacache.py): a second
look at the same page reads from the cache, and any change shows at once, for every user in their own scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services as member_services
from members.models import EventKind
from members.tests import factories as f
from organizations import services as org_services

pytestmark = pytest.mark.django_db


def _get(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('<form method="get"') : page.index("</main>")], len(ctx.captured_queries)


def test_organisation_list_is_served_from_the_cache_and_shows_a_rename_and_a_new_member_at_once(
    client_for, staff, org_a
):
    c = client_for(staff)
    url = reverse("organizations:organization_list")
    first, computed = _get(c, url)
    assert "Đảng bộ Sở A" in first
    again, cached = _get(c, url)
    assert again == first and cached < computed

    org_a.name = "Đảng bộ Sở A đổi tên"
    org_services.organization_save(organization=org_a)
    assert "Đảng bộ Sở A đổi tên" in _get(c, url)[0]

    before = _get(c, url)[0]
    f.member(org_a)
    assert _get(c, url)[0] != before  # the member count of A went up


def test_member_list_shows_a_correction_and_an_exit_at_once(client_for, staff, org_a):
    c = client_for(staff)
    member = f.member(org_a, name="Lê Văn Cũ")
    url = reverse("members:member_list")
    active = {"status": "du_bi"}
    assert "Lê Văn Cũ" in _get(c, url, active)[0]
    assert "Lê Văn Cũ" in _get(c, url, active)[0]  # from the cache

    member_services.member_update(
        member=member, full_name="Lê Văn Mới", birth_date=member.birth_date, gender=member.gender,
        cell=None, card_number="",
    )  # fmt: skip
    page = _get(c, url, active)[0]
    assert "Lê Văn Mới" in page and "Lê Văn Cũ" not in page

    member_services.member_end(
        member=member, kind=EventKind.REMOVED, effective_on=dt.date(2022, 1, 5),
        decided_on=dt.date(2022, 1, 5), decision_no="12-QĐ/ĐU",
    )  # fmt: skip
    assert "Lê Văn Mới" not in _get(c, url, active)[0]


def test_a_secretary_never_gets_the_page_cached_for_staff(client_for, staff, secretary_a, org_a, org_b):
    f.member(org_a, name="Người Của A")
    f.member(org_b, name="Người Của B")
    for name, params in (("members:member_list", {}), ("organizations:organization_list", {})):
        url = reverse(name)
        as_staff = _get(client_for(staff), url, params)[0]
        as_secretary = _get(client_for(secretary_a), url, params)[0]
        assert ("Người Của B" in as_staff or "Đảng bộ Sở B" in as_staff) and as_staff != as_secretary
        assert "Người Của B" not in as_secretary and "Đảng bộ Sở B" not in as_secretary


def test_a_new_member_renders_the_lists_table_afresh_and_keeps_their_filter_forms(
    client_for, staff, org_a, monkeypatch
):
    """The filter form and the table are two fragments: a new member changes the table (a row, a count), not the
    form's lists of organisations and cells, which is served as it was (issue 20: the lists right after a new
    member)."""
    from core.templatetags import fields

    rendered = []
    render_field = fields.render_field
    monkeypatch.setattr(fields, "render_field", lambda *a, **k: rendered.append(1) or render_field(*a, **k))
    c = client_for(staff)
    for url, count_id in (
        (reverse("members:member_list"), "member-count"),
        (reverse("organizations:organization_list"), "organization-count"),
    ):
        before = _get(c, url)[0]
        assert rendered  # the form's fields, rendered once
        rendered.clear()
        f.member(org_a, name="Ngô Thị Mới Vào")
        after = _get(c, url)[0]
        assert rendered == []  # the form came from the cache
        assert after != before and f'id="{count_id}"' in after  # the table (its count) afresh
