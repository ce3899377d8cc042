import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from .models import Kind, Organization, UnitType


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Tìm kiếm", method="search", widget=forms.TextInput(attrs={"placeholder": "Mã, tên…"})
    )
    kind = django_filters.ChoiceFilter(label="Loại hình", choices=Kind.choices, empty_label="Tất cả")
    unit_type = django_filters.ChoiceFilter(
        label="Loại đơn vị", choices=UnitType.choices, empty_label="Tất cả"
    )
    in_bloc = django_filters.ChoiceFilter(
        label="Trực thuộc Khối",
        choices=[("yes", "Đang trực thuộc"), ("no", "Đã thôi trực thuộc")],
        method="filter_in_bloc",
        empty_label="Tất cả",
    )

    class Meta:
        model = Organization
        fields = ["q", "kind", "unit_type", "in_bloc"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset

    def filter_in_bloc(self, queryset, name, value):
        today = timezone.localdate()
        in_bloc = queryset.in_bloc_on(today)
        return in_bloc if value == "yes" else queryset.exclude(pk__in=in_bloc.values("pk"))
