"""The shape of a TCCSĐ (Điều lệ Đảng 2011) — one home for the size rules, shown on the organisation's page.

- Art. 21.3: a grassroots organisation with 30 members or more is a đảng bộ cơ sở; a chi bộ cơ sở with 30 or
  more is flagged unless the superior committee's decision allowing it is recorded
  (``Organization.large_cell_decision_no``).
- Art. 24.1: a chi bộ trực thuộc has at least 3 full members (chính thức); one with fewer is flagged.

Counts come from the members on the roll through the reverse relations (``organization.members``,
``cell.members``; the members app owns the model and this layer does not import it). Statuses by value:
on the roll = dự bị, chính thức, miễn sinh hoạt.
"""

from django.db.models import Count, Q

from .models import CellKind, Kind, Organization

ON_ROLL = ("du_bi", "chinh_thuc", "mien_sinh_hoat")
FULL = "chinh_thuc"
LARGE_CHI_BO = 30
MIN_FULL_IN_CELL = 3


def structure_flags(organization: Organization) -> list[str]:
    """What in `organization`'s shape breaks Art. 21.3 or 24.1, in Vietnamese (empty when nothing does)."""
    flags = []
    if organization.kind == Kind.CHI_BO_CO_SO and not organization.large_cell_decision_no:
        on_roll = organization.members.filter(status__in=ON_ROLL).count()
        if on_roll >= LARGE_CHI_BO:
            flags.append(
                f"Chi bộ cơ sở có {on_roll} đảng viên (từ {LARGE_CHI_BO} trở lên phải lập đảng bộ cơ sở — Điều lệ "
                "Đảng, Điều 21): chưa có quyết định của cấp ủy cấp trên cho phép."
            )
    if organization.kind == Kind.DANG_BO_CO_SO:
        cells = organization.cells.filter(is_active=True, kind=CellKind.CHI_BO).annotate(
            full=Count("members", filter=Q(members__status=FULL))
        )
        for cell in cells.order_by("name"):
            if cell.full < MIN_FULL_IN_CELL:
                flags.append(
                    f"{cell.name} chỉ có {cell.full} đảng viên chính thức (chi bộ phải có ít nhất "
                    f"{MIN_FULL_IN_CELL} — Điều lệ Đảng, Điều 24)."
                )
    return flags
