from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from organizations import access


@require_GET
def home(request):
    """Staff and leadership go to the dashboard, the Inspection Commission to the discipline register; a
    secretary to their own organisation."""
    role = access.role_of(request.user)
    if role == access.INSPECTION:
        return redirect("discipline:discipline_list")
    if role in (access.STAFF, access.LEADERSHIP):
        return redirect("dashboard:dashboard")
    org = access.organization_of(request.user)
    if role == access.SECRETARY and org is not None:
        return redirect("organizations:organization_detail", pk=org.pk)
    return render(request, "no_role.html", status=403)


@require_GET
def baseline(request):
    """The benchmarks' yardstick: a logged-in page that renders the base layout and runs no query of its own."""
    return render(request, "baseline.html")
