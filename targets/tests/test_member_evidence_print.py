"""The member's rating evidence: beside the member rating form, and printed in one click (PDF/DOCX, one page)."""

import datetime as dt
import io
import subprocess

import pytest
from django.urls import reverse
from docx import Document

from organizations.tests.factories import secretary_user
from targets import member_evidence
from targets.tests.test_meetings import _dues_and_discipline, w  # noqa: F401  (the world of organisation 05)

pytestmark = pytest.mark.django_db


def _lines(pack):
    return {line.label: line for section in pack.sections for line in section.lines}


def test_the_member_pack_reads_meetings_dues_and_discipline(w):  # noqa: F811
    """Điều lệ Art. 8.1 (three months absent without reason; three months unpaid) and HD 21-HD/BTCTW §II.B
    (a discipline counts in the year it was decided) beside one member's rating."""
    _dues_and_discipline(w)
    absent, disciplined = w["m1"][0], w["m1"][1]
    lines = _lines(member_evidence.member_pack(absent, 2021, today=dt.date(2022, 3, 1)))
    assert lines["Dự sinh hoạt (buổi dự / buổi đã ghi)"].value == "10/13"  # 12 monthly + 1 thematic
    absences = lines["Vắng không lý do (buổi; tháng)"]
    assert (
        absences.warn and absences.value == "3; tháng 1–3 — bỏ sinh hoạt 3 tháng trong năm (Điều lệ, Đ. 8.1)"
    )
    assert lines["Tháng đã đóng"].value == "1 (tháng 1)"
    unpaid = lines["Tháng chưa đóng"]
    assert unpaid.warn and unpaid.value == "3 (tháng 2–4) — chưa đóng 3 tháng trong năm (Điều lệ, Đ. 8.1)"
    assert lines["Bị kỷ luật trong năm (HD 21-HD/BTCTW, mục II.B)"].value == "0"

    lines = _lines(member_evidence.member_pack(disciplined, 2021, today=dt.date(2022, 3, 1)))
    assert (
        lines["Vắng không lý do (buổi; tháng)"].value == "0"
        and not lines["Vắng không lý do (buổi; tháng)"].warn
    )
    assert lines["Tháng chưa đóng"].value == "0"
    discipline = lines["Bị kỷ luật trong năm (HD 21-HD/BTCTW, mục II.B)"]
    assert discipline.warn and discipline.value == "1: Khiển trách (1, 01/06/2021)"
    # The 2020 decision is 2020's (a year whose dues were never entered: the pack says so); before June 2021
    # the 2021 one was not yet decided.
    lines = _lines(member_evidence.member_pack(disciplined, 2020, today=dt.date(2022, 3, 1)))
    assert lines["Bị kỷ luật trong năm (HD 21-HD/BTCTW, mục II.B)"].value == "1: Khiển trách (2, 01/06/2020)"
    assert lines["Sổ đảng phí"].value == "Chưa ghi sổ năm 2020 trong hệ thống: đối chiếu sổ giấy"
    assert (
        _lines(member_evidence.member_pack(disciplined, 2021, today=dt.date(2021, 5, 1)))[
            "Bị kỷ luật trong năm (HD 21-HD/BTCTW, mục II.B)"
        ].value
        == "0"
    )


def test_the_rating_form_prints_the_members_pack(w, client_for):  # noqa: F811
    """The secretary rating a member clicks "In hồ sơ (PDF)" beside the form and gets one A4 page with the
    member's figures; the Word file holds the same."""
    _dues_and_discipline(w)
    member = w["m1"][0]
    client = client_for(secretary_user(w["org"], username="bithu05"))
    form = client.get(
        reverse("members:member_rating", kwargs={"pk": member.pk}), {"year": 2021}
    ).content.decode()
    url = reverse("targets:member_rating_evidence", kwargs={"pk": member.pk, "year": 2021})
    assert f'href="{url}?format=pdf">In hồ sơ (PDF)</a>' in form

    pdf = client.get(url, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert (
        pdf["Content-Disposition"] == f'attachment; filename="ho-so-danh-gia-dang-vien-{member.pk}-2021.pdf"'
    )
    data = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "Pages:           1" in info, "the pack prints on one page"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "HỒ SƠ ĐÁNH GIÁ, XẾP LOẠI ĐẢNG VIÊN NĂM 2021" in text and member.full_name in text
    assert "3 (tháng 2–4)" in text

    docx = client.get(url, {"format": "docx"})
    data = b"".join(docx.streaming_content) if docx.streaming else docx.content
    cells = [c.text for t in Document(io.BytesIO(data)).tables for row in t.rows for c in row.cells]
    assert "Vắng không lý do (buổi; tháng)" in cells and "1 (tháng 1)" in cells

    assert client.get(url.replace("2021", "1999")).status_code == 404
    other = secretary_user(w["base"], username="bithu09")
    assert client_for(other).get(url).status_code == 404
