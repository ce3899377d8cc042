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
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import F, IntegerField, Value

from core import datacache
from members.models import MemberEvent

from .models import PeriodicReport, ReportTally, ReportTransition, ReportVersion, StudyLine

#: How far below the recorded highest id new rows are looked for (see above): a few rows more are read.
MARGIN = 20

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
    them moved, or too many changed to be worth it. One query, once per request (the figures brought up to date
    on one page ask alike)."""
    paths = _paths()
    if not moved.keys() <= paths.keys():
        return None
    if not moved:
        return set()
    key = ("changes-named", tuple(sorted(moved.items(), key=lambda item: item[0])))
    return datacache.per_request(key, lambda: _named(moved, paths))


def only_other_periods(moved: dict[str, object], period_id: int) -> bool:
    """Whether every row added since `moved` names a report of a period other than `period_id` (nothing of the
    registry's, nothing of that period's): what a page of that period alone showed is as it was."""
    pairs = named(moved)
    return pairs is not None and all(period is not None and period != period_id for _, period in pairs)


def organizations_named(moved: dict[str, object]) -> set[int] | None:
    """The organisations of ``named(moved)``."""
    pairs = named(moved)
    return None if pairs is None else {org_id for org_id, _ in pairs}


def _named(moved: dict[str, object], paths) -> set[tuple[int, int | None]] | None:
    queries = []
    for table, since in sorted(moved.items(), key=lambda item: item[0]):
        model, org_path, period_path = paths[table]
        rows = model.objects.order_by()
        if since is not None:
            rows = rows.filter(pk__gt=since - MARGIN)
        period = F(period_path) if period_path else Value(None, output_field=IntegerField())
        queries.append(rows.annotate(named_period=period).values_list(org_path, "named_period"))
    found = queries[0].union(*queries[1:]) if len(queries) > 1 else queries[0].distinct()
    pairs = set(found[: LIMIT + 1])
    return None if len({org_id for org_id, _ in pairs}) > LIMIT or len(pairs) > LIMIT else pairs
