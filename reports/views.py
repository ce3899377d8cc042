"""Periodic reports: obligations and lists, the report form, the workflow, attachments, versions, the
completeness matrix, the period summary, resolutions and the schedule. Thin: authorise, bind, call a service."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.concurrency import EditGuard, history_last_change, model_state
from core.datacache import data_cache_key, lazy_parts, page_number
from core.dates import parse_year
from core.forms import add_service_errors, ask_change_reason, change_reason_of
from core.spreadsheets import xlsx_response
from core.templatetags.portal import count, rate
from members import dues, meetings
from organizations import closing
from organizations.access import (
    SECRETARY,
    check_can_work_in,
    is_secretary,
    is_staff_role,
    organization_of,
    organizations_for_user,
    readers_required,
    reads_everything,
    role_required,
    scope_by_organization,
    staff_required,
)
from organizations.models import Organization

from . import changes, reminders, selectors, services, timeliness
from .document_views import period_summary_document
from .documents import report_entry, summary_entry
from .forms import (
    SUBMIT,
    AttachmentForm,
    ReportFilterForm,
    ReportForm,
    ResolutionCopyForm,
    ResolutionForm,
    ReturnForm,
    ScheduleForm,
    today,
)
from .models import (
    PeriodicReport,
    ReminderLog,
    ReportAttachment,
    ReportingPeriod,
    ReportingSchedule,
    ReportKind,
    ReportStatus,
    Resolution,
)
from .periods import (
    KIND_ORDER,
    periods_create,
    periods_of_year,
    schedule_update,
    submission_opens_on,
    year_range,
)
from .summary import period_summary as build_period_summary
from .summary import period_summary_page, summary_sheets
from .uploads import limits as upload_limits

workers_required = role_required(SECRETARY)  # staff always pass role_required


def _report_or_404(request, pk) -> PeriodicReport:
    return get_object_or_404(selectors.reports_for_user(request.user), pk=pk)


def _lines(report):
    return list(
        report.study_lines.select_related("resolution").order_by("resolution__order", "resolution_id")
    )


# --- lists ------------------------------------------------------------------------------------------------


#: Rows a page of a report list shows.
REPORTS_PER_PAGE = 50


def _list_year(request) -> int | None:
    """?year=Y of a report list: the current year when absent, None (every year) when blank."""
    raw = request.GET.get("year")
    if raw == "":
        return None
    year = parse_year(raw, today().year)
    if year is None:
        raise Http404("Năm không hợp lệ.")
    return year


@require_safe
def report_list(request):
    """A secretary's reports: returned ones first, then overdue and due, then those filed in a year (the
    current one by default), paged. For staff and leadership a filtered list (this year by default)."""
    if is_secretary(request.user):
        org = organization_of(request.user)
        if org is None:
            raise PermissionDenied("Tài khoản chưa được gắn với tổ chức cơ sở đảng nào.")
        obligations = selectors.obligations_for_organization(org, today())
        year = _list_year(request)
        filed = [o for o in obligations["filed"] if year is None or o.period.year == year]
        years = sorted({o.period.year for o in obligations["filed"]} | {today().year}, reverse=True)
        shown_year = year or today().year
        return render(
            request,
            "reports/report_obligations.html",
            {
                "organization": org,
                **obligations,
                # Every period of the year, to open a report early (the yearly report in July) or late.
                "periods_year": shown_year,
                "periods_by_kind": [
                    (ReportKind(kind).label, [p for p in periods_of_year(shown_year) if p.kind == kind])
                    for kind in KIND_ORDER
                ],
                "filed_page": Paginator(filed, REPORTS_PER_PAGE).get_page(request.GET.get("page")),
                "year": year,
                "years": years,
                "page_query": urlencode({"year": "" if year is None else year}),
            },
        )
    if not reads_everything(request.user):
        raise PermissionDenied("Vai trò của bạn không được dùng trang này.")
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(today().year)
    form = ReportFilterForm(data)
    reports = form.filter(
        selectors.reports_for_user(request.user).order_by("-period__ends_on", "organization__code")
    )
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in data.items() if k != "page"])
    return render(request, "reports/report_list.html", {"form": form, "page": page, "page_query": query})


@require_safe
def organization_obligations(request, pk):
    """The live panels of an organisation's page, loaded by the page in one request: its overdue and coming
    reports, its cells' meetings flags (``members.meetings.organization_flags``) and its members flagged for three
    unpaid months of dues (``members.dues.flagged_members``): the organisations app may read none of them."""
    org = get_object_or_404(organizations_for_user(request.user), pk=pk)
    mine = organization_of(request.user)
    flags, gaps = meetings.organization_flags(org, today().year, today())
    dues_flags = dues.flagged_members(today().year, [org])
    return render(
        request,
        "reports/_obligations_panel.html",
        {
            "organization": org,
            "obligations": selectors.obligations_for_organization(org, today()),
            "is_own_secretary": mine is not None and mine.pk == org.pk,
            "meeting_flags": flags,
            "meeting_gaps": gaps,
            "dues_flags": dues_flags,
            "year": today().year,
        },
    )


@require_safe
def report_detail(request, pk):
    report = _report_or_404(request, pk)
    lines = _lines(report)
    versions = list(report.versions.select_related("submitted_by").order_by("number"))
    user = request.user
    mine = is_staff_role(user) or (
        organization_of(user) is not None and organization_of(user).pk == report.organization_id
    )
    flags = selectors.report_flags(report, lines)
    snapshot = report.registry_snapshot or {}
    figure_rows = [
        {
            "label": selectors.SNAPSHOT_LABELS[name],
            "value": getattr(report, name),
            "registry": snapshot.get(name),
            "flag": flags.get(name, ""),
        }
        for name in (*selectors.REGISTRY_FIELDS, "non_member_headcount", "cells_total", "cell_meetings_held")
    ]
    context = {
        "report": report,
        "lines": lines,
        "flags": flags,
        "figure_rows": figure_rows,
        "narratives": [
            (selectors.SNAPSHOT_LABELS[n], getattr(report, n))
            for n in ("results_text", "shortcomings_text", "directions_text", "proposals_text")
        ],
        "snapshot": report.registry_snapshot or {},
        "attachments": report.attachments.filter(is_removed=False),
        "versions": versions,
        "transitions": report.transitions.select_related("by"),
        "can_edit": services.can_edit(user, report),
        "can_review": is_staff_role(user) and report.status == ReportStatus.SUBMITTED,
        "can_compare": mine and len(versions) >= 2,
        # The organisation's own register numbers its report: its secretary or committee staff.
        "can_issue": mine,
        "document_entry": report_entry(report),
        "attachment_form": AttachmentForm() if services.can_edit(user, report) else None,
        "upload_limits": upload_limits(),
        "timeliness": timeliness.classify(
            period=report.period, first_submitted_at=report.first_submitted_at, as_of=today()
        ),
        "next_for_review": selectors.next_for_review(report) if is_staff_role(user) else None,
    }
    return render(request, "reports/report_detail.html", context)


# --- the form ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@workers_required
def report_open(request, period_id):
    """A period's report for the organisation: the report when it exists; otherwise the period, what the
    registry says, and "Bắt đầu nhập báo cáo" — the POST that starts it (a GET creates nothing)."""
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    if is_staff_role(request.user):
        org = get_object_or_404(Organization, pk=request.GET.get("organization") or 0)
    else:
        org = organization_of(request.user)
        if org is None:
            raise Http404("Không tìm thấy.")
    check_can_work_in(request.user, org)
    report = PeriodicReport.objects.filter(organization=org, period=period).first()
    if report is None and request.method == "POST":
        try:
            report = services.report_start(organization=org, period=period, by=request.user)
        except services.ReportError as error:
            messages.error(request, str(error))
            return redirect("reports:report_list")
    if report is not None:
        if services.can_edit(request.user, report):
            return redirect("reports:report_edit", pk=report.pk)
        return redirect("reports:report_detail", pk=report.pk)
    preview = services.report_preview(org, period, request.user)
    study = services.prefilled_lines(preview, selectors.required_resolutions(period.year))
    opens_on = submission_opens_on(period)
    return render(
        request,
        "reports/report_start.html",
        {
            "period": period,
            "organization": org,
            "preview": preview,
            "study": study,
            "study_from": (preview.registry_snapshot or {}).get("study_from"),
            "is_year": period.kind == ReportKind.YEAR,
            "opens_on": opens_on,
            "submission_open": today() >= opens_on,
            "owes": timeliness.owes_report(org, period),
            "timeliness": timeliness.classify(period=period, first_submitted_at=None, as_of=today()),
            "figures": [
                (selectors.SNAPSHOT_LABELS[n], getattr(preview, n))
                for n in (*selectors.REGISTRY_FIELDS, *selectors.MEETING_FIELDS)
                if n in selectors.REGISTRY_FIELDS or n in (preview.registry_snapshot or {})
            ],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@workers_required
def report_edit(request, pk):
    report = get_object_or_404(selectors.reports_to_edit(request.user), pk=pk)
    check_can_work_in(request.user, report.organization)
    if report.status not in selectors.EDITABLE_STATUSES:
        if (
            request.method == "POST"
            and request.POST.get("action") == SUBMIT
            and report.status == ReportStatus.SUBMITTED
        ):
            messages.info(request, "Báo cáo đã được nộp; không nộp lại lần nữa.")
        else:
            messages.error(request, f"Báo cáo {report.get_status_display().lower()}: không sửa được nữa.")
        return redirect("reports:report_detail", pk=report.pk)
    # Shown as the registry says today (nothing is written by opening the form: the next save stores it).
    lines = _lines(report)
    services.follow_registry(report, selectors.registry_figures(report.organization, report.period))
    lines += services.missing_lines(report, {line.resolution_id for line in lines})
    conflict = None
    status = 200
    suggestions = selectors.registry_suggestions(report.organization, report.period)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        form = ReportForm(
            request.POST,
            report=report,
            lines=lines,
            mode=SUBMIT if action == SUBMIT else "save",
            suggestions=suggestions,
        )
        if form.is_valid():
            kwargs = {
                "report": report,
                "by": request.user,
                "revision": form.cleaned_data["revision"],
                "data": form.cleaned_report_data(),
                "lines": form.cleaned_lines(),
            }
            try:
                services.report_save_draft(**kwargs)
            except services.StaleRevision as error:
                conflict, status = error, 409
            except services.AlreadySubmitted as error:
                messages.info(request, str(error))
                return redirect("reports:report_detail", pk=report.pk)
            except services.ReportError as error:
                form.add_error(None, str(error))
            else:
                if action == SUBMIT:  # saved and complete: what will be sent, before "Nộp báo cáo"
                    return redirect("reports:report_confirm", pk=report.pk)
                note = (
                    " Có số liệu khác sổ đảng viên: cần ghi giải trình trước khi nộp." if form.flags else ""
                )
                messages.success(request, f"Đã lưu nháp lúc {timezone.localtime():%H:%M}.{note}")
                return redirect("reports:report_edit", pk=report.pk)
        if conflict is not None:
            report.refresh_from_db()
    else:
        form = ReportForm(report=report, lines=lines, suggestions=suggestions)
    opens_on = submission_opens_on(report.period)
    context = {
        "report": report,
        "form": form,
        "conflict": conflict,
        "attachments": selectors.attachments_shown(report),
        "attachment_form": AttachmentForm(),
        "upload_limits": upload_limits(),
        "is_year": report.period.kind == ReportKind.YEAR,
        "document_entry": report_entry(report),
        "opens_on": opens_on,
        "submission_open": today() >= opens_on,
        "study_from": (report.registry_snapshot or {}).get("study_from"),
    }
    return render(request, "reports/report_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@workers_required
def report_confirm(request, pk):
    """The step before "Nộp báo cáo": what will be sent — figures, study, narrative, whether the signed scan
    is attached — and why it cannot be sent yet, if it cannot. The POST submits (``services.report_submit``)."""
    report = _report_or_404(request, pk)
    check_can_work_in(request.user, report.organization)
    if report.status not in selectors.EDITABLE_STATUSES:
        if report.status == ReportStatus.SUBMITTED:
            messages.info(request, "Báo cáo đã được nộp; không nộp lại lần nữa.")
        else:
            messages.error(request, f"Báo cáo {report.get_status_display().lower()}: không nộp được nữa.")
        return redirect("reports:report_detail", pk=report.pk)
    # A report of a closed year's period changes that year's figures: the page asks why (organizations.closing).
    closed_year = closing.is_year_closed(report.period.year)
    reason_error = ""
    if request.method == "POST":
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            revision = -1
        try:
            services.report_submit(
                report=report,
                by=request.user,
                revision=revision,
                change_reason=request.POST.get("change_reason", "").strip()[:500],
            )
        except ValidationError as error:
            reason_error = " ".join(error.messages)
        except services.StaleRevision as error:
            messages.error(request, str(error))
            return redirect("reports:report_edit", pk=report.pk)
        except services.AlreadySubmitted as error:
            messages.info(request, str(error))
            return redirect("reports:report_detail", pk=report.pk)
        except services.ReportError as error:
            messages.error(request, str(error))
            return redirect("reports:report_confirm", pk=report.pk)
        else:
            messages.success(request, "Đã nộp báo cáo. Văn phòng Đảng ủy Khối sẽ xem xét.")
            return redirect("reports:report_detail", pk=report.pk)
    lines = _lines(report)
    attachments = list(report.attachments.filter(is_removed=False))
    context = {
        "report": report,
        "problems": services.submit_problems(report, today()),
        "figure_rows": [
            (services.SNAPSHOT_LABELS[name], getattr(report, name))
            for name in (
                *selectors.REGISTRY_FIELDS,
                "non_member_headcount",
                "cells_total",
                "cell_meetings_held",
            )
        ],
        "lines": lines,
        "narratives": [
            (services.SNAPSHOT_LABELS[n], getattr(report, n))
            for n in (
                "discrepancy_note",
                "results_text",
                "shortcomings_text",
                "directions_text",
                "proposals_text",
            )
        ],
        "attachments": attachments,
        "is_year": report.period.kind == ReportKind.YEAR,
        "closed_year": closed_year,
        "reason_error": reason_error,
        "change_reason": request.POST.get("change_reason", "") if request.method == "POST" else "",
    }
    return render(request, "reports/report_confirm.html", context)


@require_POST
@workers_required
def report_autosave(request, pk):
    """The form's background save (JSON): saves a draft with the posted revision, never overwrites."""
    report = _report_or_404(request, pk)
    check_can_work_in(request.user, report.organization)
    if report.status not in selectors.EDITABLE_STATUSES:
        return JsonResponse(
            {"saved": False, "message": "Báo cáo đã nộp hoặc đã duyệt: không tự lưu."}, status=409
        )
    form = ReportForm(request.POST, report=report, lines=_lines(report))
    if not form.is_valid():
        return JsonResponse(
            {
                "saved": False,
                "message": "Chưa tự lưu được: có ô nhập chưa hợp lệ.",
                "errors": form.errors.get_json_data(),
            },
            status=400,
        )
    try:
        report = services.report_save_draft(
            report=report,
            by=request.user,
            revision=form.cleaned_data["revision"],
            data=form.cleaned_report_data(),
            lines=form.cleaned_lines(),
        )
    except services.StaleRevision as error:
        return JsonResponse({"saved": False, "conflict": True, "message": str(error)}, status=409)
    except services.ReportError as error:
        return JsonResponse({"saved": False, "message": str(error)}, status=409)
    return JsonResponse(
        {
            "saved": True,
            "revision": report.revision,
            "saved_at": f"{timezone.localtime(report.updated_at):%H:%M:%S}",
        }
    )


