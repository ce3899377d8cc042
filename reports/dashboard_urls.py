from django.urls import path

from . import dashboard_document, dashboard_views

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("data.json", dashboard_views.data_json, name="data_json"),
    path("export.xlsx", dashboard_views.export_xlsx, name="export_xlsx"),
    path("brief/", dashboard_document.brief, name="brief"),
    path("brief/issue/", dashboard_document.brief_issue, name="brief_issue"),
    path("records/", dashboard_views.indicator_records, name="indicator_records"),
    path("organizations/<int:pk>/", dashboard_views.organization, name="organization"),
]
