"""Pages of the discipline and inspection registers. Thin: scope (selectors), check who records
(``access``), bind the form, call the service, message, redirect."""

import inspect

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.concurrency import EditGuard, history_last_change, model_state
from core.forms import add_service_errors, change_reason_of
from members.models import EventKind
from organizations.access import can_record_discipline, check_can_record_discipline
from organizations.models import Organization

from . import exports, forms, selectors, services
from .models import Appeal, AppealOutcome, DisciplineForm, InspectionProgramme, Subject


def _year(raw) -> int | None:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return None
    return year if 1930 <= year <= 2100 else None


def _save(bound, service, /, **kwargs):
    """Run `service`; put its errors beside the fields of the `bound` form. The service's result, or None.
    (Positional-only: a discipline's field is called ``form``.) A service that may touch a closed year gets
    the reason typed once it asked for one (``core.forms.change_reason_of``)."""
    if "change_reason" in inspect.signature(service).parameters:
        kwargs["change_reason"] = change_reason_of(bound)
    try:
        return service(**kwargs)
    except ValidationError as error:
        add_service_errors(bound, error)
        return None


def _export_format(request) -> str | None:
    """?format=xlsx or csv: the list as a spreadsheet; anything else is not a format we write (404)."""
    fmt = request.GET.get("format")
    if fmt in (None, ""):
        return None
    if fmt not in exports.FORMATS:
        raise Http404("Định dạng không hỗ trợ.")
    return fmt


