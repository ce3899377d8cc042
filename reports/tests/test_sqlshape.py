"""A query compiled once per shape (``core.sqlshape``) gives the rows the ORM gives, for any ids, and refuses a
query it could not run faithfully."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import sqlshape
from reports.models import PeriodicReport

pytestmark = pytest.mark.django_db


def _reports(period_ids, org_ids, since=None):
    rows = PeriodicReport.objects.filter(period_id__in=period_ids, organization_id__in=org_ids)
    if since is not None:
        rows = rows.filter(pk__gt=since)
    return rows.order_by("pk").values_list("pk", "organization_id", "status", "first_submitted_at")


def test_the_same_rows_as_the_orm_for_other_ids_of_the_same_shape(demo):
    """Built once (the second call of the same shape builds nothing), and each call's rows are those of its own
    ids — times converted as the ORM converts them (SQLite stores them as text)."""
    pairs = list(
        PeriodicReport.objects.filter(first_submitted_at__isnull=False).values_list("period", "organization")
    )
    assert len(pairs) > 20
    built = []

    def build(*args):
        built.append(args)
        return _reports(*args)

    for period_id, org_id in pairs[:10]:
        got = sqlshape.values("test-reports", build, [period_id], [org_id])
        assert got == list(_reports([period_id], [org_id]))
        assert got and got[0][3] is not None and got[0][3].tzinfo is not None  # a datetime, not text
    assert len(built) == 1  # one shape: one list of one period, one of one organisation
    # Another shape (two organisations, a lower bound) is built once more, and right too.
    (p1, o1), (p2, o2) = pairs[0], pairs[-1]
    since = min(PeriodicReport.objects.filter(organization__in=[o1, o2]).values_list("pk", flat=True))
    for ids in ([o1, o2], [o2, o1]):
        assert sqlshape.values("test-reports", build, [p1, p2], ids, since) == list(
            _reports([p1, p2], ids, since)
        )
    assert len(built) == 2


def test_one_query_each_time_counted_like_any_other(demo):
    pair = PeriodicReport.objects.values_list("period", "organization").first()
    sqlshape.values("test-reports", _reports, [pair[0]], [pair[1]])
    with CaptureQueriesContext(connection) as ctx:
        sqlshape.values("test-reports", _reports, [pair[0]], [pair[1]])
    assert len(ctx.captured_queries) == 1
    assert "reports_periodicreport" in ctx.captured_queries[0]["sql"]


def test_an_empty_list_is_answered_as_the_orm_answers_it(db):
    with CaptureQueriesContext(connection) as ctx:
        assert sqlshape.values("test-empty", _reports, [], [1]) == []
    assert len(ctx.captured_queries) == 0  # the ORM knows an empty IN matches nothing


def test_an_id_computed_with_is_refused(db):
    """``pk > since - 20`` built from a stand-in id would put another number in the SQL than the one asked."""
    with pytest.raises(ValueError, match="computed with an id"):
        sqlshape.values("test-arith", lambda since: _reports([1], [1], since - 20), 5)


def test_an_id_left_out_of_the_sql_is_refused(db):
    """A query that does not use an argument (or a comparison the ORM drops) would answer for other ids."""
    with pytest.raises(ValueError, match="not among the query's parameters"):
        sqlshape.values("test-unused", lambda period_ids, org_ids: _reports(period_ids, [1]), [1], [2])
