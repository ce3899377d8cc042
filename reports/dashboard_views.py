"""The leadership dashboard, its JSON and XLSX, the records behind each figure, one organisation's view."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from core.datacache import page_number
from core.errors import bad_request
from organizations.access import (
    SECRETARY,
    organization_of,
    organizations_for_user,
    readers_required,
    reads_everything,
    role_of,
)

from . import dashboard as dash
from .indicators import REGISTRY


class BadYear(ValueError):
    pass


def _year(request) -> int:
    """?year=Y (default: the current year). Anything that is not a plausible year is a bad request."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return dash.today().year
    try:
        year = int(raw)
    except ValueError:
        raise BadYear(raw) from None
    if not 1930 <= year <= 2100:
        raise BadYear(raw)
    return year


def _ensure_periods(year: int) -> None:
    """Make the year's reporting periods if the reporting app offers it (so punctuality has periods)."""
    try:
        from .periods import periods_ensure
    except ImportError:
        return
    periods_ensure(year)


def _with_year(view):
    def wrapped(request, *args, **kwargs):
        try:
            year = _year(request)
        except BadYear:
            if view.__name__ == "data_json":
                return JsonResponse({"error": "Năm không hợp lệ."}, status=400)
            return bad_request(request)
        return view(request, year, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_safe
@readers_required
@_with_year
def dashboard(request, year):
    _ensure_periods(year)
    # The page body is cached under the data's version (template fragment): on a hit nothing below is
    # computed, so the dashboard, its years and its table are lazy.
    d = SimpleLazyObject(lambda: dash.build_dashboard(year))
    page = page_number(request)
    return render(
        request,
        "reports/dashboard.html",
        {
            "dashboard": d,
            "cache_key": dash.dashboard_key(year),
            "page": page,
            "page_query": urlencode({"year": year}),
            "year": year,
            "years": dash.available_years,
            "org_table": lambda: dash.org_table_page(d, page),
            "org_columns": dash.ORG_COLUMNS,
            "charts": lambda: d.charts,
        },
    )


@require_safe
@readers_required
@_with_year
def data_json(request, year):
    _ensure_periods(year)
    return JsonResponse(dash.dashboard_json(year), json_dumps_params={"ensure_ascii": False})


@require_safe
@readers_required
@_with_year
def export_xlsx(request, year):
    _ensure_periods(year)
    d = dash.build_dashboard(year, with_charts=False)
    response = HttpResponse(
        dash.dashboard_xlsx(d),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="chi-tieu-{year}.xlsx"'
    return response


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
        request, "reports/dashboard_records.html", {"records": records, "organization": org, "year": year}
    )


@require_safe
@_with_year
def organization(request, year, pk):
    """One organisation's contribution to the year's indicators (its secretary, staff, leadership)."""
    org = get_object_or_404(organizations_for_user(request.user), pk=pk)
    _ensure_periods(year)
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
        "reports/dashboard_organization.html",
        {
            "dashboard": d,
            "organization": org,
            "lines": lines,
            "year": year,
            "years": dash.available_years(),
            "own": mine is not None and mine.pk == org.pk,
        },
    )
