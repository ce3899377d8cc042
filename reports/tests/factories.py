"""Factories for periodic reports (and the member events their registry figures come from)."""

import datetime as dt

import factory

from members.models import EventKind, Gender, Member, MemberEvent, MemberStatus
from organizations.tests.factories import OrganizationFactory
from reports.models import PeriodicReport, ReportStatus, Resolution
from reports.periods import periods_create


def period(year=2021, kind="month", number=1):
    return next(p for p in periods_create(year=year) if p.kind == kind and p.number == number)


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution

    year = 2021
    title = factory.Sequence(lambda n: f"Nghị quyết số {n + 1} của Ban Chấp hành Trung ương")
    short_title = factory.Sequence(lambda n: f"NQ {n + 1}")
    required = True
    order = factory.Sequence(lambda n: n)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thứ {n + 1}")
    birth_date = dt.date(1985, 1, 1)
    gender = Gender.NAM
    organization = factory.SubFactory(OrganizationFactory)
    status = MemberStatus.CHINH_THUC


def event(member, kind, effective_on, decided_on=None, organization=None):
    return MemberEvent.objects.create(
        member=member,
        kind=kind,
        organization=organization or member.organization,
        effective_on=effective_on,
        decided_on=decided_on,
    )


def admitted_member(org, on: dt.date, decided_on: dt.date | None = None):
    member = MemberFactory(organization=org, status=MemberStatus.DU_BI)
    event(member, EventKind.ADMITTED, on, decided_on or on)
    return member


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeriodicReport

    organization = factory.SubFactory(OrganizationFactory)
    period = factory.LazyFunction(lambda: period(2021, "month", 1))
    status = ReportStatus.DRAFT
    members_total = 10
    admissions = 0
    full_memberships = 0
    transfers_in = 0
    transfers_out = 0
    non_member_headcount = 20
    results_text = "Hoàn thành nhiệm vụ trong kỳ."
