from html import escape

import django_tables2 as tables
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe

from .models import Kind, Organization, UnitType

#: The labels of the choices, read once (``get_FOO_display`` flattens the field's choices at every call: twice a
#: row, 50 rows a page written afresh after every new member).
_KINDS = dict(Kind.choices)
_UNIT_TYPES = dict(UnitType.choices)


def organization_rows_html(organizations: list[Organization]) -> SafeString:
    """The organisation list's rows (``OrganizationTable``'s columns, with ``members_count`` set), escaped here:
    rendered afresh after every new member (the counts change), 50 rows cost the template engine more than the
    rest of the page."""
    before, after = reverse("organizations:organization_detail", args=[0]).rsplit("0", 1)
    rows = []
    for o in organizations:
        href = f"{before}{o.pk:d}{after}"
        left = f"{o.left_on:%d/%m/%Y}" if o.left_on else "—"
        joined = f"{o.joined_on:%d/%m/%Y}" if o.joined_on else ""
        rows.append(
            f'<tr>\n    <td><a href="{href}">{escape(o.code)}</a></td>\n'
            f'    <td><a href="{href}">{escape(o.name)}</a></td>\n'
            f"    <td>{escape(_KINDS.get(o.kind, o.kind))}</td><td>{escape(_UNIT_TYPES.get(o.unit_type, o.unit_type))}</td>\n"
            f'    <td class="text-end">{escape(str(formats.localize(o.members_count)))}</td>\n'
            f"    <td>{joined}</td><td>{left}</td>\n  </tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 — every value above is escaped


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
