"""Deterministic data at the Bloc's size and beyond, for benchmarks (``manage.py generate_scale --factor N``).

Factor 1 ≈ the Bloc: 76 organisations, ~5,000 members, five years (this year and the four before) of events,
yearly records and reports; factor 10 ≈ a province; factor 100 = 7,600 organisations and ~500,000 members.
Everything goes in with ``bulk_create`` (no per-row save, no history rows), and stays consistent: a member's
status is what their events say (``members.lifecycle.status_from_events``), counts come from the events.
Organisations are coded "S00001"… so they never collide with the demo's "01"…"76".
"""

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from members.lifecycle import probation_ends_on, status_from_events
from members.models import EventKind, Gender, Member, MemberEvent
from organizations.models import Cell, Kind, Organization, OrganizationYear, Rating, UnitType
from reports.models import PeriodicReport, ReportStatus, Resolution, StudyLine
from reports.periods import periods_ensure

ORGS_PER_FACTOR = 76
MEMBERS_PER_ORG = 66  # 76 × 66 ≈ 5,000
YEARS = 5
BATCH = 5000
PREFIX = "S"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Hồng"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hòa", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam",
         "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Việt", "Yến"]  # fmt: skip
UNIT_TYPES = (
    [UnitType.CO_QUAN_HANH_CHINH] * 4
    + [UnitType.SU_NGHIEP_CONG_LAP] * 3
    + [
        UnitType.DN_NHA_NUOC,
        UnitType.DN_NHA_NUOC_THIEU_SO,
        UnitType.DN_NGOAI_NHA_NUOC,
    ]
)
GRADES = [Rating.HTXSNV] + [Rating.HTTNV] * 7 + [Rating.HTNV] * 2


@dataclass
class Summary:
    organizations: int = 0
    members: int = 0
    events: int = 0
    reports: int = 0
    study_lines: int = 0
    seconds: float = 0.0


class _Event:  # what status_from_events needs
    def __init__(self, kind):
        self.kind = kind


def existing_factor() -> int:
    """How many organisations of a generated set the database holds (0: none)."""
    return Organization.objects.filter(code__startswith=PREFIX).count()


