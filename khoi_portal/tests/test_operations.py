"""Operating the portal, each point checked the way a user or an operator would notice it: sessions that survive
the cache, persistent connections checked before reuse, no browser caching of authenticated pages, HEAD and
OPTIONS on every page, one log line per routine refusal, attachment limits stated and enforced, and every
setting documented. (Faults against real servers: tests/faults/.)"""

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from reports.models import ReportAttachment
from tests.permission_matrix import MATRIX, build_world

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("hardening-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _pages(world):
    """Every page staff may open (the permission matrix's GET column), as a URL."""
    for name, rule in sorted(MATRIX.items()):
        if not rule.get["staff"] & {200} or name in ("login",):
            continue
        kwargs = rule.kwargs(world, "own") if rule.kwargs else {}
        query = rule.query(world) if callable(rule.query) else rule.query
        yield name, reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


# --- point 2: sessions never live only in the cache ----------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "accepted"),
    [
        ("django.contrib.sessions.backends.db", True),
        ("django.contrib.sessions.backends.cached_db", True),
        ("django.contrib.sessions.backends.cache", False),
    ],
)
def test_sessions_live_in_the_database(engine, accepted):
    """A cache that restarts must not log everyone out: a cache-only session engine is refused at start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "khoi_portal.settings",
        "DJANGO_DEBUG": "True",
        "DJANGO_SESSION_ENGINE": engine,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode == 0) is accepted, result.stderr[-500:]
    if not accepted:
        assert "DJANGO_SESSION_ENGINE must be one of" in result.stderr


def test_a_redis_cache_url_gives_an_accelerator_that_cannot_fail_a_page():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_URL"))}
    env |= {"DJANGO_SETTINGS_MODULE": "khoi_portal.settings", "DJANGO_DEBUG": "True"}
    code = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.CACHES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | {"CACHE_URL": "redis://127.0.0.1:6379/7"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-500:]
    cache = result.stdout.strip().splitlines()[-1]
    assert '"BACKEND": "django_redis.cache.RedisCache"' in cache and '"IGNORE_EXCEPTIONS": true' in cache
    assert '"SOCKET_TIMEOUT": 0.5' in cache and '"SOCKET_CONNECT_TIMEOUT": 0.5' in cache


# --- point 6: persistent connections are checked before they are reused ------------------------------------


def test_persistent_connections_are_health_checked():
    """After a database restart, a worker's kept connection is dead: Django checks it before reusing it
    (tests/faults/test_servers.py kills the connections of a running gunicorn to see it)."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# --- point 7: authenticated pages are never stored by the browser ------------------------------------------


def test_authenticated_pages_are_not_kept_by_the_browser(world):
    client = Client()
    client.force_login(world.staff)
    for name, url in _pages(world):
        response = client.get(url)
        cache_control = response.get("Cache-Control", "")
        assert "no-store" in cache_control and "private" in cache_control, (name, cache_control)
    client.post(reverse("logout"))
    after = client.get(reverse("members:member_list"))
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]


# --- point 8: HEAD and OPTIONS answer on every page --------------------------------------------------------


def test_head_and_options_answer_like_get_on_every_page(world):
    """Uptime monitors use HEAD: every page answers it as it answers GET, without a body; OPTIONS lists the
    methods the page allows."""
    client = Client()
    client.force_login(world.staff)
    for name, url in _pages(world):
        get = client.get(url)
        head = client.head(url)
        assert head.status_code == get.status_code, (name, head.status_code, get.status_code)
        body = b"".join(head.streaming_content) if head.streaming else head.content
        assert body == b"", name
        if get.status_code == 200:
            assert head["Content-Type"] == get["Content-Type"], name
        options = client.options(url)
        assert options.status_code == 200, (name, options.status_code)
        allowed = {m.strip() for m in options["Allow"].split(",")}
        assert {"GET", "HEAD", "OPTIONS"} <= allowed, (name, allowed)


# --- point 9: attachment limits --------------------------------------------------------------------------


def _upload(client, report, name="bien-ban.pdf", content=PDF):
    return client.post(
        reverse("reports:attachment_upload", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content), "next": "edit"},
        follow=True,
    )


