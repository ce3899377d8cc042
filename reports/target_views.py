from django.shortcuts import render
from django.views.decorators.http import require_GET

from organizations.access import staff_required


@require_GET
@staff_required
def target_list(request):
    return render(request, "reports/stub.html", {"title": "Chỉ tiêu"})
