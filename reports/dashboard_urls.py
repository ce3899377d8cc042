from django.urls import path

from . import dashboard_views

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("data.json", dashboard_views.data_json, name="data_json"),
]
