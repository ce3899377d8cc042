"""Deterministic data at the Bloc's size and beyond, for benchmarks (``manage.py generate_scale --factor N``).

Factor 1 ≈ the Bloc: 76 organisations, ~5,000 members, five years (this year and the four before) of yearly
records, reports and study lines; factor 10 ≈ a province; factor 100 = 7,600 organisations and ~500,000
members. Everything goes in with ``bulk_create`` (no per-row save, no signals, no history rows) and stays
consistent: a member's status is what their events say (``members.lifecycle.status_from_events``), and a
report's registry figures (members at period end, admissions and full memberships by decision date,
transfers) are counted from the same events, the way ``reports.selectors.registry_figures`` counts them.
Organisations are coded "S00001"… so they never collide with the demo's "01"…"76"; the secretaries of a few
of them are users ``scale_bithu_s00001``… (no usable password: benchmarks log them in with force_login).
"""

import datetime as dt
import random
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils import timezone

from members.lifecycle import probation_ends_on, status_from_events
from members.models import ROLL_IN_KINDS, ROLL_OUT_KINDS, EventKind, Gender, Member, MemberEvent
from organizations.access import SECRETARY
from organizations.models import (
    BlocMembership,
    Cell,
    Congress,
    Kind,
    Officer,
    OfficerTitle,
    Organization,
    OrganizationYear,
    Rating,
    UnitType,
)
from reports import tallies
from reports.models import PeriodicReport, ReportKind, ReportStatus, Resolution, StudyLine
from reports.periods import periods_create
from targets.models import Comparator, Target

ORGS_PER_FACTOR = 76
MEMBERS_PER_ORG = 66  # 76 × 66 ≈ 5,000
YEARS = 5
BATCH = 5000
#: Organisations are generated (members, events, reports) this many at a time, to bound memory.
CHUNK = 500
PREFIX = "S"
SECRETARY_PREFIX = "scale_bithu_"
#: How many organisations get a secretary account (spread evenly, always including the middle one).
SECRETARIES = 10
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
EXITS = [EventKind.DIED, EventKind.TRANSFER_OUT, EventKind.REMOVED]
#: The congress targets set for every generated year that has none (indicator, comparator, value, wording).
TARGETS = [
    ("unit_professional_good", Comparator.GTE, 90, "90% trở lên các cơ quan, đơn vị hoàn thành tốt nhiệm vụ"),
    ("enterprise_effective", Comparator.GT, 90, "Trên 90% TCCSĐ trong doanh nghiệp lãnh đạo SXKD hiệu quả"),
    ("members_studied", Comparator.EQ, 100, "100% đảng viên được học tập nghị quyết"),
    ("masses_studied", Comparator.GT, 90, "Trên 90% quần chúng được học tập nghị quyết"),
    ("theme_adopted", Comparator.EQ, 100, "100% TCCSĐ xây dựng chủ đề năm"),
    ("admissions", Comparator.GTE, 0, "Kết nạp đảng viên mới"),
    ("org_rating_good", Comparator.GT, 90, "Trên 90% TCCSĐ hoàn thành tốt nhiệm vụ"),
]


@dataclass
class Summary:
    organizations: int = 0
    members: int = 0
    events: int = 0
    reports: int = 0
    study_lines: int = 0
    secretaries: int = 0
    seconds: float = 0.0


class _Event:  # what status_from_events needs
    def __init__(self, kind):
        self.kind = kind


def existing_factor() -> int:
    """How many organisations of a generated set the database holds (0: none)."""
    return Organization.objects.filter(code__startswith=PREFIX).count()


def unfinished() -> int:
    """How many generated organisations still wait for their members, events and reports (a run stopped midway;
    ``generate`` resumes it)."""
    return (
        Organization.objects.filter(code__startswith=PREFIX)
        .exclude(Exists(Member.objects.filter(organization=OuterRef("pk"))))
        .count()
    )


def secretary_username(code: str) -> str:
    return f"{SECRETARY_PREFIX}{code.lower()}"


