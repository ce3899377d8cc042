"""Demo members: people, their whole lifecycle as events, candidates and yearly ratings.

Everything is simulated in Python first (a `Person` with its `Ev` list), then written with a few
``bulk_create`` calls. The article's 2020 figures hold by construction, not by luck:

* a cohort admitted in year Y has its decisions between 05/01 and 26/10 and its ceremonies 5–20 days later
  (10/01–15/11 of Y), so every 12-month anniversary falls in Y+1 between 10/01 and 15/11, and every
  full-membership decision (anniversary + 0…30 days) is still in Y+1;
* so admissions decided in 2020 = the 2020 cohort (147), and full memberships decided in 2020 = the 2019
  cohort (185) minus the 9 who left the roll during probation (176);
* later events (transfers, exemptions, deaths…) only happen to full members, and members who come from
  outside the Bloc arrive as full members, so no other FULL_MEMBER event exists.

Members admitted outside the Bloc have no ADMITTED event here (it is not an event of any of the Bloc's
organisations: it would put them on a roll twice); their three dates are on the member record.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from members.lifecycle import status_from_events
from members.models import (
    Candidate,
    EventKind,
    Gender,
    Member,
    MemberEvent,
    MemberRating,
    MemberStatus,
    TransferScope,
)
from organizations.models import Cell, Kind, Officer, Organization, OrganizationYear, Rating

from .organizations import explicit_timestamps, record_history

FAMILY = (
    ["Nguyễn"] * 9 + ["Trần"] * 4 + ["Lê"] * 4 + ["Phạm"] * 2 + ["Hoàng"] * 2
    + ["Huỳnh", "Phan", "Võ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Mai"]
)  # fmt: skip
MIDDLE = {
    Gender.NAM: ["Văn"] * 4 + ["Đức", "Minh", "Quốc", "Hữu", "Thanh", "Xuân", "Công", "Đình", "Anh", "Ngọc"],
    Gender.NU: ["Thị"] * 5 + ["Ngọc", "Thanh", "Thu", "Minh", "Xuân", "Kim", "Thùy", "Mỹ", "Hồng"],
}
GIVEN = {
    Gender.NAM: [
        "An", "Bình", "Dũng", "Hải", "Hòa", "Hùng", "Khánh", "Long", "Nam", "Phong", "Phúc", "Quang", "Sơn",
        "Trung", "Tuấn", "Việt", "Cường", "Đạt", "Hiếu", "Thắng", "Tùng", "Vinh", "Toàn", "Thành", "Huy",
        "Hoàng", "Lâm", "Minh", "Tâm", "Khoa",
    ],
    Gender.NU: [
        "Châu", "Hà", "Hạnh", "Hiền", "Hương", "Lan", "Linh", "Mai", "Nga", "Tâm", "Thảo", "Trang", "Vân",
        "Yến", "Nhung", "Hoa", "Thủy", "Phương", "Dung", "Loan", "Hằng", "Huyền", "Ngân", "Oanh", "Khánh",
    ],
}  # fmt: skip
OUTSIDE_UNITS = [
    "Đảng bộ huyện Cam Lộ",
    "Đảng bộ huyện Gio Linh",
    "Đảng bộ huyện Hải Lăng",
    "Đảng bộ huyện Triệu Phong",
    "Đảng bộ huyện Vĩnh Linh",
    "Đảng bộ thành phố Đông Hà",
    "Đảng bộ thị xã Quảng Trị",
    "Đảng bộ Quân sự tỉnh",
    "Đảng bộ Công an tỉnh",
    "Đảng bộ Khối Các cơ quan và Doanh nghiệp tỉnh Thừa Thiên Huế",
    "Đảng bộ Khối Các cơ quan và Doanh nghiệp tỉnh Quảng Bình",
    "Đảng bộ Trường Đại học Huế",
]

#: Cohort sizes by admission year. 2019 and 2020 are the article's; the current year is computed.
COHORTS = {2019: 185, 2020: 147, 2021: 131, 2022: 138, 2023: 142, 2024: 135, 2025: 144}
#: Of each cohort, how many leave the roll during probation (never made full members). 2019: 185 − 176.
PROBATION_LOSSES = {2019: 9, 2020: 4, 2021: 3, 2022: 2, 2023: 3, 2024: 2, 2025: 2}
PROBATION_LOSS_KINDS = [
    EventKind.REMOVED,
    EventKind.TRANSFER_OUT,
    EventKind.REMOVED,
    EventKind.LEFT,
    EventKind.TRANSFER_OUT,
    EventKind.DIED,
    EventKind.REMOVED,
    EventKind.TRANSFER_OUT,
    EventKind.LEFT,
]
#: Events per full year among full members, 2020 onwards (the current year pro rata).
YEARLY_EVENTS = {
    "noi_bo": 12,
    "out": 18,
    "in": 22,
    EventKind.EXEMPTED: 8,
    EventKind.DIED: 5,
    EventKind.REMOVED: 2,
    EventKind.LEFT: 1,
    EventKind.EXPELLED: 1,
}
#: Target the current year's admissions are measured against; the demo stays a little behind it.
CURRENT_YEAR_ADMISSIONS_TARGET = 130
TZ = ZoneInfo(settings.TIME_ZONE)
OVERDUE_PROBATIONS = 5

FIRST_DECISION = (1, 5)  # (month, day)
LAST_DECISION = (10, 26)

ACTIVE = (MemberStatus.DU_BI, MemberStatus.CHINH_THUC, MemberStatus.MIEN_SINH_HOAT)
NOTES = {
    EventKind.REMOVED: "Bỏ sinh hoạt đảng nhiều kỳ không có lý do chính đáng; chi bộ đề nghị xóa tên.",
    EventKind.LEFT: "Xin ra khỏi Đảng vì lý do gia đình.",
    EventKind.EXPELLED: "Vi phạm tư cách đảng viên, bị kỷ luật khai trừ.",
    EventKind.DIED: "Từ trần do bệnh nặng.",
    EventKind.EXEMPTED: "Tuổi cao, sức khỏe yếu; được miễn công tác và sinh hoạt đảng.",
}


@dataclass
class Ev:
    kind: str
    org: Organization
    effective_on: dt.date
    decided_on: dt.date
    transfer_scope: str = ""
    counterpart: Organization | None = None
    counterpart_text: str = ""
    note: str = ""
    decision_key: int | None = None  # events sharing a key share one decision number
    decision_no: str = ""


@dataclass
class Person:
    full_name: str
    birth_date: dt.date
    gender: str
    org: Organization
    cell: Cell | None = None
    admission_decided_on: dt.date | None = None
    ceremony_on: dt.date | None = None
    full_member_on: dt.date | None = None
    card_number: str = ""
    events: list[Ev] = field(default_factory=list)
    cohort: int | None = None
    full_resolution_on: dt.date | None = None
    #: No later event may be attached before this date (or at all once `busy`).
    free_from: dt.date | None = None
    busy: bool = False
    candidate: Candidate | None = None
    member: Member | None = None

    @property
    def status(self) -> str | None:
        return status_from_events(self.events, self.full_member_on)

    def org_and_status_on(self, day: dt.date) -> tuple[Organization | None, str | None]:
        """Whose roll the person is on, and with which status, at the end of `day`."""
        org, status = None, None
        full = self.full_member_on if self.full_member_on and self.full_member_on <= day else None
        for ev in self.events:
            if ev.effective_on > day:
                break
            status = status_from_events([ev], full)
            if ev.kind in (EventKind.ADMITTED, EventKind.TRANSFER_IN):
                org = ev.org
        return org, status


@dataclass
class MemberWorld:
    persons: list[Person]
    today: dt.date

    def events(self):
        for p in self.persons:
            for ev in p.events:
                yield p, ev


def random_name(rng: random.Random, gender: str | None = None) -> tuple[str, str]:
    gender = gender or rng.choice([Gender.NAM, Gender.NU])
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}", gender


def anniversary(day: dt.date) -> dt.date:
    return day.replace(year=day.year + 1)  # ceremonies are never on 29/02 (see `_admission_dates`)


def _random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _admission_dates(rng: random.Random, year: int, last: dt.date | None = None) -> tuple[dt.date, dt.date]:
    first = dt.date(year, *FIRST_DECISION)
    end = dt.date(year, *LAST_DECISION)
    if last is not None:
        end = min(end, last)
    decided = _random_day(rng, first, end)
    ceremony = decided + dt.timedelta(days=rng.randint(5, 20))
    if (ceremony.month, ceremony.day) == (2, 29):
        ceremony += dt.timedelta(days=1)
    return decided, ceremony


def _current_year_window(today: dt.date) -> tuple[dt.date, float]:
    """Last admission decision date possible today (the ceremony must have happened) and the share of the
    usual admission window already elapsed."""
    year = today.year
    first, end = dt.date(year, *FIRST_DECISION), dt.date(year, *LAST_DECISION)
    last = min(end, today - dt.timedelta(days=21))
    if last < first:
        return last, 0.0
    return last, ((last - first).days + 1) / ((end - first).days + 1)


class _Builder:
    def __init__(self, rng: random.Random, orgs: list[Organization], today: dt.date):
        self.rng = rng
        self.orgs = orgs
        self.today = today
        self.cells = defaultdict(list)
        for cell in Cell.objects.filter(organization__in=orgs).order_by("organization__code", "name"):
            self.cells[cell.organization_id].append(cell)
        self.persons: list[Person] = []
        self.decision_keys = 0
        # Base size of each organisation: đảng bộ cơ sở are larger than chi bộ cơ sở.
        self.weights = [rng.randint(45, 110) if self.cells[org.pk] else rng.randint(12, 36) for org in orgs]

    def cell_for(self, org: Organization) -> Cell | None:
        cells = self.cells[org.pk]
        return self.rng.choice(cells) if cells else None

    def pick_org(self) -> Organization:
        return self.rng.choices(self.orgs, weights=self.weights)[0]

    def new_key(self) -> int:
        self.decision_keys += 1
        return self.decision_keys

    def person(self, org: Organization, ceremony_year: int) -> Person:
        rng = self.rng
        age = rng.choices(
            range(19, 41), weights=[3, 5, 8, 10, 10, 10, 9, 8, 7, 6, 5, 4, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1]
        )[0]
        name, gender = random_name(rng)
        birth = dt.date(ceremony_year - age, rng.randint(1, 12), rng.randint(1, 28))
        return Person(full_name=name, birth_date=birth, gender=gender, org=org, cell=self.cell_for(org))

    def admit(self, person: Person, decided: dt.date, ceremony: dt.date) -> None:
        person.admission_decided_on, person.ceremony_on = decided, ceremony
        person.events.append(
            Ev(EventKind.ADMITTED, person.org, effective_on=ceremony, decided_on=decided,
               note="Kết nạp đảng viên mới.")
        )  # fmt: skip

    def make_full(self, person: Person, max_delay: int = 30) -> bool:
        """Full membership dated on the anniversary, decided 0…`max_delay` days later, if that is past."""
        effective = anniversary(person.ceremony_on)
        decided = effective + dt.timedelta(days=self.rng.randint(0, max_delay))
        if decided >= self.today:
            return False
        person.full_member_on = effective
        person.events.append(
            Ev(EventKind.FULL_MEMBER, person.org, effective_on=effective, decided_on=decided,
               note="Công nhận đảng viên chính thức.")
        )  # fmt: skip
        person.free_from = decided + dt.timedelta(days=10)
        return True

    # --- the population -------------------------------------------------------------------------------

    def old_members(self) -> None:
        """Members admitted 1975–2018 in their organisation, all full members long since."""
        years = list(range(1975, 2019))
        year_weights = [1 if y < 1990 else 3 if y < 2000 else 6 for y in years]
        for org, size in zip(self.orgs, self.weights, strict=True):
            for _ in range(size):
                year = self.rng.choices(years, weights=year_weights)[0]
                p = self.person(org, year)
                decided, ceremony = _admission_dates(self.rng, year)
                self.admit(p, decided, ceremony)
                self.make_full(p)
                self.persons.append(p)

    def cohorts(self) -> None:
        today = self.today
        sizes = {y: n for y, n in COHORTS.items() if y < today.year}
        last, share = _current_year_window(today)
        # Slightly behind the pace the target asks for, so the dashboard has something to say.
        sizes[today.year] = round(CURRENT_YEAR_ADMISSIONS_TARGET * 0.92 * share)
        for year in range(2026, today.year):  # years after the demo was written: a plausible cohort
            sizes.setdefault(year, 130 + self.rng.randint(0, 15))
        for year, size in sorted(sizes.items()):
            cohort = []
            for _ in range(size):
                p = self.person(self.pick_org(), year)
                decided, ceremony = _admission_dates(self.rng, year, last if year == today.year else None)
                self.admit(p, decided, ceremony)
                p.cohort = year
                cohort.append(p)
            losses = PROBATION_LOSSES.get(year, 2 if year < today.year else 1)
            lost = self.rng.sample(cohort, min(losses, len(cohort)))
            for kind, p in zip(PROBATION_LOSS_KINDS * 2, lost, strict=False):
                start = p.ceremony_on + dt.timedelta(days=30)
                end = min(anniversary(p.ceremony_on) - dt.timedelta(days=1), today - dt.timedelta(days=3))
                if end < start:
                    continue
                self.leave(p, kind, _random_day(self.rng, start, end), outside=True)
            overdue = set()
            if year == today.year - 1:
                late = [
                    p for p in cohort
                    if not p.busy and anniversary(p.ceremony_on) + dt.timedelta(days=50) < today
                ]  # fmt: skip
                chosen = self.rng.sample(late, min(OVERDUE_PROBATIONS, len(late)))
                overdue = {id(p) for p in chosen}
                # Two of them have the cell's resolution (QĐ 24 §4.3.1): the committee above is the late one.
                waiting = [p for p in chosen if anniversary(p.ceremony_on) + dt.timedelta(days=90) < today]
                for p in waiting[:2]:
                    p.full_resolution_on = anniversary(p.ceremony_on) + dt.timedelta(days=10)
            for p in cohort:
                if p.busy or id(p) in overdue:
                    p.busy = True
                    continue
                self.make_full(p)
            self.persons.extend(cohort)

    def leave(self, p: Person, kind: str, day: dt.date, *, outside: bool) -> None:
        """`p` leaves the roll of their organisation on `day` (to outside the Bloc, for a transfer)."""
        ev = Ev(kind, p.org, effective_on=day, decided_on=day, note=NOTES.get(kind, ""))
        if kind == EventKind.TRANSFER_OUT:
            ev.decided_on = day - dt.timedelta(days=self.rng.randint(0, 5))
            ev.transfer_scope = TransferScope.CHINH_THUC
            ev.counterpart_text = self.rng.choice(OUTSIDE_UNITS)
            ev.note = "Chuyển công tác; chuyển sinh hoạt đảng chính thức."
        p.events.append(ev)
        p.busy = True

    def later_events(self) -> None:
        today = self.today
        for year in range(2020, today.year + 1):
            start = dt.date(year, 1, 1)
            end = min(dt.date(year, 12, 31), today - dt.timedelta(days=3))
            if end < start:
                continue
            share = ((end - start).days + 1) / 365
            for what, per_year in YEARLY_EVENTS.items():
                for _ in range(round(per_year * share)):
                    day = _random_day(self.rng, start, end)
                    if what == "in":
                        self.transfer_in(day)
                        continue
                    p = self.eligible(day, older=what in (EventKind.DIED, EventKind.EXEMPTED))
                    if p is None:
                        continue
                    if what == "noi_bo":
                        self.transfer_inside(p, day)
                    elif what == "out":
                        self.leave(p, EventKind.TRANSFER_OUT, day, outside=True)
                    else:
                        self.leave(p, what, day, outside=False)

    def eligible(self, day: dt.date, *, older: bool) -> Person | None:
        for _ in range(400):
            p = self.rng.choice(self.persons)
            if p.busy or p.free_from is None or p.free_from > day:
                continue
            if older and (day.year - p.birth_date.year) < 50:
                continue
            return p
        return None

    def transfer_inside(self, p: Person, day: dt.date) -> None:
        source = p.org
        target = self.pick_org()
        while target.pk == source.pk:
            target = self.pick_org()
        decided = day - dt.timedelta(days=self.rng.randint(0, 5))
        key = self.new_key()
        note = "Chuyển công tác trong Khối; chuyển sinh hoạt đảng nội bộ."
        p.events.append(
            Ev(EventKind.TRANSFER_OUT, source, day, decided, TransferScope.NOI_BO, counterpart=target,
               note=note, decision_key=key)
        )  # fmt: skip
        p.events.append(
            Ev(EventKind.TRANSFER_IN, target, day, decided, TransferScope.NOI_BO, counterpart=source,
               note=note, decision_key=key)
        )  # fmt: skip
        p.org, p.cell = target, self.cell_for(target)
        p.busy = True

    def transfer_in(self, day: dt.date) -> None:
        """A full member admitted elsewhere years ago arrives from outside the Bloc."""
        org = self.pick_org()
        year = self.rng.randint(1995, 2018)
        p = self.person(org, year)
        p.admission_decided_on, p.ceremony_on = _admission_dates(self.rng, year)
        p.full_member_on = anniversary(p.ceremony_on)
        decided = day - dt.timedelta(days=self.rng.randint(0, 5))
        p.events.append(
            Ev(EventKind.TRANSFER_IN, org, day, decided, TransferScope.CHINH_THUC,
               counterpart_text=self.rng.choice(OUTSIDE_UNITS), note="Tiếp nhận sinh hoạt đảng chính thức.")
        )  # fmt: skip
        p.free_from = day + dt.timedelta(days=30)
        self.persons.append(p)

    def numbers(self) -> None:
        """Decision numbers, running per year in date order, like the Bloc committee's register."""
        by_year = defaultdict(list)
        for p in self.persons:
            for ev in p.events:
                by_year[ev.decided_on.year].append(ev)
        cards = self.rng.sample(range(10_000, 999_999), len(self.persons))
        for _year, events in sorted(by_year.items()):
            events.sort(key=lambda e: (e.decided_on, e.decision_key or 0, e.kind))
            n = self.rng.randint(3, 12)
            shared = {}
            for ev in events:
                if ev.decision_key is not None and ev.decision_key in shared:
                    ev.decision_no = shared[ev.decision_key]
                    continue
                n += self.rng.randint(1, 3)
                ev.decision_no = f"{n}-QĐ/ĐUK"
                if ev.decision_key is not None:
                    shared[ev.decision_key] = ev.decision_no
        for p, number in zip(self.persons, cards, strict=True):
            if p.full_member_on:
                p.card_number = f"45.{number:06d}"


