"""Caching that stays correct: everything cached here is keyed by the data's version.

``data_version()`` is a fingerprint of the registry and the reports, read in one cheap query: the highest
primary key of every table of organizations, members (dues included), discipline and reports, and of Django's
admin log. Rows are never
deleted; inserts (bulk ones included) raise the highest id, and every in-place change of a model that carries
figures writes a history row (django-simple-history), which raises the history table's highest id. Events,
versions and transitions are append-only. A change made in the Django admin writes an admin log row. So any write
that could change what a page shows changes the version, and a cached page or figure is never stale: the next
request simply computes it afresh.

A report's own history is left out on purpose: a secretary's draft (saved as they type) changes no figure, and at
a province's size every autosave would otherwise make the next dashboard compute afresh. What makes a report
count — submitted, returned, accepted — always writes a ``ReportTransition`` row (``services._transition``), and
a submission a ``ReportVersion`` row; both tables are in the fingerprint.

Used by the dashboard, the completeness matrix, the period summary and the organisation and member lists
(template fragments: ``{% cache 900 name cache_key %}`` with ``cache_key = data_cache_key(...)``).
"""

from __future__ import annotations

import hashlib
from functools import partial

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

CACHE_SECONDS = 15 * 60
APPS = ("organizations", "members", "discipline", "reports")
#: Tables whose rows never change a figure or a list (see above for a report's history).
NOT_FIGURES = {"reports_reminderlog", "reports_reportattachment", "reports_historicalperiodicreport"}
#: Tables outside these apps whose rows mean a change: the admin's log of every change made there.
ALSO = ("django_admin_log",)


def data_version() -> str:
    """The fingerprint described above (one query)."""
    quote = connection.ops.quote_name
    tables = sorted(
        (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models()
        if (model._meta.app_label in APPS and model._meta.db_table not in NOT_FIGURES)
        or model._meta.db_table in ALSO
    )
    sql = "SELECT " + ", ".join(f"(SELECT MAX({quote(pk)}) FROM {quote(table)})" for table, pk in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode()).hexdigest()[:16]


def data_cache_key(*parts) -> str:
    """A cache key for `parts` under the data's version (for a page body cached as a template fragment)."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:20] + ":" + data_version()


def cached_under_data_version(parts: tuple, compute):
    """`compute()`, cached under `parts` and the data's version."""
    key = "portal:cached:" + data_cache_key(*parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
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
