"""Caching that stays correct: a cached value or page body is kept until the data it read changes.

``table_versions()`` reads, in one cheap query, the highest primary key of every table of the apps in
``settings.PORTAL_DATA_APPS`` (but the tables in ``settings.PORTAL_DATA_IGNORED_TABLES``); ``data_version()`` is
their hash. Rows are never deleted; inserts (bulk ones included) raise a table's highest id, and every in-place
change of a model that carries figures writes a history row (django-simple-history), which raises its history
table's highest id. Events, versions and transitions are append-only, and the Django admin changes nothing
(core/admin.py). The few tables changed in place without a history of their own name their *witnesses* in
``settings.PORTAL_DATA_WITNESSES``: tables a write always touches when it changes them (``PORTAL_DATA_APPEND_ONLY``
lists the tables written once; a test fails on a table in neither list).

While a value is computed (``cached_under_data_version``) or a page body rendered (``{% datacache %}``), every
query it makes is noted: the tables it names, with their history tables and witnesses, are what it *read*. It is
stored with those tables' highest ids, and served while they are unchanged. A write to anything it read makes the
next request compute it afresh; a write elsewhere leaves it cached (a submitted report does not recompute the
member list). A value used inside another passes what it read on to it; a page body also counts what the view read
before rendering it. What a value uses without reading it must be in its key (``parts``).

A report's own history is left out on purpose: a secretary's draft (saved as they type) changes no figure, and at
a province's size every autosave would otherwise make the next dashboard compute afresh. What makes a report
count — submitted, returned, accepted — always writes a ``ReportTransition`` row (``services._transition``), and
a submission a ``ReportVersion`` row: they are the report's witnesses.

The one caching idiom of the portal: values through ``cached_under_data_version(parts, compute)``; page bodies
as template fragments, ``{% load datacache %}{% datacache name cache_key %}…{% enddatacache %}`` with
``cache_key = data_cache_key(...)`` (or ``page_cache_key``). Keys are built here only; the timeout is
``settings.PORTAL_CACHE_SECONDS`` (it only bounds memory).
"""

from __future__ import annotations

import contextvars
import hashlib
import pickle
import re
import time
import uuid
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def cache_seconds() -> int:
    return settings.PORTAL_CACHE_SECONDS


@lru_cache(maxsize=8)
def _tables(data_apps: tuple, ignored: tuple) -> tuple[tuple[str, str], ...]:
    """(table, primary key column) of every table in the fingerprint, sorted."""
    return tuple(
        sorted(
            (model._meta.db_table, model._meta.pk.column)
            for model in apps.get_models()
            if model._meta.app_label in data_apps and model._meta.db_table not in ignored
        )
    )


def _fingerprint_tables() -> tuple[tuple[str, str], ...]:
    return _tables(tuple(settings.PORTAL_DATA_APPS), tuple(settings.PORTAL_DATA_IGNORED_TABLES))


@lru_cache(maxsize=8)
def _version_sql(vendor: str, tables: tuple) -> str:
    """The fingerprint's query, built once per database vendor and settings (the models do not change while the
    process runs)."""
    quote = connection.ops.quote_name
    if vendor == "postgresql":
        # The same highest key, planned in about half the time (the planning is most of this query's cost):
        # PostgreSQL plans a MAX() twice, as an aggregate and rewritten to an index scan; this once.
        return "SELECT " + ", ".join(
            f"(SELECT {quote(pk)} FROM {quote(table)} ORDER BY {quote(pk)} DESC LIMIT 1)"
            for table, pk in tables
        )
    return "SELECT " + ", ".join(f"(SELECT MAX({quote(pk)}) FROM {quote(table)})" for table, pk in tables)


def _prepared(cursor, sql: str) -> str:
    """``EXECUTE`` of `sql` prepared once per PostgreSQL connection (``PREPARE``: kept for the session, not undone
    by a rollback): planning the fingerprint's 70 subqueries took 5 ms of every cached page, executing the
    prepared plan takes 0,5 ms (``settings.PORTAL_PREPARE_VERSION_QUERY``)."""
    name = "portal_versions_" + hashlib.sha1(sql.encode()).hexdigest()[:12]
    raw = connection.connection
    if getattr(raw, "_portal_prepared", None) != name:
        cursor.execute(f"PREPARE {name} AS {sql}")
        raw._portal_prepared = name
    return f"EXECUTE {name}"


