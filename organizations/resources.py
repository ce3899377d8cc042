"""Organisations to and from spreadsheets: the import is the portal's one wizard (``core.imports``), each row
saved through ``services.organization_save`` (matched by code: a known code updates, a new one adds); the export
is the one writer (``core.spreadsheets``), Vietnamese headers and dd/mm/yyyy dates."""

from django.core.exceptions import ValidationError

from core.imports import SpreadsheetResource

from . import services
from .models import Kind, Organization, UnitType

KINDS = {label.casefold(): value for value, label in Kind.choices} | {v: v for v in Kind.values}
UNIT_TYPES = {label.casefold(): value for value, label in UnitType.choices} | {v: v for v in UnitType.values}
UNIT_TYPES["doanh nghiệp nhà nước nắm ≤50% vốn"] = (
    UnitType.DN_NHA_NUOC_THIEU_SO
)  # the label the registry used before 2026

COLUMNS = (
    ("code", "Mã"),
    ("name", "Tên tổ chức"),
    ("kind", "Loại hình"),
    ("unit_type", "Loại đơn vị"),
    ("joined_on", "Ngày trực thuộc"),
    ("left_on", "Ngày thôi trực thuộc"),
    ("congress_held_on", "Ngày đại hội"),
    ("address", "Địa chỉ"),
    ("phone", "Điện thoại"),
    ("email", "Thư điện tử"),
)
REQUIRED = {"code", "name", "kind", "unit_type", "joined_on"}


class OrganizationResource(SpreadsheetResource):
    """A row per organisation, matched by its code."""

    columns = COLUMNS
    required = frozenset(REQUIRED)
    name_header = "Tên tổ chức"

    class Meta(SpreadsheetResource.Meta):
        model = Organization

    def get_instance(self, instance_loader, row):
        code = str(row.get("Mã") or "").strip()
        return Organization.objects.filter(code=code).first() if code else None

    def parse(self, key, raw, header):
        if key == "kind":
            value = KINDS.get(str(raw).casefold())
            if value is None:
                raise ValueError("Loại hình phải là “Đảng bộ cơ sở” hoặc “Chi bộ cơ sở”.")
            return value
        if key == "unit_type":
            value = UNIT_TYPES.get(str(raw).casefold())
            if value is None:
                raise ValueError(f"Loại đơn vị “{str(raw)[:40]}” không có trong danh mục.")
            return value
        return super().parse(key, raw, header)

    def clean_values(self, instance, values):
        for attr, value in values.items():
            setattr(instance, attr, value)
        try:
            instance.full_clean(validate_unique=False)
        except ValidationError as error:
            labels = dict(COLUMNS)
            raise ValidationError(
                {labels.get(k, "Dòng"): v for k, v in error.message_dict.items()}
            ) from error

    def save_values(self, instance, values):
        services.organization_save(organization=instance, by=self.user)


def export_rows(queryset):
    """The organisations as the export and the import read them."""
    kinds, units = dict(Kind.choices), dict(UnitType.choices)
    for o in queryset:
        yield [o.code, o.name, kinds.get(o.kind, o.kind), units.get(o.unit_type, o.unit_type), o.joined_on,
               o.left_on, o.congress_held_on, o.address, o.phone, o.email]  # fmt: skip


EXPORT_HEADERS = [header for _, header in COLUMNS]
