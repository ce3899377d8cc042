"""Every cached page is what a fresh computation gives, right after each kind of write (issue 20).

The cache keeps a figure or a page body until a table it read changes (``core.datacache``): a report write leaves
the member lists cached, an admission leaves the punctuality cached. This walks the demo through the writes of a
working day — a report returned and filed again, a report accepted, an admission, a rating corrected in a closed
year, a congress recorded, an organisation leaving the Bloc, a new target — and after each one compares every
cached page with the same page computed on an empty cache; at the end ``manage.py tally_check`` (the tallies, and
every figure the cache serves against a recomputation: ``targets.consistency``) finds no difference."""

import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from members import services as member_services
from members.models import Gender
from organizations import services as org_services
from organizations.models import Organization, OrganizationYear, Rating
from organizations.tests.factories import secretary_user, staff_user
from reports import services as report_services
from reports.models import PeriodicReport, ReportingPeriod, ReportStatus
from targets import consistency
from targets import services as target_services

pytestmark = pytest.mark.django_db


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


def _pages(year: int) -> list[str]:
    org = Organization.objects.get(code="05")
    quarter = ReportingPeriod.objects.filter(kind="quarter", year=year).order_by("number").first()
    return [
        f"/dashboard/?year={year}",
        f"/dashboard/?year={year}&page=2",
        f"/dashboard/data.json?year={year}",
        f"/dashboard/?year={year - 1}",
        f"/dashboard/organizations/{org.pk}/?year={year}",
        f"/reports/matrix/?year={year}",
        f"/reports/matrix/?year={year}&kind=quarter",
        f"/reports/period-summary/?period={quarter.pk}",
        "/organizations/",
        f"/members/?organization={org.pk}",
        "/members/?status=chinh_thuc",
    ]


def _body(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return _TOKEN.sub("", response.content.decode())


def _assert_fresh(client, urls, after: str):
    cached = {url: _body(client, url) for url in urls}
    cache.clear()
    for url in urls:
        assert cached[url] == _body(client, url), f"{url} is stale right after {after}"


@pytest.mark.usefixtures("demo")
def test_every_cached_page_is_fresh_right_after_each_kind_of_write():
    today = timezone.localdate()
    year = 2021
    staff = staff_user("vp_fresh")
    client = Client()
    client.force_login(staff)
    urls = _pages(year)
    org = Organization.objects.get(code="05")
    # A report waiting for review (or one sent back, filed again first): returned, filed again, accepted.
    submitted = (
        PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("-period__ends_on").first()
    )
    if submitted is None:
        submitted = (
            PeriodicReport.objects.filter(status=ReportStatus.RETURNED).order_by("-period__ends_on").first()
        )
        report_services.report_submit(report=submitted, by=secretary_user(submitted.organization, "bt_first"))
    assert submitted is not None
    if submitted.period.year != year:
        urls += [
            f"/dashboard/?year={submitted.period.year}",
            f"/reports/matrix/?year={submitted.period.year}",
        ]
    for url in urls:  # warm every page
        _body(client, url)
    reason = {"change_reason": "Sửa theo quyết định của Ban Thường vụ."}
    writes = []
    if submitted:
        writes.append(
            (
                "a report returned",
                lambda: report_services.report_return(
                    report=submitted, reason="Bổ sung số liệu học tập.", by=staff, **reason
                ),
            )
        )
        writes.append(
            (
                "the report filed again",
                lambda: report_services.report_submit(
                    report=PeriodicReport.objects.get(pk=submitted.pk),
                    by=secretary_user(submitted.organization, username="bt_fresh"),
                    **reason,
                ),
            )
        )
        writes.append(
            (
                "the report accepted",
                lambda: report_services.report_accept(
                    report=PeriodicReport.objects.get(pk=submitted.pk), by=staff
                ),
            )
        )
    writes += [
        (
            "an admission this year",
            lambda: member_services.member_create(
                organization=org,
                full_name="Nguyễn Thị Mới",
                birth_date=dt.date(1998, 5, 1),
                gender=Gender.NU,
                admission_decided_on=today,
                ceremony_on=today,
                by=staff,
            ),  # fmt: skip
        ),
        (
            "an admission in the shown year",
            lambda: member_services.member_create(
                organization=org,
                full_name="Trần Văn Cũ",
                birth_date=dt.date(1990, 5, 1),
                gender=Gender.NAM,
                admission_decided_on=dt.date(year, 6, 1),
                ceremony_on=dt.date(year, 6, 1),
                by=staff,
                **reason,
            ),  # fmt: skip
        ),
        ("a rating corrected", lambda: _rate(org, year, staff, reason)),
        (
            "a congress recorded",
            lambda: org_services.congress_record(
                organization=org, term_start=2025, held_on=dt.date(2025, 6, 10), by=staff, **reason
            ),
        ),
        (
            "an organisation leaving the Bloc",
            lambda: org_services.organization_leave(
                organization=Organization.objects.get(code="07"), left_on=today, by=staff, **reason
            ),
        ),
        (
            "a new target",
            lambda: target_services.target_create(
                year=year,
                indicator="congress_held",
                comparator="gte",
                value=Decimal("90"),
                wording="Trên 90% tổ chức cơ sở đảng tổ chức đại hội đúng nhiệm kỳ.",
                by=staff,
            ),
        ),
    ]
    for what, write in writes:
        write()
        _assert_fresh(client, urls, what)
    # After all these writes, with every page cached again: the consistency command (the tallies, and what the
    # cache serves against a recomputation) finds nothing.
    for url in urls:
        _body(client, url)
    assert consistency.differences() == []
    out = StringIO()
    call_command("tally_check", stdout=out)
    assert out.getvalue().count(" 0 chỗ khác nhau.") == 2, out.getvalue()


def _rate(org, year, staff, reason):
    record = OrganizationYear.objects.get(organization=org, year=year)
    record.party_rating = Rating.HTNV if record.party_rating != Rating.HTNV else Rating.HTTNV
    org_services.organization_year_save(record=record, by=staff, **reason)
