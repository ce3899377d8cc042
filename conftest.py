"""Shared fixtures: the three roles and two organisations (A and B) to test scoping against."""

import pytest

from organizations.tests.factories import OrganizationFactory, leader_user, secretary_user, staff_user


@pytest.fixture
def org_a(db):
    return OrganizationFactory(code="A1", name="Đảng bộ Sở A")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(code="B1", name="Đảng bộ Sở B")


@pytest.fixture
def staff(db):
    return staff_user()


@pytest.fixture
def leader(db):
    return leader_user()


@pytest.fixture
def secretary_a(org_a):
    return secretary_user(org_a, username="bithu_a")


@pytest.fixture
def secretary_b(org_b):
    return secretary_user(org_b, username="bithu_b")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as `user` (forced login: no axes bookkeeping)."""

    def make(user):
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back tests may reuse ids, and with them cache keys."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
