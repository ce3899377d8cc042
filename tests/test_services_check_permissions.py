"""Services check who acts (organizations/access.py `require_staff`, `require_worker`), so the Django admin, a
script or a view that forgot a check cannot do what the portal refuses. Called directly here, without a view."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from members import services as member_services
from members.tests import factories as member_factories
from organizations import services as org_services
from reports import services as report_services
from reports.models import ReportStatus
from reports.periods import periods_create
from reports.tests.factories import ReportFactory, period
from targets import services as target_services

pytestmark = pytest.mark.django_db


def test_registry_writes_are_for_staff(leader, secretary_a, staff, org_a):
    for user in (leader, secretary_a):
        with pytest.raises(PermissionDenied):
            org_services.organization_leave(organization=org_a, left_on=dt.date(2030, 1, 1), by=user)
        with pytest.raises(PermissionDenied):
            target_services.target_create(
                year=2021, indicator="admissions", comparator="gte", value=1, wording="x", by=user
            )
        with pytest.raises(PermissionDenied):
            periods_create(year=2022, by=user)
    periods_create(year=2022, by=staff)


def test_a_secretary_changes_only_their_own_organisations_contacts(secretary_a, org_a, org_b):
    org_a.phone = "0233 3852 000"
    org_services.organization_save(organization=org_a, by=secretary_a)
    org_a.name = "Tên khác"
    with pytest.raises(PermissionDenied, match="thông tin liên hệ"):
        org_services.organization_save(organization=org_a, by=secretary_a)
    org_b.phone = "0233 0000 000"
    with pytest.raises(PermissionDenied):
        org_services.organization_save(organization=org_b, by=secretary_a)


def test_members_and_reports_of_another_organisation_are_refused(secretary_a, leader, org_b):
    member = member_factories.member(org_b, ceremony_on=dt.date(2015, 3, 10), full=True)
    for user in (secretary_a, leader):
        with pytest.raises(PermissionDenied):
            member_services.member_update(
                member=member,
                full_name="Đổi",
                birth_date=member.birth_date,
                gender=member.gender,
                cell=None,
                card_number="",
                by=user,
            )
    report = ReportFactory(organization=org_b, period=period(2021, "month", 1), status=ReportStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        report_services.report_accept(report=report, by=secretary_a)
