"""Attachments: type by content, size limit, generated names, scoped download, soft remove."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import ReportAttachment

from .factories import ReportFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def docx_bytes(with_document=True):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            z.writestr("word/document.xml", "<w:document/>")
        else:
            z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def report(org_a):
    return ReportFactory(organization=org_a)


def upload(client, report, name, content):
    return client.post(
        reverse("reports:attachment_upload", args=[report.pk]), {"file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("bao-cao.pdf", PDF, "application/pdf"),
        ("scan.png", PNG, "image/png"),
        ("scan.JPG", JPEG, "image/jpeg"),
        (
            "bao-cao.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_types_are_accepted_by_content(client_for, secretary_a, report, name, content, mime):
    upload(client_for(secretary_a), report, name, content)
    attachment = ReportAttachment.objects.get()
    assert attachment.content_type == mime and attachment.original_name == name
    assert name not in attachment.file.name  # stored under a generated name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("gia-mao.pdf", b"<html><script>alert(1)</script></html>"),
        ("bang-tinh.docx", docx_bytes(with_document=False)),
        ("anh.png", PDF),  # the name lies about the content
        ("chuong-trinh.exe", b"MZ\x90\x00" + b"\x00" * 64),
    ],
)
def test_wrong_types_are_refused(client_for, secretary_a, report, name, content):
    response = upload(client_for(secretary_a), report, name, content)
    assert response.status_code == 302
    assert not ReportAttachment.objects.exists()


def test_size_limit(client_for, secretary_a, report, settings):
    settings.UPLOAD_MAX_BYTES = 100
    upload(client_for(secretary_a), report, "lon.pdf", PDF + b"0" * 200)
    assert not ReportAttachment.objects.exists()


def test_download_is_scoped_and_never_rendered(client_for, secretary_a, secretary_b, leader, report):
    upload(client_for(secretary_a), report, "bao-cao.pdf", PDF)
    attachment = ReportAttachment.objects.get()
    url = reverse("reports:attachment_download", args=[attachment.pk])
    response = client_for(secretary_a).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert client_for(leader).get(url).status_code == 200
    assert client_for(secretary_b).get(url).status_code == 404


def test_soft_remove(client_for, secretary_a, secretary_b, report):
    upload(client_for(secretary_a), report, "bao-cao.pdf", PDF)
    attachment = ReportAttachment.objects.get()
    remove = reverse("reports:attachment_remove", args=[attachment.pk])
    assert client_for(secretary_b).post(remove).status_code == 404
    client_for(secretary_a).post(remove)
    attachment.refresh_from_db()
    assert attachment.is_removed and attachment.file.storage.exists(attachment.file.name)
    assert (
        client_for(secretary_a).get(reverse("reports:attachment_download", args=[attachment.pk])).status_code
        == 404
    )
