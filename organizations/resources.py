"""Organisations to and from spreadsheets: the import is the portal's one wizard (``core.imports``), each row
saved through the registry's services (``organization_save``, and ``congress_record`` for a congress date; a
known code updates, a new one adds); the export is the one writer (``core.spreadsheets``), Vietnamese headers
and dd/mm/yyyy dates."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.imports import SpreadsheetResource

from . import closing, services
from .models import Kind, Organization, UnitType, term_of_year

KINDS = {label.casefold(): value for value, label in Kind.choices} | {v: v for v in Kind.values}
UNIT_TYPES = {label.casefold(): value for value, label in UnitType.choices} | {v: v for v in UnitType.values}
UNIT_TYPES["doanh nghiệp nhà nước nắm ≤50% vốn"] = UnitType.DN_NHA_NUOC_THIEU_SO  # the label used until 2026

COLUMNS = (
    ("code", "Mã"),
    ("name", "Tên tổ chức"),
    ("kind", "Loại hình"),
    ("unit_type", "Loại đơn vị"),
    ("joined_on", "Ngày trực thuộc"),
    ("left_on", "Ngày thôi trực thuộc"),
    ("congress_on", "Ngày đại hội nhiệm kỳ hiện tại"),
    ("address", "Địa chỉ"),
    ("phone", "Điện thoại"),
    ("email", "Thư điện tử"),
)
REQUIRED = {"code", "name", "kind", "unit_type", "joined_on"}
#: The congress column's name before congresses had terms (still read).
OLD_CONGRESS_HEADER = "Ngày đại hội"


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

    def import_instance(self, instance, row, **kwargs):
        if row.get("Ngày đại hội nhiệm kỳ hiện tại") in (None, "") and row.get(OLD_CONGRESS_HEADER):
            row["Ngày đại hội nhiệm kỳ hiện tại"] = row[OLD_CONGRESS_HEADER]
        super().import_instance(instance, row, **kwargs)

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
        instance._congress_on = values.pop("congress_on", None)
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
        services.organization_save(organization=instance, change_reason=self.change_reason, by=self.user)
        congress_on = getattr(instance, "_congress_on", None)
        if congress_on:
            services.congress_record(
                organization=instance,
                term_start=term_of_year(congress_on.year),
                held_on=congress_on,
                change_reason=self.change_reason,
                by=self.user,
            )

    def preview(self):
        return closing.previewing()


def export_rows(queryset):
    """The organisations as the export and the import read them (the congress of the current term)."""
    kinds, units = dict(Kind.choices), dict(UnitType.choices)
    term = term_of_year(timezone.localdate().year)
    for o in queryset:
        congress = o.congress_of_term(term)
        yield [o.code, o.name, kinds.get(o.kind, o.kind), units.get(o.unit_type, o.unit_type), o.joined_on,
               o.left_on, congress.held_on if congress else None, o.address, o.phone, o.email]  # fmt: skip


EXPORT_HEADERS = [header for _, header in COLUMNS]
