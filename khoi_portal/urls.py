from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_POST

from targets import urls as target_urls

from . import security, views

urlpatterns = [
    path("", views.home, name="home"),
    path("_baseline/", views.baseline, name="baseline"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", require_POST(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/lockouts/", security.lockout_list, name="lockout_list"),
    path("accounts/lockouts/reset/", security.lockout_reset, name="lockout_reset"),
    path("organizations/", include("organizations.urls")),
    path("members/", include("members.urls")),
    path("discipline/", include("discipline.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include(target_urls.dashboard_patterns)),
    path("targets/", include(target_urls.target_patterns)),
    path("admin/", admin.site.urls),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
