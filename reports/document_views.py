"""Downloads of the official documents (PDF, DOCX) and their finalisation with a number from the register.
Thin: scope, build the document (reports.documents), write it; or bind the issue form and call the service."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from core.documents import OfficialDocument
from core.forms import add_service_errors
from organizations import documents as letterheads
from organizations.access import SECRETARY, check_can_work_in, role_required, staff_required
from organizations.forms import IssueNumberForm
from organizations.models import DocumentType, OutgoingDocument
from organizations.services import outgoing_document_issue

from . import documents, selectors
from .forms import today
from .models import ReportingPeriod

FORMATS = ("pdf", "docx")


def document_response(doc: OfficialDocument, fmt: str) -> HttpResponse:
    data, content_type, filename = documents.write(doc, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document_format(request) -> str:
    fmt = request.GET.get("format", "pdf")
    if fmt not in FORMATS:
        raise Http404("Định dạng không hỗ trợ.")
    return fmt


def next_number_text(organization, doc_type: str, year: int) -> str:
    """The number the register would give now (shown on the form; the service decides)."""
    last = (
        OutgoingDocument.objects.filter(organization=organization, doc_type=doc_type, year=year)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{(last or 0) + 1:02d}-{doc_type}/{letterheads.issuer_symbol(organization)}"


def issue_page(
    request, *, organization, subject_kind, subject_ref, subject, label, back_url, kind_for_recipients
):
    """The small form that finalises a document: issue date (default today), signer, title, recipients. A
    document already numbered shows its number instead."""
    entry = OutgoingDocument.objects.filter(subject_kind=subject_kind, subject_ref=subject_ref).first()
    name, title = letterheads.default_signer(organization)
    initial = {
        "issued_on": today(),
        "signer_name": name,
        "signer_title": title,
        "recipients": "\n".join(letterheads.default_recipients(organization, kind_for_recipients)),
    }
    form = IssueNumberForm(request.POST or None, initial=initial)
    if request.method == "POST" and entry is None and form.is_valid():
        try:
            entry = outgoing_document_issue(
                organization=organization,
                doc_type=DocumentType.BC,
                subject_kind=subject_kind,
                subject_ref=subject_ref,
                subject=subject,
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Đã cấp số {entry.number_text} ngày {entry.issued_on:%d/%m/%Y} cho văn bản: {subject}.",
            )
            return redirect(back_url)
    return render(
        request,
        "reports/document_issue.html",
        {
            "form": form,
            "entry": entry,
            "label": label,
            "subject": subject,
            "issuer": letterheads.party_body_name(organization) if organization else "Đảng ủy Khối",
            "next_number": next_number_text(organization, DocumentType.BC, today().year),
            "back_url": back_url,
        },
    )


# --- the period summary ---------------------------------------------------------------------------------------


def period_summary_document(request, period: ReportingPeriod, fmt: str) -> HttpResponse:
    """The summary as PDF or DOCX (called by reports.views.period_summary for ?format=pdf|docx)."""
    return document_response(documents.summary_document(period, today=today()), fmt)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def period_summary_issue(request):
    period = selectors.period_from_query(request)
    back = f"{reverse('reports:period_summary')}?{urlencode({'period': period.pk})}"
    return issue_page(
        request,
        organization=None,
        subject_kind=documents.SUMMARY_KIND,
        subject_ref=str(period.pk),
        subject=documents.summary_subject(period),
        label=f"Báo cáo tổng hợp {period.label_in_sentence}",
        back_url=back,
        kind_for_recipients=documents.SUMMARY_KIND,
    )


# --- one organisation's report --------------------------------------------------------------------------------


@require_safe
def report_document(request, pk):
    """Everyone who may read the report may download it (staff, leadership, its own secretary)."""
    report = get_object_or_404(
        selectors.reports_for_user(request.user).select_related("organization", "period"), pk=pk
    )
    fmt = document_format(request)
    return document_response(documents.report_document(report, today=today()), fmt)


@role_required(SECRETARY)
@require_http_methods(["GET", "HEAD", "POST"])
def report_issue(request, pk):
    """The organisation's own register numbers its report: its secretary (or committee staff) finalises it."""
    report = get_object_or_404(
        selectors.reports_for_user(request.user).select_related("organization", "period"), pk=pk
    )
    check_can_work_in(request.user, report.organization)
    return issue_page(
        request,
        organization=report.organization,
        subject_kind=documents.REPORT_KIND,
        subject_ref=str(report.pk),
        subject=documents.report_subject(report),
        label=f"Báo cáo {report.period.label_in_sentence} của {report.organization.name}",
        back_url=reverse("reports:report_detail", args=[report.pk]),
        kind_for_recipients=documents.REPORT_KIND,
    )
