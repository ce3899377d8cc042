from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organizations.access import readers_required


@require_GET
@readers_required
def dashboard(request):
    return render(request, "reports/stub.html", {"title": "Chỉ tiêu"})


@require_GET
@readers_required
def data_json(request):
    return JsonResponse({"year": None, "as_of": None, "indicators": []})
