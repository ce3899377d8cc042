"""The rules of a member's life in the Party, enforced by members.services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from members import lifecycle, services
from members.models import Candidate, EventKind, Member, MemberEvent, MemberStatus, TransferScope
from members.selectors import overdue_probations
from members.tests import factories as f
from organizations.models import Rating
from organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = dt.date(2022, 6, 15)
    monkeypatch.setattr(services, "_today", lambda: day)
    return day


# --- pure date rules ---------------------------------------------------------------------------------------


def test_probation_ends_on_the_anniversary_and_29_february_on_28_february():
    assert lifecycle.probation_ends_on(dt.date(2021, 3, 25)) == dt.date(2022, 3, 25)
    assert lifecycle.probation_ends_on(dt.date(2020, 2, 29)) == dt.date(2021, 2, 28)
    assert lifecycle.probation_ends_on(dt.date(2020, 12, 31)) == dt.date(2021, 12, 31)


def test_overdue_counts_thirty_working_days_after_the_anniversary_skipping_public_holidays():
    """QĐ 24-QĐ/TW 2021 §4.2 a: 30 working days after the anniversary. Anniversary Friday 01/04/2022; Monday
    to Friday alone would end on 13/05/2022, but Giỗ Tổ Hùng Vương (observed Monday 11/04) and the days off for
    30/04–01/05 (Monday 02/05, Tuesday 03/05) are not working days: the cell is late from 19/05/2022."""
    assert lifecycle.overdue_from(dt.date(2021, 4, 1)) == dt.date(2022, 5, 18)


# --- full membership ----------------------------------------------------------------------------------------


def test_full_membership_refused_the_day_before_the_anniversary(org_a):
    m = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    with pytest.raises(ValidationError) as error:
        services.member_make_full(member=m, decided_on=dt.date(2022, 3, 24))
    assert "Chưa đủ 12 tháng dự bị" in str(error.value) and "25/03/2022" in str(error.value)
    m.refresh_from_db()
    assert m.status == MemberStatus.DU_BI and not m.events.filter(kind=EventKind.FULL_MEMBER).exists()


def test_full_membership_on_the_anniversary_and_a_late_decision_still_dates_it_there(org_a):
    on_time = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    services.member_make_full(member=on_time, decided_on=dt.date(2022, 3, 25), decision_no="12-QĐ/ĐUK")
    late = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    event = services.member_make_full(member=late, decided_on=dt.date(2022, 5, 2))
    for m in (on_time, late):
        m.refresh_from_db()
        assert m.status == MemberStatus.CHINH_THUC and m.full_member_on == dt.date(2022, 3, 25)
    assert event.effective_on == dt.date(2022, 3, 25) and event.decided_on == dt.date(2022, 5, 2)


def test_full_membership_for_a_29_february_ceremony(org_a, today, monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: dt.date(2021, 6, 1))
    m = f.member(org_a, ceremony_on=dt.date(2020, 2, 29))
    with pytest.raises(ValidationError):
        services.member_make_full(member=m, decided_on=dt.date(2021, 2, 27))
    services.member_make_full(member=m, decided_on=dt.date(2021, 2, 28))
    m.refresh_from_db()
    assert m.full_member_on == dt.date(2021, 2, 28)


def test_only_probationary_members_are_made_full(org_a):
    m = f.member(org_a, ceremony_on=dt.date(2020, 3, 10), full=True)
    with pytest.raises(ValidationError, match="Chỉ công nhận chính thức đảng viên dự bị"):
        services.member_make_full(member=m, decided_on=dt.date(2022, 1, 1))


def test_overdue_list(org_a, secretary_a, today):
    overdue = f.member(org_a, ceremony_on=dt.date(2021, 3, 1))  # anniversary 01/03/2022 + 30 wd = 12/04/2022
    f.member(org_a, ceremony_on=dt.date(2021, 6, 1))  # still within its time on 15/06/2022
    done = f.member(org_a, ceremony_on=dt.date(2021, 2, 1))
    services.member_make_full(member=done, decided_on=dt.date(2022, 2, 1))
    assert _cell_late(secretary_a, today) == [overdue]


# --- dates --------------------------------------------------------------------------------------------------


def test_future_dates_are_refused(org_a, today):
    with pytest.raises(ValidationError) as error:
        f.member(org_a, ceremony_on=today + dt.timedelta(days=1))
    assert "không được ở tương lai" in str(error.value)
    m = f.member(org_a)
    with pytest.raises(ValidationError, match="không được ở tương lai"):
        services.member_end(member=m, kind=EventKind.DIED, effective_on=today + dt.timedelta(days=3))


def test_events_cannot_go_back_in_time(org_a):
    m = f.member(org_a, ceremony_on=dt.date(2020, 3, 10), full=True)
    with pytest.raises(ValidationError, match="không được trước sự kiện gần nhất"):
        services.member_end(member=m, kind=EventKind.EXEMPTED, effective_on=dt.date(2021, 1, 1))


def test_ceremony_before_decision_is_refused(org_a):
    with pytest.raises(ValidationError, match="không được trước ngày quyết định kết nạp"):
        f.member(org_a, ceremony_on=dt.date(2021, 3, 1), admission_decided_on=dt.date(2021, 3, 5))


def test_nothing_after_death(org_a):
    m = f.member(org_a)
    services.member_end(member=m, kind=EventKind.DIED, effective_on=dt.date(2022, 1, 10))
    m.refresh_from_db()
    assert m.status == MemberStatus.TU_TRAN
    with pytest.raises(ValidationError):
        services.member_end(member=m, kind=EventKind.LEFT, effective_on=dt.date(2022, 2, 1))


def test_removal_needs_a_decision_number(org_a):
    m = f.member(org_a)
    with pytest.raises(ValidationError, match="cần số quyết định"):
        services.member_end(member=m, kind=EventKind.REMOVED, effective_on=dt.date(2022, 1, 10))


# --- nothing deleted, transfers -----------------------------------------------------------------------------


def test_members_and_events_are_never_deleted(org_a):
    m = f.member(org_a)
    with pytest.raises(ValidationError):
        m.delete()
    with pytest.raises(ValidationError):
        m.events.first().delete()
    with pytest.raises((ValidationError, ProtectedError)):
        Member.objects.filter(pk=m.pk).delete()
    assert Member.objects.filter(pk=m.pk).exists()


def test_internal_transfer_keeps_the_history_in_both_organisations(org_a, org_b):
    m = f.member(org_a, ceremony_on=dt.date(2020, 3, 10), full=True)
    services.member_transfer_out(
        member=m,
        scope=TransferScope.NOI_BO,
        effective_on=dt.date(2022, 3, 1),
        destination=org_b,
        decision_no="05-GGT",
    )
    m.refresh_from_db()
    assert m.organization == org_b and m.status == MemberStatus.CHINH_THUC
    assert MemberEvent.objects.filter(member=m, organization=org_a, kind=EventKind.TRANSFER_OUT).exists()
    assert MemberEvent.objects.filter(member=m, organization=org_b, kind=EventKind.TRANSFER_IN).exists()
    assert MemberEvent.objects.filter(member=m, organization=org_a, kind=EventKind.ADMITTED).exists()


def test_transfer_out_of_the_bloc_and_back(org_a):
    m = f.member(org_a)
    services.member_transfer_out(
        member=m,
        scope=TransferScope.CHINH_THUC,
        effective_on=dt.date(2021, 5, 1),
        destination_text="Đảng bộ huyện X",
    )
    m.refresh_from_db()
    assert m.status == MemberStatus.CHUYEN_DI
    services.member_transfer_back_in(member=m, organization=org_a, effective_on=dt.date(2022, 1, 5))
    m.refresh_from_db()
    assert m.status == MemberStatus.DU_BI and m.events.count() == 3


def test_a_member_transferred_in_from_outside_is_full_if_dated_so(org_a):
    m = f.member(org_a, ceremony_on=dt.date(2015, 5, 1), full=True, arrival=EventKind.TRANSFER_IN,
                 arrived_on=dt.date(2022, 1, 3), origin_text="Đảng bộ tỉnh Y")  # fmt: skip
    assert m.status == MemberStatus.CHINH_THUC
    assert list(m.events.values_list("kind", flat=True)) == [EventKind.TRANSFER_IN]


# --- candidates --------------------------------------------------------------------------------------------


def test_admission_makes_a_probationary_member(org_a):
    c = f.candidate(org_a)
    m = services.candidate_admit(
        candidate=c,
        admission_decided_on=dt.date(2022, 3, 1),
        ceremony_on=dt.date(2022, 3, 19),
        decision_no="3-QĐ",
    )
    c.refresh_from_db()
    assert c.status == Candidate.Status.ADMITTED and m.candidate == c and m.status == MemberStatus.DU_BI
    assert m.events.get().kind == EventKind.ADMITTED and m.events.get().decided_on == dt.date(2022, 3, 1)
    with pytest.raises(ValidationError):
        services.candidate_admit(
            candidate=c, admission_decided_on=dt.date(2022, 3, 1), ceremony_on=dt.date(2022, 3, 19)
        )


def test_admission_needs_the_course_certificate(org_a):
    c = f.candidate(org_a, certificate=None)
    with pytest.raises(ValidationError, match="giấy chứng nhận lớp bồi dưỡng"):
        services.candidate_admit(
            candidate=c, admission_decided_on=dt.date(2022, 3, 1), ceremony_on=dt.date(2022, 3, 9)
        )


# --- ratings ------------------------------------------------------------------------------------------------


def test_excellent_ratings_are_capped_at_20_percent_of_those_rated_httnv(org_a):
    """HD 21-HD/BTCTW 2019 §2.3: HTXSNV ≤ 20% of the members rated HTTNV (the base is HTTNV only)."""
    members = [f.member(org_a) for _ in range(12)]
    for m in members[:10]:
        services.member_rate(member=m, year=2021, grade=Rating.HTTNV)
    services.member_rate(member=members[10], year=2021, grade=Rating.HTXSNV)
    services.member_rate(member=members[11], year=2021, grade=Rating.HTXSNV)  # 2 of 10 HTTNV = 20 %: allowed
    third = f.member(org_a)
    with pytest.raises(ValidationError, match="vượt 20%"):
        services.member_rate(member=third, year=2021, grade=Rating.HTXSNV)  # 3 of 10 HTTNV > 20 %
    assert not third.ratings.exists()
    other = OrganizationFactory(code="C1")
    alone = f.member(other)
    with pytest.raises(ValidationError):
        services.member_rate(member=alone, year=2021, grade=Rating.HTXSNV)  # 1 of 1


# --- more edges --------------------------------------------------------------------------------------------


def test_29_february_anniversary_in_a_leap_year_ceremony_and_the_day_before(org_a, monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: dt.date(2025, 6, 1))
    m = f.member(org_a, ceremony_on=dt.date(2024, 2, 29))
    assert lifecycle.probation_ends_on(m.ceremony_on) == dt.date(2025, 2, 28)
    with pytest.raises(ValidationError, match="28/02/2025"):
        services.member_make_full(member=m, decided_on=dt.date(2025, 2, 27))
    event = services.member_make_full(member=m, decided_on=dt.date(2025, 3, 3))  # late: still 28/02
    m.refresh_from_db()
    assert m.full_member_on == event.effective_on == dt.date(2025, 2, 28)
    assert event.decided_on == dt.date(2025, 3, 3) and m.status == MemberStatus.CHINH_THUC


def _cell_late(user, day):
    return [row.member for row in overdue_probations(user, day)["cell"]]


def test_overdue_boundary_day_by_day(org_a, secretary_a):
    """QĐ 24-QĐ/TW §4.2 a. Ceremony 01/04/2021 → anniversary Friday 01/04/2022 → 30 working days, holidays
    skipped (11/04, 02/05, 03/05), end on Wednesday 18/05/2022: the cell is late from Thursday 19/05."""
    m = f.member(org_a, ceremony_on=dt.date(2021, 4, 1))
    assert _cell_late(secretary_a, dt.date(2022, 5, 18)) == []
    assert _cell_late(secretary_a, dt.date(2022, 5, 19)) == [m]
    # 12 months + 30 calendar days would already be overdue on 02/05/2022: working days are what count.
    assert _cell_late(secretary_a, dt.date(2022, 5, 2)) == []


def test_overdue_page_lists_the_member_with_the_deadline(client_for, secretary_a, org_a):
    from django.urls import reverse

    m = f.member(org_a, ceremony_on=dt.date(2021, 4, 1), name="Quá Hạn Dự Bị")
    f.member(org_a, ceremony_on=dt.date(2021, 4, 1), full=True, name="Đã Chính Thức")
    body = client_for(secretary_a).get(reverse("members:overdue_list")).content.decode()
    assert "Quá Hạn Dự Bị" in body and "18/05/2022" in body and "Đã Chính Thức" not in body
    assert "Chi bộ chậm" in body
    assert reverse("members:member_detail", args=[m.pk]) in body


def test_full_membership_decided_after_an_internal_transfer(org_a, org_b):
    """Probationary member moves to B after the anniversary, B's committee decides later: the full membership
    is dated on the anniversary (before the transfer on the timeline) and belongs to B, which decided it."""
    m = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    services.member_transfer_out(
        member=m, scope=TransferScope.NOI_BO, effective_on=dt.date(2022, 4, 1), destination=org_b
    )
    event = services.member_make_full(member=m, decided_on=dt.date(2022, 4, 20))
    m.refresh_from_db()
    assert m.status == MemberStatus.CHINH_THUC and m.organization == org_b
    assert event.effective_on == dt.date(2022, 3, 25) and event.organization == org_b
    kinds = list(m.events.order_by("effective_on", "pk").values_list("kind", "organization__code"))
    assert kinds == [
        (EventKind.ADMITTED, org_a.code),
        (EventKind.FULL_MEMBER, org_b.code),
        (EventKind.TRANSFER_OUT, org_a.code),
        (EventKind.TRANSFER_IN, org_b.code),
    ]


def test_full_membership_decided_before_a_recorded_transfer_belongs_to_the_first_organisation(org_a, org_b):
    m = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    services.member_transfer_out(
        member=m, scope=TransferScope.NOI_BO, effective_on=dt.date(2022, 4, 1), destination=org_b
    )
    event = services.member_make_full(member=m, decided_on=dt.date(2022, 3, 28))  # recorded late
    assert event.organization == org_a


def test_no_full_membership_decided_while_outside_the_bloc(org_a):
    m = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    services.member_transfer_out(
        member=m, scope=TransferScope.CHINH_THUC, effective_on=dt.date(2022, 4, 1), destination_text="Huyện X"
    )
    services.member_transfer_back_in(member=m, organization=org_a, effective_on=dt.date(2022, 5, 2))
    with pytest.raises(ValidationError, match="không sinh hoạt tại Đảng bộ Khối"):
        services.member_make_full(member=m, decided_on=dt.date(2022, 4, 15))
    services.member_make_full(member=m, decided_on=dt.date(2022, 5, 10))
    m.refresh_from_db()
    assert m.status == MemberStatus.CHINH_THUC and m.full_member_on == dt.date(2022, 3, 25)


def test_a_future_decision_is_refused(org_a, today):
    m = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    with pytest.raises(ValidationError, match="không được ở tương lai"):
        services.member_make_full(member=m, decided_on=today + dt.timedelta(days=1))


def test_status_follows_every_action(org_a):
    m = f.member(org_a, ceremony_on=dt.date(2020, 3, 10))
    steps = [
        (
            lambda: services.member_make_full(member=m, decided_on=dt.date(2021, 3, 12)),
            MemberStatus.CHINH_THUC,
        ),
        (
            lambda: services.member_end(member=m, kind=EventKind.EXEMPTED, effective_on=dt.date(2021, 6, 1)),
            MemberStatus.MIEN_SINH_HOAT,
        ),
        (
            lambda: services.member_end(
                member=m, kind=EventKind.EXPELLED, effective_on=dt.date(2022, 1, 5), decision_no="9-QĐ"
            ),
            MemberStatus.KHAI_TRU,
        ),
    ]
    for action, status in steps:
        action()
        m.refresh_from_db()
        assert m.status == status
    with pytest.raises(ValidationError, match="không ghi nhận thêm sự kiện|không còn trong danh sách"):
        services.member_end(member=m, kind=EventKind.DIED, effective_on=dt.date(2022, 2, 1))


def test_an_event_cannot_precede_admission(org_a):
    m = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    with pytest.raises(ValidationError, match="không được trước"):
        services.member_end(member=m, kind=EventKind.DIED, effective_on=dt.date(2021, 3, 1))


def test_status_from_events_transfer_in_only():
    class Ev:
        def __init__(self, kind):
            self.kind = kind

    only_in = [Ev(EventKind.TRANSFER_IN)]
    assert lifecycle.status_from_events(only_in, dt.date(2015, 5, 1)) == MemberStatus.CHINH_THUC
    assert lifecycle.status_from_events(only_in, None) == MemberStatus.DU_BI
    assert lifecycle.status_from_events([], None) is None


def test_admission_decision_must_not_follow_the_ceremony(org_a):
    c = f.candidate(org_a)
    with pytest.raises(ValidationError, match="không được trước ngày quyết định kết nạp"):
        services.candidate_admit(
            candidate=c, admission_decided_on=dt.date(2022, 3, 10), ceremony_on=dt.date(2022, 3, 9)
        )
    c.refresh_from_db()
    assert c.status == Candidate.Status.PENDING and not Member.objects.exists()


def test_database_backs_the_date_rules(org_a):
    from django.db import IntegrityError, transaction

    m = f.member(org_a, ceremony_on=dt.date(2021, 3, 25))
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberEvent.objects.create(
            member=m,
            organization=org_a,
            kind=EventKind.FULL_MEMBER,
            effective_on=dt.date(2022, 3, 25),
            decided_on=dt.date(2022, 3, 20),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=m.pk).update(ceremony_on=dt.date(2021, 3, 1))  # before the decision
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=m.pk).update(status="bien_mat")
