"""The members pages: scoping per role, actions through the browser forms, import, export, query counts."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import EventKind, Member, MemberEvent, MemberStatus
from members.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_a(org_a):
    return f.member(org_a, ceremony_on=dt.date(2021, 3, 25), name="Lê Văn Dự Bị")


@pytest.fixture
def member_b(org_b):
    return f.member(org_b, ceremony_on=dt.date(2021, 3, 25), name="Trần Thị Bên B")


def _state():
    return (
        Member.objects.count(),
        MemberEvent.objects.count(),
        list(Member.objects.values_list("status", flat=True)),
    )


def test_anonymous_is_sent_to_login(client, member_a):
    response = client.get(reverse("members:member_detail", args=[member_a.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_secretary_sees_only_their_members(client_for, secretary_a, member_a, member_b):
    c = client_for(secretary_a)
    page = c.get(reverse("members:member_list")).content.decode()
    assert "Lê Văn Dự Bị" in page and "Trần Thị Bên B" not in page
    assert c.get(reverse("members:member_detail", args=[member_a.pk])).status_code == 200
    assert c.get(reverse("members:member_detail", args=[member_b.pk])).status_code == 404


@pytest.mark.parametrize("action", ["full", "transfer-out", "remove", "died", "edit", "rating"])
def test_secretary_cannot_act_on_another_organisations_member(client_for, secretary_a, member_b, action):
    c = client_for(secretary_a)
    url = (
        reverse("members:member_action", args=[member_b.pk, action])
        if action not in ("edit", "rating")
        else reverse(f"members:member_{action}", args=[member_b.pk])
    )
    before = _state()
    assert c.get(url).status_code == 404
    data = {"decided_on": "25/03/2022", "effective_on": "01/04/2022", "decision_no": "1", "full_name": "X"}
    assert c.post(url, data).status_code == 404
    assert _state() == before


def test_leadership_reads_but_cannot_change(client_for, leader, member_a):
    c = client_for(leader)
    page = c.get(reverse("members:member_detail", args=[member_a.pk])).content.decode()
    assert "Lê Văn Dự Bị" in page and "Công nhận chính thức" not in page and "Sửa thông tin" not in page
    before = _state()
    url = reverse("members:member_action", args=[member_a.pk, "full"])
    assert c.post(url, {"decided_on": "25/03/2022"}).status_code == 403
    assert c.get(reverse("members:member_create")).status_code == 403
    assert c.get(reverse("members:member_import")).status_code == 403
    assert _state() == before


def test_secretary_records_full_membership_on_the_right_date(client_for, secretary_a, member_a):
    """The issue's scenario: find the member, record the full membership; too early is explained."""
    c = client_for(secretary_a)
    listing = c.get(reverse("members:member_list"), {"q": "Dự Bị"}).content.decode()
    assert reverse("members:member_detail", args=[member_a.pk]) in listing
    url = reverse("members:member_action", args=[member_a.pk, "full"])
    early = c.post(url, {"decided_on": "24/03/2022", "decision_no": "07-QĐ/ĐU", "note": "ghi chú giữ lại"})
    assert early.status_code == 200
    body = early.content.decode()
    assert "Chưa đủ 12 tháng dự bị" in body and "25/03/2022" in body
    assert "07-QĐ/ĐU" in body and "ghi chú giữ lại" in body  # nothing typed is lost
    done = c.post(url, {"decided_on": "28/03/2022", "decision_no": "07-QĐ/ĐU"})
    assert done.status_code == 302
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.CHINH_THUC and member_a.full_member_on == dt.date(2022, 3, 25)
    detail = c.get(reverse("members:member_detail", args=[member_a.pk])).content.decode()
    assert "Công nhận đảng viên chính thức" in detail and "25/03/2022" in detail


