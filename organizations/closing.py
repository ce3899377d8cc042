"""Closed years (chốt số liệu năm): the one rule for changes that touch one.

Once staff have closed a year (``targets.services.year_close``), a change that would alter its figures — an
import of members with past dates, an edited join or leave date, a congress recorded late — is still allowed, but
only with a reason, and is logged (``ClosedYearChange``) in the same transaction as the change. The dashboard of
that year then shows the figures that moved as "đã điều chỉnh sau khi chốt", with the value at closing and the
value now, and these reasons.

Which years a change touches is the caller's to say (the years of the dates it writes, or the range between an
old and a new date); this module decides whether a reason is needed and records it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from contextvars import ContextVar

from django.core.exceptions import ValidationError

from .models import ClosedYear, ClosedYearChange

REASON_FIELD = "change_reason"

#: While a preview (an import's dry run) runs: the closed years its changes touch, collected instead of refused.
_preview: ContextVar[set[int] | None] = ContextVar("closed_years_preview", default=None)


@contextlib.contextmanager
def previewing():
    """Within this block changes that touch closed years are not refused for want of a reason: the years are
    collected in the set it yields, for the preview to say "this import touches the closed year 2020" and ask
    for the reason before the real run."""
    touched: set[int] = set()
    token = _preview.set(touched)
    try:
        yield touched
    finally:
        _preview.reset(token)


def closed_years() -> set[int]:
    return set(ClosedYear.objects.values_list("year", flat=True))


def is_year_closed(year: int) -> bool:
    return ClosedYear.objects.filter(year=year).exists()


def years_between(a: dt.date | None, b: dt.date | None) -> set[int]:
    """The years a date moved across (from `a` to `b`, either may be empty: then only the other's year)."""
    days = [d for d in (a, b) if d is not None]
    if not days or a == b:
        return set()
    return set(range(min(days).year, max(days).year + 1))


def closed_years_touched(*, days: Iterable[dt.date | None] = (), years: Iterable[int] = ()) -> list[int]:
    """The closed years among `years` and the years of `days`, in order (one query)."""
    wanted = {d.year for d in days if d is not None} | set(years)
    if not wanted:
        return []
    return sorted(ClosedYear.objects.filter(year__in=wanted).values_list("year", flat=True))


def closed_year_change_record(
    *,
    years: Iterable[int],
    what: str,
    reason: str,
    by,
    before: str = "",
    after: str = "",
    field: str = REASON_FIELD,
) -> list[ClosedYearChange]:
    """Log a change that touches the closed years among `years`; without a reason, refuse it (a Vietnamese
    ValidationError on `field`). Nothing to log when no closed year is touched. Call it inside the change's own
    transaction, before or after the write; `before` / `after` say in words what the record was and became."""
    closed = closed_years_touched(years=years)
    if not closed:
        return []
    preview = _preview.get()
    if preview is not None:
        preview.update(closed)
        return []
    reason = (reason or "").strip()
    listed = ", ".join(str(y) for y in closed)
    if not reason:
        raise ValidationError(
            {field: f"Thay đổi này chạm đến số liệu năm đã chốt ({listed}): hãy ghi lý do điều chỉnh."}
        )
    if by is None or not getattr(by, "pk", None):
        raise ValidationError(f"Điều chỉnh số liệu năm đã chốt ({listed}) cần người chịu trách nhiệm.")
    return [
        ClosedYearChange.objects.create(
            year=y, what=what[:255], before=before[:255], after=after[:255], reason=reason, by=by
        )
        for y in closed
    ]


def day_text(day: dt.date | None) -> str:
    """A date as the log writes it (dd/mm/yyyy; "—" for none)."""
    return f"{day:%d/%m/%Y}" if day else "—"


def years_of(*days: dt.date | None) -> set[int]:
    """The years of the given dates (empty ones skipped)."""
    return {d.year for d in days if d is not None}


def value_text(obj, name: str) -> str:
    """One field of a record as a person reads it: the choice's label, a date dd/mm/yyyy, "—" when empty."""
    value = getattr(obj, name)
    display = getattr(obj, f"get_{name}_display", None)
    if display is not None and value not in (None, ""):
        return str(display())
    if isinstance(value, dt.date):
        return day_text(value)
    if value is True:
        return "có"
    if value is False:
        return "không"
    return "—" if value in (None, "") else str(value)


def record_field_changes(*, year: int, old, new, fields: Iterable[str], what: str, reason: str, by) -> None:
    """A stored record of `year` (a rating, a year's figures) is changed: when the year is closed and one of
    `fields` differs between `old` (None: a new record) and `new`, a reason is needed and the fields are logged
    before → after (``closed_year_change_record``)."""
    fields = list(fields)
    changed = [f for f in fields if old is None or getattr(old, f) != getattr(new, f)]
    if old is None:
        changed = [f for f in changed if getattr(new, f) not in (None, "")]
    if not changed:
        return
    label = {f: new._meta.get_field(f).verbose_name for f in changed}
    closed_year_change_record(
        years=[year],
        what=what,
        before="; ".join(f"{label[f]}: {value_text(old, f)}" for f in changed) if old is not None else "",
        after="; ".join(f"{label[f]}: {value_text(new, f)}" for f in changed),
        reason=reason,
        by=by,
    )
