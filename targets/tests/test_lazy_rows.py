"""An indicator's rows are cached apart from its figure, in chunks of organisations (issue 20): the dashboard and a
page of its table read only the organisations they show, and what they show is what every row says."""

import datetime as dt
import pickle

import pytest
from django.core.cache import cache

from organizations.models import Rating
from targets import dashboard as dash
from targets import indicators as ind

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr(dash, "today", lambda: dt.date(2021, 7, 1))
    monkeypatch.setattr(ind, "ROW_CHUNK", 2)  # a few organisations make several chunks
    orgs = []
    for i in range(7):
        o = f.org(congress=dt.date(2020, 5, 1))
        f.org_year(o, 2021, party_rating=Rating.HTTNV if i % 2 else Rating.HTXSNV, theme_text="x")
        for _ in range(i):
            f.event(o, decided_on=dt.date(2021, 2, 1))
        orgs.append(o)
    return orgs


def test_a_cached_result_carries_its_figure_not_its_rows(world):
    fresh = ind.compute_one("admissions", 2021, dt.date(2021, 7, 1))
    assert len(fresh.rows) == 7 and fresh.numerator == 21
    stored = pickle.loads(pickle.dumps(fresh))
    assert isinstance(stored.rows, ind.LazyRows)
    assert len(pickle.dumps(stored.rows)) < 1000
    assert [(r.org_id, r.numerator) for r in stored.rows] == [(r.org_id, r.numerator) for r in fresh.rows]


def test_a_page_of_the_table_reads_only_its_organisations_chunks(world, monkeypatch):
    d = dash.build_dashboard(2021)
    full = dash.org_table_cells(pickle.loads(pickle.dumps(d)))
    assert [e["code"] for e in full] == sorted(o.code for o in world)
    read = []
    original = ind.datacache.side_fetch
    monkeypatch.setattr(
        ind.datacache, "side_fetch", lambda token, parts: read.append(len(parts)) or original(token, parts)
    )
    cached = pickle.loads(pickle.dumps(d))
    two = cached.org_table(cached.org_ids[:2])
    assert [e["id"] for e in two] == list(cached.org_ids[:2])
    assert max(read) <= 2  # two organisations: at most two chunks of each indicator, never all four
    assert dash.org_table_cells(cached, entries=two) == full[:2]


def test_a_chunk_the_cache_dropped_is_read_again_from_the_database(world):
    fresh = ind.compute_one("org_rating_good", 2021, dt.date(2021, 7, 1))
    expected = [(r.org_id, r.detail) for r in fresh.rows]
    stored = pickle.loads(pickle.dumps(fresh))
    cache.delete_many([f"portal:side:{token}:{chunk}" for chunk, token in stored.rows.tokens.items()])
    assert not ind.datacache.side_fetch_chunks(stored.rows.tokens, set(stored.rows.tokens))
    assert [(r.org_id, r.detail) for r in stored.rows] == expected
    assert stored.row_for(world[3].pk).detail == fresh.row_for(world[3].pk).detail
