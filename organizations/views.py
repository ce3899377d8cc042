from django.shortcuts import render
from django.views.decorators.http import require_GET

from .access import organizations_for_user
from .selectors import organization_get_for_user


@require_GET
def organization_list(request):
    organizations = organizations_for_user(request.user)
    return render(request, "organizations/organization_list.html", {"organizations": organizations})


@require_GET
def organization_detail(request, pk):
    organization = organization_get_for_user(request.user, pk)
    return render(request, "organizations/organization_detail.html", {"organization": organization})
