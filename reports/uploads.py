"""Attachment checks: type by content (not by name), size limit, and the per-report quota. Used by the attachment
form and service.

Limits (settings, from the environment): one file at most ``PORTAL_UPLOAD_MAX_BYTES``; per report at most
``PORTAL_ATTACHMENTS_MAX_COUNT`` attachments shown and ``PORTAL_ATTACHMENTS_MAX_BYTES`` stored in all. A
removed attachment is hidden, not deleted: its file stays on disk as the record of what was attached (nothing
is ever deleted in the portal), so it keeps counting in the report's stored bytes — removing and uploading
again cannot fill the disk."""

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


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}".replace(".", ",").removesuffix(",0")


def limits() -> dict:
    """The limits as the upload form states them (MB as the pages write numbers)."""
    return {
        "file_mb": _mb(settings.UPLOAD_MAX_BYTES),
        "count": settings.ATTACHMENTS_MAX_COUNT,
        "total_mb": _mb(settings.ATTACHMENTS_MAX_BYTES),
    }


def check_quota(*, shown: int, stored_bytes: int, size: int) -> None:
    """A report with `shown` attachments and `stored_bytes` on disk (removed ones included) may take one more
    of `size` bytes, or a ValidationError says which limit it meets."""
    if shown >= settings.ATTACHMENTS_MAX_COUNT:
        raise ValidationError(
            f"Báo cáo đã có {shown} tệp đính kèm, tối đa {settings.ATTACHMENTS_MAX_COUNT} tệp. "
            "Hãy gỡ tệp không cần thiết trước khi tải thêm."
        )
    if stored_bytes + size > settings.ATTACHMENTS_MAX_BYTES:
        raise ValidationError(
            f"Tổng dung lượng tệp của báo cáo (kể cả tệp đã gỡ, vẫn được lưu làm hồ sơ) tối đa "
            f"{_mb(settings.ATTACHMENTS_MAX_BYTES)} MB; đã dùng {_mb(stored_bytes)} MB."
        )
