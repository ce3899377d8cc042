"""Pages of the organisations registry. Thin: scope, bind the form, call the service, message, redirect."""

import uuid

import tablib
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from core.datacache import lazy_parts, page_cache_key
from core.forms import add_service_errors

from . import access, forms, rating_rules, services
from .access import check_can_work_in, is_staff_role, organization_of, organizations_for_user, staff_required
from .filters import OrganizationFilter
from .models import BlocYear, Cell, CellKind, Kind, Officer, Organization, OrganizationYear
from .resources import OrganizationResource, row_problems
from .selectors import organization_get_for_user, temporary_arrivals
from .structure_rules import structure_flags
from .tables import OrganizationTable

#: Statuses that keep a member on the roll (members.models.ACTIVE_STATUSES; organizations does not import members).
ACTIVE_MEMBER_STATUSES = ("du_bi", "chinh_thuc", "mien_sinh_hoat")


def _save(form, request, service, **kwargs):
    """Run `service` for a valid form; put its errors beside the fields. True when saved."""
    try:
        service(**kwargs)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@require_GET
def organization_list(request):
    def filtered():
        return OrganizationFilter(request.GET or None, queryset=organizations_for_user(request.user))

    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        dataset = OrganizationResource().export(filtered().qs.order_by("code"))
        content = dataset.export(export)
        response = HttpResponse(
            ("\ufeff" + content) if export == "csv" else content,
            content_type="text/csv; charset=utf-8"
            if export == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="to-chuc-co-so-dang.{export}"'
        return response
    query = request.GET.copy()
    query.pop("page", None)

    def compute():
        org_filter = filtered()
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
        return {"filter": org_filter, "table": table}

    # The filter and the table are cached as one fragment under the data's version (core/datacache.py):
    # on a hit neither is built.
    return render(
        request,
        "organizations/organization_list.html",
        {
            "cache_key": page_cache_key(request, "organization-list", access.role_of(request.user)),
            **lazy_parts(compute, "filter", "table"),
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


@require_GET
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


def _form_page(request, form, title, organization=None):
    return render(
        request, "organizations/form.html", {"form": form, "title": title, "organization": organization}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def organization_create(request):
    form = forms.OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(form, request, services.organization_save, organization=form.instance):
            messages.success(request, f"Đã thêm tổ chức {form.instance}.")
            return redirect("organizations:organization_detail", pk=form.instance.pk)
    return _form_page(request, form, "Thêm tổ chức cơ sở đảng")


@require_http_methods(["GET", "POST"])
def organization_edit(request, pk):
    organization = organization_get_for_user(request.user, pk)
    check_can_work_in(request.user, organization)
    form_class = forms.OrganizationForm if is_staff_role(request.user) else forms.ContactsForm
    form = form_class(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        if _save(form, request, services.organization_save, organization=form.instance):
            messages.success(request, "Đã lưu thông tin tổ chức.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Sửa thông tin tổ chức", organization)


@staff_required
@require_http_methods(["GET", "POST"])
def organization_leave(request, pk):
    organization = organization_get_for_user(request.user, pk)
    form = forms.LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(form, request, services.organization_leave, organization=organization, **form.cleaned_data):
            messages.success(request, "Đã ghi nhận tổ chức thôi trực thuộc Đảng bộ Khối.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Thôi trực thuộc Đảng bộ Khối", organization)


@staff_required
@require_http_methods(["GET", "POST"])
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
    form = forms.CellForm(request.POST or None, instance=cell)
    if request.method == "POST" and form.is_valid():
        if _save(form, request, services.cell_save, cell=form.instance):
            messages.success(request, f"Đã lưu chi bộ {form.instance.name}.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Sửa chi bộ" if cell_pk else "Thêm chi bộ trực thuộc", organization)


@staff_required
@require_http_methods(["GET", "POST"])
def officer_add(request, pk):
    organization = organization_get_for_user(request.user, pk)
    form = forms.OfficerForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        if _save(form, request, services.officer_add, organization=organization, **form.cleaned_data):
            messages.success(request, "Đã thêm cán bộ phụ trách.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    return _form_page(request, form, "Thêm cán bộ phụ trách", organization)


@staff_required
@require_http_methods(["POST"])
def officer_end(request, pk, officer_pk):
    organization = organization_get_for_user(request.user, pk)
    officer = get_object_or_404(Officer, pk=officer_pk, organization=organization)
    services.officer_end(officer=officer)
    messages.success(request, f"{officer.user.username} thôi phụ trách {organization.code}.")
    return redirect("organizations:organization_detail", pk=organization.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def year_edit(request, pk, year=None):
    organization = organization_get_for_user(request.user, pk)
    if year is not None:
        record = get_object_or_404(OrganizationYear, organization=organization, year=year)
    else:
        record = OrganizationYear(organization=organization, year=timezone.localdate().year)
    form = forms.OrganizationYearForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            request,
            services.organization_year_save,
            record=form.instance,
            cell_grades=form.cell_grades(),
            by=request.user,
        )
        if saved:
            messages.success(request, f"Đã lưu số liệu năm {form.instance.year}.")
            return redirect("organizations:organization_detail", pk=organization.pk)
    title = f"Số liệu năm {year}" if year else "Thêm số liệu năm"
    evidence_year = form.instance.year if isinstance(form.instance.year, int) else timezone.localdate().year
    return render(
        request,
        "organizations/year_form.html",
        {
            "form": form,
            "title": title,
            "organization": organization,
            "evidence": rating_rules.rating_evidence(organization, evidence_year),
        },
    )


@require_GET
def bloc_year_list(request):
    return render(
        request,
        "organizations/bloc_year_list.html",
        {"years": BlocYear.objects.all(), "is_staff": is_staff_role(request.user)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def bloc_year_edit(request, year=None):
    record = get_object_or_404(BlocYear, year=year) if year else BlocYear(year=timezone.localdate().year - 1)
    form = forms.BlocYearForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        if _save(form, request, services.bloc_year_save, record=form.instance):
            messages.success(request, f"Đã lưu xếp loại Đảng bộ Khối năm {form.instance.year}.")
            return redirect("organizations:bloc_year_list")
    return _form_page(request, form, "Xếp loại Đảng bộ Khối")


SESSION_KEY = "organizations_import"


def _dataset(content: bytes, fmt: str) -> tablib.Dataset:
    try:
        if fmt == "csv":
            return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
        return tablib.Dataset().load(content, format="xlsx")
    except UnicodeDecodeError as error:
        raise ValidationError("Tệp CSV phải được lưu với mã UTF-8.") from error
    except Exception as error:  # a broken file raises many kinds of errors
        raise ValidationError("Không đọc được tệp: tệp hỏng hoặc không đúng định dạng.") from error


@staff_required
@require_http_methods(["GET", "POST"])
def organization_import(request):
    """Upload → preview (dry run, per-row errors) → confirm (all-or-nothing)."""
    form = forms.ImportForm()
    context = {"form": form}
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(SESSION_KEY)
        if not pending or pending.get("token") != request.POST.get("token"):
            messages.error(request, "Phiên nhập dữ liệu đã hết hạn: hãy tải tệp lên lại.")
            return redirect("organizations:organization_import")
        with default_storage.open(pending["path"], "rb") as handle:
            dataset = _dataset(handle.read(), pending["format"])
        result = OrganizationResource().import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        problems = row_problems(result)
        if problems:
            context.update(problems=problems, rows=len(result.rows))
            messages.error(request, "Dữ liệu đã thay đổi kể từ khi xem trước; không dòng nào được nhập.")
            return render(request, "organizations/import.html", context)
        default_storage.delete(pending["path"])
        del request.session[SESSION_KEY]
        messages.success(request, f"Đã nhập {len(result.rows)} tổ chức.")
        return redirect("organizations:organization_list")
    if request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(2 * 1024 * 1024 + 1)
            fmt = "xlsx" if content.startswith(b"PK\x03\x04") else "csv"
            if len(content) > 2 * 1024 * 1024:
                form.add_error("file", "Tệp lớn hơn 2 MB.")
            elif fmt == "csv" and (not upload.name.lower().endswith(".csv") or b"\x00" in content):
                form.add_error("file", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (UTF-8).")
            else:
                try:
                    dataset = _dataset(content, fmt)
                except ValidationError as error:
                    form.add_error("file", error)
                else:
                    result = OrganizationResource().import_data(
                        dataset, dry_run=True, raise_errors=False, use_transactions=True
                    )
                    problems = row_problems(result)
                    context.update(problems=problems, rows=len(result.rows))
                    if not problems:
                        token = uuid.uuid4().hex
                        path = default_storage.save(f"imports/{token}.{fmt}", ContentFile(content))
                        request.session[SESSION_KEY] = {"token": token, "path": path, "format": fmt}
                        context["token"] = token
    return render(request, "organizations/import.html", context)


# --- the register of outgoing documents and the Word template -----------------------------------------------


@require_GET
@access.readers_required
def outgoing_list(request):
    """The register of outgoing documents (sổ đăng ký văn bản đi): the Bloc's and every organisation's, newest
    first, filtered by issuer and year. Entries are never changed or deleted."""
    from django.core.paginator import Paginator

    from .models import OutgoingDocument

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
@require_http_methods(["GET", "POST"])
def document_template(request):
    """The Word template of the official documents: the one in use, its history, and the upload of a
    replacement (refused, with the reason beside the field, unless it renders the sample document)."""
    from .models import DocumentTemplate
    from .selectors import current_document_template

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


@require_GET
@staff_required
def document_template_download(request):
    """The template in use (or the one of `?id=`, or `?id=default`), to edit in Word."""
    from django.http import FileResponse, Http404

    from core.documents import DEFAULT_TEMPLATE

    from .models import DocumentTemplate
    from .selectors import current_document_template

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
    from .models import DocumentTemplate

    template = get_object_or_404(DocumentTemplate, pk=pk, is_withdrawn=False)
    services.document_template_withdraw(template=template, by=request.user)
    messages.success(request, f"Đã thôi dùng mẫu {template.original_name}.")
    return redirect("organizations:document_template")
