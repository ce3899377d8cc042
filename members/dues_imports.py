"""A month's dues collection from a spreadsheet, for one organisation: the portal's one import wizard
(``core.imports``: preview as a dry run, then all-or-nothing). Each row names a member of the organisation (by
party card number, or by full name and birth date), a month (mm/yyyy) and what was collected; it is saved by the
same services as the month's sheet (``services.dues_month_save``, and ``services.member_dues_save`` when the row
gives an income base), so the same rules and the same permission checks apply: the member must be on the
organisation's roll at the month's end, exempt needs a reason, paid needs an amount (typed, or what they owe).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Q

from core.imports import SpreadsheetResource
from organizations.models import Organization

from . import dues, services
from .models import DuesLine, DuesStatus, Member

COLUMNS = (
    ("card_number", "Số thẻ đảng viên"),
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("month", "Tháng"),
    ("income_base", "Thu nhập làm căn cứ"),
    ("status", "Trạng thái"),
    ("reason", "Lý do miễn"),
    ("amount_paid", "Số tiền đã nộp"),
)
REQUIRED = frozenset({"month", "status"})
STATUSES = {
    "đã nộp": DuesStatus.PAID,
    "đã đóng": DuesStatus.PAID,
    "chưa nộp": DuesStatus.UNPAID,
    "chưa đóng": DuesStatus.UNPAID,
    "miễn": DuesStatus.EXEMPT,
    "miễn, có lý do": DuesStatus.EXEMPT,
}
_MONTH = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _text(value: str) -> str:
    """A name or a word compared as a person reads it: case and spacing aside, diacritics kept."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def parse_month(raw) -> dt.date:
    """ "03/2026", "3/2026", "2026-03" or a date cell → 01/03/2026; ValueError (Vietnamese) otherwise."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw.replace(day=1)
    text = str(raw).strip()
    found = _MONTH.match(text)
    if found:
        month, year = int(found.group(1)), int(found.group(2))
    elif found := _ISO_MONTH.match(text):
        year, month = int(found.group(1)), int(found.group(2))
    else:
        raise ValueError(f"Tháng “{text[:20]}” không hợp lệ: ghi dạng mm/yyyy, ví dụ 03/2026.")
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise ValueError(f"Tháng “{text[:20]}” không hợp lệ: ghi dạng mm/yyyy, ví dụ 03/2026.")
    return dt.date(year, month, 1)


def parse_amount(raw, label: str) -> int | None:
    """Whole đồng: 150000, "150.000", "150 000" or a number cell; empty → None."""
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"{label} không hợp lệ.")
    if isinstance(raw, int | float):
        if raw < 0 or int(raw) != raw:
            raise ValueError(f"{label} phải là số đồng, không âm, không lẻ.")
        return int(raw)
    text = re.sub(r"[\s.]", "", str(raw))
    if text.endswith(("đ", "đồng")):
        text = text.removesuffix("đồng").removesuffix("đ")
    if not text.isdigit() or len(text) > 15:
        raise ValueError(f"{label} “{str(raw)[:20]}” không hợp lệ: ghi số đồng, ví dụ 150.000.")
    return int(text)


class DuesImportResource(SpreadsheetResource):
    """One row = one member's dues for one month in `organization`."""

    columns = COLUMNS
    required = REQUIRED
    name_header = "Họ và tên"

    class Meta(SpreadsheetResource.Meta):
        model = DuesLine

    def __init__(self, *, organization: Organization, user=None, change_reason: str = ""):
        super().__init__(user=user, change_reason=change_reason)
        self.organization = organization
        self._seen: dict[tuple[int, dt.date], int] = {}

    def before_import(self, dataset, **kwargs):
        """Everyone who has ever been on the organisation's roll (a member since transferred out may still owe
        a month of before), indexed by card number and by (name, birth date): two queries for the file."""
        super().before_import(dataset, **kwargs)
        people = (
            Member.objects.filter(
                Q(organization=self.organization) | Q(events__organization=self.organization)
            )
            .distinct()
            .order_by("pk")
        )
        self._by_card: dict[str, list[Member]] = {}
        self._by_person: dict[tuple[str, dt.date], list[Member]] = {}
        for member in people:
            if member.card_number.strip():
                self._by_card.setdefault(member.card_number.strip(), []).append(member)
            self._by_person.setdefault((_text(member.full_name), member.birth_date), []).append(member)
        self._row = 1

    def get_instance(self, instance_loader, row):
        return None  # a row is checked and saved through the services, not as a model row

    def import_instance(self, instance, row, **kwargs):
        self._row += 1
        instance._row_number = self._row
        super().import_instance(instance, row, **kwargs)

    def parse(self, key, raw, header):
        if key == "month":
            return parse_month(raw)
        if key in ("income_base", "amount_paid"):
            return parse_amount(raw, header)
        if key == "status":
            status = STATUSES.get(_text(str(raw)))
            if status is None:
                raise ValueError("Trạng thái phải là “Đã nộp”, “Chưa nộp” hoặc “Miễn”.")
            return status
        if key == "card_number" and isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return super().parse(key, raw, header)

    def _member(self, values) -> Member:
        card = (values.get("card_number") or "").strip()
        name, born = (values.get("full_name") or "").strip(), values.get("birth_date")
        if card:
            found = self._by_card.get(card, [])
            if len(found) == 1:
                member = found[0]
                if name and _text(name) != _text(member.full_name):
                    raise ValidationError(
                        {
                            "Họ và tên": [
                                f"Số thẻ {card[:30]} là của {member.full_name}, không phải “{name[:60]}”."
                            ]
                        }
                    )
                return member
            if not found:
                raise ValidationError(
                    {
                        "Số thẻ đảng viên": [
                            f"Tổ chức {self.organization.code} không có đảng viên số thẻ {card[:30]}."
                        ]
                    }
                )
        if not (name and born):
            raise ValidationError(
                {"Dòng": ["Hãy ghi số thẻ đảng viên, hoặc họ và tên cùng ngày sinh, để xác định đảng viên."]}
            )
        found = self._by_person.get((_text(name), born), [])
        if not found:
            raise ValidationError(
                {
                    "Họ và tên": [
                        f"Tổ chức {self.organization.code} không có đảng viên {name[:60]}, sinh {born:%d/%m/%Y}."
                    ]
                }
            )
        if len(found) > 1:
            raise ValidationError(
                {
                    "Họ và tên": [
                        f"Có {len(found)} đảng viên cùng họ tên và ngày sinh: hãy ghi số thẻ đảng viên."
                    ]
                }
            )
        return found[0]

    def clean_values(self, instance, values):
        member = self._member(values)
        status, amount = values["status"], values.get("amount_paid")
        if status == DuesStatus.EXEMPT and not (values.get("reason") or "").strip():
            raise ValidationError({"Lý do miễn": ["Miễn đóng đảng phí phải ghi lý do."]})
        if status != DuesStatus.PAID and amount:
            raise ValidationError({"Số tiền đã nộp": ["Chưa nộp hoặc miễn thì không ghi số tiền đã nộp."]})
        if status == DuesStatus.PAID and amount == 0:
            raise ValidationError({"Số tiền đã nộp": ["Đã nộp thì số tiền phải lớn hơn 0."]})
        if values.get("income_base") is not None and member.organization_id != self.organization.pk:
            raise ValidationError(
                {
                    "Thu nhập làm căn cứ": [
                        "Đảng viên đã chuyển khỏi tổ chức: không cập nhật thu nhập làm căn cứ."
                    ]
                }
            )
        key = (member.pk, values["month"])
        if key in self._seen:
            raise ValidationError(
                {
                    "Dòng": [
                        f"Trùng với dòng {self._seen[key]}: cùng đảng viên, cùng tháng {values['month']:%m/%Y}."
                    ]
                }
            )
        self._seen[key] = instance._row_number
        values["member"] = member
        instance.full_name = member.full_name

    def save_values(self, instance, values):
        member = values["member"]
        if values.get("income_base") is not None:
            profile = dues.profile_of(member)
            services.member_dues_save(
                member=member,
                category=profile.category if profile else dues.default_category(self.organization),
                income_base=values["income_base"],
                by=self.user,
            )
        services.dues_month_save(
            organization=self.organization,
            month=values["month"],
            entries={member: (values["status"], values.get("amount_paid"), values.get("reason") or "")},
            by=self.user,
        )
        instance.pk = DuesLine.objects.only("pk").get(member=member, month=values["month"]).pk


STATUS_TEXT = {DuesStatus.PAID: "Đã nộp", DuesStatus.UNPAID: "Chưa nộp", DuesStatus.EXEMPT: "Miễn"}


def template_workbook(organization: Organization, month: dt.date | None = None) -> bytes:
    """The file to fill in: the organisation's roll at the end of `month` (last month by default), one row per
    member with their card number, name, birth date and the month already written — nothing typed twice; what is
    recorded for that month already fills its status, reason and amount, so the file goes back and forth."""
    if month is None:
        month = (services._today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rows = []
    for row in dues.month_sheet(organization, month):
        m, line = row.member, row.line
        rows.append([
            m.card_number,
            m.full_name,
            f"{m.birth_date:%d/%m/%Y}" if m.birth_date else "",
            f"{month:%m/%Y}",
            "",
            STATUS_TEXT.get(line.status, "") if line else "",
            line.reason if line else "",
            line.amount_paid if line and line.amount_paid else None,
        ])  # fmt: skip
    return DuesImportResource(organization=organization).template_rows(
        rows, sheet_name=f"Thu đảng phí {month:%m-%Y}"
    )
