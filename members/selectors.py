"""Reads for the members registry, always scoped through ``organizations.access``."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from organizations.access import scope_by_organization

from .lifecycle import latest_ceremony_overdue_on
from .models import ACTIVE_STATUSES, Candidate, Member, MemberEvent, MemberRating, MemberStatus


def members_for_user(user) -> QuerySet[Member]:
    return scope_by_organization(Member.objects.select_related("organization", "cell"), user)


def member_get_for_user(user, pk) -> Member:
    """The member with `pk`, or 404 if it does not exist or is outside the user's scope."""
    return get_object_or_404(members_for_user(user), pk=pk)


def member_timeline(member: Member) -> QuerySet[MemberEvent]:
    return member.events.select_related("organization", "counterpart", "recorded_by").order_by(
        "effective_on", "pk"
    )


def candidates_for_user(user) -> QuerySet[Candidate]:
    return scope_by_organization(Candidate.objects.select_related("organization", "cell"), user)


def candidate_get_for_user(user, pk) -> Candidate:
    return get_object_or_404(candidates_for_user(user), pk=pk)


def overdue_probations(user, today: dt.date) -> QuerySet[Member]:
    """Probationary members whose 12 months + 30 working days have passed without a full-membership decision."""
    return (
        members_for_user(user)
        .filter(status=MemberStatus.DU_BI, ceremony_on__lte=latest_ceremony_overdue_on(today))
        .order_by("ceremony_on", "full_name")
    )


def rating_roll(organization, year: int) -> tuple[list[Member], dict[int, str]]:
    """The members `organization` rates for `year` — those on its roll now and admitted by the end of that
    year, plus those it already rated that year — and the grades it gave {member pk: grade}."""
    grades = dict(
        MemberRating.objects.filter(organization=organization, year=year).values_list("member_id", "grade")
    )
    members = list(
        Member.objects.filter(organization=organization)
        .filter(Q(status__in=ACTIVE_STATUSES, ceremony_on__year__lte=year) | Q(pk__in=list(grades)))
        .select_related("cell")
        .order_by("cell__name", "full_name", "pk")
    )
    return members, grades
