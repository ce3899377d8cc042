"""Reads for organisations, always scoped through ``organizations.access``."""

import datetime as dt
from collections import defaultdict

from django.shortcuts import get_object_or_404
from django.utils import timezone

from .access import organizations_for_user
from .models import DocumentTemplate, Officer, Organization, OutgoingDocument


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


def officer_posts_during(user_ids, starts_on: dt.date, ends_on: dt.date) -> dict[int, list[Officer]]:
    """{user id: [officer records]}: the TCCSĐ posts (bí thư, phó bí thư, văn phòng cấp ủy; not a cell's) each
    account held for some part of `starts_on`…`ends_on`, with their organisation.

    Held when the record's history (every change of ``is_active``) shows it active at some moment of the range;
    a record without history (loaded in bulk) counts as held throughout while it is active."""
    officers = list(
        Officer.objects.filter(user_id__in=list(user_ids), cell__isnull=True)
        .select_related("organization")
        .order_by("organization__code", "pk")
    )
    states = defaultdict(list)
    for row in (
        Officer.history.filter(id__in=[o.pk for o in officers])
        .order_by("history_date", "history_id")
        .values("id", "history_date", "history_type", "is_active")
    ):
        states[row["id"]].append(row)
    start = timezone.make_aware(dt.datetime.combine(starts_on, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time()))
    held = defaultdict(list)
    for officer in officers:
        rows = states.get(officer.pk)
        if not rows:
            if officer.is_active:
                held[officer.user_id].append(officer)
            continue
        for row, following in zip(rows, [*rows[1:], None], strict=True):
            until = following["history_date"] if following else None
            active = row["is_active"] and row["history_type"] != "-"
            if active and row["history_date"] < end and (until is None or until > start):
                held[officer.user_id].append(officer)
                break
    return dict(held)


def officer_accounts(organization: Organization):
    """The accounts holding a TCCSĐ officer post of `organization` now (bí thư, phó bí thư, văn phòng cấp ủy; not
    a cell's secretary): the portal accounts a member of it may be linked to (``Member.account``)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            officer_roles__organization=organization,
            officer_roles__cell__isnull=True,
            officer_roles__is_active=True,
        )
        .distinct()
        .order_by("username")
    )
