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
    return sum(1 for q in queries if q["sql"] == sql or q["sql"].startswith("EXECUTE portal_versions_"))


def test_postgresql_reads_the_version_by_a_statement_prepared_once_per_connection(db, settings):
    """PostgreSQL plans the fingerprint's 70 subqueries once per connection (``PREPARE``), not on every cached
    page: the prepared statement gives the same versions as the query itself (used when a pooler forbids it:
    ``PORTAL_PREPARE_VERSION_QUERY``) and survives a rolled-back transaction."""
    import pytest
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite has no PREPARE): CI's PostgreSQL pass")
    settings.PORTAL_PREPARE_VERSION_QUERY = False
    plain = datacache.table_versions()
    settings.PORTAL_PREPARE_VERSION_QUERY = True
    with CaptureQueriesContext(connection) as queries:
        assert datacache.table_versions() == plain
        try:
            with transaction.atomic():
                assert datacache.table_versions() == plain
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert datacache.table_versions() == plain
    executed = [q["sql"].split(" AS ")[0] for q in queries]
    assert sum(sql.startswith("PREPARE portal_versions_") for sql in executed) <= 1  # once per connection
    assert sum(sql.startswith("EXECUTE portal_versions_") for sql in executed) == 3


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


def test_a_value_cached_by_other_code_is_not_read(monkeypatch):
    """After a deployment the shared cache still holds what the previous code stored, possibly of another shape
    under the same name: keys carry the code's version, so the new code computes its own."""
    _version(monkeypatch)
    calls = []
    monkeypatch.setattr(datacache, "code_version", lambda: "before")
    assert datacache.cached_under_data_version(
        ("deployed",), lambda: calls.append(1) or ("old", "shape")
    ) == (
        "old",
        "shape",
    )
    monkeypatch.setattr(datacache, "code_version", lambda: "after")
    assert datacache.cached_under_data_version(("deployed",), lambda: calls.append(2) or ["new"]) == ["new"]
    assert calls == [1, 2]


def test_a_waiter_waits_as_long_as_the_setting_says(monkeypatch, settings):
    """``PORTAL_SINGLE_FLIGHT_WAIT``: at the whole Party's size a cold dashboard takes longer than the default 10 s,
    and a request that stops waiting computes it too."""
    _version(monkeypatch)
    cache.clear()
    settings.PORTAL_SINGLE_FLIGHT_WAIT = 0.2
    cache.add(
        "portal:cached:" + datacache.data_cache_key("slow") + ":computing", 1, timeout=30
    )  # someone computes
    started = time.monotonic()
    assert datacache.cached_under_data_version(("slow",), lambda: "mine") == "mine"
    assert 0.2 <= time.monotonic() - started < 2


def test_a_value_brought_up_to_date_takes_no_lock_and_one_that_cannot_be_computes_under_it(monkeypatch):
    """An update reads the few rows a write added: no single-flight lock around it (two more trips to the cache,
    more than the update costs); when the update cannot tell (None), the value is computed under the lock."""
    cache.clear()
    version = {"t": 1}
    monkeypatch.setattr(datacache, "table_versions", lambda: dict(version))
    locks = []
    add = datacache.cache.add
    monkeypatch.setattr(datacache.cache, "add", lambda key, *a, **k: locks.append(key) or add(key, *a, **k))

    def compute(value):
        def run():
            datacache.note_reads(frozenset({"t"}))
            return value

        return run

    assert datacache.cached_under_data_version(("z",), compute(1), update=lambda previous, moved: None) == 1
    assert len(locks) == 1  # computed: under the lock
    version["t"] = 2
    updated = datacache.cached_under_data_version(
        ("z",), compute(99), update=lambda previous, moved: previous + 1 if moved == {"t": 1} else None
    )
    assert updated == 2 and len(locks) == 1  # brought up to date from the write: no lock
    version["t"] = 3
    assert datacache.cached_under_data_version(("z",), compute(7), update=lambda previous, moved: None) == 7
    assert len(locks) == 2  # the update could not tell: computed under the lock
    assert datacache.cached_under_data_version(("z",), compute(8)) == 7  # and stored
