"""Members to and from spreadsheets.

Import: the portal's one import wizard (``core.imports``: preview as a dry run, then all-or-nothing); each row
is put on the roll by ``members.services.member_create`` so that the same rules apply as in the form and the
admission events exist. Export streams (CSV row by row, XLSX through ``core.spreadsheets``, which
writes the workbook as it goes) so that a list of half a million members stays within a few tens of MB.
Cells that a spreadsheet would read as a formula (=, +, -, @, tab, CR) are prefixed with a quote.
"""

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse

from core.dates import parse_date
from core.imports import SpreadsheetResource
from core.spreadsheets import Sheet, csv_response, xlsx_response
from organizations import closing
from organizations.models import Cell, Organization

from . import services
from .models import ACTIVE_STATUSES, Candidate, EventKind, Gender, Member, MemberStatus

COLUMNS = (
    ("org", "Mã tổ chức"),
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("gender", "Giới tính"),
    ("card_number", "Số thẻ đảng viên"),
    ("admission_decided_on", "Ngày quyết định kết nạp"),
    ("ceremony_on", "Ngày vào Đảng"),
    ("full_member_on", "Ngày chính thức"),
    ("cell", "Chi bộ"),
)
#: Optional on import (not exported): how the member came onto the roll, and the real date of the decision on
#: full membership, so an imported recognition counts in the year it was decided, and a member admitted
#: elsewhere is not counted as an admission here (docs/party-rules.md, rule 6).
OPTIONAL_COLUMNS = (
    ("arrival", "Hình thức"),
    ("arrived_on", "Ngày chuyển đến"),
    ("full_member_decided_on", "Ngày quyết định công nhận chính thức"),
)
ARRIVALS = {
    "": EventKind.ADMITTED,
    "kết nạp tại đây": EventKind.ADMITTED,
    "kết nạp": EventKind.ADMITTED,
    "chuyển đến": EventKind.TRANSFER_IN,
}
EXPORT_HEADERS = [header for _, header in COLUMNS] + ["Tình trạng"]
REQUIRED = {"org", "full_name", "birth_date", "gender", "ceremony_on"}
GENDERS = {"nam": Gender.NAM, "nữ": Gender.NU, "nu": Gender.NU}