def test_bad_dates_come_back_with_a_vietnamese_error(client_for, staff, org_a):
    c = client_for(staff)
    response = c.post(
        reverse("members:member_create"),
        {
            "organization": org_a.pk,
            "full_name": "Hoàng Văn Nhập",
            "birth_date": "31/02/1990",
            "gender": "nam",
            "arrival": EventKind.ADMITTED,
            "admission_decided_on": "10/03/2021",
            "ceremony_on": "05/03/2021",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Hoàng Văn Nhập" in body
    assert "Nhập ngày hợp lệ" in body or "ngày hợp lệ" in body
    assert not Member.objects.filter(full_name="Hoàng Văn Nhập").exists()


def test_member_detail_shows_seniority_badge_and_timeline(client_for, staff, org_a):
    m = f.member(
        org_a,
        ceremony_on=dt.date(1995, 2, 3),
        admission_decided_on=dt.date(1995, 1, 20),
        birth_date=dt.date(1970, 1, 1),
        full=True,
    )
    body = client_for(staff).get(reverse("members:member_detail", args=[m.pk])).content.decode()
    assert "Kết nạp" in body and "03/02/1995" in body
    assert "Huy hiệu 30 năm tuổi Đảng — 03/02/2025" in body or "Huy hiệu 40 năm" in body
    assert "Lịch sử thay đổi hồ sơ" in body  # staff see the history


# --- export ---------------------------------------------------------------------------------------------------


def test_exports_neutralise_formulae_and_follow_the_filter(client_for, staff, org_a, org_b):
    f.member(org_a, name='=HYPERLINK("http://x")')
    f.member(org_b, name="Người Khác")
    c = client_for(staff)
    response = c.get(reverse("members:member_list"), {"organization": org_a.pk, "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ['\'=HYPERLINK("http://x")']
    response = c.get(reverse("members:member_list"), {"organization": org_a.pk, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][1] == "Họ và tên" and rows[1][1].startswith("'=")
    assert len(rows) == 2


def test_candidate_export_follows_the_filter_and_neutralises_formulae(client_for, staff, org_a, org_b):
    f.candidate(org_a, name="@SUM(A1)")
    f.candidate(org_b, name="Người Khác")
    c = client_for(staff)
    response = c.get(reverse("members:candidate_list"), {"organization": org_a.pk, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["'@SUM(A1)"]
    response = c.get(reverse("members:candidate_list"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3


# --- import ---------------------------------------------------------------------------------------------------


GOOD = ["A1", "Đỗ Văn Một", "01/02/1990", "Nam", "", "10/03/2021", "25/03/2021", "", ""]
GOOD2 = ["A1", "Ngô Thị Hai", dt.datetime(1991, 5, 6), "Nữ", "", "10/03/2021", "25/03/2021", "25/03/2022", ""]
BAD = ["ZZ", "Sai Mã", "45/13/1990", "Khác", "", "10/03/2021", "01/03/2021", "", ""]


def test_import_preview_shows_row_errors_and_saves_nothing(client_for, staff, org_a):
    c = client_for(staff)
    response = c.post(reverse("members:member_import"), {"file": f.import_sheet([GOOD, BAD])})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Không có tổ chức mã “ZZ”" in body and "không phải ngày hợp lệ" in body
    assert "Giới tính phải là “Nam” hoặc “Nữ”" in body
    assert "Xác nhận nhập 1" not in body and "Xác nhận nhập 2" not in body
    assert not Member.objects.exists()


def test_import_preview_then_confirm_is_all_or_nothing(client_for, staff, org_a):
    c = client_for(staff)
    response = c.post(reverse("members:member_import"), {"file": f.import_sheet([GOOD, GOOD2])})
    body = response.content.decode()
    assert "Xác nhận nhập 2 đảng viên" in body and "Đỗ Văn Một" in body
    assert not Member.objects.exists()
    token = response.context["token"]
    done = c.post(reverse("members:member_import"), {"confirm": "1", "token": token})
    assert done.status_code == 302
    one, two = Member.objects.get(full_name="Đỗ Văn Một"), Member.objects.get(full_name="Ngô Thị Hai")
    assert one.status == MemberStatus.DU_BI and two.status == MemberStatus.CHINH_THUC
    assert MemberEvent.objects.filter(kind=EventKind.ADMITTED).count() == 2
    assert MemberEvent.objects.filter(kind=EventKind.FULL_MEMBER).count() == 1


def test_import_rolls_back_when_a_row_fails_at_confirmation(client_for, staff, org_a, monkeypatch):
    c = client_for(staff)
    response = c.post(reverse("members:member_import"), {"file": f.import_sheet([GOOD, GOOD2])})
    token = response.context["token"]
    # Between preview and confirmation the second row becomes invalid (a cell rule): nothing must be saved.
    from members import spreadsheets

    original = spreadsheets.MemberImportResource.save_instance

    def failing(self, instance, is_create, row, **kwargs):
        if row.get("Họ và tên") == "Ngô Thị Hai":
            from django.core.exceptions import ValidationError

            raise ValidationError({"Dòng": ["lỗi giả lập"]})
        return original(self, instance, is_create, row, **kwargs)

    monkeypatch.setattr(spreadsheets.MemberImportResource, "save_instance", failing)
    response = c.post(reverse("members:member_import"), {"confirm": "1", "token": token})
    assert "không dòng nào được nhập" in response.content.decode()
    assert not Member.objects.exists() and not MemberEvent.objects.exists()


def test_import_refuses_a_file_that_is_not_a_spreadsheet(client_for, staff):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "ds.xlsx"
    body = client_for(staff).post(reverse("members:member_import"), {"file": fake}).content.decode()
    assert "Chỉ nhận tệp Excel (.xlsx) hoặc CSV" in body


def test_import_500_rows(client_for, staff, org_a):
    rows = [
        ["A1", f"Đảng Viên Số {i}", "01/02/1990", "Nam", "", "10/03/2021", "25/03/2021", "", ""]
        for i in range(500)
    ]
    c = client_for(staff)
    response = c.post(reverse("members:member_import"), {"file": f.import_sheet(rows)})
    assert "Xác nhận nhập 500 đảng viên" in response.content.decode()
    c.post(reverse("members:member_import"), {"confirm": "1", "token": response.context["token"]})
    assert Member.objects.filter(organization=org_a).count() == 500


# --- query counts ---------------------------------------------------------------------------------------------


def _queries(client, url, **params):
    """The queries of the page computed afresh (an empty cache: what the page costs, not what it kept)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["staff", "secretary_a"])
def test_lists_and_detail_do_not_grow_in_queries(request, client_for, role, org_a):
    user = request.getfixturevalue(role)
    c = client_for(user)
    first = [f.member(org_a) for _ in range(3)]
    for _ in range(3):
        f.candidate(org_a)
    urls = [
        (reverse("members:member_list"), {"status": "du_bi"}),
        (reverse("members:candidate_list"), {}),
        (reverse("members:overdue_list"), {}),
        (reverse("members:member_detail", args=[first[0].pk]), {}),
    ]
    small = [_queries(c, u, **p) for u, p in urls]
    for _ in range(20):
        f.member(org_a)
        f.candidate(org_a)
    large = [_queries(c, u, **p) for u, p in urls]
    assert small == large


def test_garbage_query_strings_never_break_the_list(client_for, staff):
    c = client_for(staff)
    for params in ({"page": "abc"}, {"page": "-1"}, {"sort": "nonsense"}, {"admission_year": "xx"},
                   {"organization": "abc"}, {"status": "<script>"}, {"page": "99999"}, {"organization": "-1"},
                   {"organization": "0"}, {"organization": "99999999999999999999"}, {"q": "\x00%_"}):  # fmt: skip
        assert c.get(reverse("members:member_list"), params).status_code == 200, params
    for params in ({"page": "abc"}, {"page": "-3"}, {"page": "99999"}):
        assert c.get(reverse("members:overdue_list"), params).status_code == 200, params


def test_member_list_and_export_queries_do_not_change_past_the_typed_organisation_filter(
    client_for, staff, org_a, org_b, monkeypatch
):
    """Above SELECT_LIMIT organisations the filter becomes a typed id instead of a list: the same queries."""
    from members import filters
    from organizations.tests.factories import OrganizationFactory

    f.member(org_a)
    c = client_for(staff)
    url = reverse("members:member_list")
    params = [
        {"status": "du_bi", "organization": str(org_a.pk)},
        {},
        {"export": "xlsx", "organization": str(org_a.pk)},
    ]

    def queries(p):
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(url, p)
            b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def organisation_input():
        page = c.get(url).content.decode()
        return page[page.rindex("<", 0, page.index('name="organization"')) :][:60]

    monkeypatch.setattr(filters, "SELECT_LIMIT", 3)
    as_list = [queries(p) for p in params]
    assert organisation_input().startswith("<select")
    for _ in range(3):
        OrganizationFactory()
    typed = [queries(p) for p in params]
    assert 'type="number"' in organisation_input()
    assert as_list == typed


def test_reimporting_people_already_on_the_roll_flags_them_as_duplicates(client_for, staff, org_a):
    """Same name and birth date, or same party card number, as a member on a roll — or as a row above in the
    file: the preview names them and offers no confirmation, so a file imported twice doubles nobody."""
    c = client_for(staff)
    f.member(org_a, name="Đỗ Văn Một", birth_date=dt.date(1990, 2, 1))
    f.member(org_a, name="Lý Thị Thẻ", birth_date=dt.date(1980, 1, 1), card_number="012345")
    same_card = [
        "A1",
        "Lý Thị Thẻ Khác Tên",
        "03/03/1983",
        "Nữ",
        "012345",
        "10/03/2021",
        "25/03/2021",
        "",
        "",
    ]
    other = [
        "A1",
        "Đỗ Văn Một",
        "02/02/1990",
        "Nam",
        "",
        "10/03/2021",
        "25/03/2021",
        "",
        "",
    ]  # another birthday
    response = c.post(
        reverse("members:member_import"), {"file": f.import_sheet([GOOD, same_card, other, other])}
    )
    body = response.content.decode()
    assert (
        "Trùng với đảng viên đã có trong sổ (cùng họ tên và ngày sinh): Đỗ Văn Một, sinh 01/02/1990" in body
    )
    assert "Trùng với đảng viên đã có trong sổ (cùng số thẻ đảng viên 012345): Lý Thị Thẻ" in body
    assert body.count("Trùng với một dòng phía trên trong cùng tệp.") == 1  # the second "other" row
    assert "Xác nhận nhập 1" not in body and "Xác nhận nhập 2" not in body
    assert Member.objects.count() == 2


def test_the_import_template_names_its_sheet_in_vietnamese(client_for, staff):
    response = client_for(staff).get(reverse("members:member_import"), {"template": "1"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Danh sách đảng viên"]
