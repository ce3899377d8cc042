"""An appeal that overturns an expulsion (Điều lệ Đảng Art. 9 and 37, appeals; QĐ 117-QĐ/TW 2023: a member
expelled wrongly has their party membership restored — phục hồi đảng tịch): the member returns to the roll from
the settlement's date through a dated event of the lifecycle; the exit event and the history stay, so the roll
before the settlement is what it was, and party age runs on without a gap."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from discipline import services
from discipline.models import AppealOutcome, DecidingBody, DisciplineStatus, Violation
from discipline.tests.test_discipline import discipline
from members import dues
from members import services as member_services
from members.lifecycle import PartyLife
from members.models import EventKind, MemberStatus
from members.tests import factories as f
from organizations.models import Rating
from organizations.tests.factories import inspection_user

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = D(2026, 3, 10)
    monkeypatch.setattr(member_services, "_today", lambda: day)
    return day


@pytest.fixture
def inspector(db):
    return inspection_user("kiemtra")


@pytest.fixture
def expelled(org_a, inspector):
    """A full member since 1997 (admission decided 01/07/1996: 30 years of party age on 01/07/2026), expelled
    from 03/11/2025, who appealed on 20/11/2025."""
    member = f.member(org_a, ceremony_on=D(1996, 7, 10), admission_decided_on=D(1996, 7, 1), full=True, birth_date=D(1970, 1, 1),
                      name="Đỗ Văn Khiếu")  # fmt: skip
    d = discipline(member, by=inspector, form="khai_tru", on=D(2025, 11, 3), decision_no="45-QĐ/UBKT")
    appeal = services.appeal_lodge(discipline=d, lodged_on=D(2025, 11, 20), summary="Xin xem xét lại.",
                                   by=inspector)  # fmt: skip
    return member, d, appeal


def test_an_annulled_expulsion_returns_the_member_to_the_roll_from_the_settlement(org_a, inspector, expelled):
    member, d, appeal = expelled
    assert member.pk not in dues.roll_ids(org_a, D(2026, 1, 14))
    assert PartyLife.of(member).next_badge(D(2026, 3, 10)) is None  # expelled: an exit, no badge

    services.appeal_settle(appeal=appeal, outcome=AppealOutcome.ANNULLED, outcome_decision_no="7-QĐ/BTV",
                           settled_on=D(2026, 1, 15), by=inspector)  # fmt: skip

    member.refresh_from_db()
    d.refresh_from_db()
    assert member.status == MemberStatus.CHINH_THUC and member.organization == org_a
    assert d.status == DisciplineStatus.ANNULLED
    events = list(
        member.events.order_by("effective_on", "pk").values_list("kind", "effective_on", "decision_no")
    )
    assert events[-2:] == [
        (EventKind.EXPELLED, D(2025, 11, 3), "45-QĐ/UBKT"),  # the exit stays: history is not rewritten
        (EventKind.REINSTATED, D(2026, 1, 15), "7-QĐ/BTV"),
    ]
    assert d.exit_event.kind == EventKind.EXPELLED
    # The roll at the edges: on it before the expulsion, off it until the settlement, back on from that day.
    assert member.pk in dues.roll_ids(org_a, D(2025, 11, 2))
    assert member.pk not in dues.roll_ids(org_a, D(2025, 11, 3))
    assert member.pk not in dues.roll_ids(org_a, D(2026, 1, 14))
    assert member.pk in dues.roll_ids(org_a, D(2026, 1, 15))
    # Party age: no gap for an expulsion overturned — the 30-year badge falls on the same day as if never expelled.
    life = PartyLife.of(member)
    assert life.gaps == () and life.ends_on is None
    assert life.next_badge(D(2026, 3, 10)) == (30, D(2026, 7, 1))
    # Back on the roll, the member is rated (and can be disciplined) again.
    member_services.member_rate(member=member, year=2025, grade=Rating.HTNV)


def test_an_expulsion_changed_to_a_warning_also_reinstates_and_the_warning_counts(org_a, inspector, expelled):
    member, d, appeal = expelled
    services.appeal_settle(appeal=appeal, outcome=AppealOutcome.CHANGED, new_form="canh_cao",
                           outcome_decision_no="8-QĐ/BTV", settled_on=D(2026, 2, 1), by=inspector)  # fmt: skip
    member.refresh_from_db()
    assert member.status == MemberStatus.CHINH_THUC
    assert member.events.filter(kind=EventKind.REINSTATED, effective_on=D(2026, 2, 1)).count() == 1
    assert list(member.disciplines.counting_in(2025).values_list("form", flat=True)) == ["canh_cao"]
    with pytest.raises(ValidationError):
        member_services.member_rate(member=member, year=2025, grade=Rating.HTTNV)


def test_a_settlement_dated_before_the_expulsion_took_effect_is_refused_and_nothing_changes(org_a, inspector):
    member = f.member(org_a, ceremony_on=D(2015, 3, 1), full=True)
    d = services.discipline_record(
        subject="member", member=member, organization=org_a, form="khai_tru", deciding_body=DecidingBody.CHI_BO,
        decision_no="3-QĐ/CB", decided_on=D(2026, 1, 5), effective_on=D(2026, 2, 1), violation=Violation.KHAC,
        summary="Vi phạm.", by=inspector,
    )  # fmt: skip
    appeal = services.appeal_lodge(discipline=d, lodged_on=D(2026, 1, 10), summary="Oan.", by=inspector)
    with pytest.raises(ValidationError) as error:
        services.appeal_settle(appeal=appeal, outcome=AppealOutcome.ANNULLED, outcome_decision_no="1-QĐ",
                               settled_on=D(2026, 1, 20), by=inspector)  # fmt: skip
    assert "01/02/2026" in str(error.value.message_dict["settled_on"])
    member.refresh_from_db()
    appeal.refresh_from_db()
    d.refresh_from_db()
    assert (
        member.status == MemberStatus.KHAI_TRU
        and not member.events.filter(kind=EventKind.REINSTATED).exists()
    )
    assert appeal.outcome == AppealOutcome.PENDING and d.status == DisciplineStatus.IN_FORCE


def test_an_upheld_expulsion_leaves_the_member_off_the_roll(org_a, inspector, expelled):
    member, d, appeal = expelled
    services.appeal_settle(
        appeal=appeal, outcome=AppealOutcome.UPHELD, settled_on=D(2026, 1, 15), by=inspector
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.KHAI_TRU
    assert member.pk not in dues.roll_ids(org_a, D(2026, 3, 1))
    with pytest.raises(ValidationError, match="không còn ở tình trạng khai trừ|đã được giải quyết"):
        services.appeal_settle(appeal=appeal, outcome=AppealOutcome.ANNULLED, outcome_decision_no="x",
                               settled_on=D(2026, 2, 1), by=inspector)  # fmt: skip


def test_the_settlement_page_says_what_happens_and_reinstates_with_csrf_enforced(org_a, inspector, expelled):
    """As a browser: the Inspection Commission opens the settlement form (it warns the member returns to the
    roll), posts it with its CSRF token; the discipline's page then shows the return."""
    member, d, appeal = expelled
    client = Client(enforce_csrf_checks=True)
    client.force_login(inspector)
    url = reverse("discipline:appeal_settle", kwargs={"pk": appeal.pk})
    page = client.get(url).content.decode()
    assert "phục hồi đảng tịch" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {
        "outcome": "annulled",
        "outcome_decision_no": "7-QĐ/BTV",
        "settled_on": "15/01/2026",
        "new_form": "",
    }
    assert client.post(url, data).status_code == 403  # no token: refused, nothing done
    member.refresh_from_db()
    assert member.status == MemberStatus.KHAI_TRU
    done = client.post(url, {**data, "csrfmiddlewaretoken": token}, follow=True)
    html = done.content.decode()
    assert "Đã ghi kết quả giải quyết khiếu nại" in html
    assert "trở lại danh sách từ ngày 15/01/2026" in html
    member.refresh_from_db()
    assert member.status == MemberStatus.CHINH_THUC
