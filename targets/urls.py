"""Two URL sets: the leadership dashboard (namespace ``dashboard``, under /dashboard/) and the staff pages of
the yearly targets (namespace ``targets``, under /targets/). Included by khoi_portal/urls.py."""

from django.urls import path

from . import views

dashboard_patterns = (
    [
        path("", views.dashboard, name="dashboard"),
        path("data.json", views.data_json, name="data_json"),
        path("close/", views.year_close, name="year_close"),
        path("export.xlsx", views.export_xlsx, name="export_xlsx"),
        path("brief/", views.brief, name="brief"),
        path("brief/issue/", views.brief_issue, name="brief_issue"),
        path("records/", views.indicator_records, name="indicator_records"),
        path("organizations/<int:pk>/", views.organization, name="organization"),
    ],
    "dashboard",
)

target_patterns = (
    [
        path("", views.target_list, name="target_list"),
        path("new/", views.target_create, name="target_create"),
        path("<int:pk>/edit/", views.target_update, name="target_update"),
        path("copy/", views.target_copy, name="target_copy"),
        path("evidence/<int:pk>/<int:year>/", views.rating_evidence, name="rating_evidence"),
        path(
            "evidence/member/<int:pk>/<int:year>/",
            views.member_rating_evidence,
            name="member_rating_evidence",
        ),
    ],
    "targets",
)
