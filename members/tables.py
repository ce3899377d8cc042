import django_tables2 as tables

from .models import Candidate, Member


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
