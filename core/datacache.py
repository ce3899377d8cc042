"""Caching that stays correct: everything cached here is keyed by the data's version.

``data_version()`` is a fingerprint of the data, read in one cheap query: the highest primary key of every table
of the apps in ``settings.PORTAL_DATA_APPS`` (but the tables in ``settings.PORTAL_DATA_IGNORED_TABLES``). Rows
are never deleted; inserts (bulk ones included) raise the highest id, and every in-place change of a model that
carries figures writes a history row (django-simple-history), which raises the history table's highest id.
Events, versions and transitions are append-only, and the Django admin changes nothing (core/admin.py). So any
write that could change what a page shows changes the version, and a cached page or figure is never stale: the
next request simply computes it afresh.

A report's own history is left out on purpose: a secretary's draft (saved as they type) changes no figure, and at
a province's size every autosave would otherwise make the next dashboard compute afresh. What makes a report
count — submitted, returned, accepted — always writes a ``ReportTransition`` row (``services._transition``), and
a submission a ``ReportVersion`` row; both tables are in the fingerprint.

The one caching idiom of the portal: values through ``cached_under_data_version(parts, compute)``; page bodies
as template fragments, ``{% cache portal_cache_seconds name cache_key %}`` with ``cache_key =
data_cache_key(...)`` (or ``page_cache_key``). Keys are built here only; the timeout is
``settings.PORTAL_CACHE_SECONDS`` (it only bounds memory: a new version is a new key).
"""

from __future__ import annotations

import contextvars
import hashlib
import time
from functools import lru_cache, partial

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def cache_seconds() -> int:
    return settings.PORTAL_CACHE_SECONDS


@lru_cache(maxsize=8)
def _version_sql(vendor: str, data_apps: tuple, ignored: tuple) -> str:
    """The fingerprint's query, built once per database vendor and settings (the models do not change while the
    process runs)."""
    quote = connection.ops.quote_name
    tables = sorted(
        (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models()
        if model._meta.app_label in data_apps and model._meta.db_table not in ignored
    )
    return "SELECT " + ", ".join(f"(SELECT MAX({quote(pk)}) FROM {quote(table)})" for table, pk in tables)


#: The version read once per safe request (see ``ReadOnlyRequestVersion``); None outside such a request.
_request_version: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "portal_request_version", default=None
)


def data_version() -> str:
    """The fingerprint described above (one query; once per GET or HEAD request, however many values it keys)."""
    memo = _request_version.get()
    if memo is not None and "version" in memo:
        return memo["version"]
    sql = _version_sql(
        connection.vendor,
        tuple(settings.PORTAL_DATA_APPS),
        tuple(settings.PORTAL_DATA_IGNORED_TABLES),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    version = hashlib.sha1(repr(row).encode()).hexdigest()[:16]
    if memo is not None:
        memo["version"] = version
    return version


class ReadOnlyRequestVersion:
    """Middleware: during a GET or HEAD request the data's version is read once and reused by every cached value
    and fragment of the page. Such a request writes nothing (``tests/test_permissions.py`` checks that every GET
    leaves the database as it was), so the version cannot change under it; a POST reads it afresh each time,
    since it may write and then show what it wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _request_version.set({})
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)


def data_cache_key(*parts) -> str:
    """A cache key for `parts` under the data's version (for a page body cached as a template fragment)."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:20] + ":" + data_version()


#: How long a request waits for another one computing the same value before computing it itself (seconds).
SINGLE_FLIGHT_WAIT = 10.0
_POLL = 0.02


def cached_under_data_version(parts: tuple, compute):
    """`compute()`, cached under `parts` and the data's version.

    Single flight: when several requests miss at once (right after a write, a burst of leaders opening the
    dashboard), one takes a short lock in the cache and computes; the others wait for its value instead of all
    computing the same thing. A waiter stops waiting when the value appears, when the lock is gone (the first
    request failed, or the cache itself is down: the cache only speeds pages up) or after
    ``SINGLE_FLIGHT_WAIT`` seconds — then it computes itself."""
    key = "portal:cached:" + data_cache_key(*parts)
    value = cache.get(key)
    if value is not None:
        return value
    lock = key + ":computing"
    if cache.add(lock, 1, timeout=int(SINGLE_FLIGHT_WAIT) + 5):
        try:
            value = compute()
            cache.set(key, value, cache_seconds())
        finally:
            cache.delete(lock)
        return value
    deadline = time.monotonic() + SINGLE_FLIGHT_WAIT
    while time.monotonic() < deadline:
        time.sleep(_POLL)
        value = cache.get(key)
        if value is not None:
            return value
        if cache.get(lock) is None:
            break
    value = compute()
    cache.set(key, value, cache_seconds())
    return value


def lazy_parts(compute, *names: str) -> dict:
    """``{name: lazy value}`` for a view whose body is a cached fragment: `compute()` (a dict holding `names`)
    runs once, at the first use of any of them, and not at all when the fragment comes from the cache."""
    done: dict = {}

    def get(name):
        if not done:
            done.update(compute())
        return done[name]

    return {name: SimpleLazyObject(partial(get, name)) for name in names}


def page_number(request) -> str:
    """?page=N of a page whose body is cached, as a short string of digits (anything else: the first page), fit
    for a cache key."""
    number = request.GET.get("page", "1")
    return number if number.isdigit() and len(number) < 7 else "1"


def page_cache_key(request, name: str, scope) -> str:
    """The key of a list page's body: the page, who asks (the user and their `scope`, e.g. their role, which
    the caller knows), the query string, the day (anything shown relative to today) and the data's version."""
    query = sorted((k, v) for k, values in request.GET.lists() for v in values)
    return data_cache_key(name, request.user.pk, scope, query, timezone.localdate())
