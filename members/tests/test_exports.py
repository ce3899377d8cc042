"""The member and candidate lists' exports: formula neutralisation in CSV and XLSX, the folded search they follow
(the writer itself: core/tests/test_spreadsheets.py)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from core.spreadsheets import CONTENT_TYPE
from members.tests import factories as f
from organizations.models import Cell

FORMULAE = ["=1+1", "+33", "-2+3", "@SUM(A1:A2)"]


def _xlsx_rows(response):
    assert response["Content-Type"] == CONTENT_TYPE and response.streaming
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


def _csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


# --- the member list's exports -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_formula_start_is_neutralised_in_csv_and_xlsx(client_for, staff, org_a):
    cell = Cell.objects.create(organization=org_a, name="=Chi bộ lạ")
    for i, text in enumerate(FORMULAE):
        f.member(org_a, name=f"{text} người {i}", card_number=text, cell=cell)
    c = client_for(staff)
    for rows in (
        _xlsx_rows(c.get(reverse("members:member_list"), {"export": "xlsx"}))[1:],
        _csv_rows(c.get(reverse("members:member_list"), {"export": "csv"}))[1:],
    ):
        assert len(rows) == 4
        for row in rows:
            name, card, cell_name = row[1], row[4], row[8]
            assert name.startswith("'") and card.startswith("'") and cell_name == "'=Chi bộ lạ", row
            assert name[1:2] in "=+-@"


@pytest.mark.django_db
def test_candidate_xlsx_neutralises_and_keeps_dates(client_for, staff, org_a):
    f.candidate(org_a, name="+Hack", sponsors="=cmd|' /C calc'!A0")
    rows = _xlsx_rows(client_for(staff).get(reverse("members:candidate_list"), {"export": "xlsx"}))
    assert rows[1][1] == "'+Hack" and rows[1][5].startswith("'=") and rows[1][4] == dt.datetime(2021, 1, 15)


@pytest.mark.django_db
def test_export_follows_the_search_and_filters(client_for, staff, org_a, org_b):
    f.member(org_a, name="Phạm Minh Đức")
    f.member(org_a, name="Trần Thị Lan")
    f.member(org_b, name="Phạm Minh Đức Bên B")
    c = client_for(staff)
    rows = _xlsx_rows(
        c.get(reverse("members:member_list"), {"q": "minh duc", "organization": org_a.pk, "export": "xlsx"})
    )
    assert [r[1] for r in rows[1:]] == ["Phạm Minh Đức"]
    rows = _csv_rows(c.get(reverse("members:member_list"), {"q": "PHẠM", "export": "csv"}))
    assert sorted(r[1] for r in rows[1:]) == ["Phạm Minh Đức", "Phạm Minh Đức Bên B"]


@pytest.mark.django_db
def test_search_ignores_case_and_diacritics_and_finds_card_numbers(client_for, staff, org_a):
    f.member(org_a, name="Đặng Thị Ánh Tuyết", card_number="93.012345")
    f.member(org_a, name="Nguyễn Văn Bình")
    c = client_for(staff)
    for q in ("đặng thị", "dang thi", "ÁNH TUYẾT", "  tuyet   anh ", "012345"):
        body = c.get(reverse("members:member_list"), {"q": q}).content.decode()
        assert "Đặng Thị Ánh Tuyết" in body and "Nguyễn Văn Bình" not in body, q
    body = c.get(reverse("members:member_list"), {"q": "%"}).content.decode()
    assert "Đặng Thị Ánh Tuyết" not in body  # LIKE wildcards are taken literally


@pytest.mark.django_db
def test_editing_a_name_updates_the_search(client_for, staff, org_a):
    from members import services

    m = f.member(org_a, name="Tên Cũ")
    services.member_update(
        member=m,
        full_name="Lương Thế Vinh",
        birth_date=m.birth_date,
        gender=m.gender,
        cell=None,
        card_number="",
    )
    body = client_for(staff).get(reverse("members:member_list"), {"q": "luong the vinh"}).content.decode()
    assert "Lương Thế Vinh" in body
