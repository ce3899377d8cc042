"""Reads for periodic reports: scoping, registry figures, a secretary's obligations, version comparison.
Who owes a report and whether it was on time lives in ``timeliness.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.datacache import cached_under_data_version, cached_when_version_read
from members import meetings
from members.models import ROLL_IN_KINDS, ROLL_OUT_KINDS, EventKind, MemberEvent, TransferScope
from organizations.access import scope_by_organization
from organizations.models import Cell, Officer, Organization, OrganizationYear

from .models import (
    PeriodicReport,
    ReminderKind,
    ReminderLog,
    ReportAttachment,
    ReportingPeriod,
    ReportStatus,
    ReportVersion,
    Resolution,
)
from .periods import periods_of_year
from .timeliness import MISSING, NOT_DUE, TimelinessCell, classify, owes_q, owes_report, timeliness_counts

#: Figures prefilled from the registry; a change by the secretary needs an explanation.
REGISTRY_FIELDS = ("members_total", "admissions", "full_memberships", "transfers_in", "transfers_out")
#: What a version keeps, with the label the comparison page shows.
SNAPSHOT_LABELS = {
    "members_total": "Tổng số đảng viên cuối kỳ",
    "admissions": "Kết nạp trong kỳ",
    "full_memberships": "Công nhận chính thức trong kỳ",
    "transfers_in": "Chuyển đến trong kỳ",
    "transfers_out": "Chuyển đi trong kỳ",
    "non_member_headcount": "Số quần chúng của đơn vị",
    "cells_total": "Số chi bộ",
    "cell_meetings_held": "Số chi bộ sinh hoạt đúng định kỳ",
    "discrepancy_note": "Giải trình số liệu khác sổ",
    "results_text": "Kết quả",
    "shortcomings_text": "Hạn chế",
    "directions_text": "Phương hướng",
    "proposals_text": "Kiến nghị",
    "self_rating": "Tự đánh giá xếp loại",
    "theme_text": "Chủ đề năm (Chỉ thị 05)",
    "theme_doc_no": "Số văn bản chủ đề",
    "theme_issued_on": "Ngày ban hành chủ đề",
}

#: Figures prefilled from the cells' meeting records (``members.meetings.report_figures``) when the organisation
#: keeps them for the year; a change needs an explanation too.
MEETING_FIELDS = ("cells_total", "cell_meetings_held")
#: Statuses whose figures count in the Bloc's summary.
FILED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def reports_for_user(user) -> QuerySet[PeriodicReport]:
    """Every report the user may see, with organisation and period loaded."""
    return scope_by_organization(PeriodicReport.objects.select_related("organization", "period"), user)


def reports_to_edit(user) -> QuerySet[PeriodicReport]:
    """``reports_for_user`` with ``has_attachments`` (any not removed) read in the same query: the report form
    asks for the files only when there are some (a draft rarely has its signed scan yet)."""
    return reports_for_user(user).annotate(
        has_attachments=Exists(ReportAttachment.objects.filter(report=OuterRef("pk"), is_removed=False))
    )


def attachments_shown(report: PeriodicReport) -> list[ReportAttachment]:
    """The report's attachments not removed, oldest first (no query when ``reports_to_edit`` found none)."""
    if getattr(report, "has_attachments", True) is False:
        return []
    return list(report.attachments.filter(is_removed=False))


# --- registry figures ----------------------------------------------------------------------------------


def registry_figures(organization: Organization, period: ReportingPeriod) -> dict[str, int]:
    """What the member registry says for `organization` and `period`, counted from events.

    Members at period end: roll-in events minus roll-out events up to the last day; admissions and full
    memberships by decision date; transfers by effective date. With the cells' meeting records of the year, also
    the cells and those that met every month of the period (``MEETING_FIELDS``). Cached under the data's version (one cheap query
    instead of the aggregate): the report form asks again each time it is opened, and any new event changes the
    version.
    """
    return cached_under_data_version(
        ("registry-figures", organization.pk, period.pk, period.starts_on, period.ends_on),
        lambda: _count_registry(organization, period),
    )


def bloc_registry_figures(period: ReportingPeriod, as_of) -> dict[str, int]:
    """``registry_figures`` for the whole Bloc: every organisation that owes the period's report
    (``timeliness.owes_q``), filed or not, counted from the events up to the period's end (or `as_of` if
    earlier). The summary prints it beside the sums of the filed reports, which cover only those who filed."""
    end = min(period.ends_on, as_of)
    events = MemberEvent.objects.filter(owes_q(period, "organization__")).annotate(
        counted_on=Coalesce("decided_on", "effective_on")
    )
    return _figures(events, period.starts_on, end)


