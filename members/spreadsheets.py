"""Members to and from spreadsheets.

Import goes through django-import-export (a dry run for the preview, then the real import, all-or-nothing);
each row is put on the roll by ``members.services.member_create`` so that the same rules apply as in the
form and the admission events exist. Export streams (CSV row by row, XLSX through ``members.xlsx``, which
writes the workbook as it goes) so that a list of half a million members stays within a few tens of MB.
Cells that a spreadsheet would read as a formula (=, +, -, @, tab, CR) are prefixed with a quote.
"""

import datetime as dt
import unicodedata

import tablib
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from import_export import resources

from core.spreadsheets import Sheet, csv_response, xlsx_response
from organizations.models import Cell, Organization

from . import services
from .models import ACTIVE_STATUSES, EventKind, Gender, Member

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
#: elsewhere is not counted as an admission here (issue 15, rule 6).
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


def parse_date(value, header: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError({header: f"“{text[:40]}” không phải ngày hợp lệ (dạng dd/mm/yyyy)."})


class MemberImportResource(resources.ModelResource):
    """One row = one member put on an organisation's roll (admitted there, with their dates)."""

    class Meta:
        model = Member
        fields = ()
        skip_diff = True
        clean_model_instances = False
        use_transactions = True
        store_row_values = True

    def __init__(self, *, user=None):
        super().__init__()
        self.user = user
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
                day = parse_date(row.get("Ngày sinh"), "Ngày sinh")
            except ValidationError:
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

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        values = {}
        for key, header in COLUMNS + OPTIONAL_COLUMNS:
            raw = row.get(header)
            if isinstance(raw, str):
                raw = raw.strip()
            if key in REQUIRED and raw in (None, ""):
                errors.setdefault(header, []).append("Thiếu dữ liệu.")
                continue
            try:
                if key.endswith("_on") or key == "birth_date":
                    values[key] = parse_date(raw, header)
                elif key == "org":
                    code = str(raw).strip()
                    if code.isdigit() and len(code) < 2:
                        code = code.zfill(2)
                    if code not in self._orgs:
                        raise ValidationError({header: f"Không có tổ chức mã “{code[:20]}”."})
                    values[key] = self._orgs[code]
                elif key == "arrival":
                    arrival = ARRIVALS.get(str(raw or "").strip().casefold())
                    if arrival is None:
                        raise ValidationError(
                            {header: "Hình thức phải là “Kết nạp tại đây” hoặc “Chuyển đến”."}
                        )
                    values[key] = arrival
                elif key == "gender":
                    gender = GENDERS.get(str(raw).strip().casefold())
                    if gender is None:
                        raise ValidationError({header: "Giới tính phải là “Nam” hoặc “Nữ”."})
                    values[key] = gender
                else:
                    values[key] = "" if raw is None else str(raw)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
        if not errors and values.get("cell"):
            cell = self._cells.get((values["org"].pk, values["cell"].casefold()))
            if cell is None:
                errors["Chi bộ"] = [f"Tổ chức {values['org'].code} không có chi bộ “{values['cell'][:60]}”."]
            values["cell"] = cell
        if not errors:
            duplicates = self.duplicates(values)
            if duplicates:
                errors["Trùng lặp"] = duplicates
        if errors:
            raise ValidationError(errors)
        values["cell"] = values.get("cell") or None
        instance._import_values = values
        instance.full_name = values["full_name"]

    def save_instance(self, instance, is_create, row, **kwargs):
        values = dict(instance._import_values)
        organization = values.pop("org")
        if values["arrival"] == EventKind.TRANSFER_IN and values.get("arrived_on") is None:
            raise ValidationError({"Ngày chuyển đến": ["Thành viên chuyển đến cần ngày chuyển đến."]})
        try:
            member = services.member_create(organization=organization, by=self.user, **values)
        except ValidationError as error:
            labels = dict(COLUMNS + OPTIONAL_COLUMNS)
            if hasattr(error, "error_dict"):
                raise ValidationError(
                    {
                        labels.get(field, "Dòng"): [m for e in errs for m in e.messages]
                        for field, errs in error.error_dict.items()
                    }
                ) from error
            raise ValidationError({"Dòng": error.messages}) from error
        instance.pk = member.pk
        instance.full_name = member.full_name


def _same_name(name: str) -> str:
    """A name compared as a person reads it: case and spacing aside, diacritics kept (Lê is not Lệ)."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def dataset_from_upload(content: bytes, fmt: str) -> tablib.Dataset:
    """Read the uploaded bytes; raise ValidationError (Vietnamese) when the file cannot be read."""
    try:
        if fmt == "csv":
            dataset = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
        else:
            dataset = tablib.Dataset().load(content, format="xlsx")
    except UnicodeDecodeError as error:
        raise ValidationError("Tệp CSV phải được lưu với mã UTF-8.") from error
    except Exception as error:  # tablib/openpyxl raise many kinds for a broken file
        raise ValidationError("Không đọc được tệp: tệp hỏng hoặc không đúng định dạng.") from error
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    missing = [header for key, header in COLUMNS if key in REQUIRED and header not in headers]
    if missing:
        raise ValidationError(
            "Tệp thiếu cột: " + ", ".join(f"“{h}”" for h in missing) + ". Hãy dùng tệp mẫu."
        )
    dataset.headers = headers
    if dataset.height == 0:
        raise ValidationError("Tệp không có dòng dữ liệu nào.")
    return dataset


def import_members(dataset: tablib.Dataset, *, user, dry_run: bool):
    """Run the import; on a real run any invalid row rolls everything back."""
    resource = MemberImportResource(user=user)
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


def row_problems(result) -> list[tuple[int, str, list[str]]]:
    """(row number in the file, name, messages) for every row that failed, in Vietnamese."""
    problems = []
    for number, row in enumerate(result.rows, start=2):
        messages = []
        if row.validation_error is not None:
            for field, errs in row.validation_error.message_dict.items():
                messages.extend(f"{field}: {m}" if field not in ("__all__", "Dòng") else m for m in errs)
        for err in row.errors:
            messages.append(f"Lỗi không xác định: {str(err.error)[:200]}")
        if messages:
            name = ""
            if getattr(row, "row_values", None):
                name = str(row.row_values.get("Họ và tên") or "")
            problems.append((number, name, messages))
    for err in result.base_errors:
        problems.append((0, "", [str(err.error)[:200]]))
    return problems


def template_workbook() -> bytes:
    # The sheet's name shows in Excel: tablib would call it "Tablib Dataset".
    dataset = tablib.Dataset(headers=[h for _, h in COLUMNS + OPTIONAL_COLUMNS], title="Danh sách đảng viên")
    dataset.append(
        ["01", "Nguyễn Văn Mẫu", "15/04/1990", "Nam", "", "10/03/2021", "25/03/2021", "25/03/2022", "",
         "Kết nạp tại đây", "", "02/04/2022"]
    )  # fmt: skip
    return dataset.export("xlsx")


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
    from .models import MemberStatus

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
    from .models import Candidate

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