@require_http_methods(["GET", "HEAD", "POST"])
@workers_required
def keepalive(request):
    """Touched by the open report form every few minutes so the session does not expire under it."""
    return HttpResponse(status=204)


# --- review -----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def report_return(request, pk):
    report = _report_or_404(request, pk)
    form = ReturnForm(request.POST or None, initial={"revision": report.revision})
    if closing.is_year_closed(report.period.year):
        ask_change_reason(form)  # returning it takes it out of a closed year's study figures
    if request.method == "POST" and form.is_valid():
        try:
            services.report_return(
                report=report,
                reason=form.cleaned_data["reason"],
                by=request.user,
                revision=form.cleaned_data["revision"],
                change_reason=change_reason_of(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)  # a closed year's report: the reason field appears
        except services.ReportError as error:
            messages.error(request, str(error))
            return redirect("reports:report_detail", pk=report.pk)
        else:
            messages.success(request, "Đã trả lại báo cáo cho bí thư cơ sở.")
            return redirect("reports:report_detail", pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        messages.error(
            request, f"Chỉ trả lại được báo cáo đã nộp (báo cáo đang: {report.get_status_display()})."
        )
        return redirect("reports:report_detail", pk=report.pk)
    return render(request, "reports/report_return.html", {"report": report, "form": form})


@require_POST
@staff_required
def report_accept(request, pk):
    report = _report_or_404(request, pk)
    try:
        revision = int(request.POST["revision"]) if request.POST.get("revision") else None
    except ValueError:
        revision = None
    try:
        services.report_accept(report=report, by=request.user, revision=revision)
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Đã duyệt báo cáo.")
    return redirect("reports:report_detail", pk=report.pk)


@require_safe
@staff_required
def review_queue(request):
    """Reports waiting for review, oldest submission first; several may be accepted at once."""
    page = Paginator(selectors.review_queue(), REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        (
            r,
            timeliness.classify(period=r.period, first_submitted_at=r.first_submitted_at, as_of=today()),
        )
        for r in page
    ]
    return render(request, "reports/review_queue.html", {"page": page, "rows": rows})


@require_POST
@staff_required
def review_accept_selected(request):
    """Accept the reports ticked in the review queue, each through ``services.report_accept`` with its own
    checks (one that is no longer submitted, or changed since, is left as it is and named)."""
    ids = []
    for raw in request.POST.getlist("report"):
        try:
            pk = int(raw)
        except ValueError:
            continue
        if 0 < pk < 2**31:
            ids.append(pk)
    chosen = selectors.reports_for_user(request.user).filter(pk__in=ids[:500]).order_by("submitted_at", "pk")
    accepted, refused = 0, []
    for report in chosen:
        try:
            services.report_accept(report=report, by=request.user)
        except services.ReportError as error:
            refused.append(f"{report.organization.code} · {report.period.label}: {error}")
        else:
            accepted += 1
    if not ids:
        messages.error(request, "Chưa chọn báo cáo nào.")
    elif accepted:
        messages.success(request, f"Đã duyệt {accepted} báo cáo.")
    for line in refused:
        messages.error(request, f"Không duyệt được {line}")
    return redirect("reports:review_queue")


@require_safe
def report_compare(request, pk):
    """Two versions side by side, field by field (everyone who may read the report)."""
    report = _report_or_404(request, pk)
    versions = list(report.versions.select_related("submitted_by").order_by("number"))
    if not versions:
        messages.info(request, "Báo cáo chưa có phiên bản nào để so sánh.")
        return redirect("reports:report_detail", pk=report.pk)
    by_number = {v.number: v for v in versions}

    def pick(name, default):
        try:
            return by_number[int(request.GET.get(name, default))]
        except (KeyError, ValueError):
            return by_number[default]

    a = pick("a", versions[-2].number if len(versions) > 1 else versions[0].number)
    b = pick("b", versions[-1].number)
    rows = selectors.version_rows(a, b)
    return render(
        request,
        "reports/report_compare.html",
        {
            "report": report,
            "versions": versions,
            "a": a,
            "b": b,
            "rows": rows,
            "changed": sum(r["changed"] for r in rows),
        },
    )


# --- attachments ------------------------------------------------------------------------------------------


@require_POST
@workers_required
def attachment_upload(request, pk):
    report = _report_or_404(request, pk)
    check_can_work_in(request.user, report.organization)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(report=report, upload=form.cleaned_data["file"], by=request.user)
        except (services.ReportError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "Đã đính kèm tệp.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    target = (
        "reports:report_edit"
        if request.POST.get("next") == "edit" and services.can_edit(request.user, report)
        else "reports:report_detail"
    )
    return redirect(target, pk=report.pk)


def _attachment_or_404(request, pk) -> ReportAttachment:
    qs = scope_by_organization(
        ReportAttachment.objects.select_related("report__organization").filter(is_removed=False),
        request.user,
        field="report__organization",
    )
    return get_object_or_404(qs, pk=pk)


@require_POST
@workers_required
def attachment_remove(request, pk):
    attachment = _attachment_or_404(request, pk)
    check_can_work_in(request.user, attachment.report.organization)
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Đã gỡ tệp {attachment.original_name}.")
    return redirect("reports:report_detail", pk=attachment.report_id)


@require_safe
def attachment_download(request, pk):
    """Only through here, scoped; always as a download, never rendered by the browser."""
    attachment = _attachment_or_404(request, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- timeliness -------------------------------------------------------------------------------------------


def _year_kind(request):
    year = parse_year(request.GET.get("year"), today().year)
    if year is None or year not in year_range(today()):
        raise Http404("Năm không hợp lệ.")
    kind = request.GET.get("kind") or ReportKind.MONTH
    if kind not in ReportKind.values:
        kind = ReportKind.MONTH
    return year, kind


def _matrix_row_html(
    org: Organization, cells: list[timeliness.TimelinessCell], counts: timeliness.TimelinessCounts
) -> SafeString:
    """One organisation's row of the matrix as HTML, escaped here: hundreds of cells per page, written faster
    than by the template engine (and kept per organisation by ``timeliness.rendered_rows``)."""
    before, after = _report_link()
    html = []
    for c in cells:
        label = escape(c.label)
        if c.report_id:
            label = f'<a href="{before}{c.report_id:d}{after}">{label}</a>'
        html.append(f'<td class="tl tl-{escape(c.state)} text-center">{label}</td>')
    return mark_safe(  # noqa: S308 (every part escaped)
        f'<tr>\n      <th scope="row" class="fw-normal text-nowrap">{escape(org.code)} · {escape(org.name)}</th>\n'
        f"      {''.join(html)}\n"
        f'      <td class="text-end">{count(counts.on_time)}/{count(counts.due)}</td>\n'
        f'      <td class="text-end">{rate(counts.on_time_rate)}</td>\n    </tr>'
    )


def _matrix_head_html(periods) -> SafeString:
    """The matrix's column headings, one per period linked to its list of missing and late filers (escaped here,
    as the rows: the body is written afresh after every write)."""
    status_url = reverse("reports:period_status")
    return mark_safe(  # noqa: S308 (every part escaped)
        "".join(
            f'<th scope="col" class="text-center"><a href="{status_url}?period={p.pk:d}" '
            f'title="{escape(p.label)}, hạn {p.due_on:%d/%m/%Y}">{escape(p.label)}</a></th>'
            for p in periods
        )
    )


#: The matrix's footer rows: (heading, the count of a period shown, the year's total in the next-to-last column).
_MATRIX_FOOT = (
    ("Đúng hạn", lambda n: count(n.on_time), True),
    ("Muộn", lambda n: count(n.late), True),
    ("Chưa nộp (quá hạn)", lambda n: count(n.missing), True),
    ("Chưa đến hạn", lambda n: count(n.not_due), True),
    ("Tỷ lệ đúng hạn", lambda n: rate(n.on_time_rate), False),
    ("Tỷ lệ đã nộp", lambda n: rate(n.filed_rate), False),
)


def _matrix_foot_html(t: timeliness.Timeliness) -> SafeString:
    """The matrix's sums per period and for the year (counts in the next-to-last column, rates in the last)."""
    rows = []
    for heading, shown, is_count in _MATRIX_FOOT:
        cells = "".join(f'<td class="text-center">{shown(n)}</td>' for _p, n in t.period_columns())
        total = f'<td class="text-end">{shown(t.total)}</td>'
        tail = f"{total}<td></td>" if is_count else f"<td></td>{total}"
        rows.append(f'<tr><th scope="row">{heading}</th>{cells}{tail}</tr>')
    return mark_safe("\n    ".join(rows))  # noqa: S308 (numbers and fixed words only)


@lru_cache(maxsize=1)
def _report_link() -> tuple[str, str]:
    """A report's address around its id (reversed once per process: the URLs do not change while it runs)."""
    before, after = reverse("reports:report_detail", args=[0]).rsplit("0", 1)
    return before, after


#: Organisations per page of the completeness matrix (the Bloc's 76 on two pages; a province's thousands paged).
MATRIX_PER_PAGE = 50


def _default_period(periods, as_of):
    ended = [p for p in periods if p.ends_on < as_of]
    return ended[-1] if ended else (periods[0] if periods else None)


@require_safe
@readers_required
def matrix(request):
    """Organisations × periods for a year and a kind, coloured by state, with counts and rates.

    The page body is cached under the data's version (a template fragment, as the dashboard): on a hit nothing
    below is computed, so the matrix is lazy."""
    year, kind = _year_kind(request)
    as_of = today()
    search = request.GET.get("q", "")[:100]
    number = page_number(request)

    def compute():
        result, page = timeliness.timeliness_page(
            year, kind, as_of, page=number, per_page=MATRIX_PER_PAGE, search=search, render=_matrix_row_html
        )
        return {
            "t": result,
            "page": page,
            "rows": mark_safe("\n    ".join(result.rendered[org.pk] for org in result.organizations)),  # noqa: S308
            "chosen": _default_period(result.periods, as_of),
            "head": _matrix_head_html(result.periods),
            "foot": _matrix_foot_html(result),
        }

    if not periods_of_year(year):  # a year in range that has no periods yet: staff make them (a POST)
        return render(request, "reports/periods_missing.html", {"year": year, "kind": kind})
    return render(
        request,
        "reports/matrix.html",
        {
            "cache_key": data_cache_key("matrix", year, kind, number, search, as_of),
            **lazy_parts(compute, "t", "page", "rows", "chosen", "head", "foot"),
            "q": search,
            "page_query": urlencode({"year": year, "kind": kind, **({"q": search} if search else {})}),
            "year": year,
            "kind": kind,
            "kinds": [(k, ReportKind(k).label) for k in KIND_ORDER],
            "years": range(today().year + 1, today().year - 6, -1),
            "labels": timeliness.STATE_LABELS,
        },
    )


@require_POST
@staff_required
def periods_make(request):
    """Make a year's 19 reporting periods (staff, from the matrix of a year that has none)."""
    year = parse_year(request.POST.get("year"), None)
    if year is None or year not in year_range(today()):
        messages.error(request, "Năm không hợp lệ.")
        return redirect("reports:matrix")
    made = periods_create(year=year, by=request.user)
    messages.success(request, f"Đã tạo {len(made)} kỳ báo cáo năm {year}.")
    return redirect(f"{reverse('reports:matrix')}?year={year}")


@require_safe
@readers_required
def period_status(request):
    """Missing and late filers for one period, with each late organisation's secretary's contact; staff send
    reminders from here (``reminder_send``)."""
    period = selectors.period_from_query(request)
    data = timeliness.period_status(period, today())
    siblings = [p for p in periods_of_year(period.year) if p.kind == period.kind]
    waiting = [org for org, _cell in (*data["groups"]["missing"], *data["groups"]["not_due"])]
    return render(
        request,
        "reports/period_status.html",
        {
            **data,
            "siblings": siblings,
            "contacts": selectors.secretary_contacts([o.pk for o in waiting]),
            "sent_today": selectors.reminded_on(period, today()),
        },
    )


@require_POST
@staff_required
def reminder_send(request):
    """ "Gửi nhắc" for one organisation, or "Nhắc tất cả tổ chức chưa nộp" (no organisation): the reminder
    service, idempotent (once a day per organisation, period and address)."""
    try:
        period = ReportingPeriod.objects.get(pk=int(request.POST.get("period", "")))
        organization = None
        if request.POST.get("organization"):
            organization = Organization.objects.get(pk=int(request.POST["organization"]))
    except (ValueError, OverflowError, ReportingPeriod.DoesNotExist, Organization.DoesNotExist):
        messages.error(request, "Không tìm thấy kỳ báo cáo hoặc tổ chức cần nhắc; chưa gửi thư nào.")
        return redirect("reports:matrix")
    result = reminders.reminder_send(period=period, organization=organization, by=request.user, today=today())
    if result.sent:
        messages.success(request, f"Đã gửi {len(result.sent)} thư nhắc báo cáo {period.label_in_sentence}.")
    elif result.skipped:
        messages.info(request, "Hôm nay đã gửi nhắc rồi; không gửi trùng.")
    elif not result.unreachable and not result.failed:
        messages.info(request, "Không có tổ chức nào cần nhắc.")
    if result.unreachable:
        names = ", ".join(f"{o.code} · {o.name}" for o in result.unreachable)
        messages.warning(request, f"Chưa có địa chỉ thư của bí thư: {names}.")
    if result.failed:
        messages.error(request, f"{len(result.failed)} thư chưa gửi được; hãy thử lại sau.")
    return redirect(f"{reverse('reports:period_status')}?period={period.pk}")


#: Rows a page of the reminder log shows.
REMINDERS_PER_PAGE = 50


@require_safe
@readers_required
def reminder_log(request):
    """Every reminder sent: to whom, when, for which report, by the schedule or by which staff member."""
    entries = ReminderLog.objects.select_related("organization", "period", "sent_by")
    period = None
    if request.GET.get("period"):
        period = selectors.period_from_query(request)
        entries = entries.filter(period=period)
    page = Paginator(entries.order_by("-sent_at", "-pk"), REMINDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/reminder_log.html",
        {"page": page, "period": period, "page_query": urlencode({"period": period.pk} if period else {})},
    )


@require_safe
@readers_required
def period_summary(request):
    period = selectors.period_from_query(request)
    fmt = request.GET.get("format", "")
    if fmt not in ("xlsx", "pdf", "docx"):
        # The page shows one page of organisations; its body is cached under the data's version (a template
        # fragment, as the dashboard), so the summary is lazy: on a hit nothing is computed.
        number = page_number(request)
        summary = SimpleLazyObject(lambda: period_summary_page(period, today(), page=number))
        siblings = SimpleLazyObject(
            lambda: [p for p in periods_of_year(period.year) if p.kind == period.kind]
        )
        key = data_cache_key("period-summary", period.pk, number, today())

        def kept_after(moved):  # {% datacache … keep= %}: a write to other periods' reports only
            return changes.only_other_periods(moved, period.pk)

        kept_after.do_not_call_in_templates = True
        context = {
            "summary": summary,
            "document_entry": SimpleLazyObject(lambda: summary_entry(period)),
            "period": period,
            "siblings": siblings,
            "cache_key": key,
            "kept_after": kept_after,
            "page_query": urlencode({"period": period.pk}),
        }
        return render(request, "reports/period_summary.html", context)
    if fmt in ("pdf", "docx"):  # the official document (reports.documents), numbered once issued
        return period_summary_document(request, period, fmt)
    summary = build_period_summary(period, today())  # the XLSX lists every organisation
    stamp = f"{period.kind}-{period.year}-{period.number:02d}"
    return xlsx_response(summary_sheets(summary), f"tong-hop-{stamp}")


# --- resolutions and schedule -----------------------------------------------------------------------------


@require_safe
@readers_required
def resolution_list(request):
    year = parse_year(request.GET.get("year"), today().year)
    if year is None:
        raise Http404("Năm không hợp lệ.")
    return render(
        request,
        "reports/resolution_list.html",
        {
            "year": year,
            "resolutions": Resolution.objects.filter(year=year).order_by("order", "pk"),
            "years": sorted(set(Resolution.objects.values_list("year", flat=True)) | {year}, reverse=True),
            "copy_form": ResolutionCopyForm(initial={"from_year": year, "to_year": year + 1}),
        },
    )


def _resolution_form(request, resolution: Resolution | None):
    initial = {}
    if resolution is None:
        initial["year"] = parse_year(request.GET.get("year"), today().year) or today().year
    guard = None
    if resolution is not None:
        pk, names = resolution.pk, ResolutionForm.Meta.fields
        guard = EditGuard(
            request,
            lambda: model_state(Resolution, pk, names),
            lock=lambda: model_state(Resolution, pk, names, lock=True),
            last_change=lambda: history_last_change(Resolution, pk),
        )
    form = ResolutionForm(request.POST or None, instance=resolution, initial=initial)
    if guard:
        guard.attach(form)
    if request.method == "POST" and form.is_valid():
        save = lambda: services.resolution_save(  # noqa: E731
            resolution=form.save(commit=False), change_reason=change_reason_of(form), by=request.user
        )
        try:
            saved = guard.run(save) if guard else save()
        except ValidationError as error:
            add_service_errors(form, error)  # a closed year's required resolutions: the reason field appears
            saved = None
        if saved:
            messages.success(request, f"Đã lưu nghị quyết {saved.short_title}.")
            return redirect(f"{reverse('reports:resolution_list')}?year={saved.year}")
    context = {"form": form, "resolution": resolution, **(guard.context() if guard else {})}
    return render(request, "reports/resolution_form.html", context, status=guard.status if guard else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def resolution_create(request):
    return _resolution_form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def resolution_update(request, pk):
    return _resolution_form(request, get_object_or_404(Resolution, pk=pk))


@require_POST
@staff_required
def resolution_copy(request):
    form = ResolutionCopyForm(request.POST)
    if form.is_valid():
        made = services.resolution_copy_year(
            from_year=form.cleaned_data["from_year"], to_year=form.cleaned_data["to_year"], by=request.user
        )
        messages.success(request, f"Đã sao chép {made} nghị quyết sang năm {form.cleaned_data['to_year']}.")
        return redirect(f"{reverse('reports:resolution_list')}?year={form.cleaned_data['to_year']}")
    messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("reports:resolution_list")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def schedule_list(request):
    """The reporting schedule: due days and reminder lead per report kind, editable by staff."""
    schedules = sorted(ReportingSchedule.objects.all(), key=lambda s: KIND_ORDER.index(s.kind))
    names = ("due_days", "remind_days_before")

    def state(lock=False):
        rows = ReportingSchedule.objects.select_for_update() if lock else ReportingSchedule.objects.all()
        result = {}
        for row in rows:
            for name in names:
                label = f"{row.get_kind_display()}: {ReportingSchedule._meta.get_field(name).verbose_name}"
                value = getattr(row, name)
                result[f"{row.kind}:{name}"] = (label, str(value), str(value), value)
        return result

    guard = EditGuard(request, state, lock=lambda: state(lock=True))
    forms = [ScheduleForm(request.POST or None, instance=s, prefix=s.kind) for s in schedules]
    guard.attach(*forms)
    if request.method == "POST" and all(f.is_valid() for f in forms):

        def save():
            moved = 0
            for form in forms:
                if form.has_changed():
                    moved += schedule_update(
                        schedule=ReportingSchedule.objects.get(pk=form.instance.pk),
                        due_days=form.cleaned_data["due_days"],
                        remind_days_before=form.cleaned_data["remind_days_before"],
                        early_days=form.cleaned_data["early_days"],
                        by=request.user,
                    )
            return moved

        moved = guard.run(save)
        if guard.conflict is None:
            messages.success(request, f"Đã lưu lịch báo cáo; {moved} kỳ chưa đến hạn được cập nhật hạn nộp.")
            return redirect("reports:schedule_list")
    return render(
        request, "reports/schedule_list.html", {"forms": forms, **guard.context()}, status=guard.status
    )
