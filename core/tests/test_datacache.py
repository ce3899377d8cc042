"""The data-version cache computes a value once even when many requests ask for it at the same moment (single
flight), and never waits on a cache that is gone."""

import threading
import time

from django.core.cache import cache

from core import datacache


def _version(monkeypatch):
    monkeypatch.setattr(datacache, "table_versions", lambda: {})


def test_concurrent_misses_compute_once(monkeypatch):
    _version(monkeypatch)
    cache.clear()
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.3)
        return {"figure": 42}

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(datacache.cached_under_data_version(("x",), compute)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [{"figure": 42}] * 8
    assert len(calls) == 1


def test_a_failed_computation_releases_the_others(monkeypatch):
    _version(monkeypatch)
    cache.clear()

    def boom():
        raise RuntimeError("database gone")

    try:
        datacache.cached_under_data_version(("y",), boom)
    except RuntimeError:
        pass
    started = time.monotonic()
    assert datacache.cached_under_data_version(("y",), lambda: 7) == 7
    assert time.monotonic() - started < 1


def test_a_cache_that_refuses_everything_does_not_make_anyone_wait(monkeypatch):
    """Redis down (django-redis ignores the errors): add() answers nothing, get() nothing — compute at once."""
    _version(monkeypatch)
    monkeypatch.setattr(datacache.cache, "add", lambda *a, **k: None)
    monkeypatch.setattr(datacache.cache, "get", lambda *a, **k: None)
    monkeypatch.setattr(datacache.cache, "set", lambda *a, **k: None)
    started = time.monotonic()
    assert datacache.cached_under_data_version(("z",), lambda: 3) == 3
    assert time.monotonic() - started < 1


def _version_reads(queries) -> int:
    from django.db import connection

    sql = datacache._version_sql(connection.vendor, datacache._fingerprint_tables())
    return sum(1 for q in queries if q["sql"] == sql)


def _page(request):
    from django.http import HttpResponse

    first = datacache.data_version()
    return HttpResponse(f"{first} {datacache.data_version()}")


def test_a_get_reads_the_version_once_and_a_post_reads_it_afresh(db, rf):
    """The report form keys two cached values and the dashboard several: on a GET (which writes nothing) the
    version is read once per request; a POST may write between two reads and must see the new version."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = datacache.ReadOnlyRequestVersion(_page)
    with CaptureQueriesContext(connection) as queries:
        first, second = page(rf.get("/")).content.decode().split()
    assert first == second and _version_reads(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        page(rf.post("/"))
    assert _version_reads(queries) == 2
    # Outside a request (commands, tests) every call reads the database.
    assert datacache._request_version.get() is None


# --- what a cached value read (issue 20: a write recomputes only what read what it changed) --------------------


def _counting(label, calls, compute):
    def run():
        calls.append(label)
        return compute()

    return run


def test_a_value_is_kept_through_writes_to_what_it_did_not_read(db):
    """An organisation count is served from the cache after a new member (another table) and computed afresh
    after a new organisation (an insert) and after a rename (an in-place change: its history row)."""
    from members.tests.factories import member
    from organizations.models import Organization
    from organizations.tests.factories import OrganizationFactory

    org = OrganizationFactory()
    calls = []

    def count():
        return datacache.cached_under_data_version(
            ("orgs",),
            _counting("orgs", calls, lambda: sorted(Organization.objects.values_list("name", flat=True))),
        )

    assert count() == [org.name] and calls == ["orgs"]
    member(org)
    assert count() == [org.name] and calls == ["orgs"]  # a member changes no organisation
    other = OrganizationFactory()
    assert count() == sorted([org.name, other.name]) and len(calls) == 2
    org.name = "Đảng bộ đổi tên"
    org.save()
    assert "Đảng bộ đổi tên" in count() and len(calls) == 3


def test_a_value_built_from_cached_parts_is_as_fresh_as_its_parts(db):
    """The dashboard is cached whole and each indicator on its own: when the outer value is rebuilt it may take
    an unchanged part from the cache, and must still be recomputed when that part's tables change later."""
    from members.tests.factories import member
    from organizations.models import Organization
    from organizations.tests.factories import OrganizationFactory

    org = OrganizationFactory()
    calls = []

    def inner():
        return datacache.cached_under_data_version(
            ("inner",), _counting("inner", calls, lambda: Organization.objects.count())
        )

    def outer():
        return datacache.cached_under_data_version(("outer",), _counting("outer", calls, lambda: inner() + 1))

    assert inner() == 1 and outer() == 2 and calls == ["inner", "outer"]
    member(org)
    assert outer() == 2 and calls == ["inner", "outer"]
    OrganizationFactory()
    assert outer() == 3 and calls == ["inner", "outer", "outer", "inner"]
    OrganizationFactory()
    assert inner() == 3 and outer() == 4  # the outer value read the inner's tables, though it took it cached


def test_a_table_changed_in_place_without_a_history_names_its_witnesses(settings):
    """Every table of the fingerprint either keeps a history (its in-place changes raise the history table's
    highest id), is written once (``PORTAL_DATA_APPEND_ONLY``) or names the tables a write always touches with
    it (``PORTAL_DATA_WITNESSES``): otherwise a cached value that read it could outlive a change."""
    tables = {table for table, _ in datacache._fingerprint_tables()}
    history = datacache._history_tables()
    kept = set(history.values())
    unaccounted = sorted(
        t
        for t in tables
        if t not in history
        and t not in kept
        and t not in settings.PORTAL_DATA_APPEND_ONLY
        and t not in settings.PORTAL_DATA_WITNESSES
    )
    assert unaccounted == []
    for table, witnesses in settings.PORTAL_DATA_WITNESSES.items():
        assert table in tables and set(witnesses) <= tables, table


def test_a_report_counts_through_its_transition_not_its_drafts(db):
    """The maintained punctuality rows change in place; reading them is known by the transitions, periods and
    Bloc spells that change them."""
    closure = datacache._witness_closure(datacache._fingerprint_tables())
    assert {"reports_reporttransition", "reports_reportingperiod", "organizations_blocmembership"} <= closure[
        "reports_reporttally"
    ]
    assert "reports_historicalperiodicreport" not in closure["reports_periodicreport"]
