from django.urls import path

from . import views

app_name = "discipline"

urlpatterns = [
    path("", views.discipline_list, name="discipline_list"),
    path("new/", views.discipline_create, name="discipline_create"),
    path("<int:pk>/", views.discipline_detail, name="discipline_detail"),
    path("<int:pk>/appeal/", views.appeal_create, name="appeal_create"),
    path("appeals/<int:pk>/settle/", views.appeal_settle, name="appeal_settle"),
    path("inspections/", views.programme_list, name="programme_list"),
    path("inspections/new/", views.programme_edit, name="programme_create"),
    path("inspections/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("inspections/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("inspections/<int:pk>/conclude/", views.programme_conclude, name="programme_conclude"),
    path("inspections/<int:pk>/remedies/new/", views.remedy_create, name="remedy_create"),
    path("remedies/<int:pk>/done/", views.remedy_done, name="remedy_done"),
]
