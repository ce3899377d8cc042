"""The one place that decides who may see and change what.

Roles are Django groups (created by a data migration):
- ``van_phong``  committee staff: everything;
- ``lanh_dao``   leadership: reads everything, changes nothing;
- ``bi_thu``     an organisation's secretary: only their own organisation, linked through an active Officer;
                 they also act for every cell of their organisation (a chi bộ cơ sở is its own cell);
- ``bi_thu_chi_bo`` a cell's secretary (bí thư chi bộ trực thuộc): linked through an active Officer with a cell;
                 sees that cell's members and records its meetings and monthly dues, nothing else
                 (``CELL_SECRETARY_PAGES``).
- ``kiem_tra``   the Bloc's Inspection Commission (Ủy ban Kiểm tra Đảng ủy Khối): records disciplines, appeals and
  inspection programmes; reads everything else, changes nothing else.

An object outside the user's scope answers 404 (its existence is not revealed); a page the role may not use
at all answers 403. Every selector in the project starts from ``organizations_for_user`` so scoping is
written once.
"""

from __future__ import annotations

from functools import wraps

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Cell, CellKind, Kind, Officer, Organization

STAFF = "van_phong"
LEADERSHIP = "lanh_dao"
SECRETARY = "bi_thu"
CELL_SECRETARY = "bi_thu_chi_bo"
INSPECTION = "kiem_tra"
ROLES = (STAFF, LEADERSHIP, SECRETARY, CELL_SECRETARY, INSPECTION)
ROLE_LABELS = {
    STAFF: "Văn phòng Đảng ủy Khối",
    LEADERSHIP: "Lãnh đạo Đảng ủy Khối",
    SECRETARY: "Bí thư cơ sở",
    CELL_SECRETARY: "Bí thư chi bộ",
    INSPECTION: "Ủy ban Kiểm tra Đảng ủy Khối",
}


def role_of(user) -> str | None:
    """The user's role, cached on the user object for the request. Superusers act as staff."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_khoi_role", "unset")
    if cached != "unset":
        return cached
    if user.is_superuser:
        role = STAFF
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((r for r in ROLES if r in names), None)
    user._khoi_role = role
    return role


def organization_of(user) -> Organization | None:
    """The organisation a secretary keeps (None for other roles or an unlinked account)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_khoi_org", "unset")
    if cached != "unset":
        return cached
    org = None
    if role_of(user) == SECRETARY:
        officer = Officer.objects.filter(user=user, is_active=True).select_related("organization").first()
        org = officer.organization if officer else None
    user._khoi_org = org
    return org


def cell_of(user) -> Cell | None:
    """The cell a cell secretary keeps (None for other roles or an unlinked account)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_khoi_cell", "unset")
    if cached != "unset":
        return cached
    cell = None
    if role_of(user) == CELL_SECRETARY:
        officer = (
            Officer.objects.filter(user=user, is_active=True, cell__isnull=False)
            .select_related("cell__organization")
            .first()
        )
        cell = officer.cell if officer else None
    user._khoi_cell = cell
    return cell


def is_staff_role(user) -> bool:
    return role_of(user) == STAFF


def is_leadership(user) -> bool:
    return role_of(user) == LEADERSHIP


def is_secretary(user) -> bool:
    return role_of(user) == SECRETARY


def is_cell_secretary(user) -> bool:
    return role_of(user) == CELL_SECRETARY


def is_inspection(user) -> bool:
    return role_of(user) == INSPECTION


def changes_records(user) -> bool:
    """Staff or an organisation's secretary: the roles that add and change members, candidates, ratings and
    badges (within their scope, which ``check_can_work_in`` checks on the object); everyone else reads."""
    return role_of(user) in (STAFF, SECRETARY)


def reads_everything(user) -> bool:
    """Staff, leadership and the Inspection Commission read every organisation's records."""
    return role_of(user) in (STAFF, LEADERSHIP, INSPECTION)


# --- scoping --------------------------------------------------------------------------------------------


def organizations_for_user(user) -> QuerySet[Organization]:
    """Organisations the user may see."""
    if reads_everything(user):
        return Organization.objects.all()
    org = organization_of(user)
    if org is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk=org.pk)


