"""Reads for organisations, always scoped through ``organizations.access``."""

from django.shortcuts import get_object_or_404

from .access import organizations_for_user
from .models import DocumentTemplate, Organization, OutgoingDocument


def organization_get_for_user(user, pk) -> Organization:
    """The organisation with `pk`, or 404 if it does not exist or is outside the user's scope."""
    return get_object_or_404(organizations_for_user(user), pk=pk)


def temporary_arrivals(organization: Organization) -> list:
    """Members from elsewhere in the Bloc living their party life here for a while (chuyển sinh hoạt tạm thời,
    QĐ 232-QĐ/TW 2025 §6.3.2): they are not on this organisation's roll (its đảng số) and are shown apart.
    The open "temp_in" events at `organization`, read through the reverse relation (the members app owns the
    events; the kinds are its ``EventKind.TEMP_IN`` / ``TEMP_END`` values)."""
    arrivals = list(
        organization.member_events.filter(kind="temp_in")
        .select_related("member", "counterpart")
        .order_by("effective_on", "pk")
    )
    if not arrivals:
        return []
    events = organization.member_events.model.objects  # every organisation's events, not only this one's
    ended = {}
    closing = events.filter(
        kind="temp_end", counterpart=organization, member__in=[a.member_id for a in arrivals]
    )
    for event in closing.order_by("effective_on", "pk"):
        ended[event.member_id] = event.effective_on
    return [a for a in arrivals if ended.get(a.member_id) is None or ended[a.member_id] < a.effective_on]


def outgoing_document_for(subject_kind: str, subject_ref: str):
    """The register entry that numbered a document, or None (a draft)."""
    return (
        OutgoingDocument.objects.filter(subject_kind=subject_kind, subject_ref=subject_ref)
        .select_related("organization")
        .first()
    )


def current_document_template():
    """The Word template in use: the newest upload not withdrawn, or None (the repository's default)."""
    return DocumentTemplate.objects.filter(is_withdrawn=False).order_by("-uploaded_at", "-pk").first()


def document_template_bytes() -> bytes | None:
    """The bytes of the template in use (None: the repository's default)."""
    template = current_document_template()
    if template is None:
        return None
    with template.file.open("rb") as f:
        return f.read()
