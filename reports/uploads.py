"""Attachment checks: type by content (not by name), size limit. Used by the attachment form and service."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
#: Accepted types and the file name endings that may carry them.
ALLOWED = {PDF: (".pdf",), DOCX: (".docx",), PNG: (".png",), JPEG: (".jpg", ".jpeg")}
ACCEPT_ATTR = ".pdf,.docx,.png,.jpg,.jpeg"


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int


def _is_docx(upload) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)


def check_upload(upload) -> CheckedUpload:
    """The upload's real type, or a ValidationError in Vietnamese (too big, unknown type, name that lies)."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        size_mb = f"{upload.size / 1048576:.1f}".replace(".", ",")
        raise ValidationError(f"Tệp quá lớn ({size_mb} MB); tối đa {limit / 1048576:.0f} MB.")
    if upload.size == 0:
        raise ValidationError("Tệp rỗng.")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in ("application/zip", DOCX) or (mime is None and head[:2] == b"PK"):
        mime = DOCX if _is_docx(upload) else None
    if mime not in ALLOWED:
        raise ValidationError(
            "Chỉ nhận tệp PDF, DOCX, PNG hoặc JPEG (kiểm tra theo nội dung tệp, không theo tên)."
        )
    name = (upload.name or "").lower()
    if not name.endswith(ALLOWED[mime]):
        raise ValidationError(
            f"Tên tệp không khớp với nội dung (nội dung là {mime_label(mime)}). Hãy kiểm tra lại tệp."
        )
    return CheckedUpload(content_type=mime, size=upload.size)


def mime_label(mime: str) -> str:
    return {PDF: "PDF", DOCX: "DOCX", PNG: "ảnh PNG", JPEG: "ảnh JPEG"}.get(mime, mime)
