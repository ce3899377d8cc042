"""The one place that decides who may see and change what.

Roles are Django groups (created by a data migration):
- ``van_phong``  committee staff: everything;
- ``lanh_dao``   leadership: reads everything, changes nothing;
- ``bi_thu``     an organisation's secretary: only their own organisation, linked through an active Officer;
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
from django.db.models import QuerySet
from django.http import Http404

from .models import Officer, Organization

STAFF = "van_phong"
LEADERSHIP = "lanh_dao"
SECRETARY = "bi_thu"
INSPECTION = "kiem_tra"
ROLES = (STAFF, LEADERSHIP, SECRETARY, INSPECTION)
ROLE_LABELS = {
    STAFF: "Văn phòng Đảng ủy Khối",
    LEADERSHIP: "Lãnh đạo Đảng ủy Khối",
    SECRETARY: "Bí thư cơ sở",
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


def is_staff_role(user) -> bool:
    return role_of(user) == STAFF


def is_leadership(user) -> bool:
    return role_of(user) == LEADERSHIP


def is_secretary(user) -> bool:
    return role_of(user) == SECRETARY


def is_inspection(user) -> bool:
    return role_of(user) == INSPECTION


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
