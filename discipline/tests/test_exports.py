"""The discipline and inspection registers as spreadsheets (issue 19: "imports/exports like the member registry";
Điều lệ Đảng chapters VII–VIII): the list's filters and scope — a TCCSĐ secretary exports only their own
organisation's entries, as on the page — Vietnamese headers, dates dd/mm/yyyy."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from discipline import exports, services
from discipline.tests.test_discipline import discipline
from members import services as member_services
from members.tests import factories as f
from organizations.tests.factories import inspection_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = dt.date(2026, 3, 10)
    monkeypatch.setattr(member_services, "_today", lambda: day)
    return day


@pytest.fixture
def registers(org_a, org_b):
    """A: a member's warning in 2021 and a reprimand in 2022; B: a member's reprimand in 2021; a programme on A
    (with a remedy), one on B (with a remedy)."""
    inspector = inspection_user("kiemtra")
    a1 = discipline(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True, name="Trần Văn An"),
                    by=inspector, form="canh_cao", on=dt.date(2021, 5, 4), decision_no="11-QĐ/UBKT")  # fmt: skip
    a2 = discipline(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True, name="Lê Thị Hai"),
                    by=inspector, on=dt.date(2022, 2, 1), decision_no="22-QĐ/UBKT")  # fmt: skip
    b1 = discipline(f.member(org_b, ceremony_on=dt.date(2015, 3, 1), full=True, name="Phạm Văn Bê"),
                    by=inspector, on=dt.date(2021, 9, 9), decision_no="33-QĐ/UBKT")  # fmt: skip
    programmes = {}
    for org, title in ((org_a, "Kiểm tra tài chính A1"), (org_b, "Giám sát B1")):
        programmes[org.code] = services.programme_save(
            programme=None, year=2021, kind="kiem_tra", title=title, in_plan=True, decision_no="5-QĐ",
            starts_on=dt.date(2021, 3, 1), ends_on=dt.date(2021, 3, 30), organizations=[org], by=inspector,
        )  # fmt: skip
        services.remedy_add(programme=programmes[org.code], organization=org, requirement=f"Khắc phục {org.code}",
                            deadline=dt.date(2021, 6, 30), by=inspector)  # fmt: skip
    return {"a1": a1, "a2": a2, "b1": b1, "programmes": programmes, "inspector": inspector}


def _sheets(response) -> dict[str, list[list]]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_the_discipline_register_exports_with_the_pages_filters(client_for, staff, registers):
    """Staff see every organisation; ?year= filters as the page does; decision dates are dates (dd/mm/yyyy)."""
    client = client_for(staff)
    url = reverse("discipline:discipline_list")
    rows = _sheets(client.get(url, {"format": "xlsx"}))["Sổ kỷ luật"]
    assert rows[0] == exports.DISCIPLINE_HEADERS
    assert [r[9] for r in rows[1:]] == ["22-QĐ/UBKT", "33-QĐ/UBKT", "11-QĐ/UBKT"]  # newest first, as listed
    of_2021 = _sheets(client.get(url, {"format": "xlsx", "year": 2021}))["Sổ kỷ luật"][1:]
    assert [r[2] for r in of_2021] == ["Phạm Văn Bê", "Trần Văn An"]
    an = of_2021[1]
    assert an[0] == dt.datetime(2021, 5, 4) and (an[4], an[6], an[11]) == ("A1", "Cảnh cáo", "Có hiệu lực")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(url, {"format": "xlsx"}).streaming_content)))
    assert book.active.cell(row=2, column=1).number_format.lower().startswith("dd/mm/yyyy")
    csv = b"".join(client.get(url, {"format": "csv", "year": 2021}).streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Ngày quyết định,Đối tượng") and "04/05/2021" in csv


def test_a_secretary_exports_only_their_own_organisations_entries(client_for, secretary_a, registers):
    """As on the page: a TCCSĐ secretary reads their own organisation's disciplines and inspections only."""
    client = client_for(secretary_a)
    rows = _sheets(client.get(reverse("discipline:discipline_list"), {"format": "xlsx"}))["Sổ kỷ luật"][1:]
    assert sorted(r[9] for r in rows) == ["11-QĐ/UBKT", "22-QĐ/UBKT"]
    sheets = _sheets(client.get(reverse("discipline:programme_list"), {"format": "xlsx"}))
    assert [r[2] for r in sheets["Kiểm tra, giám sát"][1:]] == ["Kiểm tra tài chính A1"]
    assert [r[3] for r in sheets["Yêu cầu khắc phục"][1:]] == ["Khắc phục A1"]
    csv = b"".join(client.get(reverse("discipline:programme_list"), {"format": "csv"}).streaming_content)
    assert "Giám sát B1" not in csv.decode("utf-8-sig")


def test_the_inspection_programmes_export_with_their_remedies(client_for, leader, registers):
    sheets = _sheets(
        client_for(leader).get(reverse("discipline:programme_list"), {"format": "xlsx", "year": 2021})
    )
    programmes = sheets["Kiểm tra, giám sát"]
    assert programmes[0] == exports.PROGRAMME_HEADERS
    assert sorted(r[2] for r in programmes[1:]) == ["Giám sát B1", "Kiểm tra tài chính A1"]
    assert {r[7] for r in programmes[1:]} == {"A1", "B1"}
    assert sorted(r[1] for r in sheets["Yêu cầu khắc phục"][1:]) == ["A1", "B1"]
    assert sheets["Yêu cầu khắc phục"][1][4] == dt.datetime(2021, 6, 30)
    empty = _sheets(
        client_for(leader).get(reverse("discipline:programme_list"), {"format": "xlsx", "year": 2020})
    )
    assert empty["Kiểm tra, giám sát"] == [exports.PROGRAMME_HEADERS]


def test_an_unknown_format_is_not_found(client_for, staff, registers):
    assert client_for(staff).get(reverse("discipline:discipline_list"), {"format": "pdf"}).status_code == 404
    assert client_for(staff).get(reverse("discipline:programme_list"), {"format": "docx"}).status_code == 404


def test_the_export_buttons_work_as_a_browser_submits_them(secretary_a, registers):
    """The list's filter form carries the buttons: the browser sends the year typed and format=xlsx (a GET,
    so no CSRF token is needed, with the checks on)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary_a)
    page = client.get(reverse("discipline:discipline_list"), {"year": 2022}).content.decode()
    assert re.search(r'<button type="submit" name="format" value="xlsx"[^>]*>Xuất Excel', page)
    response = client.get(
        reverse("discipline:discipline_list"), {"year": "2022", "subject": "", "format": "xlsx"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="so-ky-luat-2022.xlsx"'
    assert [r[9] for r in _sheets(response)["Sổ kỷ luật"][1:]] == ["22-QĐ/UBKT"]
