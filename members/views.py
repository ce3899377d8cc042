from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from organizations.access import scope_by_organization

from .models import Candidate, Member


@require_GET
def member_list(request):
    members = scope_by_organization(Member.objects.select_related("organization"), request.user)[:50]
    return render(request, "members/member_list.html", {"members": members})


@require_GET
def member_detail(request, pk):
    member = get_object_or_404(scope_by_organization(Member.objects.all(), request.user), pk=pk)
    return render(request, "members/member_detail.html", {"member": member})


@require_GET
def candidate_list(request):
    candidates = scope_by_organization(Candidate.objects.all(), request.user)[:50]
    return render(request, "members/candidate_list.html", {"candidates": candidates})
