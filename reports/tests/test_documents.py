"""The documents the Party office signs — the period summary, one organisation's report and the
dashboard brief — as DOCX (opened by LibreOffice) and PDF (Liberation Serif embedded), numbered from the
register (Hướng dẫn 36-HD/VPTW 2018). One LibreOffice conversion per document type."""

import datetime as dt

import pytest
from django.urls import reverse

from core.documents import docx_text
from core.tests.office import assert_times_compatible, libreoffice_text
from reports.models import ReportStatus, StudyLine

from .factories import ReportFactory, ResolutionFactory, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a, org_b, secretary_a):
    """Organisation A's report for Q1/2021 (submitted, with study figures and narratives), B's draft."""
    q1 = period(2021, "quarter", 1)
    resolution = ResolutionFactory(year=2021, short_title="NQ Đại hội XIII")
    report = ReportFactory(
        organization=org_a,
        period=q1,
        status=ReportStatus.SUBMITTED,
        members_total=17,
        admissions=2,
        full_memberships=1,
        cells_total=3,
        cell_meetings_held=2,
        first_submitted_at=dt.datetime(2021, 4, 5, 2, tzinfo=dt.UTC),
        results_text="Hoàn thành các nhiệm vụ <b>đề ra</b> & giữ vững đoàn kết.\nTổ chức học tập nghị quyết.",
        shortcomings_text="Còn chậm nộp báo cáo.",
    )
    StudyLine.objects.create(
        report=report, resolution=resolution, members_studied=1, members_total=3, masses_studied=2,
        masses_total=3,
    )  # fmt: skip
    ReportFactory(organization=org_b, period=q1, status=ReportStatus.DRAFT)
    return report


def _issue(client, url, on="20/01/2022", signer="Nguyễn Văn Hùng"):
    return client.post(
        url,
        {
            "issued_on": on,
            "signer_name": signer,
            "signer_title": "BÍ THƯ",
            "recipients": "Thường trực Tỉnh ủy (để báo cáo)\nLưu Văn phòng",
        },
    )


