import django_tables2 as tables

from .models import Organization


class OrganizationTable(tables.Table):
    code = tables.Column("Mã", linkify=("organizations:organization_detail", {"pk": tables.A("pk")}))
    name = tables.Column("Tên tổ chức", linkify=("organizations:organization_detail", {"pk": tables.A("pk")}))
    kind = tables.Column("Loại hình")
    unit_type = tables.Column("Loại đơn vị")
    members_count = tables.Column(
        "Đảng viên", orderable=False, empty_values=(), attrs={"td": {"class": "text-end"}}
    )
    joined_on = tables.DateColumn(verbose_name="Trực thuộc từ")
    left_on = tables.DateColumn(verbose_name="Thôi trực thuộc")

    class Meta:
        model = Organization
        fields = ("code", "name", "kind", "unit_type", "members_count", "joined_on", "left_on")
        order_by = ("code",)
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "Không có tổ chức nào khớp điều kiện lọc."
