"""Staff pages for the yearly targets: list a year's set, add, edit, copy a set to another year."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.concurrency import EditGuard, history_last_change, model_state
from organizations.access import readers_required, staff_required

from . import indicators, target_services
from .dashboard import target_text, today
from .models import Target
from .target_forms import TargetCopyForm, TargetForm


def _year_param(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default
    return year if 1930 <= year <= 2100 else default


def _list_url(year: int) -> str:
    return f"{reverse('reports:target_list')}?year={year}"


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
                "label": definition.label if definition else t.indicator,
                "text": target_text(t, unit),
            }
        )
    copy_form = TargetCopyForm(initial={"from_year": year, "to_year": year + 1})
    return render(
        request,
        "reports/target_list.html",
        {"year": year, "years": years, "rows": rows, "copy_form": copy_form},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def target_create(request):
    year = _year_param(request, today().year)
    form = TargetForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        target = target_services.target_create(by=request.user, **form.cleaned_data)
        messages.success(request, "Đã thêm chỉ tiêu.")
        return redirect(_list_url(target.year))
    return render(request, "reports/target_form.html", {"form": form, "year": year, "target": None})


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
            lambda: target_services.target_update(target=Target.objects.get(pk=pk), by=request.user, **fields)
        )
        if saved:
            messages.success(request, "Đã lưu chỉ tiêu.")
            return redirect(_list_url(saved.year))
    return render(
        request,
        "reports/target_form.html",
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
        return redirect(_list_url(int(raw) if raw.isdigit() and 1930 <= int(raw) <= 2100 else today().year))
    copied, skipped = target_services.target_copy_year(
        from_year=form.cleaned_data["from_year"], to_year=form.cleaned_data["to_year"], by=request.user
    )
    message = f"Đã sao chép {copied} chỉ tiêu sang năm {form.cleaned_data['to_year']}."
    if skipped:
        message += f" Bỏ qua {skipped} chỉ tiêu năm đích đã có."
    messages.success(request, message)
    return redirect(_list_url(form.cleaned_data["to_year"]))
