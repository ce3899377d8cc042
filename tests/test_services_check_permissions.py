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


def test_dues_are_recorded_by_the_organisation_and_their_rules_by_staff(
    leader, secretary_a, staff, org_a, org_b
):
    """QĐ 342-QĐ/TW (2010), QĐ 01-QĐ/TW (2026): a TCCSĐ collects and remits its members' dues (its secretary or
    staff record it, never another organisation or leadership); the rates are staff's to record."""
    member = member_factories.member(org_b, ceremony_on=dt.date(2015, 3, 10), full=True)
    for user in (secretary_a, leader):
        with pytest.raises(PermissionDenied):
            member_services.member_dues_save(member=member, category="x", income_base=1, by=user)
        with pytest.raises(PermissionDenied):
            member_services.dues_month_save(
                organization=org_b, month=dt.date(2025, 1, 1), entries={}, by=user
            )
        with pytest.raises(PermissionDenied):
            member_services.dues_remittance_record(
                organization=org_b,
                period_start=dt.date(2025, 1, 1),
                amount=1,
                remitted_on=dt.date(2025, 2, 1),
                by=user,
            )
    for user in (secretary_a, leader):
        with pytest.raises(PermissionDenied):
            member_services.dues_rate_add(
                category="x", label="x", valid_from=dt.date(2030, 1, 1), percent=1, source="QĐ", by=user
            )
    assert (
        member_services.dues_month_save(organization=org_b, month=dt.date(2025, 1, 1), entries={}, by=staff)
        == 0
    )


def test_the_inspection_commission_reads_the_cells_books_but_keeps_none(org_a):
    """The Inspection Commission reads everything like leadership; it records the discipline and inspection
    registers only — not a cell's meetings nor its dues."""
    from organizations.models import Cell
    from organizations.tests.factories import inspection_user

    inspector = inspection_user()
    cell = Cell.objects.create(organization=org_a, name="Chi bộ 1")
    with pytest.raises(PermissionDenied):
        member_services.meeting_save(
            meeting=None,
            organization=org_a,
            cell=cell,
            data={"held_on": dt.date(2025, 3, 5), "kind": "thuong_ky", "topics": "x"},
            attendance={},
            complete=False,
            by=inspector,
        )
    with pytest.raises(PermissionDenied):
        member_services.dues_month_save(
            organization=org_a, month=dt.date(2025, 1, 1), entries={}, cell=cell, by=inspector
        )