# --- writing ---------------------------------------------------------------------------------------------


def build_members(rng: random.Random, orgs: list[Organization], *, staff, today: dt.date) -> MemberWorld:
    """Simulate and write the members with their events; returns the simulation for the later steps."""
    b = _Builder(rng, orgs, today)
    b.old_members()
    b.cohorts()
    b.later_events()
    b.numbers()
    for p in b.persons:
        p.events.sort(key=lambda e: (e.effective_on, e.kind != EventKind.TRANSFER_OUT))
    _link_candidates(rng, b.persons, today, staff=staff)
    members = [
        Member(
            full_name=p.full_name,
            birth_date=p.birth_date,
            gender=p.gender,
            organization=p.org,
            cell=p.cell,
            card_number=p.card_number,
            admission_decided_on=p.admission_decided_on,
            ceremony_on=p.ceremony_on,
            full_member_on=p.full_member_on,
            full_resolution_on=p.full_resolution_on,
            status=p.status,
            candidate=p.candidate,
        )
        for p in b.persons
    ]
    Member.objects.bulk_create(members, batch_size=1000)
    record_history(Member, members, user=staff)
    events = []
    for p, m in zip(b.persons, members, strict=True):
        p.member = m
        for ev in p.events:
            events.append(
                MemberEvent(
                    member=m,
                    kind=ev.kind,
                    organization=ev.org,
                    effective_on=ev.effective_on,
                    decided_on=ev.decided_on,
                    decision_no=ev.decision_no,
                    transfer_scope=ev.transfer_scope,
                    counterpart=ev.counterpart,
                    counterpart_text=ev.counterpart_text,
                    note=ev.note,
                    recorded_by=staff,
                    # Recorded the working day the decision was taken (the demo's history, not today).
                    recorded_at=dt.datetime.combine(ev.decided_on, dt.time(9, 30), tzinfo=TZ),
                )
            )
    with explicit_timestamps(MemberEvent._meta.get_field("recorded_at")):
        MemberEvent.objects.bulk_create(events, batch_size=2000)
    _record_large_cell_decisions(b.persons, orgs, today)
    return MemberWorld(persons=b.persons, today=today)


