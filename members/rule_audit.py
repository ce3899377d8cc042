"""Every party rule run over the whole registry: a list of violations, empty when the data respect them.

Each check calls the rule's one home (it never re-derives it) and says which text it applies. Used by the
demo test (the demo must pass every rule) and usable on real data (``python manage.py shell``:
``from members.rule_audit import audit; audit()``).
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from organizations import rating_rules, structure_rules
from organizations.models import GOOD_RATINGS, Organization, OrganizationYear, Rating
from organizations.rating_rules import disciplined_member_ids, member_discipline_problem

from .lifecycle import is_of_admission_age, status_from_events
from .models import EventKind, Member, MemberEvent, MemberRating
from .services import excellent_cap


def excellent_cap_violations() -> list[str]:
    """HD 21-HD/BTCTW 2019 §2.3: HTXSNV ≤ 20% of HTTNV per TCCSĐ and year (``services.excellent_cap``)."""
    rows = (
        MemberRating.objects.values("organization__code", "year")
        .annotate(
            excellent=Count("pk", filter=Q(grade=Rating.HTXSNV)),
            good=Count("pk", filter=Q(grade__in=GOOD_RATINGS)),
        )
        .order_by("organization__code", "year")
    )
    found = []
    for row in rows:
        base, allowed = excellent_cap(row["good"], row["excellent"])
        if row["excellent"] > allowed:
            found.append(
                f"{row['organization__code']} {row['year']}: {row['excellent']} HTXSNV / {base} HTTNV "
                f"(tối đa {allowed}) — HD 21 §2.3"
            )
    return found


def organization_rating_violations() -> list[str]:
    """HD 21-HD/BTCTW 2019 §II.B.1.3: an organisation rated HTXSNV has the ratings beneath it to match; and
    every rating respects the discipline of the year (HD 21 §II.B; QĐ 124-QĐ/TW Art. 12; QĐ 366-QĐ/TW Art. 11.1)."""
    found = []
    records = OrganizationYear.objects.exclude(party_rating="").select_related("organization")
    for record in records.order_by("organization__code", "year"):
        for problem in rating_rules.party_rating_problems(record):
            found.append(f"{record.organization.code} {record.year}: {problem}")
    return found


def discipline_rating_violations() -> list[str]:
    """HD 21-HD/BTCTW 2019 §II.B: a member disciplined in the year is rated KHTNV (``member_discipline_problem``)."""
    found = []
    for year in MemberRating.objects.values_list("year", flat=True).distinct().order_by("year"):
        ratings = MemberRating.objects.filter(year=year).exclude(grade=Rating.KHTNV).select_related("member")
        ids = list(ratings.values_list("member_id", flat=True))
        disciplined = disciplined_member_ids(Member, ids, year)
        for rating in ratings.filter(member_id__in=list(disciplined)):
            problem = member_discipline_problem(
                rating.member, year, rating.grade, disciplined[rating.member_id]
            )
            if problem:
                found.append(f"#{rating.member_id} {year}: {problem}")
    return found


def structure_violations(today: dt.date) -> list[str]:
    """Điều lệ Đảng Art. 21.3 and 24.1 (``organizations.structure_rules``) for the organisations in the Bloc."""
    found = []
    for organization in Organization.objects.in_bloc_on(today).order_by("code"):
        found.extend(f"{organization.code}: {flag}" for flag in structure_rules.structure_flags(organization))
    return found


def admission_age_violations() -> list[str]:
    """QĐ 24-QĐ/TW 2021 §1.1.1: 18 by months at the cell's consideration (the decision date when the meeting
    is not on file). Members admitted elsewhere (no admission event here) are not this Bloc's decision."""
    admitted_here = MemberEvent.objects.filter(kind=EventKind.ADMITTED).values("member_id")
    found = []
    members = Member.objects.filter(pk__in=admitted_here).only(
        "full_name", "birth_date", "admission_considered_on", "admission_decided_on", "ceremony_on"
    )
    for member in members.iterator(chunk_size=2000):
        considered = member.admission_considered_on or member.admission_decided_on or member.ceremony_on
        if considered and not is_of_admission_age(member.birth_date, considered):
            found.append(f"{member.full_name} (#{member.pk}): chưa đủ 18 tuổi khi chi bộ xét — QĐ 24 §1.1.1")
    return found


def temporary_transfer_violations() -> list[str]:
    """QĐ 232-QĐ/TW 2025 §6.3.2: a temporary transfer never moves a member off the home roll — every ``temp_out``
    is recorded at the organisation whose roll the member was on, and no ``temp_in`` is at the home."""
    found = []
    events = MemberEvent.objects.filter(
        kind__in=(EventKind.TEMP_OUT, EventKind.TEMP_IN, EventKind.ADMITTED, EventKind.TRANSFER_IN)
    ).order_by("member_id", "effective_on", "pk")
    home: dict[int, int] = {}
    for event in events.iterator(chunk_size=5000):
        if event.kind in (EventKind.ADMITTED, EventKind.TRANSFER_IN):
            home[event.member_id] = event.organization_id
        elif event.kind == EventKind.TEMP_OUT and home.get(event.member_id) != event.organization_id:
            found.append(
                f"Đảng viên #{event.member_id}: chuyển tạm thời ghi ở tổ chức không phải nơi sinh hoạt chính thức"
            )
        elif event.kind == EventKind.TEMP_IN and home.get(event.member_id) == event.organization_id:
            found.append(f"Đảng viên #{event.member_id}: sinh hoạt tạm thời tại chính tổ chức của mình")
    return found


def status_violations() -> list[str]:
    """The events decide the status; a neutral event (gap, temporary transfer) never takes anyone off a roll."""
    found = []
    by_member = defaultdict(list)
    for event in MemberEvent.objects.order_by("member_id", "effective_on", "pk").iterator(chunk_size=5000):
        by_member[event.member_id].append(event)
    for member in Member.objects.only("status", "full_member_on").iterator(chunk_size=5000):
        expected = status_from_events(by_member.get(member.pk, []), member.full_member_on)
        if expected and expected != member.status:
            found.append(f"Đảng viên #{member.pk}: tình trạng {member.status}, sự kiện cho {expected}")
    return found


def audit(today: dt.date | None = None) -> dict[str, list[str]]:
    """{rule: violations} for every rule that can be checked on recorded data."""
    today = today or timezone.localdate()
    return {
        "excellent_cap": excellent_cap_violations(),
        "organization_rating": organization_rating_violations(),
        "discipline_rating": discipline_rating_violations(),
        "structure": structure_violations(today),
        "admission_age": admission_age_violations(),
        "temporary_transfer": temporary_transfer_violations(),
        "status": status_violations(),
    }
