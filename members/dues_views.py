"""Pages of the dues register (thu, nộp đảng phí). Thin: scope, bind the form, call the service, redirect."""

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.concurrency import EMPTY, EditGuard, history_last_change, text_of
from core.forms import add_service_errors, change_reason_of
from core.imports import ImportWizard
from core.spreadsheets import CONTENT_TYPE, xlsx_response
from organizations.access import (
    can_record_dues,
    can_see_cell,
    can_work_in_organization,
    check_can_record_dues,
    check_can_work_in,
    is_cell_secretary,
    is_secretary,
    is_staff_role,
    meeting_cells_q,
    organizations_for_user,
    readers_required,
    reads_everything,
    staff_required,
)
from organizations.models import Cell, Organization

from . import dues, dues_documents, dues_imports, forms, selectors, services
from .models import DuesPolicy, DuesRate, DuesStatus, Member, MemberDues


def _year(raw, default: int) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= timezone.localdate().year else default


def _recorders_only(request) -> None:
    """A POST from a role that never records dues (leadership, the Inspection Commission) answers 403 before
    any lookup; staff and secretaries go on to the organisation's scope (404 for another's)."""
    if request.method == "POST" and not _is_recorder(request.user):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")


def _is_recorder(user) -> bool:
    """Staff and secretaries record dues (each in their scope); leadership and the Inspection Commission only
    read."""
    return is_staff_role(user) or is_secretary(user) or is_cell_secretary(user)


def _sheet_scope(request, organization: int, cell: int | None) -> tuple[Organization, Cell | None]:
    """The organisation (and cell) of a month's sheet, or 404 outside the user's scope: a cell secretary sees
    their own cell's sheet only."""
    if cell is None:
        return get_object_or_404(organizations_for_user(request.user), pk=organization), None
    org = get_object_or_404(Organization, pk=organization)
    unit = get_object_or_404(Cell.objects.filter(meeting_cells_q()), pk=cell, organization=org)
    if not can_see_cell(request.user, org, unit):
        raise Http404("Không tìm thấy.")
    return org, unit


def _last_month(today: dt.date) -> dt.date:
    return dues.month_start(dues.month_start(today) - dt.timedelta(days=1))


