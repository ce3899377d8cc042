from core.admin import register_read_only

register_read_only("targets", {"Target": {"list_display": ["year", "indicator", "comparator", "value"]}})
