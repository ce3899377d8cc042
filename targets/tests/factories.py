"""Small ORM helpers for the indicator and dashboard tests (plain creates, no business services)."""

import datetime as dt
import itertools

from django.utils import timezone

from members.models import EventKind, Member, MemberEvent, MemberStatus
from organizations.models import (
    BlocMembership,
    Congress,
    Organization,
    OrganizationYear,
    UnitType,
    term_of_year,
)
from reports.models import PeriodicReport, ReportingPeriod, ReportStatus, Resolution, StudyLine

_seq = itertools.count(1)


def org(
    code=None, *, joined_on=dt.date(2000, 1, 1), left_on=None, enterprise=False, congress=None, name=None
):
    n = next(_seq)
    organization = Organization.objects.create(
        code=code or f"T{n:03d}",
        name=name or f"Đảng bộ thử {n}",
        kind="dang_bo_co_so",
        unit_type=UnitType.DN_NHA_NUOC if enterprise else UnitType.CO_QUAN_HANH_CHINH,
        joined_on=joined_on,
        left_on=left_on,
    )
    BlocMembership.objects.create(organization=organization, joined_on=joined_on, left_on=left_on)
    if congress is not None:
        Congress.objects.create(
            organization=organization, term_start=term_of_year(congress.year), held_on=congress
        )
    return organization


def member(organization, name=None):
    return Member.objects.create(
        full_name=name or f"Nguyễn Văn {next(_seq)}",
        birth_date=dt.date(1990, 1, 1),
        gender="nam",
        organization=organization,
        status=MemberStatus.DU_BI,
    )


def event(organization, kind=EventKind.ADMITTED, decided_on=dt.date(2021, 3, 1), who=None, **extra):
    who = who or member(organization)
    return MemberEvent.objects.create(
        member=who,
        kind=kind,
        organization=organization,
        decided_on=decided_on,
        effective_on=extra.pop("effective_on", decided_on),
        **extra,
    )


def org_year(organization, year=2021, **fields):
    return OrganizationYear.objects.create(organization=organization, year=year, **fields)


def period(kind="month", year=2021, number=1, starts_on=None, ends_on=None, due_on=None):
    """The period (kind, year, number), created if a view has not already ensured it."""
    starts_on = starts_on or dt.date(year, number, 1)
    ends_on = ends_on or (
        dt.date(year, number + 1, 1) - dt.timedelta(days=1) if number < 12 else dt.date(year, 12, 31)
    )
    due_on = due_on or ends_on + dt.timedelta(days=5)
    the_period, _ = ReportingPeriod.objects.update_or_create(
        kind=kind,
        year=year,
        number=number,
        defaults={"starts_on": starts_on, "ends_on": ends_on, "due_on": due_on},
    )
    return the_period


def local_dt(day, hour=9):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def report(organization, the_period, status=ReportStatus.SUBMITTED, submitted_on=None, hour=9):
    first = local_dt(submitted_on, hour) if submitted_on else None
    return PeriodicReport.objects.create(
        organization=organization,
        period=the_period,
        status=status,
        first_submitted_at=first,
        submitted_at=first,
    )


def resolution(year=2021, short_title=None, required=True, order=0):
    title = short_title or f"NQ {next(_seq)}"
    return Resolution.objects.create(
        year=year, title=title, short_title=title, required=required, order=order
    )


def study(the_report, the_resolution, ms, mt, qs=0, qt=0):
    return StudyLine.objects.create(
        report=the_report,
        resolution=the_resolution,
        members_studied=ms,
        members_total=mt,
        masses_studied=qs,
        masses_total=qt,
    )


def article_targets(year: int = 2021, *, by=None) -> list:
    """The article's eight targets for `year`, made through the service (the demo's wording and values)."""
    from demo.reports import TARGETS_2021
    from targets.services import target_create

    return [
        target_create(
            year=year, indicator=code, comparator=comparator, value=value, rating=rating,
            wording=wording, order=order, by=by,
        )
        for order, (code, comparator, value, rating, wording) in enumerate(TARGETS_2021, start=1)
    ]  # fmt: skip