@require_safe
def dues_overview(request):
    """The year's dues by organisation (the yearly report on screen), the members flagged for three unpaid
    months, and the remittances late or missing. A secretary sees their own organisation."""
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    orgs = organizations_for_user(request.user)
    report = dues.year_report(year, today, None if reads_everything(request.user) else orgs)
    rows = report.rows
    late = []
    for org_id, periods in dues.remittance_table(year, today, [r.organization for r in rows]).items():
        for period, remittance, status in periods:
            if status in (dues.LATE, dues.MISSING):
                late.append((next(r.organization for r in rows if r.organization.pk == org_id), period,
                             remittance, dues.REMITTANCE_LABELS[status]))  # fmt: skip
    return render(
        request,
        "members/dues_overview.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "rows": rows,
            "total": report.total if reads_everything(request.user) else None,
            "flags": dues.flagged_members(year, orgs),
            "late": late,
            "reads_all": reads_everything(request.user),
            "can_import": is_staff_role(request.user) or is_secretary(request.user),
            "last_month": _last_month(today),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def dues_month(request, organization, cell=None):
    """A month's collection for one organisation — or one of its cells (``dues_cell``, what a cell secretary
    records) — on one page (a phone's width): every member on the roll at the month's end, what they owe under
    the month's rule, and their status."""
    _recorders_only(request)
    org, unit = _sheet_scope(request, organization, cell)
    today = timezone.localdate()
    month = dues.parse_month(request.GET.get("month")) or dues.month_start(today)
    if month > dues.month_start(today) or month.year < 2000:
        month = dues.month_start(today)
    can_change = can_record_dues(request.user, org, unit)
    if request.method == "POST":
        check_can_record_dues(request.user, org, unit)
    rows = dues.month_sheet(org, month, unit)
    form = forms.DuesMonthForm(request.POST or None, rows=rows)
    guard = EditGuard(
        request,
        lambda: _month_state(org, month, unit),
        lock=lambda: _month_state(org, month, unit, lock=True),
        forms=[form],
    )
    if request.method == "POST" and form.is_valid():
        try:
            written = guard.run(
                lambda: services.dues_month_save(
                    organization=org, month=month, entries=form.entries(), cell=unit, by=request.user
                )
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if written is not False:
                messages.success(request, f"Đã ghi đảng phí tháng {month:%m/%Y}: {written} đảng viên.")
                return redirect(f"{request.path}?month={month:%Y-%m}")
    recorded = [r for r in rows if r.line is not None]
    policy = dues.policy_on(month)
    collected = sum(r.line.amount_paid for r in recorded)
    months = [dues.month_start(today)]
    while len(months) < 13:
        months.append(dues.month_start(months[-1] - dt.timedelta(days=1)))
    cells = [] if unit is not None else list(org.cells.filter(meeting_cells_q()).order_by("name"))
    return render(
        request,
        "members/dues_month.html",
        {
            "organization": org,
            "cell": unit,
            "cells": cells,
            "is_cell_secretary": is_cell_secretary(request.user),
            "month": month,
            "months": months,
            "form": form,
            "can_change": can_change,
            "summary": {
                "roll": len(rows),
                "paid": sum(1 for r in recorded if r.line.status == "paid"),
                "unpaid": sum(1 for r in recorded if r.line.status == "unpaid"),
                "exempt": sum(1 for r in recorded if r.line.status == "exempt"),
                "missing": len(rows) - len(recorded),
                "collected": collected,
                "kept": dues.kept_share(
                    collected, policy.cell_keeps_percent if unit else policy.organization_keeps_percent
                )
                if policy
                else None,
            },
            "policy": policy,
            "rates": sorted(dues.rates_on(month).values(), key=lambda r: r.label),
            **guard.context(),
        },
        status=guard.status,
    )


def _month_state(organization, month, cell, *, lock=False) -> dict:
    """A month's sheet as its form shows it: each member's status, amount and reason (``s``, ``a``, ``r`` + the
    member's key), the lines recorded; with ``lock`` the organisation row is locked first, as the save does."""
    if lock:
        Organization.objects.select_for_update().get(pk=organization.pk)
    labels = dict(DuesStatus.choices)
    state = {}
    for row in dues.month_sheet(organization, month, cell):
        line, name, pk = row.line, row.member.full_name, row.member.pk
        status = line.status if line else ""
        amount = line.amount_paid if line and line.amount_paid else None
        reason = line.reason if line else ""
        state[f"s{pk}"] = (f"{name} — tình trạng", status, labels.get(status, "chưa thu"), status)
        state[f"a{pk}"] = (
            f"{name} — số tiền",
            "" if amount is None else str(amount),
            text_of(amount),
            amount,
        )
        state[f"r{pk}"] = (f"{name} — lý do", reason, reason or EMPTY, reason)
    return state


@require_http_methods(["GET", "HEAD", "POST"])
def dues_import(request, organization):
    """A month's (or several months') collection for one organisation from a spreadsheet: upload → preview
    (every row checked by the month sheet's services, errors by row number) → confirm (all-or-nothing);
    ?template=1 is last month's roll to fill in. Staff and the organisation's secretary; another organisation 404."""
    if not _is_recorder(request.user):
        # An edit page: leadership and the Inspection Commission get 403 before any lookup (GET included).
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được nhập đảng phí.")
    org = get_object_or_404(Organization, pk=organization)
    check_can_record_dues(request.user, org)
    if request.GET.get("template") == "1":
        response = HttpResponse(dues_imports.template_workbook(org), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="mau-nhap-dang-phi-{org.code}.xlsx"'
        return response
    wizard = ImportWizard(
        resource=functools.partial(dues_imports.DuesImportResource, organization=org),
        template="members/dues_import.html",
        session_key=f"dues_import_{org.pk}",
        noun="dòng đảng phí",
        done=reverse("members:dues_month", args=[org.pk]),
        extra={"organization": org},
    )
    return wizard(request)


@require_http_methods(["GET", "HEAD", "POST"])
def dues_remittances(request, organization):
    """One organisation's remittances to the Bloc for a year, and the form to record one."""
    _recorders_only(request)
    org = get_object_or_404(organizations_for_user(request.user), pk=organization)
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    periods = [p for p in dues.remittance_periods(year) if p.start <= today]
    form = forms.RemittanceForm(request.POST or None, periods=periods)
    if request.method == "POST":
        check_can_work_in(request.user, org)
        if form.is_valid():
            try:
                services.dues_remittance_record(
                    organization=org,
                    by=request.user,
                    change_reason=change_reason_of(form),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Đã ghi nộp đảng phí lên Đảng ủy Khối.")
                return redirect(f"{request.path}?year={year}")
    table = dues.remittance_table(year, today, [org]).get(org.pk, [])
    return render(
        request,
        "members/dues_remittances.html",
        {
            "organization": org,
            "year": year,
            "table": [(p, r, dues.REMITTANCE_LABELS[s], s, *dues.period_owed(org, p)) for p, r, s in table],
            "form": form,
            "can_change": can_work_in_organization(request.user, org),
            "policy": dues.policy_on(dt.date(year, 1, 1)),
        },
    )


@require_safe
@readers_required
def dues_report(request):
    """The Bloc's yearly dues report by organisation: XLSX, or DOCX / PDF in the official format."""
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year - 1)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "docx", "pdf"):
        raise Http404("Định dạng không hỗ trợ.")
    report = dues.year_report(year, today)
    if fmt == "xlsx":
        return xlsx_response([dues_documents.report_sheet(report)], f"dang-phi-{year}")
    data, content_type, filename = dues_documents.write(
        dues_documents.report_document(report, today=today), fmt
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def member_dues(request, pk):
    """A member's dues category and income base."""
    member = selectors.member_get_for_user(request.user, pk)
    check_can_work_in(request.user, member.organization)
    profile = dues.profile_of(member)
    initial = (
        {"category": profile.category, "income_base": profile.income_base}
        if profile
        else {"category": dues.default_category(member.organization)}
    )
    form = forms.MemberDuesForm(request.POST or None, initial=initial, categories=dues.categories())
    guard = EditGuard(
        request,
        lambda: _profile_state(member),
        lock=lambda: _profile_state(member, lock=True),
        last_change=lambda: history_last_change(MemberDues, profile.pk) if profile else ("", None),
        forms=[form],
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = guard.run(
                lambda: services.member_dues_save(member=member, by=request.user, **form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if saved:
                messages.success(request, "Đã lưu căn cứ đóng đảng phí.")
                return redirect("members:member_detail", pk=member.pk)
    return render(
        request,
        "members/member_action.html",
        {"form": form, "title": "Căn cứ đóng đảng phí", "member": member, **guard.context()},
        status=guard.status,
    )


def _profile_state(member, *, lock=False) -> dict:
    """A member's dues category and income base as the form shows them (none recorded: blank); with ``lock`` the
    member row is locked first (a profile created meanwhile is caught too)."""
    if lock:
        Member.objects.select_for_update().get(pk=member.pk)
    profile = MemberDues.objects.filter(member=member).first()
    category = (
        profile.category if profile else dues.default_category(member.organization)
    )  # as the form shows
    base = profile.income_base if profile else None
    return {
        "category": (
            "đối tượng đóng đảng phí",
            category,
            dict(dues.categories()).get(category, category) or EMPTY,
            category,
        ),
        "income_base": ("thu nhập tính đảng phí", "" if base is None else str(base), text_of(base), base),
    }


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def dues_settings(request):
    """The dues rules as data: rates by category from a date, and the shares kept per level, each with its
    source. A new rule for a category ends the previous one the day before."""
    form = forms.DuesRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dues_rate_add(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Đã thêm mức đóng đảng phí.")
            return redirect("members:dues_settings")
    return render(
        request,
        "members/dues_settings.html",
        {
            "form": form,
            "rates": DuesRate.objects.order_by("label", "-valid_from"),
            "policies": DuesPolicy.objects.all(),
        },
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def dues_policy(request):
    """The shares each level keeps and the remittance period (``DuesPolicy``), beside the rates: a new rule from
    its date, or the correction of one (its history kept and shown)."""
    current = dues.policy_on(timezone.localdate())
    initial = {}
    if current is not None:
        initial = {
            name: getattr(current, name)
            for name in ("cell_keeps_percent", "organization_keeps_percent", "bloc_keeps_percent", "remit_every_months",
                         "remit_due_days", "source", "cell_share_override")
        }  # fmt: skip
    form = forms.DuesPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dues_policy_set(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu tỷ lệ trích giữ, kỳ nộp đảng phí.")
            return redirect("members:dues_settings")
    return render(
        request,
        "members/dues_policy.html",
        {
            "form": form,
            "policies": DuesPolicy.objects.all(),
            "changes": DuesPolicy.history.select_related("history_user").order_by("-history_date")[:50],
        },
    )
