"""Writes for the yearly targets (staff only): create, update, copy a year's set to another year."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from organizations import access

from .models import Target


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
