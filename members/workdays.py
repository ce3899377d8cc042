"""Working days (ngày làm việc) for the Party's deadlines: Monday–Friday, minus Vietnam's public holidays (the
``holidays`` package knows them, lunar Tết included), minus the compensating days off that staff add for the
year (``ExtraDayOff``).

The deadlines counted in working days (QĐ 24-QĐ/TW 2021 §4.2 and §4.3.1, kept by QĐ 232-QĐ/TW 2025): the cell
considers full membership within 30 working days of the end of probation; the competent committee decides
within 30 working days of the cell's resolution (once extendable by 30), and on an admission within 60.

The pure functions take the extra days off as a set, so they are tested without a database;
``extra_days_off()`` reads them once per call site.
"""

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import holidays

from .models import ExtraDayOff


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    """Vietnam's public holidays of `year` (lunar Tết and Giỗ Tổ Hùng Vương included)."""
    return frozenset(holidays.country_holidays("VN", years=year))


def public_holiday_name(day: dt.date) -> str | None:
    return holidays.country_holidays("VN", years=day.year, language="vi").get(day)


def is_working_day(day: dt.date, extra_off: Iterable[dt.date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year) and day not in extra_off


def add_working_days(day: dt.date, n: int, extra_off: Iterable[dt.date] = frozenset()) -> dt.date:
    """The `n`-th working day after `day` (the day itself does not count)."""
    extra_off = frozenset(extra_off)
    while n > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, extra_off):
            n -= 1
    return day


def extra_days_off() -> frozenset[dt.date]:
    """The compensating days off staff recorded (one query)."""
    return frozenset(ExtraDayOff.objects.values_list("day", flat=True))