#: The version read once per safe request (see ``ReadOnlyRequestVersion``); None outside such a request.
_request_version: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "portal_request_version", default=None
)


#: What the current GET request has read so far (None outside one): a page body cached as a fragment depends on
#: what the view read before rendering it, as well as on what it reads itself (``request_reads``).
_request_reads: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "portal_request_reads", default=None
)


def request_reads() -> frozenset[str] | None:
    """The tables the current GET or HEAD request has read so far (with their witnesses); None outside one."""
    reads = _request_reads.get()
    return None if reads is None else frozenset(reads)


#: The read-sets of the computations running now, innermost last: every query adds what it names to all of them.
_reading: contextvars.ContextVar[tuple[set, ...]] = contextvars.ContextVar("portal_reading", default=())


def table_versions() -> dict[str, object]:
    """{table: its highest primary key} for every table in the fingerprint, in one query (once per GET or HEAD
    request, however many values it keys)."""
    memo = _request_version.get()
    if memo is not None and "tables" in memo:
        return memo["tables"]
    tables = _fingerprint_tables()
    token = _reading.set(())  # reading the fingerprint is not reading the data
    try:
        with connection.cursor() as cursor:
            sql = _version_sql(connection.vendor, tables)
            if connection.vendor == "postgresql" and settings.PORTAL_PREPARE_VERSION_QUERY:
                sql = _prepared(cursor, sql)
            cursor.execute(sql)
            row = cursor.fetchone()
    finally:
        _reading.reset(token)
    versions = dict(zip((table for table, _ in tables), row, strict=True))
    if memo is not None:
        memo["tables"] = versions
    return versions


def data_version() -> str:
    """The fingerprint described above: every table's highest primary key, hashed."""
    return hashlib.sha1(repr(tuple(table_versions().values())).encode()).hexdigest()[:16]


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
        reads: set = set()
        reading, request_reads = _reading.set((reads,)), _request_reads.set(reads)
        try:
            with connection.execute_wrapper(_note_reads):
                return self.get_response(request)
        finally:
            _request_reads.reset(request_reads)
            _reading.reset(reading)
            _request_version.reset(token)


# --- what a computation read ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _history_tables() -> dict[str, str]:
    """{table: its django-simple-history table} for the models that keep a history."""
    out = {}
    for model in apps.get_models():
        instance_type = getattr(model, "instance_type", None)  # a history model names the model it records
        if instance_type is not None and model._meta.db_table != instance_type._meta.db_table:
            out[instance_type._meta.db_table] = model._meta.db_table
    return out


@lru_cache(maxsize=8)
def _witness_closure(tables: tuple) -> dict[str, frozenset[str]]:
    """{table: the fingerprint tables whose highest id changes whenever a row of `table` may change}: the table
    itself (inserts), its history table (in-place changes) and the witnesses of ``PORTAL_DATA_WITNESSES``
    (tables changed in place without a history of their own), followed transitively."""
    known = {table for table, _ in tables}
    history = _history_tables()
    direct = {
        table: {
            table,
            *([history[table]] if table in history else []),
            *settings.PORTAL_DATA_WITNESSES.get(table, ()),
        }
        for table in known | set(settings.PORTAL_DATA_WITNESSES) | set(history)
    }
    closure = {}
    for table in direct:
        seen, todo = set(), [table]
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            todo.extend(direct.get(t, ()))
        closure[table] = frozenset(seen & known)
    return closure


_QUOTED = re.compile(r'"(\w+)"')


@lru_cache(maxsize=4096)
def _tables_in(sql: str) -> frozenset[str]:
    """The data tables a query names (Django quotes every table name, on SQLite and PostgreSQL alike)."""
    closure = _witness_closure(_fingerprint_tables())
    found = set()
    for name in _QUOTED.findall(sql):
        found |= closure.get(name, frozenset())
    return frozenset(found)


