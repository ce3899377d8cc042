from django.conf import settings
from django.utils.functional import SimpleLazyObject

from core.datacache import untracked
from organizations import access
from reports.models import PeriodicReport, ReportStatus


def _review_count() -> int:
    # Drawn in the menu, outside every cached body: not counted as read by the page's cached fragments.
    return untracked(PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED).count)


def portal(request):
    """Role and the Bloc's name for the base layout (navigation shows only what the role may use)."""
    user = getattr(request, "user", None)
    role = access.role_of(user) if user is not None else None
    return {
        "portal_role": role,
        "portal_role_label": access.ROLE_LABELS.get(role, ""),
        "portal_is_staff": role == access.STAFF,
        "portal_reads_all": access.reads_everything(user) if user is not None else False,
        "portal_records_discipline": access.can_record_discipline(user) if user is not None else False,
        "portal_my_org": access.organization_of(user) if role == access.SECRETARY else None,
        "portal_my_cell": access.cell_of(user) if role == access.CELL_SECRETARY else None,
        # The menu's "Chờ duyệt" count (staff only; read when the menu is drawn).
        "portal_review_count": SimpleLazyObject(_review_count) if role == access.STAFF else 0,
        "portal_bloc_name": settings.PORTAL_BLOC_NAME,
        "portal_province": settings.PORTAL_PROVINCE,
    }
