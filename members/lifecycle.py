"""Pure date and status rules of a member's life in the Party (no database access).

- Probation (thời gian dự bị) is 12 months counted from the ceremony date (ngày vào Đảng). Full membership
  takes effect on the anniversary of the ceremony; a ceremony on 29/02 has its anniversary on 28/02 of the
  next year (12 calendar months, clamped to the end of the month).
- A probationary member is *overdue* when the anniversary plus 30 working days (Monday–Friday) has passed
  without a full-membership decision.
- Party seniority (tuổi đảng) runs from the ceremony date; the Huy hiệu Đảng milestones are 30, 40, 45, 50,
  55, … 90 years.
"""

import datetime as dt

from .models import EventKind, MemberStatus

PROBATION_MONTHS = 12
OVERDUE_WORKING_DAYS = 30
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


def add_working_days(day: dt.date, n: int) -> dt.date:
    """`day` plus `n` working days (Monday–Friday)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def overdue_from(ceremony_on: dt.date) -> dt.date:
    """The last day a full-membership decision is still on time; after it the member is overdue."""
    return add_working_days(probation_ends_on(ceremony_on), OVERDUE_WORKING_DAYS)


def latest_ceremony_overdue_on(today: dt.date) -> dt.date:
    """The latest ceremony date whose probation is overdue on `today` (the function is monotonic)."""
    day = add_months(today, -PROBATION_MONTHS)
    while overdue_from(day) >= today:
        day -= dt.timedelta(days=1)
    return day


def status_from_events(events, full_member_on: dt.date | None = None) -> str | None:
    """Replay `events` (objects with ``kind``, in date order): the member's status after them.

    A transfer in (from outside the Bloc or from another organisation) puts the member on the new roll as a
    full member if they have a full-membership date, otherwise as probationary.
    """
    status = None
    for event in events:
        if event.kind == EventKind.TRANSFER_IN:
            status = MemberStatus.CHINH_THUC if full_member_on else MemberStatus.DU_BI
        else:
            status = STATUS_AFTER[event.kind]
    return status


def years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def seniority_years(ceremony_on: dt.date | None, today: dt.date) -> int | None:
    """Full years of party seniority (tuổi đảng) on `today`."""
    if ceremony_on is None:
        return None
    return years_between(ceremony_on, today)


def next_badge(ceremony_on: dt.date | None, today: dt.date) -> tuple[int, dt.date] | None:
    """The next Huy hiệu Đảng milestone (years, date reached) after `today`, or None."""
    if ceremony_on is None:
        return None
    for years in BADGE_MILESTONES:
        reached = add_months(ceremony_on, 12 * years)
        if reached > today:
            return years, reached
    return None
