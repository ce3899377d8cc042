from core.admin import register_read_only

register_read_only(
    "discipline",
    {
        "Discipline": {
            "list_display": ["decision_no", "subject", "form", "organization", "member", "decided_on"],
            "list_filter": ["form", "subject"],
            "search_fields": ["decision_no", "member__full_name"],
            "list_select_related": ["organization", "member"],
        },
        "InspectionProgramme": {
            "list_display": ["title", "year", "kind", "status", "starts_on"],
            "list_filter": ["year", "kind", "status"],
        },
        "Remedy": {
            "list_display": ["programme", "organization", "deadline", "done_on"],
            "list_select_related": ["programme", "organization"],
        },
    },
)
