"""The organisations pages: scoping per role, forms with Vietnamese errors, import, export, history, obligations."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Cell, Organization, OrganizationYear, UnitType
from organizations.tests.factories import CellFactory, OrganizationFactory, OrganizationYearFactory

pytestmark = pytest.mark.django_db


def _state():
    return list(Organization.objects.order_by("pk").values_list("code", "name", "left_on", "phone"))


def test_secretary_sees_only_their_organisation(client_for, secretary_a, org_a, org_b):
    c = client_for(secretary_a)
    page = c.get(reverse("organizations:organization_list")).content.decode()
    assert org_a.name in page and org_b.name not in page
    assert c.get(reverse("organizations:organization_detail", args=[org_b.pk])).status_code == 404
    before = _state()
    assert (
        c.post(reverse("organizations:organization_edit", args=[org_b.pk]), {"phone": "1"}).status_code == 404
    )
    assert _state() == before


def test_secretary_edits_only_the_contacts_of_their_own(client_for, secretary_a, org_a):
    c = client_for(secretary_a)
    response = c.post(
        reverse("organizations:organization_edit", args=[org_a.pk]),
        {"phone": "0233 385 1234", "address": "12 Lê Lợi", "email": "", "name": "Tên mới"},
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.phone == "0233 385 1234" and org_a.name == "Đảng bộ Sở A"
    assert c.get(reverse("organizations:organization_leave", args=[org_a.pk])).status_code == 403


def test_leadership_reads_but_cannot_change(client_for, leader, org_a):
    c = client_for(leader)
    body = c.get(reverse("organizations:organization_detail", args=[org_a.pk])).content.decode()
    assert org_a.name in body and "Sửa thông tin" not in body and "Thêm năm" not in body
    before = _state()
    for url in (
        reverse("organizations:organization_edit", args=[org_a.pk]),
        reverse("organizations:organization_leave", args=[org_a.pk]),
        reverse("organizations:year_create", args=[org_a.pk]),
        reverse("organizations:organization_create"),
    ):
        assert c.post(url, {"phone": "9", "left_on": "01/01/2022", "code": "ZZ"}).status_code == 403, url
    assert _state() == before


def test_create_keeps_what_was_typed_and_explains_errors(client_for, staff, org_a):
    c = client_for(staff)
    data = {
        "code": org_a.code,
        "name": "Đảng bộ Sở Mới",
        "kind": "dang_bo_co_so",
        "unit_type": UnitType.CO_QUAN_HANH_CHINH,
        "joined_on": "05/03/2021",
        "left_on": "01/01/2021",
    }
    body = c.post(reverse("organizations:organization_create"), data).content.decode()
    assert "Đã có tổ chức với mã này." in body and "Đảng bộ Sở Mới" in body
    data["code"] = "77"
    body = c.post(reverse("organizations:organization_create"), data).content.decode()
    assert "Ngày thôi trực thuộc phải sau ngày trực thuộc." in body
    data["left_on"] = ""
    assert c.post(reverse("organizations:organization_create"), data).status_code == 302
    assert Organization.objects.get(code="77").joined_on == dt.date(2021, 3, 5)


def test_leaving_the_bloc_keeps_the_organisation(client_for, staff, org_a):
    c = client_for(staff)
    assert (
        c.post(
            reverse("organizations:organization_leave", args=[org_a.pk]), {"left_on": "30/06/2022"}
        ).status_code
        == 302
    )
    org_a.refresh_from_db()
    assert org_a.left_on == dt.date(2022, 6, 30) and Organization.objects.filter(pk=org_a.pk).exists()


def test_year_record_rules(client_for, staff, org_a):
    c = client_for(staff)
    url = reverse("organizations:year_create", args=[org_a.pk])
    body = c.post(url, {"year": "2099", "party_rating": "HTTNV"}).content.decode()
    assert "Không nhập số liệu cho năm chưa tới." in body
    assert "enterprise_effective" not in body  # not an enterprise: the question is not asked
    assert (
        c.post(url, {"year": "2021", "party_rating": "HTTNV", "non_member_headcount": "120"}).status_code
        == 302
    )
    record = OrganizationYear.objects.get(organization=org_a, year=2021)
    assert record.party_rating == "HTTNV" and record.non_member_headcount == 120


def test_cells_only_under_a_dang_bo_co_so(client_for, staff):
    chi_bo = OrganizationFactory(kind="chi_bo_co_so")
    body = (
        client_for(staff)
        .post(
            reverse("organizations:cell_create", args=[chi_bo.pk]),
            {"name": "Chi bộ 1", "kind": "chi_bo", "is_active": "on"},
        )
        .content.decode()
    )
    assert "Chi bộ cơ sở chỉ có tổ đảng trực thuộc." in body
    assert not Cell.objects.exists()


def test_history_is_visible_to_staff_only(client_for, staff, secretary_a, org_a):
    c = client_for(staff)
    c.post(reverse("organizations:organization_edit", args=[org_a.pk]), {
        "code": org_a.code, "name": "Đảng bộ Sở A (đổi tên)", "kind": org_a.kind, "unit_type": org_a.unit_type,
        "joined_on": "01/01/2000",
    })  # fmt: skip
    body = c.get(reverse("organizations:organization_detail", args=[org_a.pk])).content.decode()
    assert "Lịch sử thay đổi" in body and "Đảng bộ Sở A (đổi tên)" in body and "vp" in body
    body = (
        client_for(secretary_a)
        .get(reverse("organizations:organization_detail", args=[org_a.pk]))
        .content.decode()
    )
    assert "Lịch sử thay đổi" not in body


def test_export_neutralises_formulae(client_for, staff):
    OrganizationFactory(code="90", name="=cmd|' /C calc'!A0")
    c = client_for(staff)
    response = c.get(reverse("organizations:organization_list"), {"q": "cmd", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    assert sheet.cell(row=2, column=2).value.startswith("'=")
    response = c.get(reverse("organizations:organization_list"), {"q": "cmd", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0][:2] == ["Mã", "Tên tổ chức"] and rows[1][1].startswith("'=")


def _upload(rows, name="ds.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã", "Tên tổ chức", "Loại hình", "Loại đơn vị", "Ngày trực thuộc"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = name
    return out


def test_import_preview_errors_then_all_or_nothing(client_for, staff):
    c = client_for(staff)
    url = reverse("organizations:organization_import")
    good = ["80", "Chi bộ Công ty Mới", "Chi bộ cơ sở", "Doanh nghiệp ngoài nhà nước", "01/07/2021"]
    bad = ["81", "", "Khác", "Không rõ", "32/01/2021"]
    body = c.post(url, {"file": _upload([good, bad])}).content.decode()
    assert "Thiếu dữ liệu." in body and "không phải ngày hợp lệ" in body and "không có trong danh mục" in body
    assert not Organization.objects.filter(code__in=["80", "81"]).exists()
    response = c.post(url, {"file": _upload([good])})
    assert "Xác nhận nhập 1 tổ chức" in response.content.decode()
    assert c.post(url, {"confirm": "1", "token": response.context["token"]}).status_code == 302
    created = Organization.objects.get(code="80")
    assert created.kind == "chi_bo_co_so" and created.unit_type == UnitType.DN_NGOAI_NHA_NUOC


def test_list_and_detail_do_not_grow_in_queries(client_for, staff):
    c = client_for(staff)

    def count(url):
        cache.clear()  # the pages are cached under the data's version: count the cold page every time
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    org = OrganizationFactory()
    CellFactory(organization=org)
    OrganizationYearFactory(organization=org, year=2021)
    urls = [
        reverse("organizations:organization_list"),
        reverse("organizations:organization_detail", args=[org.pk]),
    ]
    small = [count(u) for u in urls]
    for i in range(20):
        OrganizationFactory()
        CellFactory(organization=org)
        OrganizationYearFactory(organization=org, year=2000 + i)
    assert [count(u) for u in urls] == small


def test_staff_link_a_cell_secretary_to_one_cell(client):
    """A cell's secretary is an officer with a cell of the organisation (issue 18); a cell of another
    organisation, or a cell without that title, is refused."""
    from django.contrib.auth import get_user_model

    from organizations.models import Officer
    from organizations.tests.factories import staff_user

    org, other = OrganizationFactory(code="51"), OrganizationFactory(code="52")
    cell = Cell.objects.create(organization=org, name="Chi bộ Văn phòng")
    foreign = Cell.objects.create(organization=other, name="Chi bộ khác")
    user = get_user_model().objects.create_user(username="bithu51.cb1", password="x")
    client.force_login(staff_user())
    url = reverse("organizations:officer_add", args=[org.pk])
    page = client.post(url, {"user": user.pk, "title": "bi_thu_chi_bo", "cell": foreign.pk})
    assert page.status_code == 200 and not Officer.objects.filter(user=user).exists()
    page = client.post(url, {"user": user.pk, "title": "bi_thu_chi_bo"})
    assert "cần chọn chi bộ" in page.content.decode()
    assert client.post(url, {"user": user.pk, "title": "bi_thu_chi_bo", "cell": cell.pk}).status_code == 302
    assert Officer.objects.get(user=user).cell == cell
    assert "Bí thư chi bộ trực thuộc (Chi bộ Văn phòng)" in client.get(reverse(
        "organizations:organization_detail", args=[org.pk])).content.decode()  # fmt: skip
