"""The leadership dashboard, its JSON and XLSX, the records behind each figure, one organisation's view; and the
staff pages for the yearly targets (list a year's set, add, edit, copy a set to another year)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.concurrency import EditGuard, history_last_change, model_state
from core.datacache import page_number
from core.errors import bad_request
from core.spreadsheets import xlsx_response
from members.selectors import member_get_for_user
from organizations.access import (
    SECRETARY,
    is_staff_role,
    organization_of,
    organizations_for_user,
    readers_required,
    reads_everything,
    role_of,
    staff_required,
)
from reports.document_views import document_format, document_response, issue_page
from reports.periods import year_range

from . import dashboard as dash
from . import dashboard_page, documents, evidence, indicators, member_evidence, services
from .dashboard import target_text, today
from .forms import TargetCopyForm, TargetForm
from .indicators import REGISTRY
from .models import Target


class BadYear(ValueError):
    pass


def _year(request) -> int:
    """?year=Y (default: the current year). Not a number: a bad request (400); a year the portal does not serve
    (``reports.periods.year_range``): not found (404)."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return dash.today().year
    try:
        year = int(raw)
    except ValueError:
        raise BadYear(raw) from None
    if year not in year_range(dash.today()):
        raise Http404("Năm ngoài phạm vi của cổng thông tin.")
    return year


