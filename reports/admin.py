from core.admin import register_read_only

register_read_only(
    "reports",
    {
        "PeriodicReport": {
            "list_display": ["organization", "period", "status", "first_submitted_at", "accepted_at"],
            "list_filter": ["status", "period__kind", "period__year"],
            "list_select_related": ["organization", "period"],
        },
        "ReportVersion": {
            "list_display": ["report", "number", "submitted_by", "submitted_at"],
            "list_select_related": ["report__organization", "report__period", "submitted_by"],
        },
    },
)
