"""generate_scale: deterministic (same seed → same data), consistent (status and report figures agree with
the events), refuses to run twice, and --reset removes a generated set completely."""

import datetime as dt
import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from demo import scale
from members.lifecycle import status_from_events
from members.models import Member, MemberEvent
from organizations.access import organization_of, role_of
from organizations.models import Organization
from reports.models import PeriodicReport, StudyLine
from reports.selectors import registry_figures

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def _fingerprint():
    names = "|".join(Member.objects.order_by("pk").values_list("full_name", flat=True))
    events = "|".join(
        f"{k}{e}{d}"
        for k, e, d in MemberEvent.objects.order_by("pk").values_list("kind", "effective_on", "decided_on")
    )
    return (
        Organization.objects.filter(code__startswith="S").count(),
        Member.objects.count(),
        MemberEvent.objects.count(),
        PeriodicReport.objects.count(),
        StudyLine.objects.count(),
        hashlib.sha1(names.encode()).hexdigest(),
        hashlib.sha1(events.encode()).hexdigest(),
    )


def test_deterministic_consistent_and_reset():
    summary = scale.generate(0.1, seed=7, today=TODAY, log=lambda *_: None)
    first = _fingerprint()
    assert first[0] == 8 and first[1] == 8 * scale.MEMBERS_PER_ORG == summary.members
    assert summary.reports > 0 and summary.study_lines >= summary.reports
    # Status is what the events say.
    for member in Member.objects.prefetch_related("events"):
        events = sorted(member.events.all(), key=lambda e: (e.effective_on, e.pk))
        assert member.status == status_from_events(events, member.full_member_on)
        assert all(e.decided_on is None or e.decided_on <= TODAY for e in events)
    # A report's figures are the registry's.
    for report in PeriodicReport.objects.select_related("organization", "period").order_by("pk")[:40]:
        figures = registry_figures(report.organization, report.period)
        assert {k: getattr(report, k) for k in figures} == figures
    # The generated secretaries work in their own organisation.
    secretary = get_user_model().objects.filter(username__startswith=scale.SECRETARY_PREFIX).first()
    assert role_of(secretary) == "bi_thu"
    assert organization_of(secretary).code.startswith("S")
    with pytest.raises(CommandError):
        call_command("generate_scale", "--factor", "0.1")
    scale.reset(log=lambda *_: None)
    assert Member.objects.count() == 0 and scale.existing_factor() == 0
    assert not get_user_model().objects.filter(username__startswith=scale.SECRETARY_PREFIX).exists()
    scale.generate(0.1, seed=7, today=TODAY, log=lambda *_: None)
    assert _fingerprint() == first


def test_a_run_stopped_midway_resumes_where_it_stopped_with_the_same_data(monkeypatch):
    """The whole Party's size takes about an hour to build: it is built in parts (issue 20). Each chunk of
    organisations goes in whole with a random generator of its own, so a run stopped after some chunks and run
    again (the command without --reset) gives the data one run gives."""
    monkeypatch.setattr(scale, "CHUNK", 3)  # 8 organisations: 3 chunks
    scale.generate(0.1, seed=7, today=TODAY, log=lambda *_: None)
    whole = _fingerprint()
    scale.reset(log=lambda *_: None)
    scale.generate(0.1, seed=7, today=TODAY, log=lambda *_: None, chunks=1)
    assert scale.unfinished() == 5
    with pytest.raises(ValueError):  # another factor's set is there
        scale.generate(0.2, seed=7, today=TODAY, log=lambda *_: None)
    scale.generate(0.1, seed=7, today=TODAY, log=lambda *_: None, chunks=1)
    assert scale.unfinished() == 2
    out = io.StringIO()
    generate = scale.generate
    monkeypatch.setattr(scale, "generate", lambda *args, **kwargs: generate(*args, today=TODAY, **kwargs))
    call_command("generate_scale", "--factor", "0.1", "--seed", "7", stdout=out)  # resumes, then the tallies
    assert "Tiếp tục" in out.getvalue() and scale.unfinished() == 0
    assert _fingerprint() == whole
    with pytest.raises(CommandError):  # complete: nothing to resume
        call_command("generate_scale", "--factor", "0.1", "--seed", "7")