def _count_registry(organization: Organization, period: ReportingPeriod) -> dict[str, int]:
    events = MemberEvent.objects.filter(organization=organization).annotate(
        counted_on=Coalesce("decided_on", "effective_on")
    )
    return {
        **_figures(events, period.starts_on, period.ends_on),
        **(meetings.report_figures(organization, period.starts_on, period.ends_on) or {}),
    }


def _figures(events, start, end) -> dict[str, int]:
    figures = events.aggregate(
        roll_in=Count("pk", filter=Q(kind__in=ROLL_IN_KINDS, effective_on__lte=end)),
        roll_out=Count("pk", filter=Q(kind__in=ROLL_OUT_KINDS, effective_on__lte=end)),
        admissions=Count("pk", filter=Q(kind=EventKind.ADMITTED, counted_on__range=(start, end))),
        full_memberships=Count("pk", filter=Q(kind=EventKind.FULL_MEMBER, counted_on__range=(start, end))),
        transfers_in=Count("pk", filter=Q(kind=EventKind.TRANSFER_IN, effective_on__range=(start, end))),
        transfers_out=Count("pk", filter=Q(kind=EventKind.TRANSFER_OUT, effective_on__range=(start, end))),
    )
    return {
        "members_total": max(figures["roll_in"] - figures["roll_out"], 0),
        "admissions": figures["admissions"],
        "full_memberships": figures["full_memberships"],
        "transfers_in": figures["transfers_in"],
        "transfers_out": figures["transfers_out"],
    }


def bloc_transfers(start, end) -> dict[str, int]:
    """Transfers seen from the Bloc for [start, end], from the events. A transfer inside the Bloc (nội bộ) is
    not a "chuyển đến / chuyển đi" of the Bloc: it is counted apart (``internal``); a temporary transfer keeps
    the member on the home roll (QĐ 232-QĐ/TW §6.3.2) and is counted apart too."""
    figures = MemberEvent.objects.filter(effective_on__range=(start, end)).aggregate(
        in_from_outside=Count(
            "pk", filter=Q(kind=EventKind.TRANSFER_IN) & ~Q(transfer_scope=TransferScope.NOI_BO)
        ),
        out_to_outside=Count(
            "pk", filter=Q(kind=EventKind.TRANSFER_OUT) & ~Q(transfer_scope=TransferScope.NOI_BO)
        ),
        internal=Count("pk", filter=Q(kind=EventKind.TRANSFER_OUT, transfer_scope=TransferScope.NOI_BO)),
        temporary=Count("pk", filter=Q(kind=EventKind.TEMP_OUT)),
    )
    return figures


def registry_suggestions(organization: Organization, period: ReportingPeriod) -> dict[str, int | None]:
    """Figures the form suggests but does not flag: the unit's non-member headcount (the organisation's yearly
    record) and its active cells. Shown beside the form's fields as coming from the registry; cached under the
    data's version like ``registry_figures``."""
    return cached_under_data_version(
        ("registry-suggestions", organization.pk, period.pk, period.year),
        lambda: _count_suggestions(organization, period),
    )


def _count_suggestions(organization: Organization, period: ReportingPeriod) -> dict[str, int | None]:
    headcount = (
        OrganizationYear.objects.filter(organization=organization, year=period.year)
        .values_list("non_member_headcount", flat=True)
        .first()
    )
    cells = Cell.objects.filter(organization=organization, is_active=True).count()
    return {"non_member_headcount": headcount, "cells_total": cells}


def yearly_theme(organization: Organization, year: int) -> dict:
    """The year's Chỉ thị 05 theme as the registry keeps it (``OrganizationYear``): the yearly report's theme
    fields start from it. Empty values when the registry has no record for the year."""
    row = (
        OrganizationYear.objects.filter(organization=organization, year=year)
        .values("theme_text", "theme_doc_no", "theme_issued_on")
        .first()
    )
    return row or {"theme_text": "", "theme_doc_no": "", "theme_issued_on": None}


def previous_counted_report(organization: Organization, period: ReportingPeriod) -> PeriodicReport | None:
    """The organisation's latest counted report (submitted or accepted) of the same year whose period ended by
    the end of `period` (another period: a quarter's report after its third month's): study figures are
    cumulative from the start of the year ("lũy kế từ đầu năm"), so a new report starts from it."""
    return (
        PeriodicReport.objects.filter(
            organization=organization,
            period__year=period.year,
            period__ends_on__lte=period.ends_on,
            status__in=FILED_STATUSES,
        )
        .exclude(period=period)
        .select_related("period")
        .order_by("-period__ends_on", "-submitted_at", "-pk")
        .first()
    )