def scope_by_organization(queryset: QuerySet, user, field: str = "organization") -> QuerySet:
    """Restrict any queryset with an organisation foreign key to what the user may see."""
    if reads_everything(user):
        return queryset
    org = organization_of(user)
    if org is None:
        return queryset.none()
    return queryset.filter(**{f"{field}_id": org.pk})


# --- cells and their meetings ------------------------------------------------------------------------------
#
# A cell that holds the monthly meeting (Điều lệ Đảng Art. 24): a chi bộ trực thuộc of a đảng bộ cơ sở, or the
# chi bộ cơ sở itself — "a chi bộ cơ sở is its own cell": its meetings carry no cell (``cell`` empty).


def meeting_cells_q(prefix: str = "") -> Q:
    """Cells that hold chi bộ meetings (chi bộ trực thuộc, active), as a filter on cells."""
    return Q(**{f"{prefix}kind": CellKind.CHI_BO, f"{prefix}is_active": True})


def scope_by_cell(queryset: QuerySet, user, *, organization_field="organization", cell_field="cell"):
    """Restrict a queryset of things that belong to an organisation and, maybe, one of its cells (members,
    meetings) to what the user may see: staff and leadership everything; an organisation's secretary their
    organisation (all its cells); a cell secretary their cell only."""
    if reads_everything(user):
        return queryset
    if role_of(user) == CELL_SECRETARY:
        cell = cell_of(user)
        if cell is None:
            return queryset.none()
        return queryset.filter(
            **{f"{cell_field}_id": cell.pk, f"{organization_field}_id": cell.organization_id}
        )
    return scope_by_organization(queryset, user, organization_field)


def can_see_cell(user, organization: Organization, cell: Cell | None) -> bool:
    """Whether the user may see the meetings of `cell` of `organization` (cell None: the chi bộ cơ sở itself)."""
    if reads_everything(user):
        return True
    if role_of(user) == CELL_SECRETARY:
        mine = cell_of(user)
        return mine is not None and cell is not None and mine.pk == cell.pk
    org = organization_of(user)
    return org is not None and org.pk == organization.pk


def can_record_meetings(user, organization: Organization, cell: Cell | None) -> bool:
    """Recording a cell's meetings: staff, the organisation's secretary (for all its cells — and for the chi bộ
    cơ sở that is its own cell), or that cell's secretary. Leadership and the Inspection Commission read only."""
    if is_staff_role(user):
        return True
    return not reads_everything(user) and can_see_cell(user, organization, cell)


def check_can_record_meetings(user, organization: Organization, cell: Cell | None) -> None:
    """404 when the cell is outside the user's scope, 403 when they see it but may not record (leadership)."""
    if not can_see_cell(user, organization, cell):
        raise Http404("Không tìm thấy.")
    if not can_record_meetings(user, organization, cell):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")


def can_record_dues(user, organization: Organization, cell: Cell | None = None) -> bool:
    """Recording a month's dues: for a whole organisation, staff or its secretary; for one of its cells, also
    that cell's secretary (the chi bộ collects: QĐ 342-QĐ/TW 2010, Art. 3). Leadership and the Inspection
    Commission read only."""
    if cell is None:
        return can_work_in_organization(user, organization)
    return can_record_meetings(user, organization, cell)


def check_can_record_dues(user, organization: Organization, cell: Cell | None = None) -> None:
    """404 when the organisation or cell is outside the user's scope, 403 when they see it but may not record."""
    seen = (
        can_see_cell(user, organization, cell) if cell is not None else organization_of(user) == organization
    )
    if not (seen or reads_everything(user)):
        raise Http404("Không tìm thấy.")
    if not can_record_dues(user, organization, cell):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được ghi thu đảng phí.")


def holds_own_meetings(organization: Organization) -> bool:
    """A chi bộ cơ sở meets as one cell (its meetings have no cell)."""
    return organization.kind == Kind.CHI_BO_CO_SO


#: The only pages a cell secretary may open (URL names); any other page answers 403 (``CellSecretaryGate``).
CELL_SECRETARY_PAGES = frozenset(
    {
        "home",
        "baseline",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "members:member_list",
        "members:member_detail",
        "members:meeting_list",
        "members:meeting_unit",
        "members:meeting_create",
        "members:meeting_detail",
        "members:meeting_edit",
        "members:dues_cell",
    }
)


