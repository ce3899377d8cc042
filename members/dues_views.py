"""Pages of the dues register (thu, nộp đảng phí). Thin: scope, bind the form, call the service, redirect."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.forms import add_service_errors, change_reason_of
from core.spreadsheets import xlsx_response
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

from . import dues, dues_documents, forms, selectors, services
from .models import DuesPolicy, DuesRate


def _year(raw, default: int) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= timezone.localdate().year else default


def _recorders_only(request) -> None:
    """A POST from a role that never records dues (leadership, the Inspection Commission) answers 403 before
    any lookup; staff and secretaries go on to the organisation's scope (404 for another's)."""
    user = request.user
    if request.method == "POST" and not (
        is_staff_role(user) or is_secretary(user) or is_cell_secretary(user)
    ):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")


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
    if request.method == "POST" and form.is_valid():
        try:
            written = services.dues_month_save(
                organization=org, month=month, entries=form.entries(), cell=unit, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
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
        },
    )


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
            "table": [(p, r, dues.REMITTANCE_LABELS[s], s) for p, r, s in table],
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
    if request.method == "POST" and form.is_valid():
        try:
            services.member_dues_save(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu căn cứ đóng đảng phí.")
            return redirect("members:member_detail", pk=member.pk)
    return render(
        request,
        "members/member_action.html",
        {"form": form, "title": "Căn cứ đóng đảng phí", "member": member},
    )


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
