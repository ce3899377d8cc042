from core.admin import register_read_only

register_read_only(
    "members",
    {
        "Member": {
            "list_display": ["full_name", "organization", "status", "ceremony_on", "full_member_on"],
            "list_filter": ["status"],
            "search_fields": ["full_name", "card_number"],
            "list_select_related": ["organization"],
        },
        "MemberEvent": {
            "list_display": ["member", "kind", "organization", "effective_on", "decided_on"],
            "list_filter": ["kind"],
            "list_select_related": ["member", "organization"],
        },
        "MemberRating": {
            "list_display": ["member", "year", "grade", "organization"],
            "list_filter": ["year", "grade"],
            "list_select_related": ["member", "organization"],
        },
    },
)
