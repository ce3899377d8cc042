"""``manage.py tally_check`` also compares every figure the cache serves (the dashboard, the matrix, the period
summary) with the same figures computed without the cache (``targets.consistency``, issue 20)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from organizations.models import OrganizationYear, Rating
from organizations.tests.factories import OrganizationFactory, OrganizationYearFactory
from targets import dashboard as dash
from targets import indicators as ind

pytestmark = pytest.mark.django_db


def check(*args) -> str:
    out = StringIO()
    call_command("tally_check", *args, stdout=out)
    return out.getvalue()


def test_a_cached_figure_left_stale_by_a_write_outside_the_services_is_named_and_fix_drops_it():
    """A rating changed by ``QuerySet.update`` (no history row: the data's version does not move) leaves the cached
    share of organisations rated "completed tasks well" or better (QĐ 124-QĐ/TW art. 12) stale: the check names
    it, ``--fix`` drops the cache, the next check finds nothing."""
    year = timezone.localdate().year - 1
    for _ in range(2):
        OrganizationYearFactory(organization=OrganizationFactory(), year=year, party_rating=Rating.HTTNV)
    on = dash.today()
    as_of = ind.as_of_for_indicator("org_rating_good", year, on)
    assert ind.compute_one("org_rating_good", year, as_of).value == 100  # cached, as a page would leave it
    dash.dashboard_json(year, on=on)
    assert check().count(" 0 chỗ khác nhau.") == 2
    OrganizationYear.objects.filter(year=year).update(party_rating=Rating.KHTNV)
    with pytest.raises(CommandError):
        check()
    fixed = check("--fix")
    assert (
        f"TCCSĐ hoàn thành tốt nhiệm vụ trở lên năm {year}: 100.00 trong bộ nhớ đệm, tính lại 0.00" in fixed
    )
    assert f"Bảng điều khiển năm {year}" in fixed
    assert check().count(" 0 chỗ khác nhau.") == 2
    assert ind.compute_one("org_rating_good", year, as_of).value == 0
