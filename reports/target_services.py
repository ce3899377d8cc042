"""Writes for the yearly targets (staff only): create, update, copy a year's set to another year."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from organizations.models import Rating

from .models import Comparator, Target

#: The eight 2021 targets, worded as the conference resolved them ("trên" = >, "trở lên" = ≥).
ARTICLE_2021_TARGETS = (
    ("unit_professional_good", Comparator.GTE, Decimal("90"), "",
     "90% trở lên các cơ quan, đơn vị hoàn thành tốt nhiệm vụ chuyên môn"),
    ("enterprise_effective", Comparator.GT, Decimal("90"), "",
     "Trên 90% TCCSĐ trong doanh nghiệp lãnh đạo sản xuất kinh doanh có hiệu quả, "
     "hoàn thành nghĩa vụ đối với Nhà nước"),
    ("members_studied", Comparator.EQ, Decimal("100"), "",
     "100% đảng viên được học tập, quán triệt các nghị quyết, chỉ thị của Đảng, pháp luật của Nhà nước"),
    ("masses_studied", Comparator.GT, Decimal("90"), "",
     "Trên 90% quần chúng được học tập, quán triệt các nghị quyết, chỉ thị của Đảng, pháp luật của Nhà nước"),
    ("theme_adopted", Comparator.EQ, Decimal("100"), "",
     "100% TCCSĐ xây dựng chủ đề năm 2021 về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("admissions", Comparator.GTE, Decimal("120"), "", "Kết nạp 120 đảng viên trở lên"),
    ("org_rating_good", Comparator.GT, Decimal("90"), "", "Trên 90% TCCSĐ hoàn thành tốt nhiệm vụ"),
    ("bloc_rating", Comparator.EQ, Decimal("0"), Rating.HTXSNV, "Đảng bộ Khối hoàn thành xuất sắc nhiệm vụ"),
)  # fmt: skip


def _save(target: Target, by) -> Target:
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


@transaction.atomic
def targets_load_2021(*, by=None) -> int:
    """Create the article's eight 2021 targets where missing (idempotent; used by the demo loader)."""
    existing = set(Target.objects.filter(year=2021).values_list("indicator", flat=True))
    created = 0
    for order, (code, comparator, value, rating, wording) in enumerate(ARTICLE_2021_TARGETS, start=1):
        if code in existing:
            continue
        target_create(
            year=2021,
            indicator=code,
            comparator=comparator,
            value=value,
            rating=rating,
            wording=wording,
            order=order,
            by=by,
        )
        created += 1
    return created
