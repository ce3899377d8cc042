"""The organisation page's live panel (``reports.views.organization_obligations``) shows the members flagged by the
dues register beside the meeting absences."""

import datetime as dt

import pytest
from django.urls import reverse

from members import dues, services
from members.models import DuesStatus
from members.tests import factories as f
from members.tests.factories import member
from reports import views as report_views

pytestmark = pytest.mark.django_db
PAID, UNPAID = DuesStatus.PAID, DuesStatus.UNPAID


@pytest.fixture(autouse=True)
def _rules(monkeypatch):
    f.dues_settings()
    monkeypatch.setattr(services, "_today", lambda: dt.date(2026, 6, 15))


def _with_base(m, base=10_000_000):
    services.member_dues_save(member=m, category="hanh_chinh", income_base=base)
    return m


def test_the_organisation_page_flags_the_member_with_three_unpaid_months_like_meeting_absences(
    client_for, staff, secretary_a, org_a, monkeypatch
):
    """Điều lệ Đảng Art. 8.1 (repeated in QĐ 01-QĐ/TW 2026): the member unpaid in three months of the year is
    flagged on the organisation's page (its live panel, beside the meeting absences); two months are not."""
    monkeypatch.setattr(report_views, "today", lambda: dt.date(2026, 6, 15))
    a = _with_base(member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True, name="Lê Văn Nợ Phí"))
    b = _with_base(member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True, name="Trần Thị Hai Tháng"))
    for month, (sa, sb) in zip(
        dues.months_of(2026)[:4],
        [(UNPAID, UNPAID), (UNPAID, PAID), (PAID, PAID), (UNPAID, UNPAID)],
        strict=True,
    ):
        services.dues_month_save(
            organization=org_a, month=month, entries={a: (sa, None, ""), b: (sb, None, "")}
        )
    panel_url = reverse("reports:organization_obligations", args=[org_a.pk])
    for user in (staff, secretary_a):
        panel = client_for(user).get(panel_url).content.decode()
        assert 'id="dues-flags"' in panel
        assert "Lê Văn Nợ Phí" in panel and "01/2026, 02/2026, 04/2026" in panel
        assert "Trần Thị Hai Tháng" not in panel  # two unpaid months: not flagged
    services.dues_month_save(organization=org_a, month=dt.date(2026, 4, 1), entries={a: (PAID, None, "")})
    assert 'id="dues-flags"' not in client_for(staff).get(panel_url).content.decode()  # paid after all: gone
