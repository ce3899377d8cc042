from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("", views.organization_list, name="organization_list"),
    path("new/", views.organization_create, name="organization_create"),
    path("import/", views.organization_import, name="organization_import"),
    path("bloc-ratings/", views.bloc_year_list, name="bloc_year_list"),
    path("bloc-ratings/new/", views.bloc_year_edit, name="bloc_year_create"),
    path("bloc-ratings/<int:year>/", views.bloc_year_edit, name="bloc_year_edit"),
    path("register/", views.outgoing_list, name="outgoing_list"),
    path("document-template/", views.document_template, name="document_template"),
    path("document-template/download/", views.document_template_download, name="document_template_download"),
    path(
        "document-template/<int:pk>/withdraw/",
        views.document_template_withdraw,
        name="document_template_withdraw",
    ),
    path("<int:pk>/", views.organization_detail, name="organization_detail"),
    path("<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("<int:pk>/leave/", views.organization_leave, name="organization_leave"),
    path("<int:pk>/return/", views.organization_return, name="organization_return"),
    path("<int:pk>/congress/", views.congress_record, name="congress_record"),
    path("<int:pk>/cells/new/", views.cell_edit, name="cell_create"),
    path("<int:pk>/cells/<int:cell_pk>/", views.cell_edit, name="cell_edit"),
    path("<int:pk>/officers/new/", views.officer_add, name="officer_add"),
    path("<int:pk>/officers/<int:officer_pk>/end/", views.officer_end, name="officer_end"),
    path("<int:pk>/years/new/", views.year_edit, name="year_create"),
    path("<int:pk>/years/<int:year>/", views.year_edit, name="year_edit"),
]