def _note_reads(execute, sql, params, many, context):
    tables = _tables_in(sql)
    if tables:
        for reads in _reading.get():
            reads |= tables
    return execute(sql, params, many, context)


def tracked(compute) -> tuple[object, frozenset[str]]:
    """`compute()` and the fingerprint tables (with their witnesses) its queries read, nested computations
    included."""
    reads: set = set()
    outer = _reading.get()
    token = _reading.set((*outer, reads))
    try:
        if outer:  # the outermost computation's wrapper already sees these queries
            value = compute()
        else:
            with connection.execute_wrapper(_note_reads):
                value = compute()
    finally:
        _reading.reset(token)
    return value, frozenset(reads)


def untracked(compute):
    """`compute()` without counting what it reads as read by the computations running now: for a read shown
    outside every cached value and page body (the menu's count of reports waiting, drawn before a cached body:
    counted, it would make every report written render the member list afresh)."""
    with _setting(_reading, ()):
        return compute()


@contextmanager
def _setting(var: contextvars.ContextVar, value):
    """`var` set to `value` inside the block, as it was after it."""
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)


def note_reads(reads: frozenset[str]) -> None:
    """Count `reads` (from ``tracked``) as read by the computations running now: a value computed once and
    reused by several (``targets.indicators.shared``) passes what it read on to each."""
    for outer in _reading.get():
        outer |= reads


def _stamp(reads: frozenset[str], versions: dict[str, object]) -> tuple:
    return tuple((table, versions.get(table)) for table in sorted(reads))


def _fresh(entry, versions: dict[str, object]):
    """The value of a cache `entry` when nothing it read has changed since; None otherwise."""
    if not entry:
        return None
    reads, stamp, value = entry
    if _stamp(reads, versions) != stamp:
        return None
    note_reads(reads)  # a computation that uses this value read what it read
    return value


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the portal's own code (the Python modules and templates of its apps, read once per process):
    part of every key, so a value cached by other code — before a deployment, in a shared Redis — is never read
    by this one. A cached value's shape may change with the code (``make load`` met a form reading the
    dashboard's tuples cached by the previous version under the same name, with the data unchanged)."""
    digest = hashlib.sha1()
    base = Path(settings.BASE_DIR).resolve()
    roots = {Path(config.path).resolve() for config in apps.get_app_configs()}
    roots = {root for root in roots if root.parent == base}  # the portal's apps, not the installed packages
    roots |= {base / "templates", base / "khoi_portal"}
    for root in sorted(roots):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html") and "tests" not in path.parts and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def data_cache_key(*parts) -> str:
    """A cache key for `parts` (a page body cached as a template fragment with ``{% datacache %}``, which checks
    what the fragment read), under this version of the code (``code_version``)."""
    return hashlib.sha1(repr((code_version(), parts)).encode()).hexdigest()[:20]


def side_store(token: str, parts: dict) -> None:
    """Store `parts` ({part: value}) beside a cached value that names them by `token` (a value of its own
    that only a fresh cached value points to: an indicator's rows, in chunks, beside its figure)."""
    cache.set_many({f"portal:side:{token}:{part}": value for part, value in parts.items()}, cache_seconds())


def side_fetch(token: str, parts) -> dict:
    """{part: value} of the `parts` stored with ``side_store`` under `token` that the cache still holds."""
    keys = {f"portal:side:{token}:{part}": part for part in parts}
    return {keys[key]: value for key, value in cache.get_many(list(keys)).items()}


def side_fetch_chunks(tokens: dict[int, str], wanted) -> dict[int, object]:
    """{chunk: value} of the `wanted` chunks that the cache still holds, each stored with ``side_store`` under
    its own token (`tokens`: {chunk: token}; a value brought up to date stores only its changed chunks anew)."""
    by_token: dict[str, list[int]] = {}
    for chunk in wanted:
        by_token.setdefault(tokens[chunk], []).append(chunk)
    got: dict[int, object] = {}
    for token, chunks in by_token.items():
        got.update(side_fetch(token, chunks))
    return got