class CellSecretaryGate:
    """Middleware: a cell secretary may use their cell's pages only; every other page answers 403 before its
    view runs (objects outside their cell still answer 404 on the pages they may use)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or role_of(getattr(request, "user", None)) != CELL_SECRETARY:
            return None
        if match.view_name in CELL_SECRETARY_PAGES:
            return None
        raise PermissionDenied("Vai trò của bạn không được dùng trang này.")


# --- rules (object permissions) -------------------------------------------------------------------------


@rules.predicate
def _is_staff(user):
    return is_staff_role(user)


@rules.predicate
def _keeps_organization(user, org):
    if org is None:
        return False
    mine = organization_of(user)
    return mine is not None and mine.pk == getattr(org, "pk", org)


@rules.predicate
def _reads_everything(user):
    return reads_everything(user)


#: Seeing an organisation: staff, leadership, or its own secretary.
can_view_organization = _reads_everything | (rules.is_authenticated & _keeps_organization)
#: Changing an organisation's members and reports: staff, or its own secretary.
can_work_in_organization = _is_staff | _keeps_organization
#: Registry-wide changes (organisations, cells, officers, ratings, targets, imports, reviews): staff only.
can_manage_registry = _is_staff


def check_organization_visible(user, org) -> None:
    """404 when the organisation is outside the user's scope."""
    if not can_view_organization(user, org):
        raise Http404("Không tìm thấy.")


def check_can_work_in(user, org) -> None:
    """404 if the user cannot see the organisation, 403 if they see it but may not change it (leadership)."""
    check_organization_visible(user, org)
    if not can_work_in_organization(user, org):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")


# --- checks in services -----------------------------------------------------------------------------------
#
# Every service that writes starts with one of these, with the user who acts (`by`). A view has already answered
# 404/403 for what the user may not see or use; the service checks again, so the Django admin, a management
# command or a script cannot do what the portal would refuse. ``by=None`` is the system itself (a management
# command, the demo loader, a data migration): a request always passes its user.


def require_staff(by, message: str = "Chỉ Văn phòng Đảng ủy Khối được thực hiện thao tác này.") -> None:
    """PermissionDenied unless `by` is committee staff (or the system)."""
    if by is not None and not is_staff_role(by):
        raise PermissionDenied(message)


def require_worker(
    by, organization, message: str = "Chỉ bí thư của tổ chức này hoặc Văn phòng Đảng ủy Khối được thay đổi."
) -> None:
    """PermissionDenied unless `by` may change `organization`'s records: staff, or its own officer (or the
    system)."""
    if by is not None and not can_work_in_organization(by, organization):
        raise PermissionDenied(message)


# --- the discipline and inspection registers (Điều lệ Đảng, chapters VII–VIII) ------------------------------


def can_record_discipline(user) -> bool:
    """Recording disciplines, appeals, inspection and supervision programmes: the Inspection Commission only.
    Staff and leadership read the registers; a TCCSĐ's secretary reads their own organisation's entries."""
    return is_inspection(user)


def discipline_scope(queryset: QuerySet, user, field: str = "organization") -> QuerySet:
    """Restrict a discipline or inspection queryset to what the user may read: everything for staff,
    leadership and the Inspection Commission; a secretary only their own organisation's entries (another
    organisation's answers 404, through the view's ``get_object_or_404`` on this queryset). `field` is the
    organisation's foreign key or many-to-many field ("organizations" for a programme's inspected ones)."""
    if reads_everything(user):
        return queryset
    org = organization_of(user)
    if org is None:
        return queryset.none()
    return queryset.filter(**{field: org.pk}).distinct()


def check_can_record_discipline(user) -> None:
    """403 unless the user records the discipline and inspection registers."""
    if not can_record_discipline(user):
        raise PermissionDenied("Chỉ Ủy ban Kiểm tra Đảng ủy Khối ghi sổ kỷ luật, kiểm tra, giám sát.")


def role_required(*roles: str):
    """View decorator: 403 unless the user has one of `roles` (staff always passes)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            role = role_of(request.user)
            if role != STAFF and role not in roles:
                raise PermissionDenied("Vai trò của bạn không được dùng trang này.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(STAFF)
#: Pages that read across organisations: staff, leadership and the Inspection Commission.
readers_required = role_required(STAFF, LEADERSHIP, INSPECTION)
