"""Reads for the members registry, always scoped through ``organizations.access``."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from organizations.access import scope_by_cell, scope_by_organization

from . import lifecycle, workdays
from .lifecycle import (
    BADGE_MILESTONES,
    CELL_LATE,
    COMMITTEE_LATE,
    PartyLife,
    add_months,
    probation_ends_on,
    status_from_events,
)
from .models import (
    ACTIVE_STATUSES,
    BadgeAward,
    Candidate,
    EventKind,
    Member,
    MemberEvent,
    MemberRating,
    MemberStatus,
)


def members_for_user(user) -> QuerySet[Member]:
    """Members the user may see: a cell secretary only their cell's (``access.scope_by_cell``)."""
    return scope_by_cell(Member.objects.select_related("organization", "cell"), user)


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


def roll_counts(organization) -> dict[str, int]:
    """An organisation's roll today by status, and its candidates being prepared (two aggregate queries)."""
    counts = Member.objects.filter(organization=organization).aggregate(
        du_bi=Count("pk", filter=Q(status=MemberStatus.DU_BI)),
        chinh_thuc=Count("pk", filter=Q(status=MemberStatus.CHINH_THUC)),
        mien=Count("pk", filter=Q(status=MemberStatus.MIEN_SINH_HOAT)),
    )
    counts["total"] = counts["du_bi"] + counts["chinh_thuc"] + counts["mien"]
    counts["candidates"] = Candidate.objects.filter(
        organization=organization, status=Candidate.Status.PENDING
    ).count()
    return counts


@dataclass
class OverdueRow:
    member: Member
    anniversary: dt.date
    due: dt.date  # the deadline that was missed
    resolution_on: dt.date | None = None
    extended_on: dt.date | None = None  # the committee extended its deadline once (decision date)


def overdue_probations(user, today: dt.date) -> dict[str, list[OverdueRow]]:
    """Probationary members whose full membership is late on `today`, split by who is late
    (``lifecycle.overdue_party``): {"cell": […], "committee": […]}, each in ceremony order."""
    extra_off = workdays.extra_days_off()
    members = (
        members_for_user(user)
        .filter(status=MemberStatus.DU_BI, ceremony_on__lte=add_months(today, -lifecycle.PROBATION_MONTHS))
        .order_by("ceremony_on", "sort_name", "pk")
    )
    split: dict[str, list[OverdueRow]] = {CELL_LATE: [], COMMITTEE_LATE: []}
    for member in members:
        late = lifecycle.overdue_party(
            ceremony_on=member.ceremony_on,
            resolution_on=member.full_resolution_on,
            today=today,
            extra_off=extra_off,
            extended=member.full_extension_on is not None,
        )
        if late is None:
            continue
        anniversary = probation_ends_on(member.ceremony_on)
        due = (
            lifecycle.overdue_from(member.ceremony_on, extra_off)
            if late == CELL_LATE
            else lifecycle.committee_full_due(
                member.full_resolution_on, extra_off, extended=member.full_extension_on is not None
            )
        )
        split[late].append(
            OverdueRow(member, anniversary, due, member.full_resolution_on, member.full_extension_on)
        )
    return split


def overdue_admissions(user, today: dt.date) -> list[tuple[Candidate, dt.date]]:
    """Candidates the cell proposed (meeting date on file) with no admission decision 60 working days later
    (QĐ 24-QĐ/TW §4.3.1): the committee above is late."""
    extra_off = workdays.extra_days_off()
    rows = []
    pending = candidates_for_user(user).filter(
        status=Candidate.Status.PENDING, cell_considered_on__isnull=False
    )
    for candidate in pending.order_by("cell_considered_on", "pk"):
        due = lifecycle.admission_committee_due(candidate.cell_considered_on, extra_off)
        if today > due:
            rows.append((candidate, due))
    return rows


def party_life(member: Member) -> PartyLife:
    return PartyLife.of(member, list(member.events.all()))


@dataclass
class BadgeRow:
    member: Member
    milestone: int
    reached_on: dt.date
    award: BadgeAward | None


#: Events that matter for party age and for the roll on a round date.
_LIFE_KINDS = (
    EventKind.ADMITTED,
    EventKind.TRANSFER_IN,
    EventKind.TRANSFER_OUT,
    EventKind.REMOVED,
    EventKind.EXPELLED,
    EventKind.LEFT,
    EventKind.DIED,
    EventKind.EXEMPTED,
    EventKind.FULL_MEMBER,
    EventKind.GAP_START,
    EventKind.GAP_END,
    EventKind.REINSTATED,
)


def badge_round(user, round_on: dt.date, organization=None) -> list[BadgeRow]:
    """The members who reach a Huy hiệu Đảng milestone for the round of `round_on` (HD 01-HD/TW 2021, item 18):
    reached after the previous round and on or before this one, by party age (``PartyLife``), and on the Bloc's
    roll on the round date. Ordered by organisation, milestone (highest first) and name."""
    after = lifecycle.previous_round(round_on)
    # Party age only grows more slowly than the calendar: nobody whose start is later than this can reach 30.
    latest_start = add_months(round_on, -12 * BADGE_MILESTONES[0])
    members = (
        members_for_user(user)
        # A re-admitted member's party age starts at the FIRST decision (QĐ 24-QĐ/TW §4.5.2), not the re-admission.
        .annotate(age_start=Coalesce("first_admission_decided_on", "admission_decided_on", "ceremony_on"))
        .filter(full_member_on__isnull=False, age_start__lte=latest_start)
        .prefetch_related(
            Prefetch(
                "events",
                queryset=MemberEvent.objects.filter(kind__in=_LIFE_KINDS).order_by("effective_on", "pk"),
            )
        )
        .order_by("organization__code", "sort_name", "pk")
    )
    if organization is not None:
        members = members.filter(organization=organization)
    rows = []
    for member in members:
        events = list(member.events.all())
        life = PartyLife.of(member, events)
        reached = life.milestones_between(after, round_on)
        if not reached:
            continue
        on_roll = status_from_events([e for e in events if e.effective_on <= round_on], member.full_member_on)
        if on_roll not in ACTIVE_STATUSES:
            continue
        for milestone, day in reached:
            rows.append(BadgeRow(member, milestone, day, None))
    awards = {
        (a.member_id, a.milestone): a
        for a in BadgeAward.objects.filter(member__in=[r.member.pk for r in rows]).select_related(
            "recorded_by"
        )
    }
    for row in rows:
        row.award = awards.get((row.member.pk, row.milestone))
    rows.sort(key=lambda r: (r.member.organization.code, -r.milestone, r.member.sort_name, r.member.pk))
    return rows


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
        .order_by("cell__name", "sort_name", "pk")
    )
    return members, grades
