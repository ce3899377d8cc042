from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("matrix/", views.matrix, name="matrix"),
    path("targets/", views.target_list, name="target_list"),
    path("resolutions/", views.resolution_list, name="resolution_list"),
    path("schedule/", views.schedule_list, name="schedule_list"),
]
