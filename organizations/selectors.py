"""Reads for organisations, always scoped through ``organizations.access``."""

from django.shortcuts import get_object_or_404

from .access import organizations_for_user
from .models import Organization


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