def generate(factor: float, *, seed: int = 2021, today: dt.date | None = None, log=print) -> Summary:
    """Build the data set for `factor` (idempotent per factor: refuses if generated data is already there)."""
    started = time.monotonic()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    first_year = today.year - YEARS + 1
    n_orgs = max(1, round(ORGS_PER_FACTOR * factor))
    summary = Summary()

    def step(label, t0):
        log(f"  {label}: {time.monotonic() - t0:.1f} s")
        return time.monotonic()

    with transaction.atomic():
        t = time.monotonic()
        orgs = [
            Organization(
                code=f"{PREFIX}{i:05d}",
                name=f"Đảng bộ đơn vị số {i}",
                kind=Kind.DANG_BO_CO_SO if i % 3 else Kind.CHI_BO_CO_SO,
                unit_type=UNIT_TYPES[i % len(UNIT_TYPES)],
                joined_on=dt.date(2010, 1, 1),
                congress_held_on=dt.date(2020, 5, 1) + dt.timedelta(days=i % 120),
            )
            for i in range(1, n_orgs + 1)
        ]
        orgs = Organization.objects.bulk_create(orgs, batch_size=BATCH)
        if orgs[0].pk is None:  # SQLite before 3.35 would not return ids
            orgs = list(Organization.objects.filter(code__startswith=PREFIX).order_by("code"))
        Cell.objects.bulk_create(
            [Cell(organization=o, name="Chi bộ 1") for o in orgs if o.kind == Kind.DANG_BO_CO_SO],
            batch_size=BATCH,
        )
        OrganizationYear.objects.bulk_create(
            [
                OrganizationYear(
                    organization=o,
                    year=y,
                    non_member_headcount=rng.randint(20, 400),
                    party_rating=rng.choice(GRADES) if y < today.year else "",
                    professional_rating=rng.choice(GRADES) if y < today.year else "",
                    enterprise_effective=(rng.random() < 0.9) if o.is_enterprise and y < today.year else None,
                    theme_text=f"Chủ đề năm {y}" if rng.random() < 0.97 else "",
                )
                for o in orgs
                for y in range(first_year, today.year + 1)
            ],
            batch_size=BATCH,
        )
        summary.organizations = len(orgs)
        t = step(f"{len(orgs)} organisations, cells, yearly records", t)

        members, member_events = [], []
        for o in orgs:
            for _ in range(MEMBERS_PER_ORG):
                ceremony = dt.date(rng.randint(1975, today.year), rng.randint(1, 12), rng.randint(1, 28))
                if ceremony > today - dt.timedelta(days=15):
                    ceremony = today - dt.timedelta(days=rng.randint(15, 400))
                decided = ceremony - dt.timedelta(days=rng.randint(5, 20))
                anniversary = probation_ends_on(ceremony)
                full = anniversary if anniversary <= today and rng.random() < 0.97 else None
                kinds = [EventKind.ADMITTED] + ([EventKind.FULL_MEMBER] if full else [])
                exit_kind = None
                if full and rng.random() < 0.04:
                    exit_kind = rng.choice([EventKind.DIED, EventKind.TRANSFER_OUT, EventKind.REMOVED])
                    kinds.append(exit_kind)
                member = Member(
                    full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    birth_date=dt.date(
                        ceremony.year - rng.randint(19, 35), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    gender=rng.choice([Gender.NAM, Gender.NU]),
                    organization=o,
                    admission_decided_on=decided,
                    ceremony_on=ceremony,
                    full_member_on=full,
                    status=status_from_events([_Event(k) for k in kinds], full),
                )
                members.append(member)
                events = [(EventKind.ADMITTED, ceremony, decided)]
                if full:
                    events.append((EventKind.FULL_MEMBER, full, full + dt.timedelta(days=rng.randint(0, 20))))
                if exit_kind:
                    start = max(full, dt.date(first_year, 1, 1))
                    day = start + dt.timedelta(days=rng.randint(0, max((today - start).days, 0)))
                    events.append((exit_kind, day, day))
                member_events.append(events)
        created = Member.objects.bulk_create(members, batch_size=BATCH)
        summary.members = len(created)
        t = step(f"{len(created)} members", t)
        rows = []
        for member, events in zip(created, member_events, strict=True):
            for kind, effective, decided in events:
                rows.append(
                    MemberEvent(
                        member_id=member.pk,
                        organization_id=member.organization_id,
                        kind=kind,
                        effective_on=effective,
                        decided_on=min(decided, today) if kind != EventKind.FULL_MEMBER else decided,
                        transfer_scope="chinh_thuc" if kind == EventKind.TRANSFER_OUT else "",
                        counterpart_text="Ngoài Khối" if kind == EventKind.TRANSFER_OUT else "",
                    )
                )
        MemberEvent.objects.bulk_create(rows, batch_size=BATCH)
        summary.events = len(rows)
        t = step(f"{len(rows)} events", t)

        reports, lines_for = [], []
        resolutions = {}
        for y in range(first_year, today.year + 1):
            resolutions[y] = list(Resolution.objects.filter(year=y, required=True))
            if not resolutions[y]:
                resolutions[y] = [
                    Resolution.objects.create(
                        year=y, title=f"Nghị quyết số {k} năm {y}", short_title=f"NQ {k}", order=k
                    )
                    for k in (1, 2)
                ]
        periods = []
        for y in range(first_year, today.year + 1):
            for p in periods_ensure(y):
                if p.due_on > today:
                    continue
                if p.kind in ("quarter", "year") or (p.kind == "month" and y >= today.year - 1):
                    periods.append(p)
        for o in orgs:
            for p in periods:
                roll = rng.random()
                if roll < 0.06:
                    continue  # missing
                late = roll > 0.85
                due = timezone.make_aware(dt.datetime.combine(p.due_on, dt.time(9)))
                submitted = (
                    due + dt.timedelta(days=rng.randint(1, 20))
                    if late
                    else due - dt.timedelta(days=rng.randint(0, 4))
                )
                reports.append(
                    PeriodicReport(
                        organization=o,
                        period=p,
                        status=ReportStatus.ACCEPTED if rng.random() < 0.8 else ReportStatus.SUBMITTED,
                        revision=1,
                        members_total=MEMBERS_PER_ORG,
                        admissions=rng.randint(0, 3),
                        full_memberships=rng.randint(0, 3),
                        transfers_in=0,
                        transfers_out=0,
                        non_member_headcount=rng.randint(20, 400),
                        cells_total=1,
                        cell_meetings_held=1,
                        results_text="Hoàn thành kế hoạch.",
                        first_submitted_at=submitted,
                        submitted_at=submitted,
                    )
                )
                lines_for.append(p.kind != "month")
        created_reports = PeriodicReport.objects.bulk_create(reports, batch_size=BATCH)
        summary.reports = len(created_reports)
        t = step(f"{len(created_reports)} reports", t)
        lines = []
        for report, with_lines in zip(created_reports, lines_for, strict=True):
            if not with_lines:
                continue
            for resolution in resolutions[report.period.year]:
                total = report.members_total
                masses = report.non_member_headcount
                lines.append(
                    StudyLine(
                        report_id=report.pk,
                        resolution=resolution,
                        members_studied=total - (1 if rng.random() < 0.1 else 0),
                        members_total=total,
                        masses_studied=int(masses * rng.uniform(0.85, 1)),
                        masses_total=masses,
                    )
                )
        StudyLine.objects.bulk_create(lines, batch_size=BATCH)
        summary.study_lines = len(lines)
        step(f"{len(lines)} study lines", t)
    summary.seconds = time.monotonic() - started
    return summary