def _record_large_cell_decisions(persons: list[Person], orgs: list[Organization], today: dt.date) -> None:
    """Điều lệ Đảng Art. 21.3: a chi bộ cơ sở with 30 members or more needs the superior committee's decision
    to stay one; the demo's large chi bộ cơ sở have it (units whose members work in one place)."""
    roll = defaultdict(int)
    for p in persons:
        if p.status in ACTIVE:
            roll[p.org.pk] += 1
    for number, org in enumerate(o for o in orgs if o.kind == Kind.CHI_BO_CO_SO and roll[o.pk] >= 30):
        org.large_cell_decision_no = f"{150 + 3 * number}-QĐ/ĐUK"
        org.large_cell_decision_on = dt.date(2020, 3, 2)
        org.save(update_fields=["large_cell_decision_no", "large_cell_decision_on"])


def _link_candidates(rng: random.Random, persons: list[Person], today: dt.date, *, staff) -> None:
    """Members admitted since 2024 come from a candidate record (status admitted)."""
    linked = [p for p in persons if p.cohort and p.cohort >= 2024]
    candidates = []
    for p in linked:
        certificate = p.admission_decided_on - dt.timedelta(days=rng.randint(90, 330))
        candidates.append(
            Candidate(
                full_name=p.full_name,
                birth_date=p.birth_date,
                gender=p.gender,
                organization=p.events[0].org,
                cell=p.cell if p.events[0].org.pk == p.org.pk else None,
                course_certificate_on=certificate,
                sponsors=f"{random_name(rng)[0]}, {random_name(rng)[0]}",
                status=Candidate.Status.ADMITTED,
            )
        )
    Candidate.objects.bulk_create(candidates, batch_size=1000)
    record_history(Candidate, candidates, user=staff)
    for p, c in zip(linked, candidates, strict=True):
        p.candidate = c


