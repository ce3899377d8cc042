"""Importing a month's dues collection from a spreadsheet (issue 19, "imports/exports like the member registry"):
the one import wizard, each row saved by the month sheet's services (QĐ 342-QĐ/TW 2010 / QĐ 01-QĐ/TW 2026: the
member's rate of their base; exempt only with a reason; only members on the roll at the month's end — Điều lệ
Art. 8.1 counts unpaid months only of members on the roll), errors by row number, scoped to one's organisation."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.spreadsheets import Sheet, xlsx_bytes
from members import dues_imports, services
from members.models import DuesLine, DuesStatus, MemberDues
from members.tests import factories as f

pytestmark = pytest.mark.django_db

HEADERS = [header for _, header in dues_imports.COLUMNS]


@pytest.fixture(autouse=True)
def _rules():
    f.dues_settings()


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = dt.date(2026, 6, 15)
    monkeypatch.setattr(services, "_today", lambda: day)
    return day


def _csv(rows, headers=HEADERS) -> SimpleUploadedFile:
    lines = [",".join(headers)] + [",".join(f'"{c}"' for c in row) for row in rows]
    return SimpleUploadedFile("dang-phi.csv", "\n".join(lines).encode("utf-8"), content_type="text/csv")


def _xlsx(rows) -> SimpleUploadedFile:
    data = xlsx_bytes([Sheet("Thu đảng phí", rows, headers=HEADERS)])
    return SimpleUploadedFile("dang-phi.xlsx", data)


def _url(org, **query):
    url = reverse("members:dues_import", args=[org.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def people(org_a, org_b):
    """Two members of A (one with a card and a base of 10 million), one of B, one admitted in A in April."""
    an = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True, name="Trần Văn An", card_number="0101")
    services.member_dues_save(member=an, category="hanh_chinh", income_base=10_000_000)
    binh = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True, name="Lê Thị Bình",
                    birth_date=dt.date(1985, 2, 3))  # fmt: skip
    other = f.member(
        org_b, ceremony_on=dt.date(2015, 3, 1), full=True, name="Phạm Văn Khác", card_number="0909"
    )
    late = f.member(org_a, ceremony_on=dt.date(2026, 4, 10), name="Hồ Văn Mới", card_number="0202")
    return {"an": an, "binh": binh, "other": other, "late": late}


def test_a_valid_file_is_previewed_then_saved_through_the_month_sheets_rules(
    client_for, secretary_a, org_a, people
):
    """Preview saves nothing; the confirmation writes each line as the month's sheet would: paid with no amount
    is what the member owes (1% of the base under QĐ 342 in 03/2026… QĐ 01-QĐ/TW from 02/2026), exempt keeps
    its reason, a base in the file becomes the member's base."""
    client = client_for(secretary_a)
    upload = _csv(
        [
            ["0101", "", "", "03/2026", "", "Đã nộp", "", ""],
            ["", "Lê Thị Bình", "03/02/1985", "03/2026", "8.000.000", "Đã nộp", "", ""],
            ["", "lê  thị bình", "03/02/1985", "04/2026", "", "Miễn", "Ốm dài ngày", ""],
            ["0101", "Trần Văn An", "", "4/2026", "", "Chưa nộp", "", ""],
        ]
    )
    page = client.post(_url(org_a), {"file": upload})
    assert page.status_code == 200
    assert page.context["problems"] == [] and page.context["rows"] == 4
    assert "Xác nhận nhập 4 dòng đảng phí" in page.content.decode()
    assert not DuesLine.objects.exists()  # the preview is a dry run

    done = client.post(_url(org_a), {"confirm": "1", "token": page.context["token"]})
    assert done.status_code == 302 and done["Location"] == reverse("members:dues_month", args=[org_a.pk])
    lines = {
        (line.member.full_name, line.month.month): line for line in DuesLine.objects.select_related("member")
    }
    assert len(lines) == 4
    march_an = lines[("Trần Văn An", 3)]
    assert (march_an.status, march_an.amount_due, march_an.amount_paid) == (DuesStatus.PAID, 100_000, 100_000)
    assert lines[("Lê Thị Bình", 3)].amount_paid == 80_000  # the base in the file, 1%
    assert MemberDues.objects.get(member=people["binh"]).income_base == 8_000_000
    assert (lines[("Lê Thị Bình", 4)].status, lines[("Lê Thị Bình", 4)].reason) == (
        DuesStatus.EXEMPT,
        "Ốm dài ngày",
    )
    assert lines[("Trần Văn An", 4)].status == DuesStatus.UNPAID
    assert all(line.recorded_by == secretary_a for line in lines.values())


def test_rows_outside_the_organisation_or_the_rules_are_errors_by_row_number(
    client_for, secretary_a, org_a, people
):
    """Another organisation's member, an unknown person, a member not yet on the roll that month, an exempt
    line without a reason, the same member twice in a month: each named with its row; nothing is imported."""
    client = client_for(secretary_a)
    upload = _csv(
        [
            ["0101", "", "", "03/2026", "", "Đã nộp", "", "100.000"],  # row 2: fine
            ["0909", "", "", "03/2026", "", "Đã nộp", "", "50000"],  # row 3: organisation B's member
            ["", "Không Có Ai", "01/01/1990", "03/2026", "", "Chưa nộp", "", ""],  # row 4
            ["0202", "", "", "03/2026", "", "Đã nộp", "", "10000"],  # row 5: admitted 10/04/2026
            ["", "Lê Thị Bình", "03/02/1985", "03/2026", "", "Miễn", "", ""],  # row 6: no reason
            ["0101", "", "", "03/2026", "", "Chưa nộp", "", ""],  # row 7: the same month again
            ["0101", "", "", "13/2026", "", "Đã nộp", "", ""],  # row 8: no such month
            ["0101", "", "", "05/2026", "", "Nộp rồi", "", ""],  # row 9: unknown status
        ]
    )
    page = client.post(_url(org_a), {"file": upload})
    problems = {number: " ".join(msgs) for number, _, msgs in page.context["problems"]}
    assert set(problems) == {3, 4, 5, 6, 7, 8, 9}
    assert "không có đảng viên số thẻ 0909" in problems[3]
    assert "không có đảng viên Không Có Ai" in problems[4]
    assert "không có trong danh sách" in problems[5]
    assert "phải ghi lý do" in problems[6]
    assert "Trùng với dòng 2" in problems[7]
    assert "mm/yyyy" in problems[8]
    assert "Trạng thái phải là" in problems[9]
    html = page.content.decode()
    assert "7 dòng có lỗi" in html and "Xác nhận nhập 8" not in html
    assert "token" not in page.context
    assert not DuesLine.objects.exists()


