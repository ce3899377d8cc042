from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from organizations import access


@require_safe
def home(request):
    """Staff and leadership go to the dashboard; a secretary to their own organisation; a cell secretary to
    their cell's meetings."""
    role = access.role_of(request.user)
    if role in (access.STAFF, access.LEADERSHIP):
        return redirect("dashboard:dashboard")
    org = access.organization_of(request.user)
    if role == access.SECRETARY and org is not None:
        return redirect("organizations:organization_detail", pk=org.pk)
    cell = access.cell_of(request.user)
    if role == access.CELL_SECRETARY and cell is not None:
        return redirect("members:meeting_unit", organization=cell.organization_id, cell=cell.pk)
    return render(request, "no_role.html", status=403)


@require_safe
def baseline(request):
    """The benchmarks' yardstick: a logged-in page that renders the base layout and runs no query of its own."""
    return render(request, "baseline.html")