def test_the_upload_form_states_the_real_limits(world, settings):
    settings.UPLOAD_MAX_BYTES = 3 * 1024 * 1024
    settings.ATTACHMENTS_MAX_COUNT = 4
    settings.ATTACHMENTS_MAX_BYTES = 25 * 1024 * 1024
    client = Client()
    client.force_login(world.secretary)
    page = client.get(reverse("reports:report_edit", args=[world.own["report"].pk])).content.decode()
    assert "tối đa 3 MB một tệp; mỗi báo cáo tối đa 4 tệp, tổng 25 MB" in page


def test_a_report_takes_at_most_the_configured_attachments(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENTS_MAX_COUNT = 2  # the world's report already has one
    client = Client()
    client.force_login(world.secretary)
    report = world.own["report"]
    assert "Đã đính kèm tệp" in _upload(client, report).content.decode()
    refused = _upload(client, report).content.decode()
    assert "tối đa 2 tệp" in refused
    assert report.attachments.filter(is_removed=False).count() == 2


def test_removed_files_are_kept_and_count_in_the_reports_stored_bytes(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENTS_MAX_BYTES = 15 + 2 * len(PDF)  # the world's file, and two of these
    client = Client()
    client.force_login(world.secretary)
    report = world.own["report"]
    _upload(client, report)
    first = report.attachments.latest("pk")
    client.post(reverse("reports:attachment_remove", args=[first.pk]))
    first.refresh_from_db()
    assert first.is_removed and first.file.storage.exists(first.file.name)  # kept, deliberately
    assert "Đã đính kèm tệp" in _upload(client, report).content.decode()
    refused = _upload(client, report).content.decode()
    assert "kể cả tệp đã gỡ" in refused
    assert ReportAttachment.objects.filter(report=report).count() == 3


def test_the_readme_proxy_sample_limits_the_body_to_the_upload_limit():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = re.search(r"```nginx\n(.*?)```", readme, re.S)
    assert sample, "the README has no nginx sample"
    body = re.search(r"client_max_body_size\s+(\d+)m;", sample.group(1))
    assert body, "the proxy sample sets no client_max_body_size"
    upload_mb = settings.UPLOAD_MAX_BYTES / 1048576
    assert upload_mb < int(body.group(1)) <= upload_mb + 2  # the file plus the form's few other fields
    assert "X-Forwarded-For" in sample.group(1) and "PORTAL_TRUSTED_PROXIES" in readme


# --- point 10: routine refusals are one log line ----------------------------------------------------------


def test_routine_refusals_are_logged_as_one_line(world):
    handler = logging.getLogger("django").handlers[0]
    stream = io.StringIO()
    old_stream, old_level = handler.setStream(stream), logging.getLogger("django").level
    logging.getLogger("django").setLevel(logging.WARNING)
    try:
        client = Client()
        client.force_login(world.secretary)
        assert (
            client.get(reverse("members:member_detail", args=[world.other["member"].pk])).status_code == 404
        )
        assert client.get(reverse("reports:matrix")).status_code == 403
    finally:
        handler.setStream(old_stream)
        logging.getLogger("django").setLevel(old_level)
    lines = [line for line in stream.getvalue().splitlines() if "khoi.security" not in line]
    assert len(lines) == 2, stream.getvalue()
    assert (
        "Not Found: /members/" in lines[0] and "Forbidden (Permission denied): /reports/matrix/" in lines[1]
    )
    assert "Traceback" not in stream.getvalue()


# --- point 11: every setting is documented ---------------------------------------------------------------


def test_every_environment_variable_is_documented():
    """Each variable settings.py reads is in the README's configuration table and in .env.example."""
    source = (ROOT / "khoi_portal" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
    assert {"DJANGO_SECURE_COOKIES", "PORTAL_TRUSTED_PROXIES", "CACHE_URL"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") : readme.index("## Periodic reports")]
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing_readme = sorted(n for n in names if f"`{n}`" not in table)
    missing_example = sorted(n for n in names if not re.search(rf"^#?\s*{n}=", example, re.M))
    assert not missing_readme, f"not in the README's configuration table: {missing_readme}"
    assert not missing_example, f"not in .env.example: {missing_example}"
