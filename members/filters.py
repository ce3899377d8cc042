"""List filters: search, organisation, status, gender, cell, year of admission."""

import django_filters
from django import forms
from django.db.models import Q

from core.datacache import cached_when_version_read
from organizations.access import organization_of, organizations_for_user, reads_everything
from organizations.models import Cell

from .models import Candidate, Gender, Member, MemberStatus, search_key


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


class _FoldedSearch(django_filters.CharFilter):
    """Search the member's folded name and card number: case and diacritics do not matter ("minh duc" finds
    "Phạm Minh Đức"); every word typed must appear."""

    def __init__(self, **kwargs):
        super().__init__(label="Tìm kiếm", **kwargs)

    def filter(self, qs, value):
        for word in search_key((value or "")[:100]).split()[:6]:
            qs = qs.filter(search_text__contains=word)
        return qs


#: Above this many organisations the organisation filter is typed (its id) instead of a list to pick from.
SELECT_LIMIT = 300


def _scope(user) -> str | int | None:
    """What ``organizations_for_user`` depends on: every organisation, or the user's own (None: none)."""
    if reads_everything(user):
        return "all"
    org = organization_of(user)
    return None if org is None else org.pk


def _limit_organizations(filterset, user) -> None:
    """The organisation filter: none for a secretary of one organisation, a list to pick from (at most
    SELECT_LIMIT), or a typed organisation id above that. One query whatever the number of organisations: at
    most SELECT_LIMIT + 1 of them are read, and the list's choices come from them (no second query to render or
    to check the choice)."""
    # Kept while no organisation changes (``cached_when_version_read``): a new member renders the list afresh,
    # not its choice of organisations.
    orgs = cached_when_version_read(
        ("filter-organizations", _scope(user), SELECT_LIMIT),
        lambda: list(
            organizations_for_user(user)
            .order_by("code")
            .values_list("pk", "code", "name")[: SELECT_LIMIT + 1]
        ),
    )
    filterset.own_organization = orgs[0][0] if len(orgs) == 1 else None
    if len(orgs) <= 1:
        del filterset.filters["organization"]
    elif len(orgs) > SELECT_LIMIT:
        filterset.filters["organization"] = django_filters.NumberFilter(
            field_name="organization_id", label="Tổ chức (số hiệu)", min_value=1
        )
    else:
        filterset.filters["organization"] = django_filters.ChoiceFilter(
            field_name="organization_id",
            label="Tổ chức cơ sở đảng",
            choices=[(str(pk), f"{code} · {name}") for pk, code, name in orgs],  # as Organization.__str__
            empty_label="Tất cả",
        )


def _chosen_organization(filterset) -> int | None:
    """The organisation the list is narrowed to: the secretary's own, or the one chosen in the filter."""
    if "organization" not in filterset.filters:
        return filterset.own_organization
    try:
        chosen = int((filterset.data or {}).get("organization") or "")
    except ValueError:
        return None
    return chosen if 0 < chosen < 2**63 else None  # beyond a database id: no organisation (not a crash)


class MemberFilter(django_filters.FilterSet):
    q = _FoldedSearch(widget=forms.TextInput(attrs={"placeholder": "Họ tên, số thẻ (có dấu hay không)…"}))
    organization = django_filters.ChoiceFilter(label="Tổ chức cơ sở đảng")  # set per user in __init__
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
        _limit_organizations(self, user)
        # Cells only once an organisation is chosen (a province has tens of thousands of cells).
        chosen = _chosen_organization(self)
        if chosen is None:
            del self.filters["cell"]
        else:
            self.filters["cell"].queryset = Cell.objects.filter(organization_id=chosen).order_by("name")


class CandidateFilter(django_filters.FilterSet):
    q = _Search(("full_name",), widget=forms.TextInput(attrs={"placeholder": "Họ tên…"}))
    organization = django_filters.ChoiceFilter(label="Tổ chức cơ sở đảng")  # set per user in __init__
    status = django_filters.ChoiceFilter(
        label="Tình trạng", choices=Candidate.Status.choices, empty_label="Tất cả"
    )

    class Meta:
        model = Candidate
        fields = ["q", "organization", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_organizations(self, user)
