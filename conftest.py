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


#: The demo's outer transaction while the tests on it run (see ``demo_loaded``).
_DEMO: dict = {}


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo (``load_demo``: 76 organisations, thousands of members), loaded once for every test that uses it,
    in a transaction rolled back once they are done; its output. The tests that use it run one after the other
    (``pytest_collection_modifyitems`` below: after the other tests of the database, before the transactional
    ones, which empty the database) and each module that works on it takes a savepoint of its own (``with
    transaction.atomic(): yield; transaction.set_rollback(True)`` in its module-scoped fixture), each test another
    (pytest-django), so what one changes no other sees. Loading it once instead of once per module saves about
    half a minute per module on each database."""
    if not _DEMO:
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            out = StringIO()
            call_command("load_demo", force=True, stdout=out)
            # PostgreSQL checks deferred foreign keys when each test's savepoint is rolled back (pytest-django's
            # teardown), and a rolled-back savepoint puts the checks it ran back in the queue: checked here once,
            # at the outer level, they are done for good (6 s less per test on the demo).
            connection.check_constraints()
        _DEMO.update(atomic=atomic, output=out.getvalue(), blocker=django_db_blocker)
    return _DEMO["output"]


@pytest.fixture(scope="module")
def demo(demo_loaded, django_db_blocker):
    """The demo for one module: a savepoint over the session's demo, rolled back after the module's last test (a
    module that changes the demo first defines its own); the demo's output."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_loaded
        transaction.set_rollback(True)


def _uses_demo(item) -> bool:
    return "demo_loaded" in getattr(item, "fixturenames", ())


def _close_demo() -> None:
    if _DEMO:
        with _DEMO["blocker"].unblock():
            transaction.set_rollback(True)
            _DEMO["atomic"].__exit__(None, None, None)
        _DEMO.clear()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """Roll the demo back after the last test on it (its modules' savepoints are gone by now)."""
    if _DEMO and (nextitem is None or not _uses_demo(nextitem)):
        _close_demo()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests on the demo together, right after the other tests of the database and before the transactional
    ones (pytest-django orders the database tests first, then the transactional ones, then the rest)."""
    on_demo = [item for item in items if _uses_demo(item)]
    if not on_demo:
        return
    rest = [item for item in items if not _uses_demo(item)]
    transactional = next(
        (
            i
            for i, item in enumerate(rest)
            if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
            or (
                item.get_closest_marker("django_db")
                and item.get_closest_marker("django_db").kwargs.get("transaction")
            )
        ),
        None,
    )
    if transactional is None:  # no transactional test: before the tests without a database
        transactional = next(
            (i for i, item in enumerate(rest) if "django_db_setup" not in item.fixturenames), len(rest)
        )
    items[:] = rest[:transactional] + on_demo + rest[transactional:]
