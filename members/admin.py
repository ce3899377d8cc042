from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Candidate, Member, MemberEvent, MemberRating


class MemberEventInline(admin.TabularInline):
    """Read-only: events are recorded through the portal's lifecycle actions, never edited."""

    model = MemberEvent
    fk_name = "member"
    extra = 0
    can_delete = False
    fields = ["kind", "organization", "effective_on", "decided_on", "decision_no", "note", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "organization", "status", "ceremony_on", "full_member_on"]
    list_filter = ["status", "organization__kind"]
    search_fields = ["full_name", "card_number"]
    list_select_related = ["organization"]
    readonly_fields = ["status"]
    inlines = [MemberEventInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MemberEvent)
class MemberEventAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "organization", "effective_on", "decided_on"]
    list_filter = ["kind"]
    list_select_related = ["member", "organization"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Candidate)
class CandidateAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "organization", "status", "course_certificate_on"]
    search_fields = ["full_name"]
    list_select_related = ["organization"]


@admin.register(MemberRating)
class MemberRatingAdmin(SimpleHistoryAdmin):
    list_display = ["member", "year", "grade", "organization"]
    list_filter = ["year", "grade"]
    list_select_related = ["member", "organization"]
