from django.urls import path

from . import document_views, views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("organizations/<int:pk>/", views.organization_obligations, name="organization_obligations"),
    path("<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("<int:pk>/autosave/", views.report_autosave, name="report_autosave"),
    path("<int:pk>/submit/", views.report_confirm, name="report_confirm"),
    path("<int:pk>/return/", views.report_return, name="report_return"),
    path("<int:pk>/accept/", views.report_accept, name="report_accept"),
    path("<int:pk>/compare/", views.report_compare, name="report_compare"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/accept/", views.review_accept_selected, name="review_accept_selected"),
    path("<int:pk>/document/", document_views.report_document, name="report_document"),
    path("<int:pk>/issue/", document_views.report_issue, name="report_issue"),
    path("<int:pk>/attachments/new/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("periods/<int:period_id>/edit/", views.report_open, name="report_open"),
    path("keepalive/", views.keepalive, name="keepalive"),
    path("matrix/", views.matrix, name="matrix"),
    path("periods/new/", views.periods_make, name="periods_make"),
    path("period-status/", views.period_status, name="period_status"),
    path("reminders/", views.reminder_log, name="reminder_log"),
    path("reminders/send/", views.reminder_send, name="reminder_send"),
    path("period-summary/", views.period_summary, name="period_summary"),
    path("period-summary/issue/", document_views.period_summary_issue, name="period_summary_issue"),
    path("resolutions/", views.resolution_list, name="resolution_list"),
    path("resolutions/new/", views.resolution_create, name="resolution_create"),
    path("resolutions/<int:pk>/edit/", views.resolution_update, name="resolution_update"),
    path("resolutions/copy/", views.resolution_copy, name="resolution_copy"),
    path("schedule/", views.schedule_list, name="schedule_list"),
]