def _purge(model: type[Model], qs: QuerySet, depth: int = 0) -> int:
    """Raw-delete `qs` and, first, every row that points at it (through any foreign key, hidden ones included).

    For generated benchmark data only: the portal itself never deletes (that is why this bypasses the models'
    ``delete()`` guards and the PROTECT foreign keys)."""
    if depth > 8:
        raise RuntimeError("relations nested too deeply")
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.concrete or not rel.auto_created or not (rel.one_to_many or rel.one_to_one):
            continue
        child = rel.related_model
        _purge(child, child._base_manager.filter(**{f"{rel.field.name}__in": qs.values("pk")}), depth + 1)
    return qs._raw_delete(qs.db)  # noqa: SLF001


def reset(log: Callable[[str], None] = print) -> None:
    """Remove a generated data set (organisations coded S…, everything attached to them, the generated
    secretaries, and the resolutions and targets made for the generated years)."""
    started = time.monotonic()
    with transaction.atomic():
        users = get_user_model()
        _purge(users, users.objects.filter(username__startswith=SECRETARY_PREFIX))
        _purge(Organization, Organization.objects.filter(code__startswith=PREFIX))
        generated = Resolution.objects.filter(title__startswith="Nghị quyết sinh tự động")
        _purge(Resolution, generated)
        _purge(Target, Target.objects.filter(wording__endswith="(sinh tự động)"))
    log(f"  reset: {time.monotonic() - started:.1f} s")


def _resolutions(first_year: int, last_year: int) -> dict[int, list[Resolution]]:
    by_year = {}
    for y in range(first_year, last_year + 1):
        found = list(Resolution.objects.filter(year=y, required=True).order_by("order", "pk"))
        if not found:
            Resolution.objects.bulk_create(
                [
                    Resolution(
                        year=y,
                        title=f"Nghị quyết sinh tự động số {k} năm {y}",
                        short_title=f"NQ {k}/{y}",
                        order=k,
                        required=True,
                    )
                    for k in (1, 2)
                ]
            )
            found = list(Resolution.objects.filter(year=y, required=True).order_by("order", "pk"))
        by_year[y] = found
    return by_year


def _targets(first_year: int, last_year: int, admissions_per_year: int) -> None:
    rows = []
    for y in range(first_year, last_year + 1):
        if Target.objects.filter(year=y).exists():
            continue
        for order, (code, comparator, value, wording) in enumerate(TARGETS, start=1):
            if code == "admissions":
                value = admissions_per_year
            rows.append(
                Target(year=y, indicator=code, comparator=comparator, value=value, order=order,
                       wording=f"{wording} (sinh tự động)")
            )  # fmt: skip
    Target.objects.bulk_create(rows)


