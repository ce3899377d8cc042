from core.admin import register_read_only

register_read_only(
    "organizations",
    {
        "Organization": {
            "list_display": ["code", "name", "kind", "unit_type", "joined_on", "left_on"],
            "list_filter": ["kind", "unit_type"],
            "search_fields": ["code", "name"],
        },
        "OrganizationYear": {
            "list_display": ["organization", "year", "party_rating", "professional_rating"],
            "list_filter": ["year", "party_rating"],
            "search_fields": ["organization__code", "organization__name"],
            "list_select_related": ["organization"],
        },
        "Officer": {
            "list_display": ["user", "organization", "title", "is_active"],
            "list_select_related": ["user", "organization"],
            "search_fields": ["user__username", "organization__name"],
        },
    },
)
