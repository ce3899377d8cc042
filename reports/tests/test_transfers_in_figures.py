"""Transfers as the Bloc's reports count them (docs/party-rules.md, rules 5 and 7): a temporary transfer keeps
the member on the home roll (QĐ 232-QĐ/TW 2025 §6.3.2) and internal transfers stay apart from the Bloc's arrivals
and departures."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members import services
from members.models import MemberStatus, TransferScope
from members.tests import factories as f
from organizations.selectors import temporary_arrivals
from reports.models import ReportingPeriod
from reports.periods import periods_create
from reports.selectors import _count_registry, bloc_transfers

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = D(2026, 6, 15)
    monkeypatch.setattr(services, "_today", lambda: day)
    return day


def test_a_temporary_transfer_leaves_the_home_roll_unchanged(org_a, org_b, today):
    """QĐ 232-QĐ/TW 2025 §6.3.2: a member sent temporarily elsewhere is not counted in the host's đảng số and
    stays on the home roll; the host shows them apart; coming back closes it."""
    m = f.member(org_a, ceremony_on=D(2015, 3, 10), full=True)
    periods_create(year=2026)
    period = ReportingPeriod.objects.get(year=2026, kind="year")
    home_before, host_before = _count_registry(org_a, period), _count_registry(org_b, period)
    services.member_transfer_out(
        member=m, scope=TransferScope.TAM_THOI, effective_on=D(2026, 3, 1), destination=org_b
    )
    m.refresh_from_db()
    assert (m.organization, m.status) == (org_a, MemberStatus.CHINH_THUC)
    assert _count_registry(org_a, period) == home_before
    assert _count_registry(org_b, period) == host_before
    assert [a.member for a in temporary_arrivals(org_b)] == [m]
    assert bloc_transfers(D(2026, 1, 1), D(2026, 12, 31))["temporary"] == 1
    with pytest.raises(ValidationError, match="đang sinh hoạt tạm thời"):
        services.member_transfer_out(
            member=m, scope=TransferScope.TAM_THOI, effective_on=D(2026, 4, 1), destination_text="Trường X"
        )
    services.member_temporary_end(member=m, effective_on=D(2026, 5, 1))
    assert temporary_arrivals(org_b) == []
    m.refresh_from_db()
    assert m.organization == org_a


def test_internal_transfers_are_apart_from_the_blocs_arrivals_and_departures(org_a, org_b):
    a = f.member(org_a, ceremony_on=D(2015, 3, 10), full=True)
    b = f.member(org_a, ceremony_on=D(2015, 3, 10), full=True)
    services.member_transfer_out(
        member=a, scope=TransferScope.NOI_BO, effective_on=D(2026, 2, 2), destination=org_b
    )
    services.member_transfer_out(
        member=b, scope=TransferScope.CHINH_THUC, effective_on=D(2026, 2, 2), destination_text="Tỉnh khác"
    )
    assert bloc_transfers(D(2026, 1, 1), D(2026, 12, 31)) == {
        "in_from_outside": 0,
        "out_to_outside": 1,
        "internal": 1,
        "temporary": 0,
    }