def required_resolutions(year: int) -> list[Resolution]:
    """The resolutions every report of `year` has a study line for (on a page that shows cached figures, kept
    with them: ``cached_when_version_read``)."""
    return cached_when_version_read(
        ("required-resolutions", year),
        lambda: list(Resolution.objects.filter(year=year, required=True).order_by("order", "pk")),
    )


def figure_flags(snapshot: dict, values: dict, lines: dict[int, dict]) -> dict[str, str]:
    """Figures that disagree with the registry: {field name: explanation in Vietnamese}.

    `values` holds the report's figures, `lines` the study lines by resolution id. A prefilled figure that
    differs from what the registry said, a study line whose members differ from the roll at period end, or
    whose non-members differ from the unit's non-member headcount is flagged. Study-line keys are
    ``study_<resolution id>_members_total`` / ``_masses_total``."""
    snapshot = snapshot or {}
    flags: dict[str, str] = {}
    for name in (*REGISTRY_FIELDS, *MEETING_FIELDS):
        value = values.get(name)
        if name in snapshot and value is not None and value != snapshot[name]:
            book = "sổ sinh hoạt chi bộ" if name in MEETING_FIELDS else "sổ đảng viên"
            flags[name] = f"Khác {book}: sổ ghi {snapshot[name]}, bạn nhập {value}. Cần giải trình."
    roll = snapshot.get("members_total")
    headcount = values.get("non_member_headcount")
    for rid, line in lines.items():
        members, masses = line.get("members_total"), line.get("masses_total")
        if roll is not None and members is not None and members != roll:
            flags[f"study_{rid}_members_total"] = (
                f"Khác sổ đảng viên: cuối kỳ có {roll} đảng viên, bạn nhập {members}. Cần giải trình."
            )
        if headcount is not None and masses is not None and masses != headcount:
            flags[f"study_{rid}_masses_total"] = (
                f"Khác số quần chúng của đơn vị ({headcount}), bạn nhập {masses}. Cần giải trình."
            )
    return flags


def report_flags(report: PeriodicReport, lines=None) -> dict[str, str]:
    """``figure_flags`` for a stored report."""
    lines = report.study_lines.all() if lines is None else lines
    return figure_flags(
        report.registry_snapshot,
        {name: getattr(report, name) for name in (*REGISTRY_FIELDS, *MEETING_FIELDS, "non_member_headcount")},
        {
            line.resolution_id: {"members_total": line.members_total, "masses_total": line.masses_total}
            for line in lines
        },
    )


# --- a secretary's obligations ----------------------------------------------------------------------------


@dataclass
class Obligation:
    period: ReportingPeriod
    report: PeriodicReport | None
    cell: TimelinessCell

    @property
    def days_left(self) -> int:
        return (self.period.due_on - timezone.localdate()).days


def obligations_for_organization(organization: Organization, as_of: dt.date) -> dict[str, list[Obligation]]:
    """What the organisation owes: ``returned`` (reports staff sent back: to fix and submit again, first),
    ``overdue`` (past due, not submitted), ``due`` (ended or ending within 31 days, not yet due, not submitted:
    soonest first) and ``filed`` (its reports, newest first)."""
    periods = []
    for year in (as_of.year - 1, as_of.year):
        periods += periods_of_year(year)
    reports = {
        r.period_id: r
        for r in PeriodicReport.objects.filter(organization=organization, period__in=[p.pk for p in periods])
    }
    overdue, due, filed, returned = [], [], [], []
    horizon = as_of + dt.timedelta(days=31)
    for period in sorted(periods, key=lambda p: (p.due_on, p.ends_on)):
        if not owes_report(organization, period):
            continue
        report = reports.get(period.pk)
        cell = classify(period=period, first_submitted_at=report and report.first_submitted_at, as_of=as_of)
        item = Obligation(period=period, report=report, cell=cell)
        if cell.state == MISSING:
            overdue.append(item)
        elif cell.state == NOT_DUE and period.ends_on <= horizon:
            due.append(item)
    for report in (
        PeriodicReport.objects.filter(organization=organization)
        .exclude(first_submitted_at=None)
        .select_related("period")
        .order_by("-period__ends_on", "period__kind")
    ):
        item = Obligation(
            period=report.period,
            report=report,
            cell=classify(period=report.period, first_submitted_at=report.first_submitted_at, as_of=as_of),
        )
        filed.append(item)
        if report.status == ReportStatus.RETURNED:
            returned.append(item)
    returned.sort(key=lambda o: (o.period.due_on, o.period.ends_on))
    return {"returned": returned, "overdue": overdue, "due": due, "filed": filed}


