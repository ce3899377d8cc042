"""The permission matrix over every URL (tests/permission_matrix.py): one test per URL, role and method.

The world (organisations A and B with their objects, the three roles) is built once for the module, inside a
transaction rolled back at the end; each test runs in its own savepoint, so whatever a request changes is gone
before the next one. Roles: ``anon`` (not logged in: sent to the login page), ``own`` (the secretary of A on
A's object, or on a page without an object), ``other`` (the secretary of A on B's object: 404), ``leader``,
``staff``, ``cell`` (the secretary of A's cell: their cell's pages only, 403 elsewhere) and ``cell_other`` (the
same on B's objects: 404). A refusal (403, 404, 405, or the anonymous redirect), and every GET whatever its answer (a read
never writes), must leave every row of every table of the project as it was (history included). A URL of the project without a line in the matrix fails
``test_every_url_is_in_the_matrix``.
"""

import functools
import hashlib

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.permission_matrix import MATRIX, build_world
from tests.urlwalk import all_routes

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("organizations", "members", "discipline", "reports", "targets", "auth")
REFUSALS = {403, 404, 405}
ROLES = ("anon", "own", "other", "leader", "staff", "cell", "cell_other", "inspector")
#: Roles that are checked on B's objects (the other organisation).
OTHER_SIDE = ("other", "cell_other")
METHODS = ("GET", "POST")


def project_routes():
    return {r.name: r for r in all_routes() if not r.name.startswith("admin:")}


def test_every_url_is_in_the_matrix():
    missing = sorted(set(project_routes()) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(project_routes()))
    assert not missing, f"URLs without a line in tests/permission_matrix.py: {missing}"
    assert not stale, f"lines in the matrix for URLs that no longer exist: {stale}"


@functools.cache
def _snapshot_queries() -> tuple[str, ...]:
    """One SELECT per table of the project (history and many-to-many tables included), every column but
    last_login, in primary-key order."""
    queries = []
    qn = connection.ops.quote_name
    for app_label in PROJECT_APPS:
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            columns = [f.column for f in model._meta.concrete_fields if f.attname != "last_login"]
            queries.append(
                f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(model._meta.db_table)}"
                f" ORDER BY {qn(model._meta.pk.column)}"
            )
    return tuple(queries)


def fingerprint() -> str:
    """A hash of every row of every table of the project."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for sql in _snapshot_queries():
            cursor.execute(sql)
            digest.update(sql.encode())
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        # One session per role, made once: each test only sends its cookie.
        w.sessions = {}
        for role, user in (
            ("own", w.secretary),
            ("leader", w.leader),
            ("staff", w.staff),
            ("cell", w.cell_secretary),
            ("inspector", w.inspector),
        ):
            client = Client()
            client.force_login(user)
            w.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        w.sessions["other"] = w.sessions["own"]
        w.sessions["cell_other"] = w.sessions["cell"]
        # Every test starts from this state (its changes are rolled back): the "before" of every comparison.
        w.fingerprint = fingerprint()
        yield w
        transaction.set_rollback(True)


def test_the_fingerprint_sees_any_change(world):
    assert fingerprint() == world.fingerprint
    member = world.other["member"]
    type(member).objects.filter(pk=member.pk).update(full_name="Đổi tên")  # an update, no history row
    assert fingerprint() != world.fingerprint


def _cases():
    for name in sorted(MATRIX):
        rule = MATRIX[name]
        for role in ROLES:
            if role in OTHER_SIDE and rule.kwargs is None:
                continue  # a page without an object: the secretary's answer is the "own" one
            for method in METHODS:
                yield name, role, method


CASES = list(_cases())


def _expected(name, rule, role, method) -> frozenset:
    if role == "anon":
        return frozenset({200}) if name == "login" else frozenset({302})
    return (rule.get if method == "GET" else rule.post)[role]


@pytest.mark.parametrize(("name", "role", "method"), CASES, ids=[f"{n}-{r}-{m}" for n, r, m in CASES])
def test_route(world, name, role, method):
    rule = MATRIX[name]
    kwargs = rule.kwargs(world, "other" if role in OTHER_SIDE else "own") if rule.kwargs else {}
    query = rule.query(world) if callable(rule.query) else rule.query
    url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
    expected = _expected(name, rule, role, method)
    # A refusal must leave the database as it was, and so must every GET: a read never writes.
    unchanged = role == "anon" or expected <= REFUSALS or method == "GET"

    client = Client()
    if role != "anon":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    response = client.get(url) if method == "GET" else client.post(url, rule.data)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)

    assert response.status_code in expected, (
        f"{role} {method} {url}: {response.status_code}, expected {sorted(expected)}"
    )
    if role == "anon" and name != "login":
        assert "/accounts/login/" in response["Location"], (
            f"anonymous {method} {url} → {response['Location']}"
        )
    if unchanged:
        assert fingerprint() == world.fingerprint, (
            f"{role} {method} {url}: {'a GET' if method == 'GET' else 'refused'}, but the database changed"
        )
