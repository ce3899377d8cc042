"""A secretary records a full membership, on factory data shaped like the demo (organisations "05" and "06", user bithu05).

1. A secretary (bithu05) finds a member of their own organisation, records that member's full membership on
   the right date, and cannot open a member of organisation "06".
2. Staff import a 500-row member spreadsheet, see the preview, fix the errors, import it, and export the
   filtered list back to XLSX.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from members.lifecycle import probation_ends_on
from members.models import EventKind, Member, MemberEvent, MemberStatus
from members.tests import factories as f
from organizations.tests.factories import OrganizationFactory, secretary_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def org05(db):
    return OrganizationFactory(code="05", name="Đảng bộ Sở Tài chính")


@pytest.fixture
def org06(db):
    return OrganizationFactory(code="06", name="Đảng bộ Sở Xây dựng")


def test_bithu05_records_full_membership_on_the_right_date_and_cannot_open_06(client_for, org05, org06):
    today = timezone.localdate()
    ceremony = today - dt.timedelta(days=400)
    anniversary = probation_ends_on(ceremony)
    mine = f.member(org05, ceremony_on=ceremony, name="Phạm Minh Đức")
    f.member(org05, ceremony_on=ceremony, name="Phạm Thị Hoa")
    theirs = f.member(org06, ceremony_on=ceremony, name="Phạm Văn Sáu")
    bithu05 = secretary_user(org05, username="bithu05")
    c = client_for(bithu05)

    # Find the member.
    listing = c.get(reverse("members:member_list"), {"q": "minh đức"}).content.decode()
    assert "Phạm Minh Đức" in listing and "Phạm Thị Hoa" not in listing and "Phạm Văn Sáu" not in listing
    detail = c.get(reverse("members:member_detail", args=[mine.pk])).content.decode()
    assert f"đủ 12 tháng: {anniversary:%d/%m/%Y}" in detail and "Công nhận chính thức" in detail

    # The form offers the anniversary; a day early is refused with the date to use.
    url = reverse("members:member_action", args=[mine.pk, "full"])
    form = c.get(url)
    assert form.status_code == 200 and anniversary.strftime("%d/%m/%Y") in form.content.decode()
    early = c.post(url, {"decided_on": f"{anniversary - dt.timedelta(days=1):%d/%m/%Y}"})
    assert early.status_code == 200 and "Chưa đủ 12 tháng dự bị" in early.content.decode()
    mine.refresh_from_db()
    assert mine.status == MemberStatus.DU_BI

    # On the anniversary: recorded, with who did it.
    done = c.post(url, {"decided_on": f"{anniversary:%d/%m/%Y}", "decision_no": "15-QĐ/ĐUK"})
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.status == MemberStatus.CHINH_THUC and mine.full_member_on == anniversary
    event = mine.events.get(kind=EventKind.FULL_MEMBER)
    assert event.effective_on == event.decided_on == anniversary and event.recorded_by == bithu05
    assert event.decision_no == "15-QĐ/ĐUK"

    # Organisation 06's member: not found, whatever the method; nothing changes.
    before = (MemberEvent.objects.count(), theirs.status)
    assert c.get(reverse("members:member_detail", args=[theirs.pk])).status_code == 404
    other = reverse("members:member_action", args=[theirs.pk, "full"])
    assert c.get(other).status_code == 404
    assert c.post(other, {"decided_on": f"{anniversary:%d/%m/%Y}"}).status_code == 404
    theirs.refresh_from_db()
    assert (MemberEvent.objects.count(), theirs.status) == before


def test_staff_import_500_rows_fix_errors_then_export_the_filtered_list(client_for, staff, org05, org06):
    rows = [
        ["05", f"Nguyễn Văn Nhập {i:03d}", "01/02/1990", "Nam" if i % 2 else "Nữ", f"0{i:05d}",
         "10/03/2021", "25/03/2021", "25/03/2022" if i % 3 == 0 else "", ""]
        for i in range(500)
    ]  # fmt: skip
    broken = [list(r) for r in rows]
    broken[10][0] = "99"  # unknown organisation
    broken[20][2] = "31/02/1990"  # not a date
    broken[30][1] = ""  # no name
    broken[40][6] = "01/03/2021"  # ceremony before the decision
    broken[50][7] = "26/03/2022"  # full membership not on the anniversary
    c = client_for(staff)
    url = reverse("members:member_import")

    preview = c.post(url, {"file": f.import_sheet(broken)})
    body = preview.content.decode()
    assert preview.status_code == 200 and "token" not in preview.context
    for message in (
        "Không có tổ chức mã “99”",
        "không phải ngày hợp lệ",
        "Thiếu dữ liệu",
        "không được trước ngày quyết định kết nạp",
        "Ngày chính thức phải đúng ngày tròn 12 tháng",
    ):
        assert message in body, message
    assert not Member.objects.exists()

    fixed = c.post(url, {"file": f.import_sheet(rows)})
    assert "Xác nhận nhập 500 đảng viên" in fixed.content.decode()
    assert not Member.objects.exists()  # the preview is a dry run
    assert c.post(url, {"confirm": "1", "token": fixed.context["token"]}).status_code == 302
    assert Member.objects.filter(organization=org05).count() == 500
    assert MemberEvent.objects.filter(kind=EventKind.ADMITTED).count() == 500
    assert MemberEvent.objects.filter(kind=EventKind.FULL_MEMBER).count() == 167
    f.member(org06, name="Không Xuất")

    export = c.get(
        reverse("members:member_list"), {"organization": org05.pk, "gender": "nu", "export": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(data) == 250 and {r[0] for r in data} == {"05"} and {r[3] for r in data} == {"Nữ"}
    assert all(r[6] == dt.datetime(2021, 3, 25) for r in data)