def build_candidates(rng: random.Random, world: MemberWorld, *, staff=None) -> int:
    """2–6 pending candidates per organisation, with their course certificate and two sponsors."""
    today = world.today
    roll = defaultdict(list)
    for p in world.persons:
        if p.status == MemberStatus.CHINH_THUC:
            roll[p.org.pk].append(p)
    orgs = {p.org.pk: p.org for p in world.persons}
    cells = defaultdict(list)
    for p in world.persons:
        if p.cell is not None and p.cell not in cells[p.org.pk]:
            cells[p.org.pk].append(p.cell)
    rows = []
    for org_id in sorted(orgs, key=lambda pk: orgs[pk].code):
        org = orgs[org_id]
        for _ in range(rng.randint(2, 6)):
            name, gender = random_name(rng)
            sponsors = rng.sample(roll[org_id], 2) if len(roll[org_id]) >= 2 else []
            certificate = today - dt.timedelta(days=rng.randint(20, 420)) if rng.random() < 0.85 else None
            rows.append(
                Candidate(
                    full_name=name,
                    birth_date=dt.date(
                        today.year - rng.randint(22, 35), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    gender=gender,
                    organization=org,
                    cell=rng.choice(cells[org_id]) if cells[org_id] else None,
                    course_certificate_on=certificate,
                    sponsors=", ".join(s.full_name for s in sponsors),
                    note="" if certificate else "Chưa dự lớp bồi dưỡng nhận thức về Đảng.",
                )
            )
    Candidate.objects.bulk_create(rows)
    record_history(Candidate, rows, user=staff)
    return len(rows)


def build_ratings(rng: random.Random, world: MemberWorld, years: list[int], *, staff) -> int:
    """Member ratings for complete `years`: within an organisation HTXSNV ≤ 20% of those rated HTTNV
    (HD 21-HD/BTCTW §2.3), and a chi bộ cơ sở rated HTXSNV has every member HTNV or better and ≥ 80% HTTNV or
    better (§II.B.1.3). The random draws are the same whatever the rules trim, so the rest of the demo stays."""
    excellent_orgs = set(
        OrganizationYear.objects.filter(year__in=years, party_rating=Rating.HTXSNV).values_list(
            "organization_id", "year"
        )
    )
    rows = []
    for year in years:
        end = dt.date(year, 12, 31)
        by_org = defaultdict(list)
        for p in world.persons:
            if p.ceremony_on is None or p.ceremony_on > dt.date(year, 6, 30):
                continue
            org, status = p.org_and_status_on(end)
            if org is not None and status in (MemberStatus.DU_BI, MemberStatus.CHINH_THUC):
                by_org[org.pk].append((p, org))
        for org_id in sorted(by_org):
            rated = by_org[org_id]
            rng.shuffle(rated)
            n = len(rated)
            weak = sum(1 for _ in range(n) if rng.random() < 0.09)
            failing = 1 if weak and rng.random() < 0.15 else 0
            if (org_id, year) in excellent_orgs:
                weak, failing = min(weak, int(n * 0.2)), 0
            good = n - weak
            excellent = min(int(good * 0.2), round(good * rng.uniform(0.10, 0.19)))
            while excellent and excellent > int(0.2 * (good - excellent)):
                excellent -= 1
            grades = (
                [Rating.HTXSNV] * excellent
                + [Rating.HTTNV] * (good - excellent)
                + [Rating.HTNV] * (weak - failing)
                + [Rating.KHTNV] * failing
            )
            for (p, org), grade in zip(rated, grades, strict=True):
                rows.append(
                    MemberRating(member=p.member, organization=org, year=year, grade=grade, rated_by=staff)
                )
    MemberRating.objects.bulk_create(rows, batch_size=2000)  # no history rows: 10,000+ of them, never edited
    return len(rows)


def link_secretary_accounts(secretaries) -> int:
    """Each TCCSĐ secretary's account belongs to a member of their organisation (``Member.account``): its
    longest-standing full member, so the members' rating page shows the secretary's own report duties."""
    officers = Officer.objects.filter(user__in=secretaries, cell__isnull=True, is_active=True).order_by("pk")
    linked = []
    for officer in officers:
        member = (
            Member.objects.filter(organization_id=officer.organization_id, status=MemberStatus.CHINH_THUC)
            .order_by("ceremony_on", "pk")
            .first()
        )
        if member is not None:
            member.account_id = officer.user_id
            linked.append(member)
    Member.objects.bulk_update(linked, ["account"])
    return len(linked)
