"""Every write to the organisations registry: one function per change, atomic, checked, never a delete."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import BlocYear, Cell, Officer, Organization, OrganizationYear


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
    if cell.organization.kind != "dang_bo_co_so":
        raise ValidationError("Chỉ đảng bộ cơ sở mới có chi bộ trực thuộc.")
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
def organization_year_save(*, record: OrganizationYear) -> OrganizationYear:
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
