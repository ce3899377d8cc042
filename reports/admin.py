from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    PeriodicReport,
    ReminderLog,
    ReportAttachment,
    ReportingPeriod,
    ReportingSchedule,
    ReportVersion,
    Resolution,
    StudyLine,
)


class StudyLineInline(admin.TabularInline):
    model = StudyLine
    extra = 0


@admin.register(PeriodicReport)
class PeriodicReportAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "period", "status", "first_submitted_at", "accepted_at"]
    list_filter = ["status", "period__kind", "period__year"]
    list_select_related = ["organization", "period"]
    inlines = [StudyLineInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    list_display = ["report", "number", "submitted_by", "submitted_at"]
    list_select_related = ["report__organization", "report__period", "submitted_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ReportingSchedule, SimpleHistoryAdmin)
admin.site.register(ReportingPeriod)
admin.site.register(Resolution, SimpleHistoryAdmin)
admin.site.register(ReportAttachment)
admin.site.register(ReminderLog)
