"""Shared fixtures: the three roles and two organisations (A and B) to test scoping against, and the demo loaded
once for every module that works on it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from organizations.tests.factories import OrganizationFactory, leader_user, secretary_user, staff_user


@pytest.fixture
def org_a(db):
    return OrganizationFactory(code="A1", name="Đảng bộ Sở A")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(code="B1", name="Đảng bộ Sở B")


@pytest.fixture
def staff(db):
    return staff_user()


@pytest.fixture
def leader(db):
    return leader_user()


@pytest.fixture
def secretary_a(org_a):
    return secretary_user(org_a, username="bithu_a")


@pytest.fixture
def secretary_b(org_b):
    return secretary_user(org_b, username="bithu_b")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as `user` (forced login: no axes bookkeeping)."""

    def make(user):
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back tests may reuse ids, and with them cache keys."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo (``load_demo``: 76 organisations, thousands of members), loaded once for the whole session in a
    transaction rolled back at its end; its output. A module that works on it takes a savepoint of its own
    (``with transaction.atomic(): yield; transaction.set_rollback(True)`` in its module-scoped fixture), and each of
    its tests another (pytest-django), so what one changes no other sees. The tests that use it run after every
    other test (``pytest_collection_modifyitems`` below): no test written for an empty database meets it. Loading
    it once instead of once per module saves about half a minute per module on each database."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", force=True, stdout=out)
        # PostgreSQL checks deferred foreign keys when each test's savepoint is rolled back (pytest-django's
        # teardown), and a rolled-back savepoint puts the checks it ran back in the queue: checked here once, at
        # the outer level, they are done for good (6 s less per test on the demo).
        connection.check_constraints()
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests on the demo last (after pytest-django's own ordering), in their order."""
    on_demo = [item for item in items if "demo_loaded" in getattr(item, "fixturenames", ())]
    if on_demo:
        chosen = set(map(id, on_demo))
        items[:] = [item for item in items if id(item) not in chosen] + on_demo
