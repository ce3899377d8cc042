from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from organizations.access import readers_required, scope_by_organization, staff_required

from .models import PeriodicReport


def _stub(request, title):
    return render(request, "reports/stub.html", {"title": title})


@require_GET
def report_list(request):
    return _stub(request, "Báo cáo")


@require_GET
def report_detail(request, pk):
    report = get_object_or_404(scope_by_organization(PeriodicReport.objects.all(), request.user), pk=pk)
    return _stub(request, str(report))


@require_GET
@readers_required
def matrix(request):
    return _stub(request, "Tình hình nộp báo cáo")


@require_GET
@staff_required
def resolution_list(request):
    return _stub(request, "Nghị quyết học tập")


@require_GET
@staff_required
def schedule_list(request):
    return _stub(request, "Lịch báo cáo")
