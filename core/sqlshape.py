"""A query's SQL compiled once per shape, for the few small reads a page makes right after every write.

Right after a write a page brings its cached figures up to date from the rows the write added: a handful of
small queries (which organisations the new rows name, one organisation's reports, its latest study lines). The
database answers each in a fraction of a millisecond; building it with the ORM (a window function, a union, a
subquery) and compiling it to SQL costs several times that, for the same SQL every time with other ids in it.

``values(name, build, *args)`` builds the query once per shape — per connection, `name`, and for each argument
whether it is None and how many ids a list holds — with stand-in ids in place of the real ones, keeps the SQL
and where each id goes among its parameters, and from then on only puts the ids in and runs it (through
Django's cursor: the queries are counted and noted like any other, ``core.datacache``). The rows come back as
``values_list`` gives them (with the database's converters: dates and times as Python values on SQLite too).

`build(*args)` must return a ``values_list`` query that uses each argument only as ids to compare with (an
``__in`` list, an ``=``, a ``>``): an id it computed with (``since - 20``) would not be found among the
parameters, and ``values`` refuses it (``ValueError``) rather than run other SQL than the ORM would; so it does
when an id is missing from them (a comparison the ORM left out: every argument must reach the SQL).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

#: Stand-in ids: far below any id the portal stores (its ids are positive), one per argument and position.
_STAND_IN = -7_340_000_000_000
_SPAN = 1_000_000  # positions per argument
_GAP = 1_000  # between two stand-ins: an id computed with (``since - 20``) lands on none of them

#: Shapes kept per connection (a process serves a few dozen); beyond this the oldest are forgotten.
MAX_SHAPES = 256


def _stand_in(arg: int, position: int) -> int:
    return _STAND_IN - (arg * _SPAN + position) * _GAP


def _shape(args: tuple) -> tuple:
    return tuple(None if a is None else len(a) if isinstance(a, list | tuple) else -1 for a in args)


def _compile(build: Callable[..., QuerySet], args: tuple, using: str):
    """(compiler, SQL, slots): each slot is (argument, position) for an id, or ("", value) for a constant."""
    stand_ins: dict[int, tuple[int, int]] = {}
    fake = []
    for i, arg in enumerate(args):
        if arg is None:
            fake.append(None)
        elif isinstance(arg, list | tuple):
            ids = [_stand_in(i, j) for j in range(len(arg))]
            stand_ins.update({_stand_in(i, j): (i, j) for j in range(len(arg))})
            fake.append(ids)
        else:
            stand_ins[_stand_in(i, 0)] = (i, -1)
            fake.append(_stand_in(i, 0))
    query = build(*fake).query
    compiler = query.get_compiler(using)
    sql, params = compiler.as_sql()
    slots = []
    for value in params:
        if isinstance(value, int) and not isinstance(value, bool) and value in stand_ins:
            slots.append(stand_ins[value])
        elif isinstance(value, int) and value <= _STAND_IN + _GAP:
            raise ValueError(f"{build!r} computed with an id instead of comparing with it: {value}")
        else:
            slots.append(("", value))
    missing = stand_ins.keys() - {value for value in params if isinstance(value, int)}
    if missing:  # e.g. a comparison the ORM dropped as always true or false for that id (out of its range)
        raise ValueError(f"{build!r}: some ids are not among the query's parameters: {sorted(missing)[:3]}")
    return compiler, sql, tuple(slots)


def values(name: str, build: Callable[..., QuerySet], *args, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """``list(build(*args))`` (a ``values_list`` query of tuples), its SQL compiled once per shape (above).
    An empty list among the arguments (a query the ORM answers with no SQL) runs `build` as usual."""
    if any(isinstance(a, list | tuple) and not a for a in args):
        return list(build(*args))
    connection = connections[using]
    kept = connection.__dict__.setdefault("_portal_sql_shapes", {})
    key = (name, _shape(args))
    entry = kept.get(key)
    if entry is None:
        entry = _compile(build, args, using)
        if len(kept) >= MAX_SHAPES:
            kept.pop(next(iter(kept)))
        kept[key] = entry
    compiler, sql, slots = entry
    params = [
        value if arg == "" else (args[arg] if value == -1 else args[arg][value]) for arg, value in slots
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if compiler.has_extra_select:
        rows = [row[: compiler.col_count] for row in rows]
    return list(compiler.results_iter(results=[rows], tuple_expected=True))
