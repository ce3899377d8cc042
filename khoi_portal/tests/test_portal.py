"""The portal itself: settings from the environment, login on every URL, role homes, scoping, Vietnamese formats."""

import datetime as dt
import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.urlwalk import all_routes

ROOT = Path(__file__).resolve().parent.parent.parent
PUBLIC = {"login"}


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "khoi_portal.settings",
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "portal.example.vn",
    "DATABASE_URL": "sqlite:////tmp/khoi-deploy-check.sqlite3",
}


def test_check_deploy_is_clean_with_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = dict(PROD_ENV)
    del env["DJANGO_SECRET_KEY"]
    result = _manage("check", env_extra=env | {"DJANGO_SECRET_KEY_UNSET": "1"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_database_url_selects_postgresql_with_psycopg3():
    code = (
        "import environ; c = environ.Env.db_url_config('postgres://u:p@127.0.0.1:5432/khoi');"
        "print(c['ENGINE'], c['NAME'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["django.db.backends.postgresql", "khoi"]
    import psycopg  # noqa: F401  (psycopg 3 is what the postgresql backend uses)


def test_settings_are_vietnamese_first(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


class _DateForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("05/03/2021", dt.date(2021, 3, 5)),
        ("25/03/2021", dt.date(2021, 3, 25)),
        ("2021-03-05", dt.date(2021, 3, 5)),
    ],
)
def test_dates_are_typed_day_first(typed, expected):
    with translation.override("vi"):
        form = _DateForm({"day": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == expected


def test_impossible_date_is_refused_in_vietnamese():
    with translation.override("vi"):
        form = _DateForm({"day": "31/02/2021"})
        assert not form.is_valid()
        assert "Nhập ngày hợp lệ" in str(form.errors) or "ngày" in str(form.errors).lower()


def test_dates_and_numbers_print_the_vietnamese_way():
    with translation.override("vi"):
        out = Template("{{ d }}|{{ n }}|{{ x|floatformat:2 }}|{{ d|date:'SHORT_DATE_FORMAT' }}").render(
            Context({"d": dt.date(2021, 3, 5), "n": 1234567, "x": Decimal("99.159")})
        )
    assert out == "05/03/2021|1.234.567|99,16|05/03/2021"


def test_date_widget_shows_day_first():
    with translation.override("vi"):
        html = _DateForm(initial={"day": dt.date(2021, 3, 5)}).as_p()
    assert 'value="05/03/2021"' in html


# --- login and roles ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in all_routes() if r.name not in PUBLIC], ids=lambda r: r.name)
def test_every_page_requires_login(client, route):
    path = route.path()
    response = client.get(path)
    assert response.status_code == 302, f"{path} answered {response.status_code} to an anonymous visitor"
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_page_is_public_and_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="vi"' in body
    assert "Đăng nhập" in body
    assert "Tên đăng nhập" in body  # Django's own field label, in Vietnamese


@pytest.mark.django_db
def test_logout_is_post_only(client_for, staff):
    c = client_for(staff)
    assert c.get(reverse("logout")).status_code == 405
    assert c.post(reverse("logout")).status_code == 302
    assert c.get(reverse("home")).status_code == 302  # logged out now


@pytest.mark.django_db
def test_wrong_password_shows_vietnamese_error(client, staff):
    response = client.post(reverse("login"), {"username": staff.username, "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


@pytest.mark.django_db
def test_home_is_the_staff_inbox_and_sends_leadership_to_the_dashboard(client_for, staff, leader):
    response = client_for(staff).get("/")
    assert response.status_code == 200 and "Việc cần làm hôm nay" in response.content.decode()
    assert client_for(leader).get("/")["Location"] == reverse("dashboard:dashboard")


@pytest.mark.django_db
def test_home_of_a_secretary_is_their_own_organisation_work(client_for, secretary_a, org_a):
    response = client_for(secretary_a).get("/")
    body = response.content.decode()
    assert response.status_code == 200 and org_a.name in body
    assert reverse("organizations:organization_detail", args=[org_a.pk]) in body


@pytest.mark.django_db
def test_user_without_role_is_refused(client_for):
    from organizations.tests.factories import UserFactory

    response = client_for(UserFactory(username="norole")).get("/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_secretary_gets_404_for_another_organization(client_for, secretary_a, org_a, org_b):
    c = client_for(secretary_a)
    assert c.get(reverse("organizations:organization_detail", args=[org_a.pk])).status_code == 200
    response = c.get(reverse("organizations:organization_detail", args=[org_b.pk]))
    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()


@pytest.mark.django_db
def test_secretary_gets_403_for_bloc_dashboard(client_for, secretary_a):
    assert client_for(secretary_a).get(reverse("dashboard:dashboard")).status_code == 403


@pytest.mark.django_db
def test_navigation_shows_only_what_the_role_may_use(client_for, staff, leader, secretary_a, org_a):
    admin_menu = reverse("targets:target_list")
    org_page = reverse("organizations:organization_detail", args=[org_a.pk])
    assert admin_menu in client_for(staff).get(org_page).content.decode()
    assert admin_menu not in client_for(leader).get(org_page).content.decode()
    body = client_for(secretary_a).get(org_page).content.decode()
    assert admin_menu not in body
    assert reverse("dashboard:dashboard") not in body


@pytest.mark.django_db
def test_role_groups_exist_after_migrations():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"van_phong", "lanh_dao", "bi_thu"}


@pytest.mark.django_db
def test_load_demo_creates_organizations_and_accounts(demo_loaded):
    """``load_demo`` (run once for the session: the ``demo_loaded`` fixture) makes the 76 organisations and the
    demo accounts of every role, and says so."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from organizations import access
    from organizations.models import Organization

    assert "vanphong" in demo_loaded  # the accounts are printed for whoever ran it
    assert Organization.objects.count() == 76
    assert list(Organization.objects.values_list("code", flat=True)[:2]) == ["01", "02"]
    request = RequestFactory().post("/accounts/login/")
    for username, role in [
        ("vanphong", access.STAFF),
        ("lanhdao", access.LEADERSHIP),
        ("kiemtra", access.INSPECTION),
        ("bithu76", access.SECRETARY),
    ]:
        user = authenticate(request, username=username, password="demo-khoi-2021")
        assert user is not None, username
        assert access.role_of(user) == role
    assert (
        access.organization_of(authenticate(request, username="bithu05", password="demo-khoi-2021")).code
        == "05"
    )


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("previous", "trước"),
        ("next", "sau"),
        ("All", "Tất cả"),
        ("Ordering", "Sắp xếp"),
        ("Preview", "Xem trước"),
    ],
)
def test_strings_the_apps_leave_in_english_are_translated(english, vietnamese):
    with translation.override("vi"):
        assert translation.gettext(english) == vietnamese


def test_vendored_libraries_are_served_locally_with_licences():
    vendor = ROOT / "static" / "vendor"
    for lib in ("bootstrap-", "chartjs-", "htmx-"):
        folders = [p for p in vendor.iterdir() if p.name.startswith(lib)]
        assert len(folders) == 1, lib
        assert (folders[0] / "LICENSE").exists()
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        assert "cdn." not in text and "//unpkg" not in text and "googleapis" not in text, template
