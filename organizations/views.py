"""Pages of the organisations registry. Thin: scope, bind the form, call the service, message, redirect."""

import inspect

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe
from django_tables2 import RequestConfig

from core.concurrency import EditGuard, object_guard
from core.datacache import page_cache_key
from core.forms import add_service_errors, change_reason_of
from core.imports import ImportWizard
from core.spreadsheets import Sheet, csv_response, xlsx_response

from . import access, forms, rating_rules, services
from .access import check_can_work_in, is_staff_role, organization_of, organizations_for_user, staff_required
from .filters import OrganizationFilter
from .models import (
    BlocYear,
    Cell,
    CellKind,
    DocumentTemplate,
    Kind,
    Officer,
    OfficerTitle,
    Organization,
    OrganizationYear,
    OutgoingDocument,
)
from .resources import EXPORT_HEADERS, OrganizationResource, export_rows
from .selectors import current_document_template, organization_get_for_user, temporary_arrivals
from .structure_rules import structure_flags
from .tables import OrganizationTable, organization_rows_html

#: Statuses that keep a member on the roll (members.models.ACTIVE_STATUSES; organizations does not import members).
ACTIVE_MEMBER_STATUSES = ("du_bi", "chinh_thuc", "mien_sinh_hoat")


def _save(form, request, service, **kwargs):
    """Run `service` for a valid form; put its errors beside the fields. True when saved. A service that may
    touch a closed year gets the reason typed once it asked for one (``core.forms.change_reason_of``)."""
    if "change_reason" in inspect.signature(service).parameters:
        kwargs["change_reason"] = change_reason_of(form)
    try:
        service(by=request.user, **kwargs)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@require_safe
def organization_list(request):
    def filtered():
        return OrganizationFilter(request.GET or None, queryset=organizations_for_user(request.user))

    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        rows = export_rows(filtered().qs.order_by("code"))
        if export == "csv":
            return csv_response(EXPORT_HEADERS, rows, "to-chuc-co-so-dang")
        return xlsx_response(
            [Sheet("Tổ chức cơ sở đảng", rows, headers=EXPORT_HEADERS)], "to-chuc-co-so-dang"
        )
    query = request.GET.copy()
    query.pop("page", None)

    org_filter = SimpleLazyObject(filtered)

    def table():
        table = OrganizationTable(org_filter.qs)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        # Member counts for the page's organisations only: one grouped query, not a join over every member.
        records = [row.record for row in table.page.object_list]
        counts = dict(
            Organization.objects.filter(pk__in=[r.pk for r in records])
            .annotate(n=Count("members", filter=Q(members__status__in=ACTIVE_MEMBER_STATUSES)))
            .values_list("pk", "n")
        )
        for record in records:
            record.members_count = counts.get(record.pk, 0)
        table.rows_html = organization_rows_html(records)
        return table

    # The filter form and the table are cached as two fragments under the data's version (core/datacache.py):
    # on a hit neither is built; a new member renders the table (its counts) afresh, not the form.
    role = access.role_of(request.user)
    return render(
        request,
        "organizations/organization_list.html",
        {
            "filter_key": page_cache_key(request, "organization-list-filter", role),
            "cache_key": page_cache_key(request, "organization-list", role),
            "filter": org_filter,
            "table": SimpleLazyObject(table),
            "query": query.urlencode(),
            "is_staff": is_staff_role(request.user),
        },
    )


def _with_changes(records):
    """(record, changes) for history records, newest first; each compared with the previous record of the
    same object among those fetched (one query for the whole list)."""
    rows, previous = [], {}
    for record in reversed(records):
        older = previous.get(record.id)
        rows.append((record, record.diff_against(older).changes if older is not None else []))
        previous[record.id] = record
    return rows[::-1]


