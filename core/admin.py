"""The Django admin is a window on the data, not a second way to change it: every write goes through the
portal's services (which check who acts and the Party's rules), so the portal's models are read-only there.
Accounts and groups (Django's own) stay editable in the admin."""

from django.apps import apps
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """List, search, open, see the history; no add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register_read_only(app_label: str, options: dict | None = None) -> None:
    """Register every model of `app_label` (history models aside) read-only; `options` gives admin attributes
    per model name (list_display, list_filter, search_fields…)."""
    options = options or {}
    for model in apps.get_app_config(app_label).get_models():
        if model.__name__.startswith("Historical") or admin.site.is_registered(model):
            continue
        attrs = options.get(model.__name__, {})
        admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), attrs))
