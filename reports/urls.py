from django.urls import path

from . import views
from .target_urls import target_patterns

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("matrix/", views.matrix, name="matrix"),
    path("resolutions/", views.resolution_list, name="resolution_list"),
    path("schedule/", views.schedule_list, name="schedule_list"),
    *target_patterns,
]
