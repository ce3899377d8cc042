"""Yearly targets: staff list, add, edit and copy them; the article's 2021 set with its comparators."""

from decimal import Decimal

import pytest
from django.urls import reverse

from targets import services as target_services
from targets.models import Comparator, Target

from .factories import article_targets

pytestmark = pytest.mark.django_db


def _post(client, name, data, *args):
    return client.post(reverse(name, args=args), data)


def test_article_2021_set_has_eight_targets_with_the_right_comparators():
    assert len(article_targets()) == 8
    got = {t.indicator: (t.comparator, t.value, t.rating) for t in Target.objects.filter(year=2021)}
    assert got == {
        "unit_professional_good": ("gte", Decimal("90.00"), ""),  # "90% trở lên"
        "enterprise_effective": ("gt", Decimal("90.00"), ""),  # "trên 90%"
        "members_studied": ("eq", Decimal("100.00"), ""),
        "masses_studied": ("gt", Decimal("90.00"), ""),
        "theme_adopted": ("eq", Decimal("100.00"), ""),
        "admissions": ("gte", Decimal("120.00"), ""),
        "org_rating_good": ("gt", Decimal("90.00"), ""),
        "bloc_rating": ("eq", Decimal("0.00"), "HTXSNV"),
    }


def test_staff_lists_a_years_targets(client_for, staff):
    article_targets()
    page = client_for(staff).get(reverse("targets:target_list"), {"year": 2021})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Kết nạp 120 đảng viên trở lên" in body
    assert "&gt; 90%" in body and "≥ 120" in body and "= HTXSNV" in body
    assert "<code" not in body and "members_studied" not in body, "no indicator codes (English) on the page"
    assert client_for(staff).get(reverse("targets:target_list"), {"year": "abc"}).status_code == 200


def test_staff_creates_and_edits_a_target(client_for, staff):
    c = client_for(staff)
    data = {
        "year": 2022,
        "indicator": "admissions",
        "comparator": "gte",
        "value": "130",
        "rating": "",
        "wording": "Kết nạp 130 đảng viên trở lên",
        "order": 1,
    }
    response = _post(c, "targets:target_create", data)
    assert response.status_code == 302 and response["Location"].endswith("?year=2022")
    target = Target.objects.get(year=2022, indicator="admissions")
    assert target.value == Decimal("130")
    data["value"] = "140"
    assert _post(c, "targets:target_update", data, target.pk).status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal("140")
    assert target.history.first().history_user == staff


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("90,5", Decimal("90.5")),
        ("90.5", Decimal("90.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1.234", Decimal("1234")),
    ],
)
def test_decimals_are_typed_the_vietnamese_way(client_for, staff, typed, stored):
    """ "90,5" is 90,5 — never 905 (a number box in an English browser drops the comma); the dot of "90.5" is a
    decimal point too, and "1.234" groups thousands as Vietnamese writes them."""
    data = {
        "year": 2022,
        "indicator": "admissions",
        "comparator": "gte",
        "value": typed,
        "wording": "x",
        "order": 1,
    }
    assert _post(client_for(staff), "targets:target_create", data).status_code == 302
    target = Target.objects.get(year=2022)
    assert target.value == stored
    form = client_for(staff).get(reverse("targets:target_update", args=[target.pk])).content.decode()
    shown = f"{stored:.2f}".replace(".", ",")
    shown = shown if stored < 1000 else "1.234,50" if stored == Decimal("1234.5") else "1.234,00"
    assert (
        f'value="{shown}"' in form
        and 'inputmode="decimal"' in form
        and 'type="number" name="value"' not in form
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"indicator": "org_rating_good", "value": "101"}, "value", "Tỷ lệ không được lớn hơn 100%"),
        ({"indicator": "bloc_rating", "value": ""}, "rating", "cần chọn mức xếp loại"),
        ({"value": ""}, "value", "Nhập giá trị"),
        ({"rating": "HTTNV"}, "rating", "không chọn mức xếp loại"),
    ],
)
def test_target_form_refuses_nonsense(client_for, staff, changes, field, message):
    data = {
        "year": 2022,
        "indicator": "admissions",
        "comparator": "gte",
        "value": "130",
        "rating": "",
        "wording": "x",
        "order": 1,
    } | changes
    response = _post(client_for(staff), "targets:target_create", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


def test_one_target_per_indicator_and_year(client_for, staff):
    article_targets()
    data = {
        "year": 2021,
        "indicator": "admissions",
        "comparator": "gte",
        "value": "1",
        "wording": "x",
        "order": 1,
    }
    response = _post(client_for(staff), "targets:target_create", data)
    assert response.status_code == 200
    assert "Năm này đã có chỉ tiêu cho chỉ số này." in response.content.decode()


def test_copy_a_years_set_keeps_what_the_new_year_already_has(client_for, staff):
    article_targets()
    target_services.target_create(
        year=2022,
        indicator="admissions",
        comparator=Comparator.GTE,
        value=Decimal("150"),
        wording="Kết nạp 150",
    )
    response = _post(client_for(staff), "targets:target_copy", {"from_year": 2021, "to_year": 2022})
    assert response.status_code == 302 and response["Location"].endswith("?year=2022")
    assert Target.objects.filter(year=2022).count() == 8
    assert Target.objects.get(year=2022, indicator="admissions").value == Decimal("150")
    assert Target.objects.get(year=2022, indicator="org_rating_good").comparator == "gt"


def test_copy_refuses_the_same_year_or_an_empty_source(client_for, staff):
    c = client_for(staff)
    assert _post(c, "targets:target_copy", {"from_year": 2021, "to_year": 2021}).status_code == 302
    assert _post(c, "targets:target_copy", {"from_year": "x", "to_year": 2021}).status_code == 302
    assert not Target.objects.exists()


def test_targets_are_edited_by_staff_only(client_for, leader, secretary_a):
    target = target_services.target_create(
        year=2021, indicator="admissions", comparator="gte", value=Decimal("120"), wording="x"
    )
    assert client_for(secretary_a).get(reverse("targets:target_list")).status_code == 403
    page = client_for(leader).get(reverse("targets:target_list"), {"year": 2021})
    assert page.status_code == 200 and "Thêm chỉ tiêu" not in page.content.decode()
    for user in (leader, secretary_a):
        c = client_for(user)
        assert c.get(reverse("targets:target_create")).status_code == 403
        assert c.get(reverse("targets:target_update", args=[target.pk])).status_code == 403
        assert _post(c, "targets:target_copy", {"from_year": 2021, "to_year": 2022}).status_code == 403
    assert not Target.objects.filter(year=2022).exists()