@require_safe
def discipline_list(request):
    """The discipline register: the Inspection Commission, staff and leadership see every entry; a secretary
    their own organisation's. ?format=xlsx|csv: the same entries (the filters too) as a spreadsheet."""
    disciplines = selectors.disciplines_for_user(request.user)
    year = _year(request.GET.get("year"))
    if year:
        disciplines = disciplines.filter(decided_on__year=year)
    subject = request.GET.get("subject")
    if subject in Subject.values:
        disciplines = disciplines.filter(subject=subject)
    fmt = _export_format(request)
    if fmt:
        name = f"so-ky-luat-{year}" if year else "so-ky-luat"
        return exports.disciplines_export(disciplines.order_by("-decided_on", "-pk"), fmt, name)
    counts = disciplines.aggregate(
        members=Count("pk", filter=Q(subject=Subject.MEMBER)),
        organizations=Count("pk", filter=~Q(subject=Subject.MEMBER)),
        expelled=Count("pk", filter=Q(form=DisciplineForm.KHAI_TRU)),
    )
    return render(
        request,
        "discipline/discipline_list.html",
        {
            "disciplines": disciplines.order_by("-decided_on", "-pk")[:200],
            "counts": counts,
            "year": year,
            "subject": subject if subject in Subject.values else "",
            "subjects": Subject.choices,
            "can_record": can_record_discipline(request.user),
            "overdue": selectors.overdue_remedies(request.user, timezone.localdate()).count(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def discipline_create(request):
    check_can_record_discipline(request.user)
    raw = request.POST.get("organization") or request.GET.get("organization")
    organization = None
    if raw and str(raw).isdigit() and len(str(raw)) < 12:
        organization = Organization.objects.filter(pk=int(raw)).first()
    form = forms.DisciplineRecordForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        discipline = _save(form, services.discipline_record, by=request.user, **data)
        if discipline is not None:
            messages.success(request, f"Đã ghi quyết định kỷ luật {discipline.decision_no}.")
            return redirect("discipline:discipline_detail", pk=discipline.pk)
    return render(
        request,
        "discipline/discipline_form.html",
        {"form": form, "organization": organization, "organizations": Organization.objects.order_by("code")},
    )


@require_safe
def discipline_detail(request, pk):
    discipline = selectors.discipline_get_for_user(request.user, pk)
    return render(
        request,
        "discipline/discipline_detail.html",
        {
            "discipline": discipline,
            "appeals": discipline.appeals.select_related("replacement").order_by("-lodged_on", "-pk"),
            "replaces": Appeal.objects.filter(replacement=discipline).select_related("discipline").first(),
            "reinstated": discipline.member.events.filter(
                kind=EventKind.REINSTATED, effective_on__gte=discipline.exit_event.effective_on
            )
            .order_by("effective_on", "pk")
            .first()
            if discipline.exit_event_id
            else None,
            "can_record": can_record_discipline(request.user),
        },
    )


def _form_page(request, form, title, back, **context):
    return render(
        request, "discipline/form_page.html", {"form": form, "title": title, "back": back, **context}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def appeal_create(request, pk):
    check_can_record_discipline(request.user)  # a page the role may not use at all: 403 before any lookup
    discipline = selectors.discipline_get_for_user(request.user, pk)
    form = forms.AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(form, services.appeal_lodge, discipline=discipline, by=request.user, **form.cleaned_data):
            messages.success(request, "Đã ghi đơn khiếu nại.")
            return redirect("discipline:discipline_detail", pk=discipline.pk)
    return _form_page(request, form, "Ghi đơn khiếu nại kỷ luật", discipline, discipline=discipline)


@require_http_methods(["GET", "HEAD", "POST"])
def appeal_settle(request, pk):
    check_can_record_discipline(request.user)
    scoped = selectors.disciplines_for_user(request.user)
    appeal = get_object_or_404(Appeal.objects.filter(discipline__in=scoped), pk=pk)
    form = forms.AppealSettleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(form, services.appeal_settle, appeal=appeal, by=request.user, **form.cleaned_data):
            messages.success(request, "Đã ghi kết quả giải quyết khiếu nại.")
            return redirect("discipline:discipline_detail", pk=appeal.discipline_id)
    return _form_page(
        request,
        form,
        "Giải quyết khiếu nại kỷ luật",
        appeal.discipline,
        discipline=appeal.discipline,
        pending=appeal.outcome == AppealOutcome.PENDING,
        reinstates=appeal.outcome == AppealOutcome.PENDING
        and appeal.discipline.form == DisciplineForm.KHAI_TRU,
    )


# --- inspection and supervision -------------------------------------------------------------------------------


@require_safe
def programme_list(request):
    """The inspection and supervision programmes the user may see (a secretary: those covering their own
    organisation), and the remedies overdue. ?format=xlsx|csv: the same programmes as a spreadsheet."""
    programmes = selectors.programmes_for_user(request.user).prefetch_related("organizations")
    year = _year(request.GET.get("year"))
    if year:
        programmes = programmes.filter(year=year)
    fmt = _export_format(request)
    if fmt:
        ordered = programmes.order_by("-year", "starts_on", "pk")
        remedies = selectors.remedies_for_user(request.user).filter(
            programme__in=programmes.order_by().values("pk")
        )
        name = f"kiem-tra-giam-sat-{year}" if year else "kiem-tra-giam-sat"
        return exports.programmes_export(ordered, remedies, fmt, name)
    today = timezone.localdate()
    return render(
        request,
        "discipline/programme_list.html",
        {
            "programmes": programmes.order_by("-year", "starts_on", "pk")[:200],
            "year": year,
            "overdue": list(selectors.overdue_remedies(request.user, today)[:200]),
            "today": today,
            "can_record": can_record_discipline(request.user),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def programme_edit(request, pk=None):
    check_can_record_discipline(request.user)
    programme = selectors.programme_get_for_user(request.user, pk) if pk else None
    initial = {}
    if programme is not None:
        initial = {
            f: getattr(programme, f)
            for f in ("year", "kind", "title", "in_plan", "decision_no", "starts_on", "ends_on")
        }
        initial["organizations"] = list(programme.organizations.values_list("pk", flat=True))
    form = forms.ProgrammeForm(request.POST or None, initial=initial)
    guard = None
    if programme is not None:
        guard = EditGuard(
            request,
            lambda: _programme_state(programme.pk),
            lock=lambda: _programme_state(programme.pk, lock=True),
            last_change=lambda: history_last_change(InspectionProgramme, programme.pk),
            forms=[form],
        )
    if request.method == "POST" and form.is_valid():

        def save():
            return _save(
                form, services.programme_save, programme=programme, by=request.user, **form.cleaned_data
            )

        saved = guard.run(save) if guard is not None else save()
        if saved:
            messages.success(request, "Đã lưu cuộc kiểm tra, giám sát.")
            return redirect("discipline:programme_detail", pk=saved.pk)
    title = "Sửa cuộc kiểm tra, giám sát" if programme else "Thêm cuộc kiểm tra, giám sát"
    if guard is None:
        return _form_page(request, form, title, programme)
    return render(
        request,
        "discipline/form_page.html",
        {"form": form, "title": title, "back": programme, **guard.context()},
        status=guard.status,
    )


PROGRAMME_FIELDS = ("year", "kind", "title", "in_plan", "decision_no", "starts_on", "ends_on")


def _programme_state(pk, *, lock=False) -> dict:
    """A programme as its edit form shows it, with the organisations it covers (the row locked with ``lock``)."""
    state = model_state(InspectionProgramme, pk, PROGRAMME_FIELDS, lock=lock)
    orgs = list(
        Organization.objects.filter(inspection_programmes__pk=pk).order_by("code").values_list("pk", "code")
    )
    state["organizations"] = (
        "tổ chức được kiểm tra, giám sát",
        ",".join(str(org_pk) for org_pk, _code in orgs),
        ", ".join(code for _pk, code in orgs) or "—",
    )
    return state


@require_safe
def programme_detail(request, pk):
    programme = selectors.programme_get_for_user(request.user, pk)
    remedies = selectors.remedies_for_user(request.user).filter(programme=programme)
    organizations = programme.organizations.order_by("code")
    return render(
        request,
        "discipline/programme_detail.html",
        {
            "programme": programme,
            "organizations": organizations,
            "remedies": remedies.order_by("deadline", "pk"),
            "today": timezone.localdate(),
            "can_record": can_record_discipline(request.user),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def programme_conclude(request, pk):
    check_can_record_discipline(request.user)
    programme = selectors.programme_get_for_user(request.user, pk)
    form = forms.ConcludeForm(
        request.POST or None,
        initial={"conclusion": programme.conclusion, "concluded_on": programme.concluded_on},
    )
    if request.method == "POST" and form.is_valid():
        if _save(
            form, services.programme_conclude, programme=programme, by=request.user, **form.cleaned_data
        ):
            messages.success(request, "Đã ghi kết luận.")
            return redirect("discipline:programme_detail", pk=programme.pk)
    return _form_page(request, form, "Kết luận kiểm tra, giám sát", programme, programme=programme)


@require_http_methods(["GET", "HEAD", "POST"])
def remedy_create(request, pk):
    check_can_record_discipline(request.user)
    programme = selectors.programme_get_for_user(request.user, pk)
    form = forms.RemedyForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        if _save(form, services.remedy_add, programme=programme, by=request.user, **form.cleaned_data):
            messages.success(request, "Đã ghi yêu cầu khắc phục.")
            return redirect("discipline:programme_detail", pk=programme.pk)
    return _form_page(request, form, "Yêu cầu khắc phục", programme, programme=programme)


@require_http_methods(["GET", "HEAD", "POST"])
def remedy_done(request, pk):
    check_can_record_discipline(request.user)
    remedy = get_object_or_404(selectors.remedies_for_user(request.user), pk=pk)
    form = forms.RemedyDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(form, services.remedy_done, remedy=remedy, by=request.user, **form.cleaned_data):
            messages.success(request, "Đã ghi hoàn thành khắc phục.")
            return redirect("discipline:programme_detail", pk=remedy.programme_id)
    return _form_page(request, form, "Hoàn thành khắc phục", remedy.programme, remedy=remedy)
