from html import escape

import django_tables2 as tables
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .models import Candidate, Gender, Member, MemberStatus

#: The labels of the choices, read once (``get_FOO_display`` flattens the field's choices at every call: twice a
#: row, 50 rows a page written afresh after every new member).
_GENDERS = dict(Gender.choices)
_STATUSES = dict(MemberStatus.choices)


def _day(value) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


def member_rows_html(members: list[Member]) -> SafeString:
    """The member list's rows (``MemberTable``'s columns), escaped here: rendered afresh after every new member,
    50 rows cost the template engine more than the rest of the page."""
    before, after = reverse("members:member_detail", args=[0]).rsplit("0", 1)
    rows = []
    for m in members:
        rows.append(
            f'<tr>\n    <td><a href="{before}{m.pk:d}{after}">{escape(m.full_name)}</a></td>\n'
            f"    <td>{escape(m.organization.code)}</td>\n"
            f"    <td>{_day(m.birth_date) if m.birth_date else ''}</td><td>{escape(_GENDERS.get(m.gender, m.gender))}</td>\n"
            f"    <td>{_day(m.ceremony_on)}</td><td>{_day(m.full_member_on)}</td>\n"
            f"    <td>{escape(_STATUSES.get(m.status, m.status))}</td>\n  </tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 — every value above is escaped


class MemberTable(tables.Table):
    # Ordered the Vietnamese way (core.collation): given name, middle, family.
    full_name = tables.Column(
        "Họ và tên", linkify=("members:member_detail", {"pk": tables.A("pk")}), order_by=("sort_name", "pk")
    )
    organization = tables.Column("Tổ chức", accessor="organization__code", order_by=("organization__code",))
    birth_date = tables.DateColumn(verbose_name="Ngày sinh")
    gender = tables.Column("Giới tính")
    ceremony_on = tables.DateColumn(verbose_name="Ngày vào Đảng")
    full_member_on = tables.DateColumn(verbose_name="Ngày chính thức")
    status = tables.Column("Tình trạng")

    class Meta:
        model = Member
        fields = (
            "full_name",
            "organization",
            "birth_date",
            "gender",
            "ceremony_on",
            "full_member_on",
            "status",
        )
        order_by = ("full_name",)
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "Không có đảng viên nào khớp điều kiện lọc."


class CandidateTable(tables.Table):
    full_name = tables.Column(
        "Họ và tên",
        linkify=("members:candidate_detail", {"pk": tables.A("pk")}),
        order_by=("sort_name", "pk"),
    )
    organization = tables.Column("Tổ chức", accessor="organization__code", order_by=("organization__code",))
    birth_date = tables.DateColumn(verbose_name="Ngày sinh")
    course_certificate_on = tables.DateColumn(verbose_name="Giấy chứng nhận lớp bồi dưỡng")
    sponsors = tables.Column("Đảng viên giới thiệu")
    status = tables.Column("Tình trạng")

    class Meta:
        model = Candidate
        fields = ("full_name", "organization", "birth_date", "course_certificate_on", "sponsors", "status")
        order_by = ("full_name",)
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "Không có quần chúng ưu tú nào."
