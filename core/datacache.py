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

import hashlib
import time
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def cache_seconds() -> int:
    return settings.PORTAL_CACHE_SECONDS


def data_version() -> str:
    """The fingerprint described above (one query)."""
    quote = connection.ops.quote_name
    tables = sorted(
        (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models()
        if model._meta.app_label in settings.PORTAL_DATA_APPS
        and model._meta.db_table not in settings.PORTAL_DATA_IGNORED_TABLES
    )
    sql = "SELECT " + ", ".join(f"(SELECT MAX({quote(pk)}) FROM {quote(table)})" for table, pk in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode()).hexdigest()[:16]


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
