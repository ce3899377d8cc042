from django.urls import path

from . import dues_views, meeting_views, views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("new/", views.member_create, name="member_create"),
    path("import/", views.member_import, name="member_import"),
    path("overdue/", views.overdue_list, name="overdue_list"),
    path("badges/", views.badge_round_list, name="badge_round_list"),
    path("days-off/", views.day_off_list, name="day_off_list"),
    path("ratings/<int:organization>/", views.rating_bulk, name="rating_bulk"),
    path("dues/", dues_views.dues_overview, name="dues_overview"),
    path("dues/report/", dues_views.dues_report, name="dues_report"),
    path("dues/settings/", dues_views.dues_settings, name="dues_settings"),
    path("dues/settings/policy/", dues_views.dues_policy, name="dues_policy"),
    path("dues/<int:organization>/", dues_views.dues_month, name="dues_month"),
    path("dues/<int:organization>/cells/<int:cell>/", dues_views.dues_month, name="dues_cell"),
    path("dues/<int:organization>/import/", dues_views.dues_import, name="dues_import"),
    path("dues/<int:organization>/remittances/", dues_views.dues_remittances, name="dues_remittances"),
    path("<int:pk>/dues/", dues_views.member_dues, name="member_dues"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/rating/", views.member_rating, name="member_rating"),
    path("<int:pk>/extension/", views.member_extension, name="member_extension"),
    path("<int:pk>/<slug:action>/", views.member_action, name="member_action"),
    path("meetings/grid/", meeting_views.meeting_grid, name="meeting_grid"),
    path("meetings/criteria/", meeting_views.meeting_criteria, name="meeting_criteria"),
    path("meetings/criteria/<int:pk>/", meeting_views.meeting_criterion_edit, name="meeting_criterion_edit"),
    path("meetings/record/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/record/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:organization>/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/<int:organization>/<int:cell>/", meeting_views.meeting_unit, name="meeting_unit"),
    path("meetings/<int:organization>/<int:cell>/new/", meeting_views.meeting_create, name="meeting_create"),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/new/", views.candidate_edit, name="candidate_create"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/edit/", views.candidate_edit, name="candidate_edit"),
    path("candidates/<int:pk>/admit/", views.candidate_admit, name="candidate_admit"),
]
