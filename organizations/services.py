"""Every write to the organisations registry: one function per change, atomic, checked, never a delete."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import (
    BlocYear,
    Cell,
    CellKind,
    CellRating,
    Kind,
    Officer,
    Organization,
    OrganizationYear,
    Rating,
)
from .rating_rules import party_rating_problems


def _not_future(day: dt.date | None, label: str, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{label} không được ở tương lai."})


@transaction.atomic
def organization_save(*, organization: Organization) -> Organization:
    """Create or change an organisation (the form has set its fields)."""
    _not_future(organization.congress_held_on, "Ngày đại hội", "congress_held_on")
    if organization.left_on and organization.left_on <= organization.joined_on:
        raise ValidationError({"left_on": "Ngày thôi trực thuộc phải sau ngày trực thuộc."})
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def organization_leave(*, organization: Organization, left_on: dt.date) -> Organization:
    """The organisation leaves the Bloc (it is kept, with its history; it stops counting after `left_on`)."""
    if organization.left_on:
        raise ValidationError("Tổ chức này đã thôi trực thuộc Đảng bộ Khối.")
    if left_on <= organization.joined_on:
        raise ValidationError({"left_on": "Ngày thôi trực thuộc phải sau ngày trực thuộc."})
    organization.left_on = left_on
    organization.save(update_fields=["left_on"])
    return organization


@transaction.atomic
def cell_save(*, cell: Cell) -> Cell:
    """Điều lệ Đảng Art. 21.3: a đảng bộ cơ sở has chi bộ trực thuộc (or đảng bộ bộ phận); a chi bộ cơ sở has
    only tổ đảng (Art. 24.1: a large chi bộ may be divided into tổ đảng)."""
    if cell.organization.kind == Kind.CHI_BO_CO_SO and cell.kind != CellKind.TO_DANG:
        raise ValidationError({"kind": "Chi bộ cơ sở chỉ có tổ đảng trực thuộc."})
    if cell.organization.kind == Kind.DANG_BO_CO_SO and cell.kind == CellKind.TO_DANG:
        raise ValidationError(
            {"kind": "Tổ đảng thuộc chi bộ: hãy ghi chi bộ trực thuộc hoặc đảng bộ bộ phận."}
        )
    cell.full_clean()
    cell.save()
    return cell


@transaction.atomic
def officer_add(*, organization: Organization, user, title: str) -> Officer:
    if Officer.objects.filter(user=user, is_active=True).exclude(organization=organization).exists():
        raise ValidationError({"user": "Tài khoản này đang phụ trách một tổ chức khác."})
    officer, _ = Officer.objects.update_or_create(
        user=user, organization=organization, defaults={"title": title, "is_active": True}
    )
    return officer


@transaction.atomic
def officer_end(*, officer: Officer) -> Officer:
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    return officer


@transaction.atomic
def organization_year_save(
    *, record: OrganizationYear, cell_grades: dict | None = None, by=None
) -> OrganizationYear:
    """Save an organisation's year; `cell_grades` ({cell: grade}) rates its subordinate organisations first, in
    the same transaction, since a đảng bộ's HTXSNV rests on them (``rating_rules``)."""
    if cell_grades:
        cell_ratings_save(organization=record.organization, year=record.year, grades=cell_grades, by=by)
    if record.year > timezone.localdate().year:
        raise ValidationError({"year": "Không nhập số liệu cho năm chưa tới."})
    if not record.organization.is_enterprise and record.enterprise_effective is not None:
        raise ValidationError(
            {"enterprise_effective": "Chỉ doanh nghiệp mới đánh giá sản xuất kinh doanh; hãy để trống."}
        )
    _not_future(record.theme_issued_on, "Ngày ban hành chủ đề", "theme_issued_on")
    if record.theme_issued_on and record.theme_issued_on.year not in (record.year - 1, record.year):
        raise ValidationError(
            {"theme_issued_on": "Ngày ban hành chủ đề phải trong năm đó hoặc cuối năm trước."}
        )
    problems = party_rating_problems(record)
    if problems:
        raise ValidationError(
            {"party_rating": ["Chưa đủ điều kiện xếp loại “Hoàn thành xuất sắc nhiệm vụ”:", *problems]}
        )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def bloc_year_save(*, record: BlocYear) -> BlocYear:
    if record.year > timezone.localdate().year:
        raise ValidationError({"year": "Không xếp loại cho năm chưa tới."})
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def cell_ratings_save(*, organization: Organization, year: int, grades: dict, by=None) -> int:
    """Rate a đảng bộ cơ sở's subordinate organisations for `year` ({cell: grade}; a blank grade leaves the
    cell as it was). The evidence for the đảng bộ's own rating (HD 21-HD/BTCTW 2019 §II.B.1.3)."""
    if year > timezone.localdate().year or year < 1930:
        raise ValidationError({"year": "Năm xếp loại không hợp lệ."})
    saved = 0
    for cell, grade in grades.items():
        if not grade:
            continue
        if cell.organization_id != organization.pk:
            raise ValidationError("Chi bộ không thuộc tổ chức này.")
        if grade not in Rating.values:
            raise ValidationError(f"{cell.name}: mức xếp loại không hợp lệ.")
        CellRating.objects.update_or_create(
            cell=cell, year=year, defaults={"party_rating": grade, "rated_by": by}
        )
        saved += 1
    return saved
