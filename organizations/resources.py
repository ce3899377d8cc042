"""Organisations to and from spreadsheets (django-import-export): Vietnamese headers, dd/mm/yyyy dates,
a row error in Vietnamese for every bad cell, all-or-nothing import, formulae neutralised on export."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources

from . import services
from .models import Kind, Organization, UnitType, term_of_year

KINDS = {label.casefold(): value for value, label in Kind.choices} | {v: v for v in Kind.values}
UNIT_TYPES = {label.casefold(): value for value, label in UnitType.choices} | {v: v for v in UnitType.values}
UNIT_TYPES["doanh nghiệp nhà nước nắm ≤50% vốn"] = UnitType.DN_NHA_NUOC_THIEU_SO  # the label before issue 15
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def _date(value, header):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValidationError({header: f"“{text[:40]}” không phải ngày hợp lệ (dạng dd/mm/yyyy)."})


class OrganizationResource(resources.ModelResource):
    """Export: every column with its Vietnamese header. Import: a row per organisation, matched by code."""

    class Meta:
        model = Organization
        fields = ()
        skip_diff = True
        clean_model_instances = False
        use_transactions = True
        store_row_values = True

    def __init__(self, *, user=None, change_reason: str = ""):
        super().__init__()
        self.user, self.change_reason = user, change_reason
        for attr, header in COLUMNS:
            self.fields[attr] = fields.Field(attribute=attr, column_name=header)

    def get_export_fields(self, selected_fields=None):
        return [self.fields[attr] for attr, _ in COLUMNS]

    def export_field(self, field, instance, **kwargs):
        if field.attribute == "congress_on":
            congress = instance.congress_of_term(term_of_year(timezone.localdate().year))
            return congress.held_on.strftime("%d/%m/%Y") if congress else ""
        value = getattr(instance, field.attribute)
        if field.attribute == "kind":
            return instance.get_kind_display()
        if field.attribute == "unit_type":
            return instance.get_unit_type_display()
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        value = "" if value is None else str(value)
        return "'" + value if value.startswith(FORMULA_STARTS) else value

    def get_instance(self, instance_loader, row):
        code = str(row.get("Mã") or "").strip()
        return Organization.objects.filter(code=code).first() if code else None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        for attr, header in COLUMNS:
            raw = row.get(header)
            if attr == "congress_on" and raw in (None, ""):
                raw = row.get("Ngày đại hội")  # the column's name before congresses had terms
            raw = raw.strip() if isinstance(raw, str) else raw
            if attr in REQUIRED and raw in (None, ""):
                errors.setdefault(header, []).append("Thiếu dữ liệu.")
                continue
            try:
                if attr.endswith("_on"):
                    value = _date(raw, header)
                elif attr == "kind":
                    value = KINDS.get(str(raw).casefold())
                    if value is None:
                        raise ValidationError(
                            {header: "Loại hình phải là “Đảng bộ cơ sở” hoặc “Chi bộ cơ sở”."}
                        )
                elif attr == "unit_type":
                    value = UNIT_TYPES.get(str(raw).casefold())
                    if value is None:
                        raise ValidationError(
                            {header: f"Loại đơn vị “{str(raw)[:40]}” không có trong danh mục."}
                        )
                else:
                    value = "" if raw is None else str(raw)
                if attr == "congress_on":
                    instance._congress_on = value
                    continue
                setattr(instance, attr, value)
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    errors.setdefault(key, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        try:
            instance.full_clean()
        except ValidationError as error:
            labels = dict(COLUMNS)
            raise ValidationError(
                {labels.get(k, "Dòng"): v for k, v in error.message_dict.items()}
            ) from error

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through the registry's services: the membership spells follow the join / leave dates, and a congress
        date is the congress of the term it falls in."""
        try:
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
        except ValidationError as error:
            raise ValidationError({"Dòng": error.messages}) from error


def row_problems(result) -> list[tuple[int, str, list[str]]]:
    problems = []
    for number, row in enumerate(result.rows, start=2):
        messages = []
        if row.validation_error is not None:
            for field, errs in row.validation_error.message_dict.items():
                messages.extend(f"{field}: {m}" if field not in ("__all__", "Dòng") else m for m in errs)
        messages += [f"Lỗi không xác định: {str(e.error)[:200]}" for e in row.errors]
        if messages:
            problems.append((number, str((row.row_values or {}).get("Tên tổ chức") or ""), messages))
    return problems
