"""Pure date and status rules of a member's life in the Party (no database access).

- Probation (thời gian dự bị) is 12 months counted from the ceremony date (ngày vào Đảng). Full membership
  takes effect on the anniversary of the ceremony; a ceremony on 29/02 has its anniversary on 28/02 of the
  next year (12 calendar months, clamped to the end of the month).
- Overdue probation is split by who is late (``overdue_party``): the cell, or the committee above it. Working
  days exclude weekends, Vietnam's public holidays and the recorded compensating days off (``workdays``).
- Party age (tuổi đảng, ``PartyLife``) runs from the admission decision, only once the member is full, minus
  the gaps in party activity, and stops at death or exit; badges are awarded in rounds (``badge_round_on``).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from . import workdays
from .models import NEUTRAL_KINDS, EventKind, MemberStatus

PROBATION_MONTHS = 12
OVERDUE_WORKING_DAYS = 30
#: QĐ 24-QĐ/TW 2021 §4.3.1 (same in QĐ 232-QĐ/TW 2025): the committee decides within 30 working days of the
#: cell's resolution on full membership (once extendable by 30), within 60 on an admission.
COMMITTEE_FULL_WORKING_DAYS = 30
COMMITTEE_EXTENSION_WORKING_DAYS = 30
COMMITTEE_ADMISSION_WORKING_DAYS = 60
MIN_ADMISSION_AGE = 18
BADGE_MILESTONES = (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)

#: The status each event leaves the member in (a transfer in depends on full membership, see below).
STATUS_AFTER = {
    EventKind.ADMITTED: MemberStatus.DU_BI,
    EventKind.FULL_MEMBER: MemberStatus.CHINH_THUC,
    EventKind.TRANSFER_OUT: MemberStatus.CHUYEN_DI,
    EventKind.EXEMPTED: MemberStatus.MIEN_SINH_HOAT,
    EventKind.REMOVED: MemberStatus.XOA_TEN,
    EventKind.EXPELLED: MemberStatus.KHAI_TRU,
    EventKind.LEFT: MemberStatus.RA_KHOI_DANG,
    EventKind.DIED: MemberStatus.TU_TRAN,
}
#: After these the member's life in the Party is over: no further event may be recorded.
FINAL_STATUSES = (
    MemberStatus.XOA_TEN,
    MemberStatus.KHAI_TRU,
    MemberStatus.RA_KHOI_DANG,
    MemberStatus.TU_TRAN,
)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def probation_ends_on(ceremony_on: dt.date) -> dt.date:
    """The day full membership takes effect: 12 months after the ceremony."""
    return add_months(ceremony_on, PROBATION_MONTHS)


def overdue_from(ceremony_on: dt.date, extra_off: Iterable[dt.date] = frozenset()) -> dt.date:
    """The last day the cell's resolution on full membership is still on time: the anniversary plus 30
    working days (QĐ 24-QĐ/TW 2021 §4.2, a; QĐ 232-QĐ/TW 2025 §4.2)."""
    return workdays.add_working_days(probation_ends_on(ceremony_on), OVERDUE_WORKING_DAYS, extra_off)


CELL_LATE = "cell"
COMMITTEE_LATE = "committee"


def overdue_party(
    *,
    ceremony_on: dt.date,
    resolution_on: dt.date | None,
    today: dt.date,
    extra_off: Iterable[dt.date] = frozenset(),
    extended: bool = False,
) -> str | None:
    """Who is late with a probationary member's full membership on `today`, if anyone.

    QĐ 24-QĐ/TW 2021 §4.2 a and §4.3.1 (QĐ 232-QĐ/TW 2025, same clauses): the cell must resolve within 30
    working days of the end of probation (``CELL_LATE`` after that with no resolution); once it has, the
    committee must decide within 30 working days of the resolution (``COMMITTEE_LATE`` after that), or within
    30 more when it has `extended` its deadline — once, by a recorded decision (``services.member_extend``).
    """
    if resolution_on is None:
        return CELL_LATE if today > overdue_from(ceremony_on, extra_off) else None
    due = committee_full_due(resolution_on, extra_off, extended=extended)
    return COMMITTEE_LATE if today > due else None


def committee_full_due(
    resolution_on: dt.date, extra_off: Iterable[dt.date] = frozenset(), *, extended: bool = False
) -> dt.date:
    """The last day the committee above decides full membership on time: 30 working days after the cell's
    resolution; once extended, 30 working days after that deadline (QĐ 24-QĐ/TW 2021 §4.3.1)."""
    due = workdays.add_working_days(resolution_on, COMMITTEE_FULL_WORKING_DAYS, extra_off)
    if extended:
        due = workdays.add_working_days(due, COMMITTEE_EXTENSION_WORKING_DAYS, extra_off)
    return due


def admission_committee_due(considered_on: dt.date, extra_off: Iterable[dt.date] = frozenset()) -> dt.date:
    """QĐ 24-QĐ/TW 2021 §4.3.1: the committee decides an admission within 60 working days of the cell's
    resolution proposing it."""
    return workdays.add_working_days(considered_on, COMMITTEE_ADMISSION_WORKING_DAYS, extra_off)


def is_of_admission_age(birth_date: dt.date, considered_on: dt.date) -> bool:
    """QĐ 24-QĐ/TW 2021 §1.1.1 (QĐ 232-QĐ/TW 2025 §1.1.1): 18 years old, counted by months, on the day the
    cell considers the admission. Born 15/03/2007: considered on 15/03/2025 — yes; on 14/03/2025 — no."""
    return considered_on >= add_months(birth_date, 12 * MIN_ADMISSION_AGE)


def status_from_events(events, full_member_on: dt.date | None = None) -> str | None:
    """Replay `events` (objects with ``kind``, in date order): the member's status after them.

    A transfer in (from outside the Bloc or from another organisation) puts the member on the new roll as a
    full member if they have a full-membership date, otherwise as probationary. A reinstatement (an expulsion
    overturned on appeal) gives back the status the member had before the expulsion.
    """
    status = None
    before_expulsion = None
    for event in events:
        if event.kind in NEUTRAL_KINDS:
            continue
        if event.kind == EventKind.TRANSFER_IN:
            status = MemberStatus.CHINH_THUC if full_member_on else MemberStatus.DU_BI
        elif event.kind == EventKind.REINSTATED:
            status = before_expulsion or (MemberStatus.CHINH_THUC if full_member_on else MemberStatus.DU_BI)
        else:
            if event.kind == EventKind.EXPELLED:
                before_expulsion = status
            status = STATUS_AFTER[event.kind]
    return status


def years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


#: Events after which the member is outside the Party; a later re-admission or return closes the gap.
OUTSIDE_KINDS = (EventKind.REMOVED, EventKind.EXPELLED, EventKind.LEFT)
BACK_KINDS = (EventKind.ADMITTED, EventKind.TRANSFER_IN)


#: QĐ 24-QĐ/TW 2021 §3.5.1 b: a re-admission at least 36 months after leaving the Party.
READMISSION_WAIT_MONTHS = 36
#: The statuses a person may be re-admitted from (left the Party: removed, expelled, left); QĐ 24 §3.5.
READMISSION_FROM = (MemberStatus.XOA_TEN, MemberStatus.KHAI_TRU, MemberStatus.RA_KHOI_DANG)


@dataclass(frozen=True)
class PartyLife:
    """What party age needs to know about one member.

    Điều lệ Đảng 2011 Art. 5.4 and QĐ 24-QĐ/TW 2021 §4.5.1 (same in QĐ 232-QĐ/TW 2025 §4.5.1): a full member's
    party age runs from the date of the admission **decision**, minus the time outside party activity —
    expelled, removed (xóa tên), lost contact, interrupted by a transfer. HD 01-HD/TW 2021: with no decision on
    file, the date on the party card (ngày vào Đảng) stands in. It stops at death or exit.

    Kết nạp lại (QĐ 29-QĐ/TW 2016 §4.5 b, QĐ 24-QĐ/TW 2021 §4.5.2): once the re-admitted member is full again,
    party age counts from the **first** admission decision (``Member.first_admission_decided_on``), minus the
    time outside the Party — from the exit (expulsion, removal, leaving) to the re-admission decision; during
    the new probation it is not counted (the member is not full).
    """

    start: dt.date | None
    full_on: dt.date | None
    gaps: tuple[tuple[dt.date, dt.date | None], ...] = ()
    ends_on: dt.date | None = None

    @classmethod
    def of(cls, member, events=None) -> "PartyLife":
        """From a member (its dates) and its events (objects with ``kind`` and ``effective_on``, any order;
        default: ``member.events.all()``, which a prefetch serves)."""
        events = sorted(
            member.events.all() if events is None else events, key=lambda e: (e.effective_on, e.pk or 0)
        )
        gaps: list[tuple[dt.date, dt.date | None]] = []
        open_from: dt.date | None = None
        opened_by_expulsion = False
        ends_on = None
        for event in events:
            if event.kind == EventKind.GAP_START or event.kind in OUTSIDE_KINDS:
                if open_from is None:
                    open_from = event.effective_on
                    opened_by_expulsion = event.kind == EventKind.EXPELLED
            elif event.kind == EventKind.REINSTATED:
                # An expulsion overturned on appeal never validly took the member out (QĐ 117-QĐ/TW 2023,
                # phục hồi đảng tịch): no gap — party age runs on as if it had not happened.
                if opened_by_expulsion:
                    open_from, opened_by_expulsion = None, False
            elif event.kind == EventKind.GAP_END or (event.kind in BACK_KINDS and open_from is not None):
                if open_from is not None:
                    # A re-admission closes the time outside on its decision date (the date party age
                    # counts from, Art. 5.4); a return or the end of a gap on the day it takes effect.
                    back_on = event.effective_on
                    if event.kind == EventKind.ADMITTED:
                        back_on = getattr(event, "decided_on", None) or event.effective_on
                    gaps.append((open_from, back_on))
                    open_from, opened_by_expulsion = None, False
            elif event.kind == EventKind.DIED:
                ends_on = event.effective_on
        if open_from is not None:
            last = events[-1] if events else None
            if last is not None and last.kind in OUTSIDE_KINDS:
                ends_on = open_from  # outside the Party to this day: an exit, not a gap
            else:
                gaps.append((open_from, None))
        return cls(
            start=getattr(member, "first_admission_decided_on", None)
            or member.admission_decided_on
            or member.ceremony_on,
            full_on=member.full_member_on,
            gaps=tuple(gaps),
            ends_on=ends_on,
        )

    def reaches(self, years: int) -> dt.date | None:
        """The day party age reaches `years`: that many calendar years after the start, pushed later by every
        day of a gap that falls before it. None if it never does (not full, or a gap still open)."""
        if self.start is None or self.full_on is None:
            return None
        target = add_months(self.start, 12 * years)
        day = target
        while True:
            lost = 0
            for gap_start, gap_end in self.gaps:
                if gap_start >= day:
                    continue
                if gap_end is None:
                    return None
                lost += (gap_end - gap_start).days
            shifted = target + dt.timedelta(days=lost)
            if shifted == day:
                break
            day = shifted
        if self.ends_on is not None and day > self.ends_on:
            return None
        return day

    def age_on(self, day: dt.date) -> int | None:
        """Full years of party age on `day` (None before the member is full: Art. 5.4 counts it for full
        members only)."""
        if self.start is None or self.full_on is None or self.full_on > day:
            return None
        end = min(day, self.ends_on) if self.ends_on else day
        years = max(years_between(self.start, end) - 1, 0)
        while (reached := self.reaches(years + 1)) is not None and reached <= end:
            years += 1
        while years > 0 and ((reached := self.reaches(years)) is None or reached > end):
            years -= 1
        return years

    def next_badge(self, today: dt.date) -> tuple[int, dt.date] | None:
        """The next Huy hiệu Đảng milestone (years, day reached) after `today`, or None."""
        for years in BADGE_MILESTONES:
            reached = self.reaches(years)
            if reached is not None and reached > today:
                return years, reached
        return None

    def milestones_between(self, after: dt.date, until: dt.date) -> list[tuple[int, dt.date]]:
        """Milestones reached in (`after`, `until`]."""
        found = []
        for years in BADGE_MILESTONES:
            reached = self.reaches(years)
            if reached is not None and after < reached <= until:
                found.append((years, reached))
        return found


#: HD 01-HD/TW 2021, item 18: badges are presented on 03/02, 19/05, 02/09 and 07/11.
BADGE_ROUNDS = ((2, 3), (5, 19), (9, 2), (11, 7))


def badge_rounds(year: int) -> list[dt.date]:
    return [dt.date(year, month, day) for month, day in BADGE_ROUNDS]


def badge_round_on(day: dt.date) -> dt.date:
    """The round a milestone reached on `day` is presented at: the first round date on or after it."""
    for round_on in badge_rounds(day.year):
        if round_on >= day:
            return round_on
    return badge_rounds(day.year + 1)[0]


def previous_round(round_on: dt.date) -> dt.date:
    rounds = badge_rounds(round_on.year - 1) + badge_rounds(round_on.year)
    return max(r for r in rounds if r < round_on)