def test_an_xlsx_file_and_the_template_carry_the_headers(client_for, staff, org_a, people):
    """The template is a workbook with the columns the wizard reads; an XLSX filled the same way imports."""
    client = client_for(staff)
    template = client.get(_url(org_a, template=1))
    assert template.status_code == 200 and "mau-nhap-dang-phi-A1.xlsx" in template["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == HEADERS
    # Nothing typed twice: the template is last month's roll of A (May, on 15/06), the month written in.
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert sorted(r[1] for r in rows) == sorted(["Trần Văn An", "Lê Thị Bình", "Hồ Văn Mới"])
    assert {r[3] for r in rows} == {"05/2026"} and {r[0] for r in rows} >= {"0101", "0202"}
    for row in sheet.iter_rows(min_row=2):
        row[5].value = "Đã nộp"  # the secretary fills the status column and sends the file back
        if row[1].value != "Trần Văn An":
            row[7].value = 50_000  # no income base on file: the amount paid says what they paid
    filled = io.BytesIO()
    book.save(filled)
    back = client.post(_url(org_a), {"file": SimpleUploadedFile("dang-phi.xlsx", filled.getvalue())})
    assert back.context["problems"] == [], back.context["problems"]
    page = client.post(
        _url(org_a), {"file": _xlsx([["0101", "", "", "05/2026", 12_000_000, "Đã nộp", "", 120000]])}
    )
    assert page.context["problems"] == []
    client.post(_url(org_a), {"confirm": "1", "token": page.context["token"]})
    line = DuesLine.objects.get(member=people["an"])
    assert (line.month, line.amount_due, line.amount_paid) == (dt.date(2026, 5, 1), 120_000, 120_000)


def test_a_secretary_imports_only_for_their_own_organisation(client_for, secretary_b, leader, org_a, people):
    """bithu of B gets 404 on A's import (page, template, upload); leadership reads but never records: 403."""
    client = client_for(secretary_b)
    assert client.get(_url(org_a)).status_code == 404
    assert client.get(_url(org_a, template=1)).status_code == 404
    upload = _csv([["0101", "", "", "03/2026", "", "Đã nộp", "", ""]])
    assert client.post(_url(org_a), {"file": upload}).status_code == 404
    assert client_for(leader).get(_url(org_a)).status_code == 403
    assert not DuesLine.objects.exists()


def test_the_import_through_a_browser_like_client_with_csrf_enforced(secretary_a, org_a, people):
    """The wizard's two forms carry their CSRF token: open the page, upload, confirm — as a browser does; a
    post without the token is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary_a)
    month_page = client.get(reverse("members:dues_month", args=[org_a.pk]))
    assert _url(org_a) in month_page.content.decode()  # linked from the month's sheet
    page = client.get(_url(org_a))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    refused = client.post(_url(org_a), {"file": _csv([["0101", "", "", "03/2026", "", "Đã nộp", "", ""]])})
    assert refused.status_code == 403
    preview = client.post(
        _url(org_a),
        {"csrfmiddlewaretoken": token, "file": _csv([["0101", "", "", "03/2026", "", "Đã nộp", "", ""]])},
    )
    html = preview.content.decode()
    assert preview.status_code == 200 and "1 dòng hợp lệ" in html
    import_token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    form_token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[-1]
    done = client.post(_url(org_a), {"csrfmiddlewaretoken": form_token, "confirm": "1", "token": import_token},
                       follow=True)  # fmt: skip
    assert "Đã nhập 1 dòng đảng phí" in done.content.decode()
    assert DuesLine.objects.get(member=people["an"]).amount_paid == 100_000


def test_a_member_since_transferred_out_is_found_for_the_months_they_were_on_the_roll(
    client_for, secretary_a, org_a, org_b, people
):
    """A month belongs to the roll at its end: a member moved to B on 15/04/2026 still owes A's March, not
    April; their base is no longer A's to change."""
    services.member_transfer_out(member=people["an"], scope="noi_bo", effective_on=dt.date(2026, 4, 15),
                                 destination=org_b)  # fmt: skip
    client = client_for(secretary_a)
    page = client.post(
        _url(org_a),
        {
            "file": _csv(
                [
                    ["0101", "", "", "03/2026", "", "Đã nộp", "", ""],
                    ["0101", "", "", "04/2026", "", "Đã nộp", "", "100000"],
                    ["0101", "", "", "02/2026", "9.000.000", "Đã nộp", "", ""],
                ]
            )
        },
    )
    problems = {number: " ".join(msgs) for number, _, msgs in page.context["problems"]}
    assert set(problems) == {3, 4}
    assert "không có trong danh sách" in problems[3] and "đã chuyển khỏi tổ chức" in problems[4]
