"""The maintained figures of the periodic reports (issue 20): ``ReportTally``, one row for each (organisation,
period) the organisation owes, with the local day of its report's first submission.

Kept exact in the same transaction as every write that can change it, by recomputing the few rows the write
touches from the raw records (``refresh``), never by adding and subtracting:

- a report saved (started, saved as a draft, submitted, returned, accepted — ``PeriodicReport`` post_save):
  its organisation × its period;
- a period made (``periods_create``, ``ReportingPeriod`` post_save): that period × every organisation;
- a membership spell of the Bloc made, changed or removed (``organizations.services``: create, edit, import,
  leave, return — ``BlocMembership`` post_save / post_delete): that organisation × every period.

The signals are connected in ``ReportsConfig.ready`` (``organizations`` is a lower layer and may not call
``reports``). Writes that bypass ``save()`` (``bulk_create``, ``QuerySet.update``: the demo's loaders and the
benchmark generator) call ``rebuild()`` when they are done. ``manage.py tally_check`` compares every row with a
recomputation from the raw records (``differences``) and with ``--fix`` rewrites them.

Who owes what and the local day of a submission are ``reports.timeliness``'s (``owes_report``, ``owes_q``,
``submitted_on``); on time or late is decided when the rows are read, against the period's due date of that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from organizations.models import BlocMembership, Organization

from .models import PeriodicReport, ReportingPeriod, ReportTally
from .timeliness import owes_q, owes_report, submitted_on

Key = tuple[int, int]  # (organization_id, period_id)


# --- recomputing from the raw records ---------------------------------------------------------------------------


def expected_rows(
    periods: list[ReportingPeriod], organization: Organization | None = None
) -> dict[Key, object]:
    """What the tally of `periods` (for one `organization`, or every one) must hold, from the raw records:
    {(organisation, period): first submission's local day or None} for every pair owed."""
    if not periods:
        return {}
    if organization is not None:
        # Read the spells afresh: the instance may remember the ones it had before this write.
        org = Organization.objects.prefetch_related("spells").get(pk=organization.pk)
        owed = [(org.pk, p.pk) for p in periods if owes_report(org, p)]
    else:
        owed = [
            (org_id, p.pk)
            for p in periods
            for org_id in Organization.objects.filter(owes_q(p)).values_list("pk", flat=True)
        ]
    reports = PeriodicReport.objects.filter(period__in=[p.pk for p in periods]).exclude(
        first_submitted_at=None
    )
    if organization is not None:
        reports = reports.filter(organization_id=organization.pk)
    first = {
        (org_id, period_id): at
        for org_id, period_id, at in reports.values_list("organization_id", "period_id", "first_submitted_at")
    }
    return {key: submitted_on(first.get(key)) for key in owed}


def stored_rows(periods: list[ReportingPeriod], organization: Organization | None = None) -> dict[Key, tuple]:
    """{(organisation, period): (row pk, submitted_on)} as stored."""
    rows = ReportTally.objects.filter(period__in=[p.pk for p in periods])
    if organization is not None:
        rows = rows.filter(organization_id=organization.pk)
    return {
        (org_id, period_id): (pk, day)
        for pk, org_id, period_id, day in rows.values_list(
            "pk", "organization_id", "period_id", "submitted_on"
        )
    }


#: Above this many changed rows ``_write`` deletes and inserts them instead of updating them in place.
BULK_REWRITE = 500


def _delete(pks: list[int], batch: int = 5000) -> None:
    """Delete the rows `pks` (derived figures, rebuilt from the raw records), a batch at a time (SQLite takes
    at most 32.766 parameters in a statement)."""
    for start in range(0, len(pks), batch):
        ReportTally.objects.filter(pk__in=pks[start : start + batch]).delete()


def _write(expected: dict[Key, object], stored: dict[Key, tuple]) -> int:
    """Make the stored rows `expected`; the number of rows changed."""
    gone = [pk for key, (pk, _day) in stored.items() if key not in expected]
    new = [
        ReportTally(organization_id=org_id, period_id=period_id, submitted_on=day)
        for (org_id, period_id), day in expected.items()
        if (org_id, period_id) not in stored
    ]
    changed = [key for key, day in expected.items() if key in stored and stored[key][1] != day]
    _delete(gone)
    if len(changed) > BULK_REWRITE:
        # Many rows (a rebuild after a bulk load): written anew rather than by bulk_update, whose one CASE branch
        # per row makes each statement's cost grow with its batch squared (hours for a country's 3 million rows).
        _delete([stored[key][0] for key in changed])
        rewritten = [
            ReportTally(organization_id=o, period_id=p, submitted_on=expected[(o, p)]) for o, p in changed
        ]
    else:
        rewritten = []
        ReportTally.objects.bulk_update(
            [ReportTally(pk=stored[key][0], submitted_on=expected[key]) for key in changed], ["submitted_on"],
            batch_size=5000,
        )  # fmt: skip
    if new or rewritten:
        # Two writers refreshing the same pair at once (a report saved while its organisation's spell changes)
        # compute the same row: the second one's insert waits for the first and is skipped, not an error.
        ReportTally.objects.bulk_create(new + rewritten, batch_size=5000, ignore_conflicts=True)
    return len(gone) + len(new) + len(changed)


@transaction.atomic
def refresh(periods: Iterable[ReportingPeriod], organization: Organization | None = None) -> int:
    """Recompute the rows of `periods` (of one `organization`, or of every one) from the raw records."""
    periods = list(periods)
    return _write(expected_rows(periods, organization), stored_rows(periods, organization))


def tally_refresh(organization: Organization, year: int) -> int:
    """Recompute one organisation's rows of one year exactly from the raw records."""
    return refresh(ReportingPeriod.objects.filter(year=year), organization)


# --- the check -------------------------------------------------------------------------------------------------

#: What ``manage.py tally_check`` compares with the raw records: (what, differences, repair) for each kind of
#: kept figure. The tallies below; apps above register theirs (``targets.consistency``: the cached figures).
CHECKS: list[tuple[str, object, object]] = []


def register_check(what: str, differences, repair) -> None:
    """Add a check to ``tally_check``: `differences()` lists each difference in words, `repair()` removes them."""
    if all(existing[0] != what for existing in CHECKS):
        CHECKS.append((what, differences, repair))


def _years() -> list[int]:
    return sorted(set(ReportingPeriod.objects.values_list("year", flat=True)))


def differences() -> list[str]:
    """Every difference between the stored rows and a recomputation from the raw records, in words (none: an
    empty list). One year at a time."""
    out = []
    for year in _years():
        periods = {p.pk: p for p in ReportingPeriod.objects.filter(year=year)}
        expected = expected_rows(list(periods.values()))
        stored = stored_rows(list(periods.values()))
        codes = dict(Organization.objects.values_list("pk", "code"))
        for key in sorted(expected.keys() | stored.keys()):
            org_id, period_id = key
            where = f"{codes.get(org_id, org_id)} × {periods[period_id].label}"
            if key not in stored:
                out.append(f"Báo cáo: thiếu dòng {where} (nộp ngày {_day(expected[key])})")
            elif key not in expected:
                out.append(f"Báo cáo: thừa dòng {where} (tổ chức không phải nộp kỳ này)")
            elif stored[key][1] != expected[key]:
                out.append(
                    f"Báo cáo: {where} ghi nộp ngày {_day(stored[key][1])}, đúng là {_day(expected[key])}"
                )
    orphans = ReportTally.objects.exclude(period__year__in=_years()).count()
    if orphans:
        out.append(f"Báo cáo: {orphans} dòng không thuộc năm nào")
    return out


def _day(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "chưa nộp"


@transaction.atomic
def rebuild() -> int:
    """Recompute every row from the raw records (after bulk writes; ``tally_check --fix``); rows changed."""
    changed = 0
    for year in _years():
        changed += refresh(ReportingPeriod.objects.filter(year=year))
    return changed


# --- kept in the writers' transaction ---------------------------------------------------------------------------


def _report_saved(sender, instance: PeriodicReport, raw=False, **kwargs):
    if raw:
        return
    # A report's row holds only the day of its first submission: a draft saved as the secretary types leaves it
    # as it is, so one lookup decides (a row missing for a pair owed shows up in ``tally_check``).
    stored = (
        ReportTally.objects.filter(organization_id=instance.organization_id, period_id=instance.period_id)
        .values_list("submitted_on", flat=True)
        .first()
    )
    if stored == submitted_on(instance.first_submitted_at):
        return
    refresh([instance.period], Organization(pk=instance.organization_id))


def _period_saved(sender, instance: ReportingPeriod, raw=False, update_fields=None, **kwargs):
    # Only a period's bounds decide who owes it; its due date is read when counting.
    if raw or (update_fields and set(update_fields) <= {"due_on"}):
        return
    refresh([instance])


def _spell_changed(sender, instance: BlocMembership, raw=False, **kwargs):
    if raw:
        return
    refresh(ReportingPeriod.objects.all(), Organization(pk=instance.organization_id))


def connect() -> None:
    register_check("Số liệu tổng hợp báo cáo định kỳ (đúng hạn, muộn, chưa nộp)", differences, rebuild)
    post_save.connect(_report_saved, sender=PeriodicReport, dispatch_uid="report_tally_report")
    post_save.connect(_period_saved, sender=ReportingPeriod, dispatch_uid="report_tally_period")
    post_save.connect(_spell_changed, sender=BlocMembership, dispatch_uid="report_tally_spell")
    post_delete.connect(_spell_changed, sender=BlocMembership, dispatch_uid="report_tally_spell_delete")