def resummed(sums: dict, old, new, add) -> dict:
    """A copy of `sums` with the values `old` taken away and `new` added (``add(sums, value, sign)``). Sums are
    plain data (numbers in dicts and lists): copied through pickle, several times faster than ``deepcopy``."""
    sums = pickle.loads(pickle.dumps(sums, pickle.HIGHEST_PROTOCOL))
    for value in old:
        add(sums, value, -1)
    for value in new:
        add(sums, value, 1)
    return sums


class KeptByKey:
    """Values per integer key (an organisation's id) kept in the cache beside a cached value, in chunks of
    ``CHUNK`` keys (``side_store``), each chunk under its own token: a value brought up to date after a write
    (``cached_under_data_version``'s `update`) reads the chunks of the few keys the write changed and stores them
    anew (``replaced``), sharing the others — at a province's size, what each organisation added to a sum, so
    it can be taken away again without reading every organisation's records."""

    CHUNK = 64

    def __init__(self, values: dict[int, object]):
        chunks: dict[int, dict] = {}
        for key, value in values.items():
            chunks.setdefault(key // self.CHUNK, {})[key] = value
        token = uuid.uuid4().hex
        side_store(token, chunks)
        self.tokens = dict.fromkeys(chunks, token)

    def _fetch(self, chunks: set[int]) -> dict[int, dict] | None:
        wanted = chunks & self.tokens.keys()  # a chunk never stored holds no key
        got = side_fetch_chunks(self.tokens, wanted)
        return got if len(got) == len(wanted) else None

    def get_many(self, keys) -> dict[int, object] | None:
        """{key: value} of those of `keys` that have one; None when the cache has dropped a chunk holding some."""
        keys = set(keys)
        got = self._fetch({key // self.CHUNK for key in keys})
        if got is None:
            return None
        return {key: value for part in got.values() for key, value in part.items() if key in keys}

    def replaced(self, values: dict[int, object]) -> KeptByKey | None:
        """These values with `values` in place of theirs (None: the key has none any more); None when the cache
        has dropped a chunk to change."""
        chunks = {key // self.CHUNK for key in values}
        got = self._fetch(chunks)
        if got is None:
            return None
        changed = {chunk: dict(got.get(chunk, {})) for chunk in chunks}
        for key, value in values.items():
            if value is None:
                changed[key // self.CHUNK].pop(key, None)
            else:
                changed[key // self.CHUNK][key] = value
        token = uuid.uuid4().hex
        side_store(token, changed)
        out = KeptByKey.__new__(KeptByKey)
        out.tokens = {**self.tokens, **dict.fromkeys(changed, token)}
        return out


def cached_sums(parts: tuple, rows, add, named) -> dict:
    """Sums over keys (organisations), cached under `parts` like ``cached_under_data_version`` and brought up to
    date after a write from the few keys it changed:

    - ``rows(keys)``: {key: what it adds} for `keys` (None: every key);
    - ``add(sums, value, sign)``: add (sign 1) or take away (-1) one key's value in the dict `sums`;
    - ``named(moved)``: the keys the rows written since `moved` (see ``cached_under_data_version``) may have
      changed; None when it cannot tell (then everything is summed afresh).

    Each key's value waits beside the sums (``KeptByKey``): after a write the named keys' old values are taken
    away and their new ones added."""

    def compute() -> dict:
        values = rows(None)
        sums: dict = {}
        for value in values.values():
            add(sums, value, 1)
        return {"sums": sums, "kept": None if bypassed() else KeptByKey(values)}

    def update(previous: dict, moved: dict) -> dict | None:
        keys = named(moved)
        if keys is None or previous["kept"] is None:
            return None
        if not keys:
            return previous
        old = previous["kept"].get_many(keys)
        if old is None:
            return None
        new = rows(sorted(keys))
        kept = previous["kept"].replaced({key: new.get(key) for key in keys})
        if kept is None:
            return None
        return {"sums": resummed(previous["sums"], old.values(), new.values(), add), "kept": kept}

    return cached_under_data_version(parts, compute, update=update)["sums"]


_POLL = 0.02


#: How ``cached_under_data_version`` behaves for the consistency check (``targets.consistency``): None, as
#: usual; "fresh", every value computed from the database and nothing stored (``uncached``); "served", only what
#: the cache holds and serves now, ``NotCached`` for anything else (``served_only``).
_mode: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_cache_mode", default=None)


class NotCached(LookupError):
    """Inside ``served_only()``: the value is not in the cache (or no longer fresh): nothing to compare."""


def uncached():
    """``with uncached():`` every cached value inside is computed from the database and nothing is stored: what
    a page would show on an empty cache."""
    return _setting(_mode, "fresh")


def served_only():
    """``with served_only():`` every cached value inside is what the cache serves now; one it does not hold
    raises ``NotCached`` instead of being computed."""
    return _setting(_mode, "served")


def one_version():
    """``with one_version():`` the data's version is read once for everything inside, as in a GET request
    (``ReadOnlyRequestVersion``): for a read-only pass over many cached values (the consistency check)."""
    return _setting(_request_version, {})


def bypassed() -> bool:
    """Whether values are computed afresh without the cache (``uncached``)."""
    return _mode.get() == "fresh"


def cached_under_data_version(parts: tuple, compute, *, also_read: frozenset[str] = frozenset(), update=None):
    """`compute()`, cached under `parts` until the data it read changes.

    While `compute()` runs, every query it makes is noted: the value is stored with the tables it read (and
    their witnesses, see ``_witness_closure``) and those tables' highest ids at the start. A later call serves
    it while those ids are unchanged — a write elsewhere (a submitted report, for a list of members) leaves it
    valid, a write to anything it read makes the next call compute it afresh. A value used inside another
    cached computation passes what it read on to it, so the outer value is as fresh as its parts.

    Single flight: when several requests miss at once (right after a write, a burst of leaders opening the
    dashboard), one takes a short lock in the cache and computes; the others wait for its value instead of all
    computing the same thing. A waiter stops waiting when the value appears, when the lock is gone (the first
    request failed, or the cache itself is down: the cache only speeds pages up) or after
    ``settings.PORTAL_SINGLE_FLIGHT_WAIT`` seconds — then it computes itself.

    Everything `compute` uses that it does not read itself must be in `parts` (an organisation's id, a period's
    dates), or its tables in `also_read` (a page body: what the view read before rendering it).

    Updated, not recomputed: with `update`, a value the cache holds but that is no longer fresh is first handed
    to ``update(previous, moved)``, `moved` being {table: its highest id when `previous` was computed} for each
    table it read that has changed since. `update` returns the value brought up to date from those changes
    (``targets.indicators``: the rows of the few organisations the new rows name, and the sums), or None when it
    cannot tell — then `compute()` runs as usual, under the single-flight lock. The updated value is stored as
    read from the same tables; an update takes no lock (it reads a few rows: cheaper than the lock itself)."""
    mode = _mode.get()
    if mode == "fresh":
        return compute()
    key = "portal:cached:" + data_cache_key(*parts)
    versions = table_versions()
    entry = cache.get(key)
    value = _fresh(entry, versions)
    if value is not None:
        return value
    if mode == "served":
        raise NotCached(parts)

    def store(value, reads):
        reads |= also_read
        cache.set(key, (reads, _stamp(reads, versions), value), cache_seconds())
        return value

    if update is not None and entry:
        # Brought up to date outside the single-flight lock: an update reads the few rows a write added, which
        # costs less than the lock's two more trips to the cache; when it cannot tell, computed under the lock.
        reads, stamp, previous = entry
        moved = {table: old for table, old in stamp if versions.get(table) != old}
        value, update_reads = tracked(lambda: update(previous, moved))
        if value is not None:
            reads = reads | update_reads
            note_reads(reads)  # a computation using it depends on everything the previous value read
            return store(value, reads)

    def compute_and_store():
        value, reads = tracked(compute)
        return store(value, reads)

    lock = key + ":computing"
    wait = settings.PORTAL_SINGLE_FLIGHT_WAIT
    if cache.add(lock, 1, timeout=int(wait) + 5):
        try:
            return compute_and_store()
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(_POLL)
        value = _fresh(cache.get(key), versions)
        if value is not None:
            return value
        if cache.get(lock) is None:
            break
    return compute_and_store()


def cached_fragment(name: str, parts: tuple, render, *, keep=None) -> str:
    """A page body (`render()`, a string) cached until the data it read changes, under `name` and `parts` (what
    else it depends on: a role, a page number): ``{% datacache %}`` for a template, this for a body written in
    Python (``targets.dashboard_page``). The body also depends on what the view read before (the request's reads
    so far): those tables count too. `keep(moved)`: a body whose tables moved is still served when it says the
    writes cannot have changed it. Outside a GET or HEAD request the body is rendered and not kept (nothing
    says what the view read)."""
    before = request_reads()
    if before is None:
        return render()
    return cached_under_data_version(
        ("fragment", name, parts),
        render,
        also_read=before,
        update=(lambda previous, moved: previous if keep(moved) else None) if keep else None,
    )


def cached_when_version_read(parts: tuple, compute):
    """``cached_under_data_version(parts, compute)`` when it costs no query: inside a GET or HEAD request that
    has already read the data's version (``ReadOnlyRequestVersion``), e.g. a page that shows cached figures;
    `compute()` itself anywhere else. For a small read (a row or two) that a page makes beside cached values:
    there it saves its query; in a write, which reads the version afresh at each call, or on a page that reads
    no cached value, the version's query would cost more than the read it saves. The value may be None (kept
    in a one-item tuple: ``cached_under_data_version`` takes None for "not cached")."""
    memo = _request_version.get()
    if memo is None or "tables" not in memo:
        return compute()
    return cached_under_data_version(parts, lambda: (compute(),))[0]


def cached_by_parts(parts: tuple, tokens: dict, compute) -> dict:
    """{name: value} for each name of `tokens` ({name: a token naming that value's content completely — the
    tokens of chunks stored once and never changed, ``side_store``: a write that changes the content stores it
    under new tokens}), kept together under `parts`, each value with its token: the values whose token is
    the one kept are served as they are, the others made by ``compute(names)`` ({name: value}) and kept with
    their new tokens. For a value made of parts that change apart: a page of the dashboard's table, one column
    per figure — after a write, only the columns of the figures it changed are written again. Each value is
    checked against its own token, so two requests keeping other versions at once cost a rewrite, never a
    wrong value."""
    if _mode.get() is not None:  # the consistency check: nothing served from the cache, nothing stored
        return compute(list(tokens))
    key = "portal:parts:" + data_cache_key(*parts)
    kept = cache.get(key) or {}
    stale = [name for name, token in tokens.items() if name not in kept or kept[name][0] != token]
    if stale:
        made = compute(stale)
        kept = {name: (tokens[name], made[name]) if name in made else kept[name] for name in tokens}
        cache.set(key, kept, cache_seconds())
    return {name: kept[name][1] for name in tokens}


def per_request(parts: tuple, compute):
    """`compute()` once per GET or HEAD request for `parts` (the data cannot change under such a request,
    ``ReadOnlyRequestVersion``); every time anywhere else. For a read several cached values make alike when
    they are brought up to date after a write (which organisations the write named)."""
    memo = _request_version.get()
    if memo is None:
        return compute()
    done = memo.setdefault("per_request", {})
    if parts not in done:
        done[parts] = tracked(compute)
    value, reads = done[parts]
    note_reads(reads)
    return value


def request_memo(name: str) -> dict | None:
    """A dict kept for the current GET or HEAD request under `name` (the data cannot change under it); None
    anywhere else. For reads answered piece by piece (``reports.changes.named``: the rows new in each table
    since each id), where ``per_request``'s one key per whole question would read the same pieces twice."""
    memo = _request_version.get()
    if memo is None:
        return None
    return memo.setdefault("memo", {}).setdefault(name, {})


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
