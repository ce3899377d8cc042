"""The cache is an accelerator only: with ``CACHE_URL`` at a Redis that stops — before a
request or in the middle of one — every cached page still answers 200, computed without it; one warning line is
logged (at most one a minute); when Redis is back the pages are cached again, with nothing to restart.

The Redis is the suite's own (tests/faults/conftest.py: a ``redis-server`` on a Unix socket of its own), and the
cache is configured exactly as the settings configure one for ``CACHE_URL=redis://…``."""

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.logfilters import CacheOutage
from khoi_portal.settings import cache_config
from members.tests import factories as member_factories
from reports import services
from reports.tests.factories import period

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(own_redis, settings):
    settings.CACHES = {"default": cache_config(f"unix://{own_redis.socket}")}
    CacheOutage.reset()
    return own_redis


@pytest.fixture
def pages(org_a, org_b, staff, secretary_a):
    for org in (org_a, org_b):
        for n in range(3):
            member_factories.member(
                org, ceremony_on=dt.date(2015, 3, n + 1), name=f"Đảng viên {org.code} {n}"
            )
    month = period(2021, "month", 1)
    report = services.report_start(organization=org_a, period=month, by=secretary_a)
    staff_pages = [
        reverse("dashboard:dashboard") + "?year=2021",
        reverse("dashboard:data_json") + "?year=2021",
        reverse("organizations:organization_list"),
        reverse("members:member_list"),
        reverse("reports:matrix") + "?year=2021",
        reverse("reports:period_summary") + f"?period={month.pk}",
    ]
    secretary_pages = [
        reverse("reports:report_edit", args=[report.pk]),
        reverse("reports:report_open", args=[month.pk]),
        reverse("members:member_list"),
    ]
    return [(staff, url) for url in staff_pages] + [(secretary_a, url) for url in secretary_pages]


def _visit(pages):
    """{url: (status, queries)} for every page, each as its user."""
    seen = {}
    for user, url in pages:
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        seen[(user.username, url)] = (response.status_code, len(queries.captured_queries))
    return seen


def test_pages_answer_when_redis_stops_and_use_it_again_when_it_is_back(redis_cache, pages, caplog):
    caplog.set_level(logging.WARNING, logger="khoi.cache")
    first = _visit(pages)
    assert {status for status, _ in first.values()} <= {200, 302}, first
    assert redis_cache.keys() > 0  # the cache is used
    warm = _visit(pages)
    assert all(warm[k][1] <= first[k][1] for k in first)

    redis_cache.stop()
    down = _visit(pages)
    assert down.keys() == first.keys()
    assert all(down[k][0] == first[k][0] for k in first), down  # the same answers, computed without the cache
    warnings = [r for r in caplog.records if r.name == "khoi.cache"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]  # one line, not one per cache call
    assert warnings[0].levelname == "WARNING" and warnings[0].exc_info is None
    assert "cache unavailable" in warnings[0].getMessage()

    redis_cache.start()  # same socket, empty: nothing restarts on the portal's side
    again = _visit(pages)
    assert all(again[k][0] == first[k][0] for k in first)
    assert redis_cache.keys() > 0  # used again by itself
    cached = _visit(pages)
    assert sum(q for _, q in cached.values()) < sum(q for _, q in again.values())


def test_redis_dying_in_the_middle_of_a_request(redis_cache, pages):
    """The request starts with a live connection to Redis (the pool holds it from the previous request); Redis
    is stopped as the request begins, so the cache calls of the same request fail on that connection."""
    from django.core.signals import request_started

    _visit(pages)  # warm: the pool holds a connection
    user, url = pages[0]
    client = Client()
    client.force_login(user)

    def stop_redis(**kwargs):
        request_started.disconnect(stop_redis)
        redis_cache.stop()

    request_started.connect(stop_redis)
    try:
        response = client.get(url)
    finally:
        request_started.disconnect(stop_redis)
    assert response.status_code == 200
    assert not redis_cache.ping()
    assert {status for status, _ in _visit(pages).values()} <= {200, 302}
