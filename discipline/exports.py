"""The discipline and inspection registers as spreadsheets (``?format=xlsx`` or ``csv`` on their lists): the
list's own filters and scope (a TCCSĐ secretary gets their own organisation's entries), Vietnamese headers, dates
dd/mm/yyyy, written by the one writer (``core.spreadsheets``: formulae neutralised in every cell)."""

from django.db.models import Prefetch, QuerySet

from core.spreadsheets import Sheet, csv_response, xlsx_response
from organizations.models import Organization

from .models import Discipline, InspectionProgramme, Remedy

FORMATS = ("xlsx", "csv")

DISCIPLINE_HEADERS = [
    "Ngày quyết định", "Đối tượng", "Đảng viên / tổ chức bị kỷ luật", "Cấp ủy viên", "Mã tổ chức",
    "Tổ chức cơ sở đảng", "Hình thức kỷ luật", "Nhóm vi phạm", "Cấp quyết định", "Số quyết định",
    "Ngày có hiệu lực", "Tình trạng", "Nội dung vi phạm",
]  # fmt: skip
PROGRAMME_HEADERS = [
    "Năm", "Loại", "Nội dung", "Trong chương trình năm", "Số quyết định", "Bắt đầu", "Kết thúc (dự kiến)",
    "Tổ chức được kiểm tra, giám sát", "Tình trạng", "Ngày kết luận", "Kết luận",
]  # fmt: skip
REMEDY_HEADERS = ["Cuộc kiểm tra, giám sát", "Mã tổ chức", "Tổ chức", "Yêu cầu khắc phục", "Thời hạn",
                  "Ngày hoàn thành", "Kết quả khắc phục"]  # fmt: skip


def _yes(value: bool) -> str:
    return "Có" if value else "Không"


def discipline_rows(disciplines: QuerySet[Discipline]):
    for d in disciplines.select_related("member", "organization", "cell").iterator(chunk_size=1000):
        yield [
            d.decided_on, d.get_subject_display(), d.subject_name, _yes(d.is_leadership), d.organization.code,
            d.organization.name, d.get_form_display(), d.get_violation_display(), d.get_deciding_body_display(),
            d.decision_no, d.effective_on, d.get_status_display(), d.summary,
        ]  # fmt: skip


def disciplines_export(disciplines: QuerySet[Discipline], fmt: str, filename: str):
    """The discipline register as the list shows it (every entry, not only the first page's)."""
    if fmt == "csv":
        return csv_response(DISCIPLINE_HEADERS, discipline_rows(disciplines), filename)
    widths = [12, 18, 28, 8, 10, 30, 14, 28, 24, 16, 12, 20, 60]
    return xlsx_response(
        [Sheet("Sổ kỷ luật", discipline_rows(disciplines), headers=DISCIPLINE_HEADERS, widths=widths)],
        filename,
    )


def programme_rows(programmes: QuerySet[InspectionProgramme]):
    ordered = Prefetch("organizations", queryset=Organization.objects.order_by("code"))
    for p in programmes.prefetch_related(None).prefetch_related(ordered):
        yield [
            p.year, p.get_kind_display(), p.title, _yes(p.in_plan), p.decision_no, p.starts_on, p.ends_on,
            ", ".join(o.code for o in p.organizations.all()), p.get_status_display(), p.concluded_on,
            p.conclusion,
        ]  # fmt: skip


def remedy_rows(remedies: QuerySet[Remedy]):
    for r in remedies.order_by("programme__year", "programme__starts_on", "deadline", "pk"):
        yield [r.programme.title, r.organization.code, r.organization.name, r.requirement, r.deadline, r.done_on,
               r.done_note]  # fmt: skip


def programmes_export(programmes: QuerySet[InspectionProgramme], remedies: QuerySet[Remedy], fmt: str,
                      filename: str):  # fmt: skip
    """The inspection programmes as the list shows them; the XLSX adds the remedies the user may see, of those
    programmes, on a second sheet."""
    if fmt == "csv":
        return csv_response(PROGRAMME_HEADERS, programme_rows(programmes), filename)
    return xlsx_response(
        [
            Sheet("Kiểm tra, giám sát", programme_rows(programmes), headers=PROGRAMME_HEADERS,
                  widths=[8, 28, 40, 10, 16, 12, 12, 24, 20, 12, 60]),
            Sheet("Yêu cầu khắc phục", remedy_rows(remedies), headers=REMEDY_HEADERS,
                  widths=[40, 10, 30, 50, 12, 12, 30]),
        ],
        filename,
    )  # fmt: skip