class MemberImportResource(SpreadsheetResource):
    """One row = one member put on an organisation's roll (admitted there, or transferred in, with their
    dates), through ``members.services.member_create``: the same rules as the form."""

    columns = COLUMNS + OPTIONAL_COLUMNS
    required = frozenset(REQUIRED)
    name_header = "Họ và tên"

    class Meta(SpreadsheetResource.Meta):
        model = Member

    def __init__(self, *, user=None, change_reason: str = ""):
        super().__init__(user=user, change_reason=change_reason)
        #: The years of the dates the imported rows write (admission, full membership, arrival).
        self.touched_years: set[int] = set()
        #: Each row's years and the member as the closed-year log names them ("Tên (dd/mm/yyyy)").
        self.dated_rows: list[tuple[set[int], str]] = []
        self._orgs = {o.code: o for o in Organization.objects.all()}
        self._cells = {(c.organization_id, c.name.casefold()): c for c in Cell.objects.filter(is_active=True)}
        #: People seen earlier in the same file: (name, birth date) and card numbers, with their row's name.
        self._seen_people: set[tuple[str, dt.date]] = set()
        self._seen_cards: set[str] = set()

    def before_import(self, dataset, **kwargs):
        """Read, once for the whole file, the members on a roll who share a birth date or a card number with
        one of its rows (a few queries for the file, not one a row)."""
        super().before_import(dataset, **kwargs)
        born, cards = set(), set()
        for row in dataset.dict:
            try:
                day = parse_date(row.get("Ngày sinh"))
            except ValueError:
                day = None
            if day:
                born.add(day)
            card = str(row.get("Số thẻ đảng viên") or "").strip()
            if card:
                cards.add(card)
        self._by_birth: dict[dt.date, list[Member]] = {}
        self._by_card: dict[str, list[Member]] = {}
        on_roll = Member.objects.filter(status__in=ACTIVE_STATUSES).select_related("organization")
        for field, values, index in (
            ("birth_date", born, self._by_birth),
            ("card_number", cards, self._by_card),
        ):
            values = sorted(values)
            for start in range(0, len(values), 500):  # SQLite limits the parameters of one query
                for member in on_roll.filter(**{f"{field}__in": values[start : start + 500]}).order_by("pk"):
                    key = member.birth_date if field == "birth_date" else member.card_number.strip()
                    index.setdefault(key, []).append(member)

    def duplicates(self, values: dict) -> list[str]:
        """Why this row is someone already on a roll (same name and birth date, or same party card number),
        or already earlier in the file: importing the same file twice must not put people on the roll twice."""
        name, born = _same_name(values["full_name"]), values["birth_date"]
        card = (values.get("card_number") or "").strip()
        found = []
        candidates = {m.pk: m for m in getattr(self, "_by_birth", {}).get(born, [])}
        if card:
            candidates.update({m.pk: m for m in getattr(self, "_by_card", {}).get(card, [])})
        for member in sorted(candidates.values(), key=lambda m: m.pk)[:20]:
            if card and member.card_number.strip() == card:
                why = f"cùng số thẻ đảng viên {card}"
            elif _same_name(member.full_name) == name:
                why = "cùng họ tên và ngày sinh"
            else:
                continue
            found.append(
                f"Trùng với đảng viên đã có trong sổ ({why}): {member.full_name}, sinh "
                f"{member.birth_date:%d/%m/%Y}, tổ chức {member.organization.code}."
            )
        if (name, born) in self._seen_people or (card and card in self._seen_cards):
            found.append("Trùng với một dòng phía trên trong cùng tệp.")
        self._seen_people.add((name, born))
        if card:
            self._seen_cards.add(card)
        return found

    def get_instance(self, instance_loader, row):
        return None  # every row is a new member

    def parse(self, key, raw, header):
        if key == "org":
            code = str(raw).strip()
            if code.isdigit() and len(code) < 2:
                code = code.zfill(2)
            if code not in self._orgs:
                raise ValueError(f"Không có tổ chức mã “{code[:20]}”.")
            return self._orgs[code]
        if key == "arrival":
            arrival = ARRIVALS.get(str(raw or "").strip().casefold())
            if arrival is None:
                raise ValueError("Hình thức phải là “Kết nạp tại đây” hoặc “Chuyển đến”.")
            return arrival
        if key == "gender":
            gender = GENDERS.get(str(raw).strip().casefold())
            if gender is None:
                raise ValueError("Giới tính phải là “Nam” hoặc “Nữ”.")
            return gender
        return super().parse(key, raw, header)

    def clean_values(self, instance, values):
        if values.get("cell"):
            cell = self._cells.get((values["org"].pk, values["cell"].casefold()))
            if cell is None:
                raise ValidationError(
                    {"Chi bộ": [f"Tổ chức {values['org'].code} không có chi bộ “{values['cell'][:60]}”."]}
                )
            values["cell"] = cell
        duplicates = self.duplicates(values)
        if duplicates:
            raise ValidationError({"Trùng lặp": duplicates})
        values["cell"] = values.get("cell") or None
        if values["arrival"] == EventKind.TRANSFER_IN and values.get("arrived_on") is None:
            raise ValidationError({"Ngày chuyển đến": ["Thành viên chuyển đến cần ngày chuyển đến."]})
        instance.full_name = values["full_name"]

    def save_values(self, instance, values):
        organization = values.pop("org")
        member = services.member_create(
            organization=organization, by=self.user, closed_years_logged_by_caller=True, **values
        )
        instance.pk = member.pk
        keys = ("admission_decided_on", "ceremony_on", "full_member_decided_on", "arrived_on")
        years = {values[key].year for key in keys if values.get(key)}
        self.touched_years |= years
        day = values.get("arrived_on") or values.get("admission_decided_on") or values.get("ceremony_on")
        self.dated_rows.append((years, f"{member.full_name} ({closing.day_text(day)})"))

    def preview(self):
        return closing.previewing()

    def after_rows(self, result) -> None:
        """Rows dated in a closed year (admission, full membership, arrival) change that year's figures: the
        real run needs the reason and logs it once for the import, in the same transaction
        (``organizations.closing``)."""
        closed = set(closing.closed_years_touched(years=self.touched_years))
        closing.closed_year_change_record(
            years=closed,
            what=f"Nhập {len(result.rows)} đảng viên từ tệp",
            before="chưa có trong sổ",
            after="; ".join(text for years, text in self.dated_rows if years & closed),
            reason=self.change_reason,
            by=self.user,
        )


