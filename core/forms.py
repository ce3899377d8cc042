"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class DateInput(forms.DateInput):
    """A text date field typed as dd/mm/yyyy (the project's format module parses it day-first)."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class FastSelect(forms.Select):
    """A <select> written in Python: Django renders each option through a template, which costs ~0.2 ms an
    option — 20 ms for the Bloc's 76 organisations on every list page. Same HTML, same attributes."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join
        from django.utils.safestring import mark_safe

        values = self.format_value(value)
        chosen = {str(v) for v in values}
        final_attrs = self.build_attrs(self.attrs, attrs)
        options = []
        for _group, group_choices, _index in self.optgroups(name, values, attrs):
            options.extend(group_choices)
        body = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (o["value"], mark_safe(" selected") if str(o["value"]) in chosen else "", o["label"])
                for o in options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), body)


def _attrs_html(attrs: dict) -> str:
    """Django's ``django/forms/widgets/attrs.html`` in Python: ``True`` writes the bare name, ``False`` nothing."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class FastFormRenderer(DjangoTemplates):
    """The project's form renderer (``FORM_RENDERER``): plain inputs and text areas are written in Python, the
    same HTML as Django's templates (``tests/test_foundation.py`` compares them), because each goes through the
    template engine otherwise — about 0,4 ms a field, 10 ms for the report form's ~25 fields. Every other
    template (selects, check boxes, crispy-forms' field layout) is rendered as usual."""

    INPUT_TEMPLATES = frozenset(
        f"django/forms/widgets/{name}.html"
        for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "search", "tel")
    )
    TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and template_name in self.INPUT_TEMPLATES:
            value = widget["value"]
            return format_html(
                '<input type="{}" name="{}"{}{}>',
                widget["type"],
                widget["name"],
                format_html(' value="{}"', value) if value is not None else "",
                mark_safe(_attrs_html(widget["attrs"])),  # noqa: S308 (escaped by format_html above)
            )
        if widget is not None and template_name == self.TEXTAREA_TEMPLATE:
            return format_html(
                '<textarea name="{}"{}>\n{}</textarea>',
                widget["name"],
                mark_safe(_attrs_html(widget["attrs"])),  # noqa: S308 (escaped by format_html above)
                widget["value"] or "",
            )
        return super().render(template_name, context, request)
