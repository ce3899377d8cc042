"""Reads for organisations, always scoped through ``organizations.access``."""

from django.shortcuts import get_object_or_404

from .access import organizations_for_user
from .models import Organization


def organization_get_for_user(user, pk) -> Organization:
    """The organisation with `pk`, or 404 if it does not exist or is outside the user's scope."""
    return get_object_or_404(organizations_for_user(user), pk=pk)


def outgoing_document_for(subject_kind: str, subject_ref: str):
    """The register entry that numbered a document, or None (a draft)."""
    from .models import OutgoingDocument

    return (
        OutgoingDocument.objects.filter(subject_kind=subject_kind, subject_ref=subject_ref)
        .select_related("organization")
        .first()
    )


def current_document_template():
    """The Word template in use: the newest upload not withdrawn, or None (the repository's default)."""
    from .models import DocumentTemplate

    return DocumentTemplate.objects.filter(is_withdrawn=False).order_by("-uploaded_at", "-pk").first()


def document_template_bytes() -> bytes | None:
    """The bytes of the template in use (None: the repository's default)."""
    template = current_document_template()
    if template is None:
        return None
    with template.file.open("rb") as f:
        return f.read()
