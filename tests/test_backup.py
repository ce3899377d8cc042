"""Nothing is lost: a backup (dumpdata) restored into an emptied database gives the same dashboard figures.

The PostgreSQL procedure (pg_dump / pg_restore) is in the README and `make backup-test` runs it against the
local cluster; this test is the portable round trip that runs in every `make test`, on both databases.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from members.models import EventKind
from organizations.models import BlocYear, Rating
from organizations.tests.factories import staff_user
from reports.models import ReportStatus
from targets.models import Target
from targets.tests import factories as f

EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


def _figures():
    client = Client()
    client.force_login(staff_user("vp_backup"))
    response = client.get(reverse("dashboard:data_json"), {"year": 2021})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dump_flush_load_gives_identical_dashboard_figures(tmp_path):
    resolution = f.resolution(year=2021, short_title="NQ 1")
    january = f.period("month", 2021, 1)
    for i in range(4):
        org = f.org(congress=dt.date(2020, 5, 1), enterprise=i % 2 == 0)
        f.org_year(
            org,
            2021,
            party_rating=Rating.HTTNV if i else Rating.HTNV,
            theme_text="Chủ đề",
            non_member_headcount=40,
        )
        for day in (dt.date(2021, 2, 1), dt.date(2021, 6, 1)):
            f.event(org, decided_on=day)
        f.event(org, kind=EventKind.FULL_MEMBER, decided_on=dt.date(2021, 4, 1))
        report = f.report(org, january, status=ReportStatus.ACCEPTED, submitted_on=january.due_on)
        f.study(report, resolution, 5 + i, 10, 30, 40)
    Target.objects.create(
        year=2021, indicator="admissions", comparator="gte", value=Decimal("6"), wording="x"
    )
    BlocYear.objects.create(year=2021, rating=Rating.HTXSNV)
    before = _figures()

    backup = tmp_path / "backup.json"
    call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, output=str(backup), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    assert _figures_or_empty() is None
    call_command("loaddata", str(backup), verbosity=0)

    after = _figures()
    assert after == before
    admissions = next(i for i in after["indicators"] if i["code"] == "admissions")
    assert admissions["value"] == 8  # the figures are real, not two empty dashboards


def _figures_or_empty():
    """After the flush there is no user and no data: nothing to compare."""
    from django.contrib.auth import get_user_model

    return None if not get_user_model().objects.exists() else _figures()


# --- writes that span several rows are atomic -----------------------------------------------------------------


def _reports_state():
    """Every row of the report tables (history included), to compare before and after."""
    from django.apps import apps

    rows = {}
    for model in apps.get_app_config("reports").get_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return rows


@pytest.mark.django_db
def test_a_submission_failing_midway_leaves_nothing(monkeypatch, org_a, secretary_a):
    """report_submit writes the typed figures, the study lines, the transition, the report and its version:
    if the last write fails, none of the others is kept."""
    from reports import services
    from reports.models import PeriodicReport, ReportVersion

    resolution = f.resolution(year=2021, short_title="NQ 1")
    january = f.period("month", 2021, 1)
    report = services.report_start(organization=org_a, period=january, by=secretary_a)
    assert report.study_lines.count() == 1
    before = _reports_state()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(ReportVersion.objects, "create", broken)
    data = {
        "non_member_headcount": 30,
        "cells_total": 1,
        "cell_meetings_held": 1,
        "results_text": "Đã làm.",
        "shortcomings_text": "Còn chậm.",
        "directions_text": "Làm tiếp.",
    }
    lines = {
        resolution.pk: {"members_studied": 0, "members_total": 0, "masses_studied": 30, "masses_total": 30}
    }
    with pytest.raises(RuntimeError):
        services.report_submit(
            report=report, by=secretary_a, revision=report.revision, data=data, lines=lines
        )

    assert _reports_state() == before
    stored = PeriodicReport.objects.get(pk=report.pk)
    assert stored.status == ReportStatus.DRAFT and stored.results_text == ""
    monkeypatch.undo()  # and once the fault is gone the same submission goes through whole
    services.report_submit(report=stored, by=secretary_a, revision=stored.revision, data=data, lines=lines)
    assert PeriodicReport.objects.get(pk=report.pk).versions.count() == 1
