"""The dashboard as a leadership brief: DOCX opened by LibreOffice, PDF with the Times-compatible font."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.tests.office import assert_times_compatible, libreoffice_text, pdf_pages
from reports.models import ReportStatus
from reports.tests.factories import ReportFactory, period
from targets.models import Target

pytestmark = pytest.mark.django_db


def test_the_dashboard_brief_opens_in_libreoffice(client_for, leader, staff, org_a, tmp_path):
    """One or two A4 pages: letterhead, "số liệu đến ngày", the targets with value, target and status."""
    ReportFactory(organization=org_a, period=period(2021, "quarter", 1), status=ReportStatus.SUBMITTED)
    Target.objects.create(year=2021, indicator="admissions", comparator="gte", value=Decimal(120), order=1)
    Target.objects.create(
        year=2021, indicator="members_studied", comparator="gte", value=Decimal(95), order=2
    )
    response = client_for(leader).get(reverse("dashboard:brief"), {"year": 2021, "format": "docx"})
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-chi-tieu-2021.docx"'
    text = libreoffice_text(response.content, tmp_path)
    for line in (
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "-BC/ĐUK",
        "BÁO CÁO NHANH",
        "(Số liệu đến ngày 31/12/2021)",
        "Kết nạp đảng viên mới",
        "≥ 120",
        "≥ 95,00%",
        "T/M BAN THƯỜNG VỤ",
    ):
        assert line in text, line
    pdf = client_for(staff).get(reverse("dashboard:brief"), {"year": 2021}).content
    assert_times_compatible(pdf, tmp_path)
    assert pdf_pages(pdf, tmp_path) <= 2