# --- review ------------------------------------------------------------------------------------------------


def review_queue() -> QuerySet[PeriodicReport]:
    """Reports waiting for staff's review, oldest submission first (first come, first reviewed)."""
    return (
        PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("organization", "period")
        .order_by("submitted_at", "pk")
    )


def next_for_review(after: PeriodicReport | None = None) -> PeriodicReport | None:
    """The oldest report waiting for review other than `after` ("mở báo cáo tiếp theo")."""
    queue = review_queue()
    if after is not None:
        queue = queue.exclude(pk=after.pk)
    return queue.first()


def review_counts() -> dict[str, int]:
    """{"submitted": waiting for review, "returned": returned and not submitted again}, one query."""
    return PeriodicReport.objects.aggregate(
        submitted=Count("pk", filter=Q(status=ReportStatus.SUBMITTED)),
        returned=Count("pk", filter=Q(status=ReportStatus.RETURNED)),
    )


def overdue_report_count(as_of: dt.date) -> int:
    """Reports owed and not submitted whose due date passed this year (``timeliness``'s "missing")."""
    periods = [
        p
        for year in (as_of.year - 1, as_of.year)
        for p in periods_of_year(year)
        if p.due_on.year == as_of.year and p.due_on < as_of
    ]
    return timeliness_counts(periods, as_of)[1].missing if periods else 0


# --- reminders ---------------------------------------------------------------------------------------------


@dataclass
class Contact:
    """Who to call about an organisation's report: its active officers (name, e-mail) and its phone."""

    people: list[tuple[str, str]]
    phone: str


def secretary_contacts(organization_ids: list[int]) -> dict[int, Contact]:
    """{organisation id: its contact} for the period page's late organisations (two queries)."""
    contacts = {
        pk: Contact(people=[], phone=phone)
        for pk, phone in Organization.objects.filter(pk__in=organization_ids).values_list("pk", "phone")
    }
    for org_id, first, last, username, email in (
        Officer.objects.filter(is_active=True, user__is_active=True, organization__in=organization_ids)
        .order_by("organization_id", "title", "pk")
        .values_list(
            "organization_id", "user__first_name", "user__last_name", "user__username", "user__email"
        )
    ):
        name = f"{first} {last}".strip() or username
        contacts[org_id].people.append((name, email))
    return contacts


def reminded_on(period: ReportingPeriod, day: dt.date) -> set[int]:
    """Organisations already reminded about `period` by staff on `day` (the button says so)."""
    return set(
        ReminderLog.objects.filter(
            period=period, kind=ReminderKind.MANUAL, key__contains=f":{day.isoformat()}:"
        ).values_list("organization_id", flat=True)
    )


# --- versions ----------------------------------------------------------------------------------------------


def version_rows(a: ReportVersion, b: ReportVersion) -> list[dict]:
    """Field-by-field comparison of two versions: [{label, a, b, changed}]."""
    rows = []
    for key, label in SNAPSHOT_LABELS.items():
        va, vb = a.data.get(key), b.data.get(key)
        rows.append({"label": label, "a": va, "b": vb, "changed": va != vb})
    lines_a = {str(line["resolution_id"]): line for line in a.data.get("study_lines", [])}
    lines_b = {str(line["resolution_id"]): line for line in b.data.get("study_lines", [])}
    for rid in list(dict.fromkeys([*lines_a, *lines_b])):
        la, lb = lines_a.get(rid, {}), lines_b.get(rid, {})
        title = la.get("short_title") or lb.get("short_title") or rid
        for key, label in (
            ("members_studied", "đảng viên đã học"),
            ("members_total", "tổng số đảng viên"),
            ("masses_studied", "quần chúng đã học"),
            ("masses_total", "tổng số quần chúng"),
        ):
            va, vb = la.get(key), lb.get(key)
            rows.append({"label": f"{title}: {label}", "a": va, "b": vb, "changed": va != vb})
    return rows


def period_from_query(request) -> ReportingPeriod:
    """?period=<id>: the period, or 404."""
    try:
        pk = int(request.GET.get("period", ""))
    except ValueError:
        raise Http404("Không tìm thấy kỳ báo cáo.") from None
    return get_object_or_404(ReportingPeriod, pk=pk)
