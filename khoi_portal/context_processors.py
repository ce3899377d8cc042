from django.conf import settings

from organizations import access


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
        "portal_bloc_name": settings.PORTAL_BLOC_NAME,
        "portal_province": settings.PORTAL_PROVINCE,
    }
