"""Which organisations (and periods) the rows written since a cached figure was computed belong to: what lets
a figure kept per organisation be brought up to date after a write by recomputing those organisations only
(``targets.indicators.ByOrganization``), instead of every organisation of the province, and a figure of other
periods be kept as it is (``reports.summary``).

``core.datacache`` hands over the tables a cached value read whose highest id has moved since, with the id each
had then. The tables below name an organisation in every row they receive, and every write that changes what a
figure reads from them adds such a row: a report's submission, return or acceptance writes a transition (and a
submission a version) — the witnesses of the report, its study lines and its maintained punctuality row
(``settings.PORTAL_DATA_WITNESSES``); a report opened, a study line or a punctuality row added are rows of their
own; a member's event (admitted, recognised, transferred…) is written once and names the organisation that
decided it. Any other table moved (an organisation edited, a spell of the Bloc, a period, a resolution, a schedule) and
the answer is None: the figure is computed afresh.

Ids are read from a little before the recorded one (``MARGIN``): on PostgreSQL a transaction that took its id
earlier may commit after one that took a later id, and its row would otherwise fall below the recorded highest.
SQLite runs one write transaction at a time (each starts ``IMMEDIATE``: ``khoi_portal/settings.py``), so its ids
are committed in order and are read from the recorded one itself (``margin``): the rows just below it, already
counted, would name their organisations again and make the figures of their kinds be counted again too.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection
from django.db.models import F, IntegerField, Value

from core import datacache, sqlshape
from members.models import MemberEvent

from .models import PeriodicReport, ReportTally, ReportTransition, ReportVersion, StudyLine

#: How far below the recorded highest id new rows are looked for (see above): a few rows more are read.
MARGIN = 20


def margin() -> int:
    """``MARGIN`` where transactions may commit out of id order (PostgreSQL); 0 on SQLite (see above)."""
    return 0 if connection.vendor == "sqlite" else MARGIN


#: Above this many organisations changed, the figure is computed afresh (a bulk load, an import).
LIMIT = 200


@lru_cache(maxsize=1)
def _paths() -> dict[str, tuple[type, str, str | None]]:
    """{table: (model, path from its rows to their organisation's id, to their period's id or None)}."""
    models = {
        MemberEvent: ("organization_id", None),
        PeriodicReport: ("organization_id", "period_id"),
        ReportTally: ("organization_id", "period_id"),
        ReportTransition: ("report__organization_id", "report__period_id"),
        ReportVersion: ("report__organization_id", "report__period_id"),
        StudyLine: ("report__organization_id", "report__period_id"),
    }
    return {model._meta.db_table: (model, *paths) for model, paths in models.items()}


def named(moved: dict[str, object]) -> set[tuple[int, int | None]] | None:
    """The (organisation, period) pairs whose figures the rows added since `moved` ({table: its highest id
    then}) may have changed — period None: any (a member's event) —; None when a table that does not name
    them moved, or too many changed to be worth it. One query; within a GET request each table's new rows are
    read once (the figures brought up to date on one page ask alike, each about some of the same tables)."""
    paths = _paths()
    if not moved.keys() <= paths.keys():
        return None
    if not moved:
        return set()
    memo = datacache.request_memo("changes-named")  # {(table, since): its pairs, or None: too many}
    if memo is None:
        memo = {}
    todo = {table: since for table, since in moved.items() if (table, since) not in memo}
    if todo:
        memo.update(_named(todo, paths))
    found: set = set()
    for table, since in moved.items():
        pairs = memo[(table, since)]
        if pairs is None:
            return None
        found |= pairs
    return None if len({org_id for org_id, _ in found}) > LIMIT or len(found) > LIMIT else found


def only_other_periods(moved: dict[str, object], period_id: int) -> bool:
    """Whether every row added since `moved` names a report of a period other than `period_id` (nothing of the
    registry's, nothing of that period's): what a page of that period alone showed is as it was."""
    pairs = named(moved)
    return pairs is not None and all(period is not None and period != period_id for _, period in pairs)


def organizations_named(moved: dict[str, object]) -> set[int] | None:
    """The organisations of ``named(moved)``."""
    pairs = named(moved)
    return None if pairs is None else {org_id for org_id, _ in pairs}


def new_events(since) -> list[tuple[int, str, object]] | None:
    """(organisation, kind, day decided) of the member events added since id `since` (None: since the table was
    empty), read from a little below it (``margin``); None when there are too many to be worth it. Once per GET
    request (several figures and the dashboard's years ask alike)."""
    memo = datacache.request_memo("new-events")
    if memo is not None and since in memo:
        return memo[since]

    def build(start):
        rows = MemberEvent.objects.order_by()
        if start is not None:
            rows = rows.filter(pk__gt=start)
        return rows.values_list("organization_id", "kind", "decided_on")[: LIMIT + 1]

    # compiled once (``core.sqlshape``): asked right after every new member
    found = sqlshape.values("new-events", build, None if since is None else since - margin())
    found = None if len(found) > LIMIT else found
    if memo is not None:
        memo[since] = found
    return found


def events_named(moved: dict[str, object], kinds, year: int) -> set[int] | None:
    """``organizations_named(moved)`` for a figure of the events of `kinds` decided in `year`: of the events
    added, only those of these kinds decided that year can change it (events are written once, never changed),
    so an admission leaves last year's months and this year's recognitions as they were."""
    table = MemberEvent._meta.db_table
    if table not in moved:
        return organizations_named(moved)
    found = organizations_named({t: since for t, since in moved.items() if t != table})
    events = new_events(moved[table])
    if found is None or events is None:
        return None
    return found | {
        org_id for org_id, kind, day in events if kind in kinds and day is not None and day.year == year
    }


def _named(moved: dict[str, object], paths) -> dict[tuple[str, object], set | None]:
    """{(table, since): the pairs its rows added since name} for each table of `moved`, in one query (None for
    a table that names too many)."""
    tables = sorted(moved.items(), key=lambda item: item[0])
    cap = (LIMIT + 1) * len(tables)

    def build(*froms):
        queries = []
        for position, ((table, _since), start) in enumerate(zip(tables, froms, strict=True)):
            model, org_path, period_path = paths[table]
            rows = model.objects.order_by()
            if start is not None:
                rows = rows.filter(pk__gt=start)
            period = F(period_path) if period_path else Value(None, output_field=IntegerField())
            queries.append(
                rows.annotate(named_table=Value(position), named_period=period).values_list(
                    "named_table", org_path, "named_period"
                )
            )
        found = queries[0].union(*queries[1:]) if len(queries) > 1 else queries[0].distinct()
        return found[:cap]

    # compiled once per set of tables (``core.sqlshape``): asked right after every write
    froms = [None if since is None else since - margin() for _table, since in tables]
    rows = sqlshape.values(("changes-named", tuple(table for table, _ in tables)), build, *froms)
    out: dict[tuple[str, object], set | None] = {(table, since): set() for table, since in tables}
    for position, org_id, period_id in rows:
        out[tables[position]].add((org_id, period_id))
    for key, pairs in out.items():
        if len(rows) >= cap or len(pairs) > LIMIT:
            out[key] = None  # too many to tell (a bulk load, an import): computed afresh
    return out
