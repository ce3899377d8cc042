"""Demo cell meetings: 2021 and the current year for every cell that meets (each chi bộ trực thuộc, and each chi bộ
cơ sở as its own cell), with a believable spread — most cells meet every month and hold a thematic meeting each
quarter, a few miss a month or a quarter, a few members are absent without reason in three months or more —, the
year's quality checklist, and a cell secretary account per cell of a few organisations (``bithu01.cb1`` …).

Built with bulk inserts and its own random generator (seeded), so the rest of the demo draws the same numbers as
before and the article's 2020 figures are untouched. The reports built after it take their cell figures from
here (``MeetingBook.report_figures``), so the demo's reports agree with the meeting records.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from members import meetings as rules
from members.models import (
    CellMeeting,
    MeetingAttendance,
    MeetingCriterion,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberStatus,
    Presence,
)
from organizations import access
from organizations.models import Officer, OfficerTitle, Organization

#: Organisations whose cells get a cell secretary account (bithu<code>.cb<n>, n in the cells' name order).
CELL_SECRETARY_ORGS = ("01", "04", "07", "08")
TOPICS = [
    "Kiểm điểm việc thực hiện nhiệm vụ chính trị tháng; triển khai nhiệm vụ tháng tới",
    "Quán triệt nghị quyết, chỉ thị của cấp trên; phân công đảng viên thực hiện",
    "Công tác phát triển đảng viên; theo dõi quần chúng ưu tú",
    "Thực hiện chủ đề năm theo Chỉ thị 05-CT/TW",
]
THEMES = [
    "Chuyên đề: học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Chuyên đề: nâng cao vai trò nêu gương của đảng viên trong cơ quan",
    "Chuyên đề: cải cách hành chính và chuyển đổi số trong đơn vị",
    "Chuyên đề: công tác kiểm tra, giám sát của chi bộ",
]
HIGHER = ["Đồng chí Ủy viên Ban Thường vụ Đảng ủy cơ sở", "Đồng chí Đảng ủy viên phụ trách chi bộ"]


class MeetingBook:
    """The demo's meetings, kept in memory too: which months each cell met, for the reports' cell figures."""

    def __init__(self):
        #: {(organisation id, year): {unit key: set of months with the regular meeting}}
        self.regular: dict[tuple[int, int], dict[tuple, set[int]]] = {}
        self.units: dict[int, list[rules.Unit]] = defaultdict(list)

    def report_figures(self, org_id: int, start: dt.date, end: dt.date) -> dict[str, int] | None:
        """What ``members.meetings.report_figures`` gives for the same records, without a query."""
        book = self.regular.get((org_id, start.year))
        if book is None:
            return None
        months = range(start.month, end.month + 1)
        units = self.units[org_id]
        held = sum(1 for u in units if all(m in book.get(u.key, ()) for m in months))
        return {"cells_total": len(units), "cell_meetings_held": held}


def build_criteria(years, *, staff) -> None:
    rows = [
        MeetingCriterion(year=year, code=code, text=text, regulation=regulation, order=order)
        for year in years
        for order, (code, text, regulation) in enumerate(rules.default_criteria(year), start=1)
    ]
    MeetingCriterion.objects.bulk_create(rows)


def build_cell_secretaries(orgs: list[Organization], password: str) -> list[str]:
    """A cell secretary account per cell of a few organisations; returns the user names."""
    User = get_user_model()
    group = Group.objects.get(name=access.CELL_SECRETARY)
    units = [u for u in rules.units_of([o for o in orgs if o.code in CELL_SECRETARY_ORGS]) if u.cell_id]
    numbered, counter = [], defaultdict(int)
    for unit in units:
        counter[unit.code] += 1
        numbered.append((unit, f"bithu{unit.code}.cb{counter[unit.code]}"))
    users = User.objects.bulk_create(
        [
            User(username=name, first_name="Bí thư", last_name=unit.name, password=password)
            for unit, name in numbered
        ]
    )
    users = list(User.objects.filter(username__in=[n for _, n in numbered]).order_by("pk"))
    by_name = {u.username: u for u in users}
    group.user_set.add(*users)
    Officer.objects.bulk_create(
        [
            Officer(
                user=by_name[name],
                organization_id=unit.organization_id,
                cell_id=unit.cell_id,
                title=OfficerTitle.BI_THU_CHI_BO,
            )
            for unit, name in numbered
        ]
    )
    return [name for _, name in numbered]


def _day(rng: random.Random, year: int, month: int) -> dt.date:
    return dt.date(year, month, rng.randint(3, 25))


def build_meetings(orgs: list[Organization], *, today: dt.date, staff, seed: int = 2021) -> MeetingBook:
    rng = random.Random(f"meetings-{seed}")
    book = MeetingBook()
    units = rules.units_of(orgs)
    for unit in units:
        book.units[unit.organization_id].append(unit)
    rolls: dict[tuple, list[tuple[int, dt.date | None]]] = defaultdict(list)
    base = {o.pk for o in orgs if access.holds_own_meetings(o)}
    members = Member.objects.filter(status__in=(MemberStatus.DU_BI, MemberStatus.CHINH_THUC)).values_list(
        "pk", "organization_id", "cell_id", "ceremony_on"
    )
    for pk, org_id, cell_id, ceremony_on in members.order_by("pk"):
        key = (org_id, None) if org_id in base else (org_id, cell_id)
        rolls[key].append((pk, ceremony_on))
    # A few members skip meetings without reason, month after month (Điều lệ Art. 8.1 flags them).
    everyone = [pk for roll in rolls.values() for pk, _ in roll]
    truants = set(rng.sample(everyone, min(12, len(everyone))))
    # Organisation 05's evidence pack shows one: absent without reason every third month.
    org05 = next((o for o in orgs if o.code == "05"), None)
    regular_truant = None
    if org05 is not None and rolls.get((org05.pk, None)):
        regular_truant = min(rolls[(org05.pk, None)], key=lambda m: (m[1] or dt.date.max, m[0]))[0]
    codes = {year: [code for code, _, _ in rules.default_criteria(year)] for year in (2021, today.year)}

    meetings: list[CellMeeting] = []
    recorded: set[tuple[int, int]] = set()
    attendance_plan: list[tuple[int, dict]] = []  # (index of the meeting, {member: presence})
    for year in sorted({2021, today.year}):
        for unit in units:
            if not unit.in_bloc_during(dt.date(year, 1, 1), dt.date(year, 12, 31)):
                continue
            roll = rolls.get(unit.key, [])
            style = rng.random()
            last_month = 12 if year < today.year else today.month
            missed = set()
            if style > 0.80:
                missed = set(rng.sample(range(1, last_month + 1), min(last_month, 1 if style < 0.93 else 3)))
            skip_quarter = rng.randrange(1, 5) if rng.random() < 0.12 else None
            regular_months = set()
            planned: list[tuple[dt.date, str]] = []
            for month in range(1, last_month + 1):
                if month not in missed:
                    planned.append((_day(rng, year, month), MeetingKind.THUONG_KY))
            for quarter in range(1, 5):
                month = 3 * quarter - rng.randint(0, 2)
                if quarter == skip_quarter or month > last_month:
                    continue
                same = [i for i, (d, _k) in enumerate(planned) if d.month == month]
                if same and rng.random() < 0.5:
                    day, _ = planned[same[0]]
                    planned[same[0]] = (day, MeetingKind.KET_HOP)
                else:
                    planned.append((_day(rng, year, month), MeetingKind.CHUYEN_DE))
            for day, kind in sorted(planned):
                if day >= today:
                    continue
                draft = year == today.year and day.month == today.month and rng.random() < 0.3
                if kind != MeetingKind.CHUYEN_DE and not draft:
                    regular_months.add(day.month)
                if not draft:
                    recorded.add((unit.organization_id, year))
                long = kind != MeetingKind.THUONG_KY
                start = dt.time(14, 0) if rng.random() < 0.6 else dt.time(7, 30)
                minutes = rng.choice([120, 125, 130]) if long else rng.choice([90, 95, 100, 105])
                end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=minutes)).time()
                met = [c for c in codes[year] if rng.random() < 0.9]
                meetings.append(
                    CellMeeting(
                        organization_id=unit.organization_id,
                        cell_id=unit.cell_id,
                        held_on=day,
                        starts_at=start,
                        ends_at=end,
                        kind=kind,
                        topics=rng.choice(THEMES) if kind == MeetingKind.CHUYEN_DE else rng.choice(TOPICS),
                        resolution="Chi bộ thống nhất thông qua nghị quyết tháng." if not draft else "",
                        higher_attendee=rng.choice(HIGHER) if rng.random() < 0.2 else "",
                        criteria_met=sorted(met),
                        status=MeetingStatus.DRAFT if draft else MeetingStatus.COMPLETED,
                        recorded_by=staff,
                    )
                )
                presence = {}
                for pk, ceremony_on in roll:
                    if ceremony_on is not None and ceremony_on > day:
                        continue
                    r = rng.random()
                    if pk == regular_truant and kind != MeetingKind.CHUYEN_DE and day.month % 3 == 0:
                        presence[pk] = Presence.UNEXCUSED
                    elif pk in truants and kind != MeetingKind.CHUYEN_DE and r < 0.35:
                        presence[pk] = Presence.UNEXCUSED
                    elif r < 0.92:
                        presence[pk] = Presence.PRESENT
                    elif r < 0.985:
                        presence[pk] = Presence.EXCUSED
                    else:
                        presence[pk] = Presence.UNEXCUSED
                attendance_plan.append((len(meetings) - 1, presence))
            book.regular[(unit.organization_id, year)] = book.regular.get((unit.organization_id, year), {})
            book.regular[(unit.organization_id, year)][unit.key] = regular_months
    CellMeeting.objects.bulk_create(meetings, batch_size=2000)
    rows = [
        MeetingAttendance(
            meeting_id=meetings[i].pk,
            member_id=pk,
            presence=presence,
            reason="Đi công tác" if presence == Presence.EXCUSED else "",
        )
        for i, plan in attendance_plan
        for pk, presence in plan.items()
    ]
    MeetingAttendance.objects.bulk_create(rows, batch_size=5000)
    # An organisation that completed no meeting in a year keeps no book for it (the report is not prefilled).
    for key in set(book.regular) - recorded:
        del book.regular[key]
    return book