def _secretaries(orgs: list[Organization]) -> int:
    count = min(SECRETARIES, len(orgs))
    picks = sorted({len(orgs) // 2, *(round(i * (len(orgs) - 1) / max(count - 1, 1)) for i in range(count))})
    users = get_user_model()
    created = users.objects.bulk_create(
        [users(username=secretary_username(orgs[i].code), password="!", first_name="Bí thư") for i in picks]
    )
    if created and created[0].pk is None:
        created = list(users.objects.filter(username__startswith=SECRETARY_PREFIX).order_by("username"))
    group = Group.objects.get(name=SECRETARY)
    group.user_set.add(*created)
    Officer.objects.bulk_create(
        [
            Officer(user=u, organization=orgs[i], title=OfficerTitle.BI_THU)
            for u, i in zip(created, picks, strict=True)
        ]
    )
    return len(created)


class _Roll:
    """One organisation's event dates, sorted: registry figures for any period by bisection."""

    def __init__(self):
        self.roll_in, self.roll_out, self.admitted, self.full, self.t_in, self.t_out = [], [], [], [], [], []

    def add(self, kind: str, effective: dt.date, decided: dt.date | None) -> None:
        if kind in ROLL_IN_KINDS:
            self.roll_in.append(effective)
        if kind in ROLL_OUT_KINDS:
            self.roll_out.append(effective)
        if kind == EventKind.ADMITTED:
            self.admitted.append(decided or effective)
        elif kind == EventKind.FULL_MEMBER:
            self.full.append(decided or effective)
        elif kind == EventKind.TRANSFER_IN:
            self.t_in.append(effective)
        elif kind == EventKind.TRANSFER_OUT:
            self.t_out.append(effective)

    def sort(self) -> None:
        for dates in (self.roll_in, self.roll_out, self.admitted, self.full, self.t_in, self.t_out):
            dates.sort()

    def figures(self, start: dt.date, end: dt.date) -> dict[str, int]:
        def within(dates):
            return bisect_right(dates, end) - bisect_left(dates, start)

        return {
            "members_total": max(bisect_right(self.roll_in, end) - bisect_right(self.roll_out, end), 0),
            "admissions": within(self.admitted),
            "full_memberships": within(self.full),
            "transfers_in": within(self.t_in),
            "transfers_out": within(self.t_out),
        }


def generate(
    factor: float,
    *,
    seed: int = 2021,
    today: dt.date | None = None,
    log: Callable[[str], None] = print,
    chunks: int | None = None,
) -> Summary:
    """Build the data set for `factor`, or resume one stopped midway, in parts: the organisations, their yearly
    records and the periods first (one transaction), then each chunk of ``CHUNK`` organisations — members,
    events, reports, study lines — in a transaction of its own with a random generator of its own (seeded by the
    seed and the chunk), so a run stopped (or limited to `chunks` chunks) and run again gives the same data as one
    run. The tallies are rebuilt once every chunk is in. The caller checks that no other set is there."""
    started = time.monotonic()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    first_year = today.year - YEARS + 1
    n_orgs = max(1, round(ORGS_PER_FACTOR * factor))
    summary = Summary()
    clock = {"t": time.monotonic()}

    def step(label):
        now = time.monotonic()
        log(f"  {label}: {now - clock['t']:.1f} s (tổng {now - started:.0f} s)")
        clock["t"] = now

    existing = existing_factor()
    if existing and existing != n_orgs:
        raise ValueError(f"{existing} generated organisations are there, not {n_orgs}: reset first")
    if existing:
        step(f"tiếp tục: {unfinished()} tổ chức chưa có đảng viên")
    else:
        _organizations(rng, n_orgs, today, first_year, summary)
        step(f"{n_orgs} tổ chức, chi bộ, số liệu năm, {summary.secretaries} bí thư")
    orgs = list(Organization.objects.filter(code__startswith=PREFIX).order_by("code"))
    summary.organizations = len(orgs)
    headcount = {
        (org_id, y): n
        for org_id, y, n in OrganizationYear.objects.filter(
            organization__code__startswith=PREFIX
        ).values_list("organization_id", "year", "non_member_headcount")
    }
    resolutions = _resolutions(first_year, today.year)
    _targets(first_year, today.year, admissions_per_year=max(1, round(100 * factor)))
    periods = []
    for y in range(first_year, today.year + 1):
        for p in periods_create(year=y):
            if p.due_on > today:
                continue
            if p.kind in (ReportKind.QUARTER, ReportKind.YEAR) or (
                p.kind == ReportKind.MONTH and y >= today.year - 1
            ):
                periods.append(p)
    done = set(
        Member.objects.filter(organization__code__startswith=PREFIX)
        .order_by()  # no default ordering in the DISTINCT (5 million members at factor 1000)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    made = 0
    for first in range(0, len(orgs), CHUNK):
        chunk = orgs[first : first + CHUNK]
        if chunk[0].pk in done:  # made by an earlier run (each chunk goes in whole or not at all)
            continue
        if chunks is not None and made >= chunks:
            step(f"dừng sau {made} phần; chạy lại lệnh (không --reset) để tiếp tục")
            return summary
        _chunk(
            random.Random(f"{seed}:{first}"),
            chunk,
            periods,
            resolutions,
            headcount,
            today,
            first_year,
            summary,
        )
        made += 1
        step(
            f"tổ chức {first + 1}–{first + len(chunk)}: {summary.members} đảng viên, {summary.events} sự kiện, "
            f"{summary.reports} báo cáo, {summary.study_lines} dòng học tập"
        )
    # Everything went in with bulk_create (no save, no signal): the punctuality tallies follow it now.
    tallies.rebuild()
    step("số liệu tổng hợp báo cáo")
    summary.seconds = time.monotonic() - started
    return summary


@transaction.atomic
def _organizations(
    rng: random.Random, n_orgs: int, today: dt.date, first_year: int, summary: Summary
) -> None:
    """The organisations with their Bloc spells, congresses, cells, yearly records and secretaries."""
    orgs = [
        Organization(
            code=f"{PREFIX}{i:05d}",
            name=f"Đảng bộ đơn vị số {i}",
            kind=Kind.DANG_BO_CO_SO if i % 3 else Kind.CHI_BO_CO_SO,
            unit_type=UNIT_TYPES[i % len(UNIT_TYPES)],
            joined_on=dt.date(2010, 1, 1),
        )
        for i in range(1, n_orgs + 1)
    ]
    orgs = Organization.objects.bulk_create(orgs, batch_size=BATCH)
    if orgs[0].pk is None:  # SQLite before 3.35 would not return ids
        orgs = list(Organization.objects.filter(code__startswith=PREFIX).order_by("code"))
    BlocMembership.objects.bulk_create(
        [BlocMembership(organization=o, joined_on=o.joined_on) for o in orgs], batch_size=BATCH
    )
    Congress.objects.bulk_create(
        [
            Congress(
                organization=o, term_start=2020, held_on=dt.date(2020, 5, 1) + dt.timedelta(days=i % 120)
            )
            for i, o in enumerate(orgs, start=1)
        ],
        batch_size=BATCH,
    )
    Cell.objects.bulk_create(
        [Cell(organization=o, name="Chi bộ 1") for o in orgs if o.kind == Kind.DANG_BO_CO_SO],
        batch_size=BATCH,
    )
    headcount = {}
    year_rows = []
    for o in orgs:
        for y in range(first_year, today.year + 1):
            headcount[(o.pk, y)] = rng.randint(20, 400)
            year_rows.append(
                OrganizationYear(
                    organization=o,
                    year=y,
                    non_member_headcount=headcount[(o.pk, y)],
                    party_rating=rng.choice(GRADES) if y < today.year else "",
                    professional_rating=rng.choice(GRADES) if y < today.year else "",
                    enterprise_effective=(rng.random() < 0.9) if o.is_enterprise and y < today.year else None,
                    theme_text=f"Chủ đề năm {y}" if rng.random() < 0.97 else "",
                )
            )
    OrganizationYear.objects.bulk_create(year_rows, batch_size=BATCH)
    del year_rows
    summary.secretaries = _secretaries(orgs)


@transaction.atomic
def _chunk(rng, chunk, periods, resolutions, headcount, today, first_year, summary: Summary) -> None:
    """One chunk of organisations' members, events, reports and study lines (whole or not at all)."""
    rolls = {o.pk: _Roll() for o in chunk}
    members, member_events = [], []
    for o in chunk:
        for _ in range(MEMBERS_PER_ORG):
            member, events = _member(rng, o, today, first_year)
            members.append(member)
            member_events.append(events)
            for kind, effective, decided in events:
                rolls[o.pk].add(kind, effective, decided)
    created = Member.objects.bulk_create(members, batch_size=BATCH)
    rows = [
        MemberEvent(
            member_id=member.pk,
            organization_id=member.organization_id,
            kind=kind,
            effective_on=effective,
            decided_on=decided,
            transfer_scope="chinh_thuc" if kind == EventKind.TRANSFER_OUT else "",
            counterpart_text="Ngoài Khối" if kind == EventKind.TRANSFER_OUT else "",
        )
        for member, events in zip(created, member_events, strict=True)
        for kind, effective, decided in events
    ]
    MemberEvent.objects.bulk_create(rows, batch_size=BATCH)
    summary.members += len(created)
    summary.events += len(rows)
    del members, member_events, created, rows

    reports, lines_for = [], []
    for o in chunk:
        roll = rolls[o.pk]
        roll.sort()
        for p in periods:
            report = _report(rng, o, p, roll, headcount.get((o.pk, p.year)))
            if report is not None:
                reports.append(report)
    created_reports = PeriodicReport.objects.bulk_create(reports, batch_size=BATCH)
    for report in created_reports:
        for resolution in resolutions[report.period.year]:
            members_total, masses = report.members_total, report.non_member_headcount or 0
            lines_for.append(
                StudyLine(
                    report_id=report.pk,
                    resolution=resolution,
                    members_studied=max(0, members_total - (1 if rng.random() < 0.1 else 0)),
                    members_total=members_total,
                    masses_studied=int(masses * rng.uniform(0.85, 1)),
                    masses_total=masses,
                )
            )
    StudyLine.objects.bulk_create(lines_for, batch_size=BATCH)
    summary.reports += len(created_reports)
    summary.study_lines += len(lines_for)
    del reports, lines_for, created_reports


def _member(rng: random.Random, org: Organization, today: dt.date, first_year: int):
    """One member and their events (kind, effective date, decision date), in date order."""
    ceremony = dt.date(rng.randint(1975, today.year), rng.randint(1, 12), rng.randint(1, 28))
    if ceremony > today - dt.timedelta(days=15):
        ceremony = today - dt.timedelta(days=rng.randint(15, 400))
    decided = ceremony - dt.timedelta(days=rng.randint(5, 20))
    anniversary = probation_ends_on(ceremony)
    full = anniversary if anniversary <= today and rng.random() < 0.97 else None
    events = [(EventKind.ADMITTED, ceremony, decided)]
    if full:
        # The decision comes after the anniversary (it takes effect on it), never after today.
        events.append((EventKind.FULL_MEMBER, full, min(full + dt.timedelta(days=rng.randint(0, 20)), today)))
        if rng.random() < 0.04:
            start = max(full, dt.date(first_year, 1, 1))
            day = start + dt.timedelta(days=rng.randint(0, max((today - start).days, 0)))
            events.append((rng.choice(EXITS), day, day))
    member = Member(
        full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        birth_date=dt.date(ceremony.year - rng.randint(19, 35), rng.randint(1, 12), rng.randint(1, 28)),
        gender=rng.choice([Gender.NAM, Gender.NU]),
        organization=org,
        admission_decided_on=decided,
        ceremony_on=ceremony,
        full_member_on=full,
        status=status_from_events([_Event(kind) for kind, _, _ in events], full),
    )
    return member, events


def _report(rng: random.Random, org: Organization, period, roll: _Roll, headcount: int | None):
    """The organisation's report for a period that is due: mostly on time and accepted, some late, some missing."""
    chance = rng.random()
    if chance < 0.06:
        return None  # never submitted
    late = chance > 0.85
    due = timezone.make_aware(dt.datetime.combine(period.due_on, dt.time(9)))
    submitted = (
        due + dt.timedelta(days=rng.randint(1, 20)) if late else due - dt.timedelta(days=rng.randint(0, 4))
    )
    submitted = min(submitted, timezone.now())
    accepted = rng.random() < 0.8
    figures = roll.figures(period.starts_on, period.ends_on)
    cells = 1
    return PeriodicReport(
        organization=org,
        period=period,
        status=ReportStatus.ACCEPTED if accepted else ReportStatus.SUBMITTED,
        revision=2 if accepted else 1,
        registry_snapshot=figures,
        non_member_headcount=headcount,
        cells_total=cells,
        cell_meetings_held=cells,
        results_text="Hoàn thành kế hoạch của kỳ.",
        shortcomings_text="Một số chi bộ sinh hoạt chưa đều.",
        directions_text="Tiếp tục thực hiện kế hoạch của kỳ sau.",
        first_submitted_at=submitted,
        submitted_at=submitted,
        accepted_at=min(submitted + dt.timedelta(days=2), timezone.now()) if accepted else None,
        **figures,
    )
