"""Writes for the yearly targets (staff only): create, update, copy a year's set to another year; close a year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from organizations import access
from organizations.models import ClosedYear
from reports.models import ReportingPeriod

from . import dashboard as dash
from .models import Target, YearSnapshot


def _save(target: Target, by) -> Target:
    access.require_staff(by, "Chỉ Văn phòng Đảng ủy Khối được đặt chỉ tiêu.")
    target.full_clean()
    if by is not None:
        target._history_user = by
    target.save()
    return target


@transaction.atomic
def target_create(
    *,
    year: int,
    indicator: str,
    comparator: str,
    value: Decimal,
    wording: str,
    rating: str = "",
    order: int = 0,
    by=None,
) -> Target:
    target = Target(
        year=year,
        indicator=indicator,
        comparator=comparator,
        value=value,
        rating=rating,
        wording=wording,
        order=order,
    )
    return _save(target, by)


@transaction.atomic
def target_update(*, target: Target, by=None, **fields) -> Target:
    allowed = {"year", "indicator", "comparator", "value", "rating", "wording", "order"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(target, name, value)
    return _save(target, by)


@transaction.atomic
def target_copy_year(*, from_year: int, to_year: int, by=None) -> tuple[int, int]:
    """Copy `from_year`'s targets to `to_year`; indicators `to_year` already has are left alone.

    Returns (copied, skipped). Wording is copied as is: staff adjust it to the new resolution.
    """
    access.require_staff(by, "Chỉ Văn phòng Đảng ủy Khối được đặt chỉ tiêu.")
    existing = set(Target.objects.filter(year=to_year).values_list("indicator", flat=True))
    copied = skipped = 0
    for source in Target.objects.filter(year=from_year).order_by("order", "pk"):
        if source.indicator in existing:
            skipped += 1
            continue
        target_create(
            year=to_year,
            indicator=source.indicator,
            comparator=source.comparator,
            value=source.value,
            rating=source.rating,
            wording=source.wording,
            order=source.order,
            by=by,
        )
        copied += 1
    return copied, skipped


# --- closing a year (chốt số liệu năm) ---------------------------------------------------------------------


def year_closable(year: int, *, today: dt.date) -> tuple[bool, str]:
    """Whether staff may close `year` on `today`, and why not: the year is over and the due date of its last
    reports (the annual report, 20/01 of the next year by default) has passed, so every figure of the year,
    punctuality included, is final; a closed year is not closed again."""
    if year >= today.year:  # (a year is closed only once it is over: no query for the current year's page)
        return False, f"Năm {year} chưa kết thúc."
    if ClosedYear.objects.filter(year=year).exists():
        return False, f"Năm {year} đã chốt số liệu."
    last_due = ReportingPeriod.objects.filter(year=year).aggregate(last=Max("due_on"))["last"]
    if last_due is not None and today <= last_due:
        return False, f"Chưa hết hạn nộp báo cáo năm {year} ({last_due:%d/%m/%Y})."
    return True, ""


@transaction.atomic
def year_close(*, year: int, by, today: dt.date | None = None) -> YearSnapshot:
    """Close `year`: store its dashboard's figures as they stand (``YearSnapshot``) and mark the year closed
    (``organizations.models.ClosedYear``), so that a later change touching it needs a reason and shows as
    "đã điều chỉnh sau khi chốt" (``organizations.closing``). Staff only."""
    access.require_staff(by, "Chỉ Văn phòng Đảng ủy Khối được chốt số liệu năm.")
    today = today or timezone.localdate()
    closable, why = year_closable(year, today=today)
    if not closable:
        raise ValidationError(why)
    d = dash.compute_dashboard(year, on=today, with_charts=False)
    figures = [
        {
            "code": c.code,
            "label": c.label,
            "unit": c.unit,
            "value": dash.json_number(c.value),
            "value_text": c.value_text,
            "numerator": c.result.numerator,
            "denominator": c.result.denominator,
            "status": c.status,
            "as_of": c.result.as_of.isoformat() if c.result.as_of else None,
        }
        for c in d.cards
    ]
    snapshot = YearSnapshot(year=year, as_of=d.as_of, figures=figures, taken_by=by)
    snapshot.full_clean()
    snapshot.save()
    ClosedYear.objects.create(year=year, closed_by=by)
    return snapshot