def _history(organization, limit=30):
    own = list(organization.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    years = list(
        OrganizationYear.history.filter(organization_id=organization.pk)
        .select_related("history_user")
        .order_by("-history_date")[: limit + 1]
    )
    rows = _with_changes(own) + _with_changes(years)
    rows.sort(key=lambda rc: rc[0].history_date, reverse=True)
    return rows[:limit]


@require_safe
def organization_detail(request, pk):
    organization = organization_get_for_user(request.user, pk)
    today = timezone.localdate()
    mine = organization_of(request.user)
    is_own_secretary = mine is not None and mine.pk == organization.pk
    counts = organization.members.aggregate(
        du_bi=Count("pk", filter=Q(status="du_bi")),
        chinh_thuc=Count("pk", filter=Q(status="chinh_thuc")),
        mien=Count("pk", filter=Q(status="mien_sinh_hoat")),
    )
    counts["total"] = counts["du_bi"] + counts["chinh_thuc"] + counts["mien"]
    history = _history(organization) if is_staff_role(request.user) else []
    context = {
        "organization": organization,
        "cells": organization.cells.all(),
        "spells": organization.spells.order_by("joined_on"),
        "congresses": organization.congresses.order_by("-term_start"),
        "officers": organization.officers.select_related("user", "cell").order_by("-is_active", "title"),
        "years": organization.years.all(),
        "counts": counts,
        "in_bloc": organization.in_bloc_on(today),
        "is_own_secretary": is_own_secretary,
        "is_staff": is_staff_role(request.user),
        "history": history,
        "temporary_arrivals": temporary_arrivals(organization),
        "structure_flags": structure_flags(organization),
    }
    return render(request, "organizations/organization_detail.html", context)


def _form_page(request, form, title, organization=None, guard=None):
    context = {"form": form, "title": title, "organization": organization}
    if guard is not None:
        context.update(guard.context())
    return render(request, "organizations/form.html", context, status=guard.status if guard else 200)


def _officers_state(organization) -> dict:
    """The organisation's officers (who, with which title, active or not): what the officer form changes."""
    rows = organization.officers.select_related("user").order_by("user__username")
    titles = dict(OfficerTitle.choices)
    return {
        f"officer:{o.user_id}": (
            f"Cán bộ {o.user.username}",
            f"{o.title}|{int(o.is_active)}",
            f"{titles.get(o.title, o.title)}" + ("" if o.is_active else " (đã thôi)"),
        )
        for o in rows
    }


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_create(request):
    form = forms.OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(form, request, services.organization_save, organization=form.instance):
            messages.success(request, f"Đã thêm tổ chức {form.instance}.")
            return redirect("organizations:organization_detail", pk=form.instance.pk)
    return _form_page(request, form, "Thêm tổ chức cơ sở đảng")


@require_http_methods(["GET", "HEAD", "POST"])
def organization_edit(request, pk):
    organization = organization_get_for_user(request.user, pk)
    check_can_work_in(request.user, organization)
    form_class = forms.OrganizationForm if is_staff_role(request.user) else forms.ContactsForm
    guard = object_guard(request, Organization, organization.pk, form_class.Meta.fields)
    form = form_class(request.POST or None, instance=organization)
    guard.attach(form)
    if request.method == "POST" and form.is_valid():
        save = lambda: _save(form, request, services.organization_save, organization=form.instance)  # noqa: E731
        if guard.run(save):
            messages.success(request, "Đã lưu thông tin tổ chức.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Sửa thông tin tổ chức", organization, guard)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_leave(request, pk):
    organization = organization_get_for_user(request.user, pk)
    form = forms.LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(
            form,
            request,
            services.organization_leave,
            organization=organization,
            **form.cleaned_data,
        ):
            messages.success(request, "Đã ghi nhận tổ chức thôi trực thuộc Đảng bộ Khối.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Thôi trực thuộc Đảng bộ Khối", organization)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_return(request, pk):
    """An organisation that had left the Bloc comes back (a new membership spell)."""
    organization = organization_get_for_user(request.user, pk)
    form = forms.ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(
            form,
            request,
            services.organization_return,
            organization=organization,
            **form.cleaned_data,
        ):
            messages.success(request, "Đã ghi nhận tổ chức trực thuộc trở lại Đảng bộ Khối.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Trực thuộc trở lại Đảng bộ Khối", organization)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def congress_record(request, pk):
    """Staff record an organisation's congress of a term (or correct it)."""
    organization = organization_get_for_user(request.user, pk)
    form = forms.CongressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(
            form,
            request,
            services.congress_record,
            organization=organization,
            **form.cleaned_data,
        ):
            messages.success(request, "Đã ghi nhận đại hội nhiệm kỳ.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Ghi nhận đại hội nhiệm kỳ", organization)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def cell_edit(request, pk, cell_pk=None):
    organization = organization_get_for_user(request.user, pk)
    cell = (
        get_object_or_404(Cell, pk=cell_pk, organization=organization)
        if cell_pk
        else Cell(
            organization=organization,
            kind=CellKind.TO_DANG if organization.kind == Kind.CHI_BO_CO_SO else CellKind.CHI_BO,
        )
    )
    guard = object_guard(request, Cell, cell.pk, forms.CellForm.Meta.fields) if cell_pk else None
    form = forms.CellForm(request.POST or None, instance=cell)
    if guard:
        guard.attach(form)
    if request.method == "POST" and form.is_valid():
        save = lambda: _save(form, request, services.cell_save, cell=form.instance)  # noqa: E731
        if guard.run(save) if guard else save():
            messages.success(request, f"Đã lưu chi bộ {form.instance.name}.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    title = "Sửa chi bộ" if cell_pk else "Thêm chi bộ trực thuộc"
    return _form_page(request, form, title, organization, guard)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def officer_add(request, pk):
    organization = organization_get_for_user(request.user, pk)
    guard = EditGuard(
        request,
        lambda: _officers_state(organization),
        lock=lambda: Organization.objects.select_for_update().filter(pk=organization.pk).first(),
    )
    form = forms.OfficerForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        save = lambda: _save(  # noqa: E731
            form, request, services.officer_add, organization=organization, **form.cleaned_data
        )
        if guard.run(save):
            messages.success(request, "Đã thêm cán bộ phụ trách.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Thêm cán bộ phụ trách", organization, guard)


@staff_required
@require_http_methods(["POST"])
def officer_end(request, pk, officer_pk):
    organization = organization_get_for_user(request.user, pk)
    officer = get_object_or_404(Officer, pk=officer_pk, organization=organization)
    services.officer_end(officer=officer, by=request.user)
    messages.success(request, f"{officer.user.username} thôi phụ trách {organization.code}.")
    return redirect("organizations:organization_detail", pk=organization.pk)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def year_edit(request, pk, year=None):
    organization = organization_get_for_user(request.user, pk)
    if year is not None:
        record = get_object_or_404(OrganizationYear, organization=organization, year=year)
    else:
        record = OrganizationYear(organization=organization, year=timezone.localdate().year)
    form = forms.OrganizationYearForm(request.POST or None, instance=record)
    guard = (
        object_guard(
            request,
            OrganizationYear,
            record.pk,
            [f for f in form.fields if f in forms.OrganizationYearForm.Meta.fields],
        )
        if year is not None
        else None
    )
    if guard:
        guard.attach(form)
    if request.method == "POST" and form.is_valid():
        save = lambda: _save(  # noqa: E731
            form,
            request,
            services.organization_year_save,
            record=form.instance,
            cell_grades=form.cell_grades(),
        )
        if guard.run(save) if guard else save():
            messages.success(request, f"Đã lưu số liệu năm {form.instance.year}.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    title = f"Số liệu năm {year}" if year else "Thêm số liệu năm"
    evidence_year = form.instance.year if isinstance(form.instance.year, int) else timezone.localdate().year
    context = {
        "form": form,
        "title": title,
        "organization": organization,
        "evidence": rating_rules.rating_evidence(organization, evidence_year),
        **(guard.context() if guard else {}),
    }
    return render(request, "organizations/year_form.html", context, status=guard.status if guard else 200)


@require_safe
def bloc_year_list(request):
    return render(
        request,
        "organizations/bloc_year_list.html",
        {"years": BlocYear.objects.all(), "is_staff": is_staff_role(request.user)},
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def bloc_year_edit(request, year=None):
    record = get_object_or_404(BlocYear, year=year) if year else BlocYear(year=timezone.localdate().year - 1)
    guard = object_guard(request, BlocYear, record.pk, forms.BlocYearForm.Meta.fields) if year else None
    form = forms.BlocYearForm(request.POST or None, instance=record)
    if guard:
        guard.attach(form)
    if request.method == "POST" and form.is_valid():
        save = lambda: _save(form, request, services.bloc_year_save, record=form.instance)  # noqa: E731
        if guard.run(save) if guard else save():
            messages.success(request, f"Đã lưu xếp loại Đảng bộ Khối năm {form.instance.year}.")
            return redirect("organizations:bloc_year_list")
    return _form_page(request, form, "Xếp loại Đảng bộ Khối", guard=guard)


#: Upload → preview → confirm (core.imports), each row through services.organization_save.
_import_wizard = ImportWizard(
    resource=OrganizationResource,
    template="organizations/import.html",
    session_key="organizations_import",
    noun="tổ chức",
    done="organizations:organization_list",
    max_bytes=2 * 1024 * 1024,
    reason_form=forms.ClosedYearReasonForm,
)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_import(request):
    """Upload → preview (dry run, per-row errors) → confirm (all-or-nothing)."""
    return _import_wizard(request)


# --- the register of outgoing documents and the Word template -----------------------------------------------


@require_safe
@access.readers_required
def outgoing_list(request):
    """The register of outgoing documents (sổ đăng ký văn bản đi): the Bloc's and every organisation's, newest
    first, filtered by issuer and year. Entries are never changed or deleted."""
    from django.core.paginator import Paginator

    entries = OutgoingDocument.objects.select_related("organization", "issued_by").order_by(
        "-year", "organization__code", "doc_type", "-number"
    )
    issuer = request.GET.get("issuer", "")
    if issuer == "bloc":
        entries = entries.filter(organization__isnull=True)
    elif issuer.isascii() and issuer.isdigit() and len(issuer) < 10:
        entries = entries.filter(organization_id=int(issuer))
    year = request.GET.get("year", "")
    if year.isascii() and year.isdigit() and len(year) == 4 and 1930 <= int(year) <= 2100:
        entries = entries.filter(year=int(year))
    else:
        year = ""
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    issuers = Organization.objects.filter(outgoing_documents__isnull=False).distinct().order_by("code")
    return render(
        request,
        "organizations/outgoing_list.html",
        {"page": page, "issuer": issuer, "year": year, "issuers": issuers},
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def document_template(request):
    """The Word template of the official documents: the one in use, its history, and the upload of a
    replacement (refused, with the reason beside the field, unless it renders the sample document)."""
    form = forms.DocumentTemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_template_upload(
                upload=form.cleaned_data["file"], note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Đã thay mẫu văn bản Word; các văn bản tải về từ nay dùng mẫu này.")
            return redirect("organizations:document_template")
    return render(
        request,
        "organizations/document_template.html",
        {
            "form": form,
            "current": current_document_template(),
            "history": DocumentTemplate.objects.select_related("uploaded_by")[:50],
        },
    )


@require_safe
@staff_required
def document_template_download(request):
    """The template in use (or the one of `?id=`, or `?id=default`), to edit in Word."""
    from django.http import FileResponse, Http404

    from core.documents import DEFAULT_TEMPLATE

    wanted = request.GET.get("id", "")
    if wanted == "default":
        template = None
    elif wanted:
        if not (wanted.isascii() and wanted.isdigit() and len(wanted) < 10):
            raise Http404("Không tìm thấy.")
        template = get_object_or_404(DocumentTemplate, pk=int(wanted))
    else:
        template = current_document_template()
    if template is None:
        handle, name = open(DEFAULT_TEMPLATE, "rb"), "mau-van-ban-mac-dinh.docx"
    else:
        handle, name = template.file.open("rb"), template.original_name
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_http_methods(["POST"])
def document_template_withdraw(request, pk):
    template = get_object_or_404(DocumentTemplate, pk=pk, is_withdrawn=False)
    services.document_template_withdraw(template=template, by=request.user)
    messages.success(request, f"Đã thôi dùng mẫu {template.original_name}.")
    return redirect("organizations:document_template")
