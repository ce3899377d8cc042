"""The Django admin shows the portal's data and changes none of it (core/admin.py): every write goes through the
services. Every model's list opens for a superuser; adding, changing and deleting are refused."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from members.tests import factories as member_factories

pytestmark = pytest.mark.django_db
PORTAL_APPS = settings.PORTAL_DATA_APPS


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "mat-khau-rat-dai-2021")
    client.force_login(user)
    return client


def _portal_models():
    return [m for m in admin.site._registry if m._meta.app_label in PORTAL_APPS]


def test_every_portal_model_is_listed_and_read_only(superuser_client, org_a):
    models = _portal_models()
    every = {
        m
        for label in PORTAL_APPS
        for m in apps.get_app_config(label).get_models()
        if not m.__name__.startswith("Historical")  # django-simple-history's: shown on each object's history
    }
    assert every <= set(models), sorted(m.__name__ for m in every - set(models))
    assert len(models) >= 15
    for model in models:
        info = (model._meta.app_label, model._meta.model_name)
        assert superuser_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
        assert superuser_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403, info


def test_an_organisation_or_a_member_cannot_be_changed_or_deleted_there(superuser_client, org_a):
    member = member_factories.member(org_a, name="Nguyễn Văn Thử")
    for obj in (org_a, member):
        info = (obj._meta.app_label, obj._meta.model_name)
        change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        page = superuser_client.get(change)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert superuser_client.post(change, {"full_name": "Đổi", "name": "Đổi"}).status_code == 403
        delete = reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])
        assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    org_a.refresh_from_db()
    member.refresh_from_db()
    assert org_a.name != "Đổi" and member.full_name == "Nguyễn Văn Thử"


def test_accounts_stay_managed_in_the_admin(superuser_client):
    assert superuser_client.get(reverse("admin:auth_user_add")).status_code == 200
