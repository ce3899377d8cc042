"""Accounts, headers, CSRF, escaping, uploads: what "trusted" means for the portal."""

import csv
import datetime as dt
import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.documents import document_html, docx_text
from members.tests import factories as member_factories
from reports.documents import summary_document
from reports.models import ReportStatus
from targets.tests import factories as dash

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
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


def test_a_lockout_ends_by_itself_after_the_cool_off_time(staff, secretary_a):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, secretary_a.username, "sai-mat-khau")
    assert _login(client, secretary_a.username, PASSWORD).status_code in (403, 429)
    assert _login(Client(), secretary_a.username, PASSWORD).status_code in (403, 429)  # still locked
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - dt.timedelta(minutes=1))
    staff_client = Client()
    staff_client.force_login(staff)
    assert "bithu_a" not in staff_client.get(reverse("lockout_list")).content.decode()  # no longer locked
    assert _login(Client(), secretary_a.username, PASSWORD).status_code == 302


def test_logout_is_logged(secretary_a, caplog):
    caplog.set_level(logging.INFO, logger="khoi.security")
    client = Client()
    assert _login(client, secretary_a.username, PASSWORD).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "login user=bithu_a ip=10.0.0.7" in caplog.text
    assert "logout user=bithu_a" in caplog.text


def test_a_typed_user_name_cannot_forge_log_lines(caplog):
    caplog.set_level(logging.INFO, logger="khoi.security")
    _login(Client(), "x\n2026-01-01 INFO khoi.security login user=vanphong", "sai")
    messages = [r.getMessage() for r in caplog.records if r.name == "khoi.security"]
    assert messages and all("\n" not in m for m in messages)
    assert "login failed user=x\\x0a2026-01-01" in messages[0]


def test_password_validators_are_on():
    names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names >= {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


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


def test_session_age_is_configurable_and_an_expired_session_is_logged_out(secretary_a, settings):
    settings.SESSION_COOKIE_AGE = 600
    client = Client()
    response = _login(client, secretary_a.username, PASSWORD)
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 600
    assert client.get(reverse("members:member_list")).status_code == 200
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    after = client.get(reverse("members:member_list"))
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]


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


PRODUCTION_PROBE = """
import json
from django.conf import settings
from django.core.management import call_command
call_command("migrate", "sessions", verbosity=0)  # sessions live in the database, never only in a cache
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

# The hashed static files need collectstatic; the probe is about headers and cookies, not static files.
plain = dict(settings.STORAGES, staticfiles={"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"})
override_settings(STORAGES=plain).enable()
login = Client().get("/accounts/login/", secure=True, HTTP_HOST="portal.example.vn")

def touch(request):
    request.session["probe"] = 1
    return HttpResponse("ok")

request = RequestFactory().get("/", secure=True, HTTP_HOST="portal.example.vn")
session = SessionMiddleware(touch)(request).cookies[settings.SESSION_COOKIE_NAME]
csrf = login.cookies[settings.CSRF_COOKIE_NAME]
print(json.dumps({
    "status": login.status_code,
    "hsts": login.get("Strict-Transport-Security", ""),
    "frame": login.get("X-Frame-Options", ""),
    "referrer": login.get("Referrer-Policy", ""),
    "csp": login.get("Content-Security-Policy", ""),
    "session_secure": bool(session["secure"]),
    "session_httponly": bool(session["httponly"]),
    "session_samesite": session["samesite"],
    "csrf_secure": bool(csrf["secure"]),
    "plain_http": Client().get("/accounts/login/", HTTP_HOST="portal.example.vn").status_code,
}))
"""


