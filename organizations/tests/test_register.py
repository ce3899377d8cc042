"""The register of outgoing documents (sổ đăng ký văn bản đi) and the Word template upload."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.documents import DEFAULT_TEMPLATE
from organizations.models import Kind, OutgoingDocument
from organizations.selectors import current_document_template
from organizations.services import document_template_upload, outgoing_document_issue

pytestmark = pytest.mark.django_db


def issue(by, ref, *, organization=None, on=dt.date(2022, 1, 20), kind="period_summary", doc_type="BC"):
    return outgoing_document_issue(
        organization=organization,
        doc_type=doc_type,
        subject_kind=kind,
        subject_ref=str(ref),
        subject=f"Tổng hợp {ref}",
        issued_on=on,
        signer_name="Nguyễn Văn Hùng",
        signer_title="BÍ THƯ",
        recipients="Thường trực Tỉnh ủy\n\n Lưu Văn phòng ",
        by=by,
    )


def test_two_summaries_of_a_year_take_01_and_02_and_a_duplicate_is_refused(staff):
    """Hướng dẫn 36-HD/VPTW part II item 3: numbers run from 01 per issuer, type and year, never reused; the
    database refuses a second entry with the same number."""
    first = issue(staff, 101)
    second = issue(staff, 102, on=dt.date(2022, 2, 3))
    assert (first.number, second.number) == (1, 2)
    assert (first.number_text, second.number_text) == ("01-BC/ĐUK", "02-BC/ĐUK")
    assert first.recipient_list == ["Thường trực Tỉnh ủy", "Lưu Văn phòng"]
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingDocument.objects.create(
            organization=None, doc_type="BC", year=2022, number=2, symbol="ĐUK", issued_on=dt.date(2022, 2, 4),
            subject="x", signer_name="x", signer_title="BÍ THƯ", recipients="x",
            subject_kind="period_summary", subject_ref="999", issued_by=staff,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="đã được cấp số 01-BC/ĐUK"):
        issue(staff, 101)  # the same document twice
    with pytest.raises(ValidationError):
        first.delete()
    assert OutgoingDocument.objects.count() == 2


def test_series_are_per_issuer_type_and_year(staff, org_a, secretary_a):
    issue(staff, 1)
    assert issue(staff, 2, doc_type="KH").number == 1  # another type
    assert issue(staff, 3, on=dt.date(2023, 1, 2)).number == 1  # a new year
    own = issue(secretary_a, 4, organization=org_a, kind="report")
    assert own.number_text == "01-BC/ĐU"  # a đảng bộ cơ sở numbers its own: …/ĐU
    org_a.kind = Kind.CHI_BO_CO_SO
    assert issue(staff, 5, organization=org_a, kind="report").number_text == "02-BC/CB"


def test_the_issue_date_is_not_in_the_future_nor_before_the_last_number(staff):
    """Numbers follow the order of issue: a later number never carries an earlier date."""
    with pytest.raises(ValidationError, match="tương lai"):
        issue(staff, 1, on=dt.date.today() + dt.timedelta(days=1))
    issue(staff, 2, on=dt.date(2022, 3, 10))
    with pytest.raises(ValidationError, match="không được mang ngày sớm hơn"):
        issue(staff, 3, on=dt.date(2022, 3, 9))
    assert issue(staff, 3, on=dt.date(2022, 3, 10)).number == 2


def test_who_may_issue(leader, secretary_a, secretary_b, org_a):
    with pytest.raises(PermissionDenied):
        issue(leader, 1)  # leadership changes nothing
    with pytest.raises(PermissionDenied):
        issue(secretary_a, 2)  # the Bloc's register is the office's
    with pytest.raises(PermissionDenied):
        issue(secretary_b, 3, organization=org_a, kind="report")  # another organisation's register


def test_the_register_page_lists_entries_for_staff_and_leadership(client_for, staff, leader, org_a):
    issue(staff, 1)
    issue(staff, 2, organization=org_a, kind="report")
    for user in (staff, leader):
        body = client_for(user).get(reverse("organizations:outgoing_list")).content.decode()
        assert "01-BC/ĐUK" in body and "01-BC/ĐU" in body and "Nguyễn Văn Hùng" in body
    body = client_for(staff).get(reverse("organizations:outgoing_list"), {"issuer": "bloc"}).content.decode()
    assert "01-BC/ĐUK" in body and "01-BC/ĐU<" not in body  # the organisation's entry is filtered out


def _docx(data: bytes, name="mau-quang-tri.docx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_an_uploaded_template_is_kept_with_its_history_and_a_broken_one_is_refused(
    client_for, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("organizations:document_template")
    client = client_for(staff)
    broken = DEFAULT_TEMPLATE.read_bytes().replace(b"word/document.xml", b"word/documenx.xml")
    response = client.post(url, {"file": _docx(broken), "note": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body and "Tệp không phải là tài liệu Word" in body
    assert current_document_template() is None
    response = client.post(url, {"file": _docx(b"x", "mau.pdf"), "note": ""})
    assert "phải là tệp Word .docx" in response.content.decode()

    response = client.post(url, {"file": _docx(DEFAULT_TEMPLATE.read_bytes()), "note": "Mẫu của tỉnh"})
    assert response.status_code == 302
    current = current_document_template()
    assert current.original_name == "mau-quang-tri.docx" and current.note == "Mẫu của tỉnh"
    download = client.get(reverse("organizations:document_template_download"))
    assert b"".join(download.streaming_content) == DEFAULT_TEMPLATE.read_bytes()
    client.post(reverse("organizations:document_template_withdraw", args=[current.pk]))
    assert current_document_template() is None  # back to the repository's template; the upload is kept
    current.refresh_from_db()
    assert current.is_withdrawn


def test_only_staff_replace_the_template(leader, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(PermissionDenied):
        document_template_upload(upload=_docx(DEFAULT_TEMPLATE.read_bytes()), note="", by=leader)
