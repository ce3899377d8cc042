"""The permission matrix over every URL (tests/permission_matrix.py), for every role, GET and POST.

Each URL is one test: it builds the world (organisations A and B with their objects), then for each role
and method asks for the URL inside a transaction that is rolled back, compares the answer with the matrix and,
for a refusal, checks that nothing in the database changed (every row of every table of the project, history
included). A URL of the project without a line in the matrix fails ``test_every_url_is_in_the_matrix``.
"""

import hashlib
import os

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.permission_matrix import MATRIX, NOT_ALLOWED, ROLES, build_world
from tests.urlwalk import all_routes

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("organizations", "members", "reports", "auth")
REFUSALS = {403, 404, 405}


def project_routes():
    return {r.name: r for r in all_routes() if not r.name.startswith("admin:")}


def test_every_url_is_in_the_matrix():
    missing = sorted(set(project_routes()) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(project_routes()))
    assert not missing, f"URLs without a line in tests/permission_matrix.py: {missing}"
    assert not stale, f"lines in the matrix for URLs that no longer exist: {stale}"


def fingerprint() -> str:
    """A hash of every row of every table of the project (history tables included)."""
    digest = hashlib.sha256()
    for app_label in PROJECT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
            for row in model._default_manager.order_by("pk").values_list(*fields):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def _user(world, role):
    return {"own": world.secretary, "other": world.secretary, "leader": world.leader, "staff": world.staff}[
        role
    ]


def _observe(name, rule, world):
    """(role, method, url, status, database changed) for every role and method."""
    results = []
    for role in ROLES:
        if role == "other" and rule.kwargs is None:
            continue  # a page without an object: the secretary's answer is the "own" one
        kwargs = rule.kwargs(world, "other" if role == "other" else "own") if rule.kwargs else {}
        query = rule.query(world) if callable(rule.query) else rule.query
        url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
        for method in ("GET", "POST"):
            expected = (rule.get if method == "GET" else rule.post)[role]
            refusal = expected <= REFUSALS  # only a refusal must leave the database as it was
            with transaction.atomic():
                client = Client()
                client.force_login(_user(world, role))
                before = fingerprint() if refusal else None
                response = client.get(url) if method == "GET" else client.post(url, rule.data)
                changed = refusal and fingerprint() != before
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                transaction.set_rollback(True)
            results.append((role, method, url, response.status_code, changed))
    return results


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route(name, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    rule = MATRIX[name]
    problems = []
    results = _observe(name, rule, world)
    if os.environ.get("MATRIX_OBSERVE"):
        for row in results:
            print("OBSERVED", name, *row)
    for role, method, url, status, changed in results:
        expected = (rule.get if method == "GET" else rule.post)[role]
        if status not in expected:
            problems.append(f"{role} {method} {url}: {status}, expected {sorted(expected)}")
        if expected <= REFUSALS and changed:
            problems.append(f"{role} {method} {url}: refused but the database changed")
    # Anonymous: every page but the login page sends to the login page, for GET and POST, and changes nothing.
    if name != "login":
        kwargs = rule.kwargs(world, "own") if rule.kwargs else {}
        url = reverse(name, kwargs=kwargs)
        before = fingerprint()
        for method in ("GET", "POST"):
            response = Client().get(url) if method == "GET" else Client().post(url)
            if response.status_code != 302 or "/accounts/login/" not in response["Location"]:
                if not (response.status_code in NOT_ALLOWED and method == "POST"):
                    problems.append(f"anonymous {method} {url}: {response.status_code}")
        if fingerprint() != before:
            problems.append(f"anonymous requests to {url} changed the database")
    assert not problems, "\n".join(problems)
