"""Accounts, headers, CSRF, escaping, uploads: what "trusted" means for the portal (issue: reliability and security)."""

import logging
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from members.tests import factories as member_factories
from organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "mat-khau-thu-nghiem"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


# --- accounts ------------------------------------------------------------------------------------------------


def test_repeated_failures_lock_the_account_until_staff_unlock_it(staff, secretary_a, caplog):
    caplog.set_level(logging.INFO, logger="khoi.security")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, secretary_a.username, "sai-mat-khau")
    locked = _login(client, secretary_a.username, PASSWORD)
    assert locked.status_code in (403, 429)
    assert "tạm khóa" in locked.content.decode().lower() or "bị khóa" in locked.content.decode().lower()
    assert "_auth_user_id" not in client.session
    assert "login failed user=bithu_a" in caplog.text and "locked out user=bithu_a" in caplog.text

    staff_client = Client()
    staff_client.force_login(staff)
    page = staff_client.get(reverse("lockout_list")).content.decode()
    assert "bithu_a" in page and "Mở khóa" in page
    staff_client.post(reverse("lockout_reset"), {"username": secretary_a.username, "ip": "10.0.0.7"})
    assert not AccessAttempt.objects.filter(username=secretary_a.username).exists()
    assert "lockout lifted" in caplog.text
    assert _login(Client(), secretary_a.username, PASSWORD).status_code == 302
    assert "login user=bithu_a" in caplog.text


def test_a_password_change_logs_out_the_other_sessions(secretary_a):
    first, second = Client(), Client()
    assert _login(first, secretary_a.username, PASSWORD).status_code == 302
    assert _login(second, secretary_a.username, PASSWORD).status_code == 302
    new = "Mat-khau-moi-2026!"
    response = first.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert first.get(reverse("members:member_list")).status_code == 200  # the session that changed it stays
    after = second.get(reverse("members:member_list"))
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]


def test_weak_passwords_are_refused_in_vietnamese(secretary_a):
    client = Client()
    client.force_login(secretary_a)
    body = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123456", "new_password2": "123456"},
    ).content.decode()
    assert "quá phổ biến" in body or "quá ngắn" in body or "toàn bộ là số" in body


def test_the_session_lasts_what_the_setting_says(secretary_a):
    response = _login(Client(), secretary_a.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]


# --- headers and CSRF ----------------------------------------------------------------------------------------


def test_security_headers(client_for, staff):
    response = client_for(staff).get(reverse("organizations:organization_list"))
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_required_on_forms_and_htmx_requests(secretary_a, org_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary_a)
    url = reverse("organizations:organization_edit", args=[org_a.pk])
    assert client.post(url, {"phone": "1"}).status_code == 403
    assert client.post(url, {"phone": "1"}, HTTP_HX_REQUEST="true").status_code == 403
    page = client.get(url)
    token = page.cookies["csrftoken"].value
    ok = client.post(url, {"phone": "0233 1"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code in (200, 302)
    assert 'hx-headers=\'{"X-CSRFToken"' in page.content.decode()  # htmx sends the token with every request


def test_templates_have_no_inline_script_style_or_handlers():
    offenders = []
    for path in list(ROOT.glob("templates/**/*.html")) + list(ROOT.glob("*/templates/**/*.html")):
        if "period_summary_print" in path.name:
            continue  # rendered to PDF by WeasyPrint on the server, never served to a browser
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"\sstyle=\"", text):
            offenders.append(f"{path}: style= attribute")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path}: on…= handler")
    assert not offenders, "\n".join(offenders)


# --- escaping ------------------------------------------------------------------------------------------------

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_typed_into_names_is_shown_escaped(client_for, staff):
    org = OrganizationFactory(name=f"Đảng bộ {XSS}")
    member = member_factories.member(org, name=f"Nguyễn {XSS}")
    c = client_for(staff)
    for url in (
        reverse("organizations:organization_list"),
        reverse("organizations:organization_detail", args=[org.pk]),
        reverse("members:member_list"),
        reverse("members:member_detail", args=[member.pk]),
        reverse("dashboard:organization", args=[org.pk]),
    ):
        body = c.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;" in body, url


# --- uploads --------------------------------------------------------------------------------------------------


def test_no_public_media_url(client_for, staff):
    assert settings.MEDIA_URL in ("", "/")
    for path in ("/media/attachments/x.pdf", "/private_media/attachments/x.pdf"):
        assert client_for(staff).get(path).status_code == 404
