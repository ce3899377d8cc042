from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BlocYear, Cell, Officer, Organization, OrganizationYear


class CellInline(admin.TabularInline):
    model = Cell
    extra = 0


class OfficerInline(admin.TabularInline):
    model = Officer
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "unit_type", "joined_on", "left_on"]
    list_filter = ["kind", "unit_type"]
    search_fields = ["code", "name"]
    inlines = [CellInline, OfficerInline]


@admin.register(OrganizationYear)
class OrganizationYearAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "year", "party_rating", "professional_rating", "enterprise_effective"]
    list_filter = ["year", "party_rating"]
    search_fields = ["organization__code", "organization__name"]
    list_select_related = ["organization"]


@admin.register(BlocYear)
class BlocYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "rating"]


@admin.register(Officer)
class OfficerAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "title", "is_active"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "organization__name"]
