"""List filters: search, organisation, status, gender, cell, year of admission."""

import django_filters
from django import forms
from django.db.models import Q

from organizations.access import organizations_for_user
from organizations.models import Cell

from .models import Candidate, Gender, Member, MemberStatus


class _Search(django_filters.CharFilter):
    def __init__(self, fields, **kwargs):
        self.fields = fields
        super().__init__(label="Tìm kiếm", **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()[:100]
        if not value:
            return qs
        condition = Q()
        for name in self.fields:
            condition |= Q(**{f"{name}__icontains": value})
        return qs.filter(condition)


class MemberFilter(django_filters.FilterSet):
    q = _Search(
        ("full_name", "card_number"), widget=forms.TextInput(attrs={"placeholder": "Họ tên, số thẻ…"})
    )
    organization = django_filters.ModelChoiceFilter(
        label="Tổ chức cơ sở đảng", queryset=None, empty_label="Tất cả"
    )
    status = django_filters.ChoiceFilter(
        label="Tình trạng", choices=MemberStatus.choices, empty_label="Tất cả"
    )
    gender = django_filters.ChoiceFilter(label="Giới tính", choices=Gender.choices, empty_label="Tất cả")
    cell = django_filters.ModelChoiceFilter(label="Chi bộ", queryset=None, empty_label="Tất cả")
    admission_year = django_filters.NumberFilter(
        label="Năm kết nạp",
        field_name="admission_decided_on",
        lookup_expr="year",
        min_value=1930,
        max_value=2100,
    )

    class Meta:
        model = Member
        fields = ["q", "organization", "status", "gender", "cell", "admission_year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organizations_for_user(user).order_by("code")
        self.filters["organization"].queryset = orgs
        self.filters["cell"].queryset = Cell.objects.filter(organization__in=orgs).select_related(
            "organization"
        )
        if orgs.count() == 1:
            del self.filters["organization"]


class CandidateFilter(django_filters.FilterSet):
    q = _Search(("full_name",), widget=forms.TextInput(attrs={"placeholder": "Họ tên…"}))
    organization = django_filters.ModelChoiceFilter(
        label="Tổ chức cơ sở đảng", queryset=None, empty_label="Tất cả"
    )
    status = django_filters.ChoiceFilter(
        label="Tình trạng", choices=Candidate.Status.choices, empty_label="Tất cả"
    )

    class Meta:
        model = Candidate
        fields = ["q", "organization", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organizations_for_user(user).order_by("code")
        self.filters["organization"].queryset = orgs
        if orgs.count() == 1:
            del self.filters["organization"]
