"""Resolutions to study per year: staff list, add, edit, copy; others refused."""

import pytest
from django.urls import reverse

from reports.models import Resolution

from .factories import ResolutionFactory

pytestmark = pytest.mark.django_db


def test_staff_manage_resolutions(client_for, staff):
    c = client_for(staff)
    response = c.post(
        reverse("reports:resolution_create"),
        {
            "year": 2021,
            "title": "Nghị quyết Đại hội XIII",
            "short_title": "NQ ĐH XIII",
            "required": "on",
            "order": 1,
        },
    )
    assert response.status_code == 302
    r = Resolution.objects.get()
    dup = c.post(
        reverse("reports:resolution_create"),
        {"year": 2021, "title": "Khác", "short_title": "NQ ĐH XIII", "order": 2},
    )
    assert "Năm này đã có nghị quyết cùng tên ngắn." in dup.content.decode()
    c.post(
        reverse("reports:resolution_update", args=[r.pk]),
        {"year": 2021, "title": r.title, "short_title": "NQ 13", "order": 1},
    )
    r.refresh_from_db()
    assert r.short_title == "NQ 13" and r.required is False
    assert "NQ 13" in c.get(reverse("reports:resolution_list"), {"year": 2021}).content.decode()


def test_copy_a_year(client_for, staff):
    ResolutionFactory(year=2021, short_title="A")
    ResolutionFactory(year=2021, short_title="B")
    ResolutionFactory(year=2022, short_title="A")
    client_for(staff).post(reverse("reports:resolution_copy"), {"from_year": 2021, "to_year": 2022})
    assert sorted(Resolution.objects.filter(year=2022).values_list("short_title", flat=True)) == ["A", "B"]


def test_others_are_refused(client_for, leader, secretary_a):
    # Leadership reads the list (without edit buttons); a secretary does not use it.
    assert client_for(secretary_a).get(reverse("reports:resolution_list")).status_code == 403
    page = client_for(leader).get(reverse("reports:resolution_list"))
    assert page.status_code == 200 and "Thêm nghị quyết" not in page.content.decode()
    for user in (leader, secretary_a):
        c = client_for(user)
        assert c.post(reverse("reports:resolution_create"), {"year": 2021}).status_code == 403
    assert not Resolution.objects.exists()
