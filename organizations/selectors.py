"""Reads for organisations, always scoped through ``organizations.access``."""

from django.shortcuts import get_object_or_404

from .access import organizations_for_user
from .models import Organization


def organization_get_for_user(user, pk) -> Organization:
    """The organisation with `pk`, or 404 if it does not exist or is outside the user's scope."""
    return get_object_or_404(organizations_for_user(user), pk=pk)
