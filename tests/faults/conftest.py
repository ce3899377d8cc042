"""The fault suite's servers: a Redis and a gunicorn that the suite itself starts, on loopback only, and stops.

- ``own_redis``: ``redis-server`` on a Unix socket of its own (no TCP port), nothing saved to disk; the test
  stops and restarts it at will. The machine's shared Redis is never touched.
- ``served``: a small world (two organisations, 20 members, reports) committed to the test database, and
  gunicorn with 3 workers and the production settings (``tests/faults/server_settings.py``) serving it on a free
  127.0.0.1 port, with persistent connections (``DJANGO_CONN_MAX_AGE=60``). On PostgreSQL gunicorn uses the test
  database itself (its connections are named ``khoi-faults``); on SQLite the in-memory test database is copied
  to a file, which gunicorn uses with the production SQLite options. Logged-in sessions are made in the database
  beforehand (no password hashing per request). At the end the server is stopped and the test database flushed
  and restored to what it held before (the data migrations' groups and schedule), as a serialized rollback does.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
IS_SQLITE = connection.vendor == "sqlite"
APPLICATION_NAME = "khoi-faults"


def _need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        message = f"{binary} not found (apt-get install -y redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


class OwnRedis:
    """A redis-server on a Unix socket of its own; `stop()` and `start()` as often as the test likes."""

    def __init__(self, folder: Path):
        self.binary = _need("redis-server")
        self.socket = str(folder / f"redis-{uuid.uuid4().hex[:8]}.sock")
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", "0", "--unixsocket", self.socket, "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def client(self):
        import redis

        return redis.Redis(unix_socket_path=self.socket, socket_timeout=1)

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:  # noqa: BLE001 (not up yet, or stopped)
            return False

    def keys(self) -> int:
        return self.client().dbsize()


@pytest.fixture
def own_redis(tmp_path_factory):
    server = OwnRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


# --- the world and the server ---------------------------------------------------------------------------------


def _session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _build():
    """The e2e world (tests/e2e/world.py) plus 20 members to rate, a submitted report, and the sessions."""
    import datetime as dt

    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from members.models import MemberStatus
    from reports.models import ReportingPeriod, ReportKind
    from reports.periods import periods_create
    from tests.e2e.world import DEMO_PASSWORD, _member, build_world, report_with_study

    world = build_world()
    year = world.year
    periods_create(year=year - 1)
    ended = list(
        ReportingPeriod.objects.filter(kind=ReportKind.MONTH, ends_on__lt=world.today).order_by("-ends_on")
    )
    raters = [
        _member(
            world.org1,
            f"Đảng viên Xếp Loại {n:02d}",
            ceremony_on=dt.date(2010, 1, 5),
            full_on=dt.date(2011, 1, 5),
        )
        for n in range(20)
    ]
    assert all(m.status == MemberStatus.CHINH_THUC for m in raters)
    submitted = report_with_study(world, org=world.org1, period=ended[0], by=world.secretary1, studied=[3, 3])
    to_submit = ended[1]  # ended, so its figures can be known and it can be submitted
    never_opened = list(
        ReportingPeriod.objects.filter(kind=ReportKind.MONTH, year=year - 1).order_by("number")
    )
    # The server hashes passwords with the production hasher: the account used for a real login gets one.
    world.secretary2.password = PBKDF2PasswordHasher().encode(DEMO_PASSWORD, "khoifaultssalt")
    world.secretary2.save(update_fields=["password"])
    return SimpleNamespace(
        world=world,
        raters=raters,
        submitted=submitted,
        to_submit=to_submit,
        never_opened=never_opened,
        password=DEMO_PASSWORD,
        sessions={"staff": _session_for(world.staff), "secretary": _session_for(world.secretary1)},
    )


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(sqlite_file: Path | None) -> str:
    if sqlite_file is not None:
        return f"sqlite:///{sqlite_file}"
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}?application_name={APPLICATION_NAME}"


class Server:
    """gunicorn, 3 workers, the production settings, on 127.0.0.1:<free port>."""

    def __init__(self, database_url: str, log: Path, workers: int = 3):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))
        }
        env |= {
            "DJANGO_SETTINGS_MODULE": "tests.faults.server_settings",
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions made by the test are signed with it
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DJANGO_SECURE_COOKIES": "False",
            "DJANGO_CONN_MAX_AGE": "60",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
        }
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "khoi_portal.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--preload", "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-3000:]}")
            try:
                requests.get(self.url + "/accounts/login/", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def session(self, key: str | None = None) -> requests.Session:
        """An HTTP session to the server, logged in with the session `key`, CSRF cookie and token ready."""
        http = requests.Session()
        http.csrf = "k" * 32  # any 32 characters: the form's token must equal the cookie's
        http.cookies.set("csrftoken", http.csrf, domain="127.0.0.1")
        if key:
            http.cookies.set(settings.SESSION_COOKIE_NAME, key, domain="127.0.0.1")
        return http

    def errors(self) -> str:
        return self.log.read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class ServerDatabase:
    """Reads of what the server wrote (the SQLite file, or the PostgreSQL test database)."""

    def __init__(self, blocker, sqlite_file: Path | None):
        self.blocker, self.sqlite_file = blocker, sqlite_file

    def value(self, sql: str, params=()):
        if self.sqlite_file is not None:
            with closing(sqlite3.connect(self.sqlite_file, timeout=20)) as db:
                return db.execute(sql, params).fetchone()[0]
        with self.blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchone()[0]

    def terminate_server_connections(self) -> int:
        """pg_terminate_backend on the server's own connections to the test database (named khoi-faults)."""
        with self.blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = %s AND pid <> pg_backend_pid()",
                [APPLICATION_NAME],
            )
            return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    with django_db_blocker.unblock():
        before = connection.creation.serialize_db_to_string()
        try:
            built = _build()
            sqlite_file = None
            if IS_SQLITE:
                sqlite_file = folder / "server.sqlite3"
                connection.ensure_connection()
                with closing(sqlite3.connect(sqlite_file)) as target:
                    connection.connection.backup(target)
            server = Server(_database_url(sqlite_file), folder / "gunicorn.log")
            try:
                yield SimpleNamespace(
                    **vars(built), server=server, db=ServerDatabase(django_db_blocker, sqlite_file)
                )
            finally:
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(before)