def _with_year(view):
    def wrapped(request, *args, **kwargs):
        try:
            year = _year(request)
        except BadYear:
            if view.__name__ == "data_json":
                return JsonResponse({"error": "Năm không hợp lệ."}, status=400)
            return bad_request(request)
        except Http404:
            if view.__name__ == "data_json":
                return JsonResponse({"error": "Năm ngoài phạm vi của cổng thông tin."}, status=404)
            raise
        return view(request, year, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_safe
@readers_required
@_with_year
def dashboard(request, year):
    # The page body is written in Python and cached until the data it read changes (``dashboard_page``): on a
    # hit nothing is computed.
    body = dashboard_page.cached_body(year, page_number(request), staff=is_staff_role(request.user))
    return render(
        request,
        "targets/dashboard.html",
        {"year": year, "body": dashboard_page.with_csrf(body, request)},
    )


@require_POST
@staff_required
@_with_year
def year_close(request, year):
    """Staff close the year's figures (chốt số liệu năm): a snapshot of the dashboard is stored."""
    try:
        services.year_close(year=year, by=request.user, today=dash.today())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Đã chốt số liệu năm {year}.")
    return redirect(f"{reverse('dashboard:dashboard')}?year={year}")


@require_safe
@readers_required
@_with_year
def data_json(request, year):
    return JsonResponse(dash.dashboard_json(year), json_dumps_params={"ensure_ascii": False})


@require_safe
@readers_required
@_with_year
def export_xlsx(request, year):
    d = dash.build_dashboard(year, with_charts=False)
    return xlsx_response(dash.dashboard_sheets(d), f"chi-tieu-{year}")


@require_safe
@_with_year
def indicator_records(request, year):
    """The records behind one figure. Staff and leadership: the whole Bloc or one organisation;
    a secretary: their own organisation only (another organisation answers 404)."""
    org = None
    org_param = request.GET.get("org", "").strip()
    if org_param:
        if not org_param.isdigit():
            raise Http404("Không tìm thấy.")
        org = get_object_or_404(organizations_for_user(request.user), pk=int(org_param))
    elif not reads_everything(request.user):
        raise PermissionDenied("Vai trò của bạn không được dùng trang này.")
    if not reads_everything(request.user) and role_of(request.user) != SECRETARY:
        raise PermissionDenied("Vai trò của bạn không được dùng trang này.")
    code = request.GET.get("code", "")
    if code not in REGISTRY:
        return bad_request(request)
    records = dash.records_for(code, year, org_id=org.pk if org else None)
    return render(
        request, "targets/dashboard_records.html", {"records": records, "organization": org, "year": year}
    )


@require_safe
@_with_year
def organization(request, year, pk):
    """One organisation's contribution to the year's indicators (its secretary, staff, leadership)."""
    org = get_object_or_404(organizations_for_user(request.user), pk=pk)
    d = dash.build_dashboard(year, with_charts=False)
    lines = []
    for card in d.target_cards + d.other_cards:
        if card.code == "bloc_rating":
            continue
        row = card.result.row_for(org.pk)
        lines.append({"card": card, "row": row})
    mine = organization_of(request.user)
    return render(
        request,
        "targets/dashboard_organization.html",
        {
            "dashboard": d,
            "organization": org,
            "lines": lines,
            "year": year,
            "years": dash.available_years(),
            "own": mine is not None and mine.pk == org.pk,
        },
    )


# --- the yearly targets (staff) ---------------------------------------------------------------------------


def _year_param(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default
    return year if 1930 <= year <= 2100 else default


def _list_url(year: int) -> str:
    return f"{reverse('targets:target_list')}?year={year}"


@require_safe
@readers_required
def target_list(request):
    years = sorted(set(Target.objects.values_list("year", flat=True)), reverse=True)
    default = years[0] if years else today().year
    year = _year_param(request, default)
    targets = list(Target.objects.filter(year=year).order_by("order", "pk"))
    rows = []
    for t in targets:
        definition = indicators.REGISTRY.get(t.indicator)
        unit = definition.unit if definition else indicators.COUNT
        rows.append(
            {
                "target": t,
                "label": definition.label if definition else "Chỉ số không còn được tính",
                "text": target_text(t, unit),
            }
        )
    copy_form = TargetCopyForm(initial={"from_year": year, "to_year": year + 1})
    return render(
        request,
        "targets/target_list.html",
        {"year": year, "years": years, "rows": rows, "copy_form": copy_form},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def target_create(request):
    year = _year_param(request, today().year)
    form = TargetForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        target = services.target_create(by=request.user, **form.cleaned_data)
        messages.success(request, "Đã thêm chỉ tiêu.")
        return redirect(_list_url(target.year))
    return render(request, "targets/target_form.html", {"form": form, "year": year, "target": None})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def target_update(request, pk):
    target = get_object_or_404(Target, pk=pk)
    names = TargetForm.Meta.fields
    guard = EditGuard(
        request,
        lambda: model_state(Target, pk, names),
        lock=lambda: model_state(Target, pk, names, lock=True),
        last_change=lambda: history_last_change(Target, pk),
    )
    form = TargetForm(request.POST or None, instance=target)
    guard.attach(form)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in names}
        saved = guard.run(
            lambda: services.target_update(target=Target.objects.get(pk=pk), by=request.user, **fields)
        )
        if saved:
            messages.success(request, "Đã lưu chỉ tiêu.")
            return redirect(_list_url(saved.year))
    return render(
        request,
        "targets/target_form.html",
        {"form": form, "year": target.year, "target": target, **guard.context()},
        status=guard.status,
    )


@require_POST
@staff_required
def target_copy(request):
    form = TargetCopyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        raw = form.data.get("from_year", "")
        return redirect(_list_url(int(raw) if raw.isdecimal() and 1930 <= int(raw) <= 2100 else today().year))
    copied, skipped = services.target_copy_year(
        from_year=form.cleaned_data["from_year"], to_year=form.cleaned_data["to_year"], by=request.user
    )
    message = f"Đã sao chép {copied} chỉ tiêu sang năm {form.cleaned_data['to_year']}."
    if skipped:
        message += f" Bỏ qua {skipped} chỉ tiêu năm đích đã có."
    messages.success(request, message)
    return redirect(_list_url(form.cleaned_data["to_year"]))


# --- the dashboard as a leadership brief (PDF, DOCX) ----------------------------------------------------------


@require_safe
@readers_required
@_with_year
def brief(request, year):
    """The brief of ?year= as PDF (default) or DOCX (?format=docx)."""
    return document_response(documents.dashboard_document(year, today=dash.today()), document_format(request))


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
@_with_year
def brief_issue(request, year):
    """Staff number the year's brief from the Bloc's register."""
    return issue_page(
        request,
        organization=None,
        subject_kind=documents.DASHBOARD_KIND,
        subject_ref=str(year),
        subject=documents.brief_subject(year),
        label=f"Báo cáo nhanh chỉ tiêu năm {year}",
        back_url=f"{reverse('dashboard:dashboard')}?year={year}",
        kind_for_recipients=documents.DASHBOARD_KIND,
    )


# --- the rating evidence pack ----------------------------------------------------------------------------------


@require_safe
def rating_evidence(request, pk, year):
    """The evidence beside the year-end rating of an organisation (staff, leadership, its own secretary); with
    ?format=pdf or docx, the one-page "Hồ sơ đánh giá, xếp loại năm …"."""
    org = get_object_or_404(organizations_for_user(request.user), pk=pk)
    if not 2000 <= year <= today().year:
        raise Http404("Không có năm này.")
    pack = evidence.rating_pack(org, year, today=today())
    if "format" in request.GET:
        return document_response(evidence.rating_pack_document(pack), document_format(request))
    return render(
        request,
        "targets/rating_evidence.html",
        {"pack": pack, "organization": org, "year": year, "can_rate": is_staff_role(request.user)},
    )


@require_safe
def member_rating_evidence(request, pk, year):
    """The evidence beside a member's rating, printed in one click: PDF (default) or ?format=docx, "Hồ sơ đánh
    giá, xếp loại đảng viên năm …" (whoever sees the member; a cell secretary is kept to their cell's pages)."""
    member = member_get_for_user(request.user, pk)
    if not 2000 <= year <= today().year:
        raise Http404("Không có năm này.")
    pack = member_evidence.member_pack(member, year, today=today())
    return document_response(member_evidence.member_pack_document(pack), document_format(request))