def test_the_period_summary_is_numbered_then_opens_in_libreoffice(client_for, staff, world, tmp_path):
    """The DOCX opens in LibreOffice and holds the header lines, title, number, signer."""
    q1 = world.period
    client = client_for(staff)
    summary_url = reverse("reports:period_summary")
    draft = client.get(summary_url, {"period": q1.pk, "format": "docx"})
    assert draft["Content-Disposition"] == 'attachment; filename="bao-cao-tong-hop-quarter-2021-01.docx"'
    text = " ".join(docx_text(draft.content).split())
    assert "Số -BC/ĐUK" in text and "ngày tháng năm" in text  # a draft: the blanks, as the office fills them
    assert "Nguyễn Văn Hùng" not in text

    issue_url = reverse("reports:period_summary_issue") + f"?period={q1.pk}"
    page = client.get(issue_url).content.decode()
    assert "01-BC/ĐUK" in page and "Cấp số" in page
    response = _issue(client, issue_url)
    assert response.status_code == 302 and response["Location"].endswith(f"?period={q1.pk}")

    docx = client.get(summary_url, {"period": q1.pk, "format": "docx"}).content
    text = libreoffice_text(docx, tmp_path)
    for line in (
        "ĐẢNG BỘ TỈNH QUẢNG TRỊ",
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 01-BC/ĐUK",
        "Đông Hà, ngày 20 tháng 01 năm 2022",
        "BÁO CÁO",
        "Tổng hợp tình hình báo cáo định kỳ của các tổ chức cơ sở đảng quý I/2021",
        "T/M BAN THƯỜNG VỤ",
        "BÍ THƯ",
        "Nguyễn Văn Hùng",
        "Thường trực Tỉnh ủy (để báo cáo),",
        "33,33%",  # the study rate, two decimals
        "Số liệu tính đến ngày 20/01/2022",  # what was known when it was signed, not the day it is reprinted
        "Hoàn thành các nhiệm vụ <b>đề ra</b> & giữ vững đoàn kết.",  # escaped, printed as typed
    ):
        assert line in text, line

    pdf = client.get(summary_url, {"period": q1.pk, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert_times_compatible(pdf.content, tmp_path)


def test_an_organisations_report_in_its_own_letterhead(client_for, secretary_a, world, tmp_path, org_a):
    """The TCCSĐ's letterhead: "ĐẢNG BỘ KHỐI …" / "ĐẢNG ỦY …", "Số 01-BC/ĐU", "T/M ĐẢNG ỦY" / "BÍ THƯ"."""
    client = client_for(secretary_a)
    detail = client.get(reverse("reports:report_detail", args=[world.pk])).content.decode()
    assert "Tải bản PDF" in detail and "Hoàn thành, cấp số" in detail
    response = _issue(
        client, reverse("reports:report_issue", args=[world.pk]), on="08/04/2021", signer="Trần Thị Lan"
    )
    assert response.status_code == 302
    docx = client.get(reverse("reports:report_document", args=[world.pk]), {"format": "docx"}).content
    text = libreoffice_text(docx, tmp_path)
    for line in (
        "ĐẢNG BỘ KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH",
        "ĐẢNG ỦY SỞ A",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 01-BC/ĐU",
        "Đông Hà, ngày 08 tháng 4 năm 2021",
        "BÁO CÁO",
        "Kết quả công tác xây dựng Đảng quý I/2021",
        "T/M ĐẢNG ỦY",
        "Trần Thị Lan",
        "66,67%",  # 2 of 3 cells met regularly
    ):
        assert line in text, line
    pdf = client.get(reverse("reports:report_document", args=[world.pk]), {"format": "pdf"}).content
    assert_times_compatible(pdf, tmp_path)


def test_another_organisation_cannot_read_or_number_the_report(client_for, secretary_b, leader, world):
    client = client_for(secretary_b)
    assert (
        client.get(reverse("reports:report_document", args=[world.pk]), {"format": "pdf"}).status_code == 404
    )
    assert _issue(client, reverse("reports:report_issue", args=[world.pk])).status_code == 404
    assert _issue(client_for(leader), reverse("reports:report_issue", args=[world.pk])).status_code == 403
    from organizations.models import OutgoingDocument

    assert not OutgoingDocument.objects.exists()


def test_a_bad_issue_form_shows_its_errors_and_issues_nothing(client_for, staff, world):
    url = reverse("reports:period_summary_issue") + f"?period={world.period.pk}"
    future = (dt.date.today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    response = _issue(client_for(staff), url, on=future)
    assert response.status_code == 200
    assert "Ngày ban hành không được ở tương lai." in response.content.decode()
    response = _issue(client_for(staff), url, signer="   ")
    assert "invalid-feedback" in response.content.decode()
    from organizations.models import OutgoingDocument

    assert not OutgoingDocument.objects.exists()


def test_an_uploaded_template_is_the_one_used(client_for, staff, world, settings, tmp_path):
    """Staff's replacement template prints what the office wrote in it (here a line above the title)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.documents import DEFAULT_TEMPLATE
    from core.tests.test_documents import _replace_in_template

    settings.MEDIA_ROOT = tmp_path
    mine = _replace_in_template(DEFAULT_TEMPLATE.read_bytes(), "{{ title }}", "{{ title }} (MẪU TỈNH)")
    client = client_for(staff)
    upload = SimpleUploadedFile("mau.docx", mine, content_type="application/octet-stream")
    assert client.post(reverse("organizations:document_template"), {"file": upload}).status_code == 302
    docx = client.get(
        reverse("reports:period_summary"), {"period": world.period.pk, "format": "docx"}
    ).content
    assert "BÁO CÁO (MẪU TỈNH)" in docx_text(docx)


def test_an_upload_must_also_render_the_portals_own_newest_documents(
    staff, world, settings, tmp_path, monkeypatch
):
    """Issue 16: a replacement template "must render the demo without error" — besides the sample it renders the
    newest period summary and the newest submitted report of the database (on the demo, the demo's); one that
    fails on them is refused, naming the document."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    import core.documents as cd
    from organizations import services as org_services
    from organizations.documents import TEMPLATE_CHECKS

    settings.MEDIA_ROOT = tmp_path
    docs = [check() for check in TEMPLATE_CHECKS]
    assert len(docs) == 3 and all(docs[:2]), docs  # the summary, the report; the brief once targets exist
    assert docs[1].summary != docs[0].summary
    real = cd.render_docx

    def fails_on_the_report(doc, template=None):
        if doc.summary == docs[1].summary:
            raise cd.TemplateInvalid("thẻ {{ x.y }} không đọc được")
        return real(doc, template)

    monkeypatch.setattr(cd, "render_docx", fails_on_the_report)
    upload = SimpleUploadedFile("mau.docx", cd.DEFAULT_TEMPLATE.read_bytes())
    with pytest.raises(ValidationError, match="Mẫu Word không in được"):
        org_services.document_template_upload(upload=upload, note="", by=staff)
    monkeypatch.setattr(cd, "render_docx", real)
    upload.seek(0)
    assert org_services.document_template_upload(upload=upload, note="", by=staff).pk