def _same_name(name: str) -> str:
    """A name compared as a person reads it: case and spacing aside, diacritics kept (Lê is not Lệ)."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def template_workbook() -> bytes:
    """The file to fill in: every column's header and one example row."""
    example = ["01", "Nguyễn Văn Mẫu", "15/04/1990", "Nam", "", "10/03/2021", "25/03/2021", "25/03/2022", "",
               "Kết nạp tại đây", "", "02/04/2022"]  # fmt: skip
    return MemberImportResource().template_workbook(example, sheet_name="Danh sách đảng viên")


# --- Export -------------------------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "organization__code",
    "full_name",
    "birth_date",
    "gender",
    "card_number",
    "admission_decided_on",
    "ceremony_on",
    "full_member_on",
    "cell__name",
    "status",
)


def _export_rows(queryset):
    genders = dict(Gender.choices)
    statuses = dict(MemberStatus.choices)
    ordered = queryset.order_by("organization__code", "sort_name", "pk")
    for values in ordered.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000):
        code, name, birth, gender, card, decided, ceremony, full, cell, status = values
        yield [
            code,
            name,
            birth,
            genders.get(gender, gender),
            card,
            decided,
            ceremony,
            full,
            cell or "",
            statuses.get(status, status),
        ]


def export_csv(queryset, filename: str) -> StreamingHttpResponse:
    return csv_response(EXPORT_HEADERS, _export_rows(queryset), filename)


def export_xlsx(queryset, filename: str) -> StreamingHttpResponse:
    """The filtered member list as a workbook, streamed as it is written (dates are real dates, dd/mm/yyyy)."""
    widths = [10, 28, 12, 9, 16, 14, 14, 14, 24, 14]
    return xlsx_response(
        [Sheet("Đảng viên", _export_rows(queryset), headers=EXPORT_HEADERS, widths=widths)], filename
    )


CANDIDATE_HEADERS = ["Mã tổ chức", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày cấp giấy chứng nhận lớp bồi dưỡng",
                     "Đảng viên giới thiệu", "Tình trạng"]  # fmt: skip


def _candidate_rows(queryset):
    genders, statuses = dict(Gender.choices), dict(Candidate.Status.choices)
    fields = (
        "organization__code",
        "full_name",
        "birth_date",
        "gender",
        "course_certificate_on",
        "sponsors",
        "status",
    )
    for code, name, birth, gender, certificate, sponsors, status in (
        queryset.order_by("organization__code", "sort_name", "pk")
        .values_list(*fields)
        .iterator(chunk_size=2000)
    ):
        yield [code, name, birth, genders.get(gender, gender), certificate,
               sponsors, statuses.get(status, status)]  # fmt: skip


def export_candidates(queryset, fmt: str, filename: str):
    """The filtered candidate list as CSV or XLSX (formulae neutralised, dates dd/mm/yyyy)."""
    if fmt == "csv":
        return csv_response(CANDIDATE_HEADERS, _candidate_rows(queryset), filename)
    widths = [10, 28, 12, 9, 16, 28, 14]
    return xlsx_response(
        [Sheet("Quần chúng ưu tú", _candidate_rows(queryset), headers=CANDIDATE_HEADERS, widths=widths)],
        filename,
    )
