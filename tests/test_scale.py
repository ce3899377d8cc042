"""generate_scale: deterministic, consistent (status agrees with events), and refuses to run twice."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from khoi_portal import scale
from members.lifecycle import status_from_events
from members.models import Member, MemberEvent
from organizations.models import Organization

pytestmark = pytest.mark.django_db


def _checksum():
    names = "|".join(Member.objects.order_by("pk").values_list("full_name", flat=True))
    return (Organization.objects.count(), Member.objects.count(), MemberEvent.objects.count(),
            hashlib.sha1(names.encode()).hexdigest())  # fmt: skip


def test_same_seed_same_data_and_status_agrees_with_events():
    scale.generate(0.1, seed=7, log=lambda *_: None)
    first = _checksum()
    assert first[0] == 8 and first[1] == 8 * scale.MEMBERS_PER_ORG
    for member in Member.objects.prefetch_related("events")[:200]:
        events = sorted(member.events.all(), key=lambda e: (e.effective_on, e.pk))
        assert member.status == status_from_events(events, member.full_member_on)
    with pytest.raises(CommandError):
        call_command("generate_scale", "--factor", "0.1")
    # Test cleanup only (the portal never deletes): children first.
    MemberEvent.objects.all()._raw_delete("default")  # noqa: SLF001
    Member.objects.all()._raw_delete("default")  # noqa: SLF001
    for model in (
        "reports.StudyLine",
        "reports.PeriodicReport",
        "organizations.OrganizationYear",
        "organizations.Cell",
    ):
        from django.apps import apps

        apps.get_model(model).objects.all()._raw_delete("default")  # noqa: SLF001
    Organization.objects.filter(code__startswith="S")._raw_delete("default")  # noqa: SLF001
    scale.generate(0.1, seed=7, log=lambda *_: None)
    assert _checksum() == first