def test_production_responses_carry_hsts_and_secure_cookies(tmp_path):
    """With the production environment (debug off): HSTS, secure HttpOnly session cookie, secure CSRF cookie,
    plain HTTP redirected to HTTPS. Run in a child process: the settings are read once, at start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "khoi_portal.settings",
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert "max-age=31536000" in seen["hsts"] and "includeSubDomains" in seen["hsts"]
    assert seen["frame"] == "DENY" and seen["referrer"] == "same-origin"
    assert "script-src 'self'" in seen["csp"] and "unsafe-inline" not in seen["csp"]
    assert seen["session_secure"] and seen["session_httponly"] and seen["session_samesite"] == "Lax"
    assert seen["csrf_secure"]
    assert seen["plain_http"] == 301  # SECURE_SSL_REDIRECT


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
        if path.name == "official_document.html":
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
#: A name that is both markup and, for a spreadsheet, a formula.
HOSTILE = f'=HYPERLINK("http://x"){XSS}'
RAW = ("<script>alert", "<img src=x")
FORMULA_START = ("=", "+", "-", "@")


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def hostile_world(staff):
    """An organisation, a member, a candidate and an accepted report whose texts are HTML and formulae."""
    org = dash.org(name=f"Đảng bộ {HOSTILE}")
    member = member_factories.member(org, name=f"Nguyễn {HOSTILE}")
    candidate = member_factories.candidate(org, name=f"Trần {HOSTILE}", sponsors=HOSTILE)
    dash.event(org, decided_on=dt.date(2021, 3, 1), who=member)
    january = dash.period("month", 2021, 1)
    report = dash.report(org, january, status=ReportStatus.ACCEPTED, submitted_on=january.due_on)
    report.results_text = report.shortcomings_text = HOSTILE
    report.members_total = 1
    report.save()
    return {"org": org, "member": member, "candidate": candidate, "report": report, "period": january}


def test_html_typed_into_names_and_narratives_is_shown_escaped_everywhere(client_for, staff, hostile_world):
    w = hostile_world
    c = client_for(staff)
    must_show = {  # pages where the hostile text appears: it must be there, escaped
        reverse("organizations:organization_list"): {},
        reverse("organizations:organization_detail", args=[w["org"].pk]): {},
        reverse("members:member_list"): {},
        reverse("members:member_detail", args=[w["member"].pk]): {},
        reverse("members:candidate_list"): {},
        reverse("members:candidate_detail", args=[w["candidate"].pk]): {},
        reverse("reports:report_detail", args=[w["report"].pk]): {},
        reverse("reports:report_list"): {"year": 2021},
        reverse("reports:matrix"): {"year": 2021},
        reverse("reports:period_summary"): {"period": w["period"].pk},
        reverse("dashboard:indicator_records"): {"code": "admissions", "year": 2021},
        reverse("dashboard:organization", args=[w["org"].pk]): {"year": 2021},
    }
    for url, query in must_show.items():
        response = c.get(url, query)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not any(raw in body for raw in RAW), url
        assert "&lt;script&gt;alert(" in body, url
    dashboard = c.get(reverse("dashboard:dashboard"), {"year": 2021}).content.decode()
    assert not any(raw in dashboard for raw in RAW)
    # The official document: the HTML handed to WeasyPrint is escaped too, and the DOCX carries the text as
    # text (its XML intact: the document opens and reads the name as typed).
    doc = summary_document(w["period"], today=dt.date(2021, 3, 2))
    html = document_html(doc)
    assert "&lt;script&gt;alert(" in html and not any(raw in html for raw in RAW)
    docx = c.get(reverse("reports:period_summary"), {"period": w["period"].pk, "format": "docx"}).content
    assert XSS in docx_text(docx)


def _xlsx_cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book:
        for row in sheet.iter_rows():
            yield from row


def test_exports_hold_hostile_text_as_text_never_as_a_formula(client_for, staff, hostile_world):
    w = hostile_world
    c = client_for(staff)
    exports = [
        (reverse("organizations:organization_list"), {"export": "xlsx"}),
        (reverse("organizations:organization_list"), {"export": "csv"}),
        (reverse("members:member_list"), {"export": "xlsx"}),
        (reverse("members:member_list"), {"export": "csv"}),
        (reverse("members:candidate_list"), {"export": "xlsx"}),
        (reverse("members:candidate_list"), {"export": "csv"}),
        (reverse("reports:period_summary"), {"period": w["period"].pk, "format": "xlsx"}),
        (reverse("dashboard:export_xlsx"), {"year": 2021}),
    ]
    for url, query in exports:
        response = c.get(url, query)
        assert response.status_code == 200, (url, query)
        assert response["Content-Disposition"].startswith("attachment"), (url, query)
        content = _body(response)
        if query.get("export") == "csv":
            cells = [v for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for v in row]
            formulas = []
        else:
            xlsx = list(_xlsx_cells(content))
            formulas = [cell.coordinate for cell in xlsx if cell.data_type == "f"]
            cells = [cell.value for cell in xlsx if isinstance(cell.value, str)]
        assert not formulas, (url, query, formulas)
        hostile = [v for v in cells if "HYPERLINK" in v]
        if url != reverse("dashboard:export_xlsx"):  # the dashboard's workbook holds figures, not names
            assert hostile, (url, query, "the hostile name should be in this export")
        assert not [v for v in hostile if v.startswith(FORMULA_START)], (url, query, hostile)


def test_lists_ignore_a_page_size_in_the_query_string(client_for, staff, org_a):
    """django-tables2 would take ?per_page=: negative was a server error, huge a whole registry in one page."""
    for i in range(53):
        member_factories.member(org_a, name=f"Đảng viên {i}")
    c = client_for(staff)
    for name in ("organizations:organization_list", "members:member_list", "members:candidate_list"):
        for value in ("-1", "0", "100000", "abc"):
            response = c.get(reverse(name), {"per_page": value})
            assert response.status_code == 200, (name, value)
    for value in ("5", "100000"):  # the list keeps its own page size: 50 of the 53 members
        page = c.get(reverse("members:member_list"), {"per_page": value}).content.decode()
        assert len(re.findall(r'href="/members/\d+/"', page)) == 50, value


def test_nul_in_a_query_string_is_dropped_before_any_view(client_for, staff):
    """PostgreSQL cannot compare text with a NUL: ?q=%00 was a server error where a view searches raw."""
    c = client_for(staff)
    for name in ("reports:matrix", "organizations:organization_list", "members:member_list"):
        assert c.get(reverse(name), {"q": "a\x00b", "x\x00": "1"}).status_code == 200, name


# --- uploads --------------------------------------------------------------------------------------------------


def test_no_public_media_url(client_for, staff):
    assert settings.MEDIA_URL in ("", "/")
    for path in ("/media/attachments/x.pdf", "/private_media/attachments/x.pdf"):
        assert client_for(staff).get(path).status_code == 404
