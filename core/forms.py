"""Form helpers shared by every app, and the portal's one way to render a form field.

- ``FastFormRenderer`` (settings.FORM_RENDERER) writes inputs, text areas and selects (option groups
  included) in Python, the same HTML as Django's widget templates (core/tests/test_forms.py compares them):
  each template render costs ~0,2–0,4 ms, so a page of selects and ~25 fields saved tens of milliseconds.
- ``render_field`` writes one field in Bootstrap 5's markup — label, widget with its classes, errors beside it
  (``invalid-feedback``, ``aria-describedby``), help — and ``render_fields`` a whole form. Templates use them
  through the ``{% load fields %}`` tags ``{% field bf %}`` and ``{{ form|fields }}``: every form of the portal
  renders through here (crispy-forms is not used).
"""

import html as stdlib_html

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

#: Shown under every date field (``render_field``): the format a date is typed in.
DATE_HINT = "Ngày/tháng/năm, ví dụ 05/03/2021"


class DateInput(forms.DateInput):
    """A text date field typed as dd/mm/yyyy (the project's format module parses it day-first): the phone's
    number keypad (``inputmode="numeric"``), the format as placeholder and, under the field, as words."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")


class DecimalInput(forms.TextInput):
    """A decimal typed the Vietnamese way — "90,5", and also "90.5" or "1.234,5" — in a text box that opens the
    phone's decimal keypad. Not ``type="number"``: such a box follows the browser's language, not the page's, and
    an English Chrome reads "90,5" as 905. Use with a localized field (``localized_decimal``): Django then reads
    the comma as the decimal separator and a lone dot followed by other than three digits as one too
    (``django.utils.formats.sanitize_separators``), and prints the value back as "90,50"."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.is_localized = True


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but a key that is not a 64-bit integer is refused with the field's own message before any query
    (SQLite raises OverflowError on ``pk__in=[10**30]``: a forged POST answered 500)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else [value]:
            try:
                ok = -(2**63) <= int(str(pk)) < 2**63
            except ValueError:
                ok = True  # not a number: Django's own check refuses it with its message
            if not ok:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def localized_decimal(field: forms.DecimalField) -> forms.DecimalField:
    """Make a form's decimal field read and print Vietnamese numbers (``DecimalInput``)."""
    field.localize = True
    field.widget = DecimalInput(
        attrs={k: v for k, v in field.widget.attrs.items() if k not in ("step", "type")}
    )
    return field


#: The field a service names when a change touches a closed year and needs a reason (``organizations.closing``).
CHANGE_REASON = "change_reason"


def ask_change_reason(form: forms.Form) -> None:
    """Give `form` the reason field for a change to a closed year (if it has not got it): it is not shown until
    a service asks for it, then it stays on the form until the change is saved."""
    if CHANGE_REASON not in form.fields:
        form.fields[CHANGE_REASON] = forms.CharField(
            label="Lý do điều chỉnh số liệu năm đã chốt",
            required=False,
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Thay đổi này làm thay đổi số liệu của năm đã chốt: được lưu cùng lý do vào nhật ký.",
        )


def change_reason_of(form: forms.Form) -> str:
    """The reason typed for a change to a closed year, to pass to the service as ``change_reason``; "" when
    the form was not asked for one. A form that carries one keeps showing the field."""
    if not form.is_bound or CHANGE_REASON not in form.data:
        return ""
    ask_change_reason(form)
    return str(form.data.get(CHANGE_REASON) or "").strip()[:500]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (or at the top of the form). A service asking
    for the reason of a change to a closed year (``change_reason``) makes the field appear, the error beside it."""
    if hasattr(error, "error_dict"):
        if CHANGE_REASON in error.error_dict:
            ask_change_reason(form)
        for field, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _escape(value) -> str:
    """``django.utils.html.conditional_escape`` (the escaping of ``format_html`` and of the templates) without
    its check of every call for lazy arguments, which cost more than the escaping on the report form's ~200
    pieces: safe strings as they are, anything else through ``html.escape`` as Django's ``escape`` does."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return stdlib_html.escape(str(value))


def _attrs_html(attrs: dict) -> str:
    """Django's ``django/forms/widgets/attrs.html`` in Python: ``True`` writes the bare name, ``False`` nothing."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastFormRenderer(DjangoTemplates):
    """The project's form renderer (``FORM_RENDERER``): plain inputs and text areas are written in Python, the
    same HTML as Django's templates (``core/tests/test_forms.py`` compares them), because each goes through the
    template engine otherwise — about 0,4 ms a field, 10 ms for the report form's ~25 fields. Every other
    template (check boxes, radio buttons, file inputs) is rendered as usual."""

    INPUT_TEMPLATES = frozenset(
        f"django/forms/widgets/{name}.html"
        for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "search", "tel")
    )
    TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"

    SELECT_TEMPLATE = "django/forms/widgets/select.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and template_name == self.SELECT_TEMPLATE:
            return _select_html(widget)
        if widget is not None and template_name in self.INPUT_TEMPLATES:
            value = widget["value"]
            value_html = f' value="{_escape(value)}"' if value is not None else ""
            return mark_safe(  # noqa: S308 (every part escaped)
                f'<input type="{_escape(widget["type"])}" name="{_escape(widget["name"])}"{value_html}'
                f"{_attrs_html(widget['attrs'])}>"
            )
        if widget is not None and template_name == self.TEXTAREA_TEMPLATE:
            return mark_safe(  # noqa: S308 (every part escaped)
                f'<textarea name="{_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>\n'
                f"{_escape(widget['value'] or '')}</textarea>"
            )
        return super().render(template_name, context, request)


def _select_html(widget: dict) -> str:
    """Django's ``select.html`` (with ``select_option.html`` and option groups) in Python."""
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        body = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    mark_safe(_attrs_html(option["attrs"])),  # noqa: S308 (escaped in _attrs_html)
                    option["label"],
                )
                for option in options
            ),
        )
        groups.append(
            format_html('<optgroup label="{}">{}</optgroup>', group_name, body) if group_name else body
        )
    return format_html(
        '<select name="{}"{}>{}</select>',
        widget["name"],
        mark_safe(_attrs_html(widget["attrs"])),  # noqa: S308 (escaped in _attrs_html)
        mark_safe("".join(groups)),  # noqa: S308 (each part escaped above)
    )


# --- one field in Bootstrap's markup ---------------------------------------------------------------------------


#: The browser's own file button says "Choose File" / "No file chosen" in the browser's language, whatever the
#: page's: the input is hidden from sight (still focusable, still the form's control) behind a Vietnamese button.
FILE_BUTTON = "Chọn tệp…"
NO_FILE = "Chưa chọn tệp nào"


def file_picker(control, auto_id: str, *, button: str = FILE_BUTTON) -> str:
    """A file input (`control`, rendered with the ``file-input visually-hidden`` classes) behind a Vietnamese
    button: a second ``<label>`` styled as a button opens the browser's file dialog, the chosen name shows beside
    it (static/js/portal.js). Keyboard: Tab reaches the input, Enter or Space opens the dialog, and the button
    shows the focus ring (static/css/portal.css)."""
    return format_html(
        '<div class="file-picker">{}<label for="{}" class="btn btn-outline-primary file-button">{}</label>'
        '<span class="file-name" id="{}_name" aria-live="polite">{}</span></div>',
        control,
        auto_id,
        button,
        auto_id,
        NO_FILE,
    )


def _widget_class(widget) -> str:
    if isinstance(widget, forms.FileInput):
        return "file-input visually-hidden"
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
        widget, forms.CheckboxSelectMultiple | forms.RadioSelect
    ):
        return "form-select"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return ""
    return "form-control"


def render_field(
    bf, *, flag: str = "", registry=None, figure: bool = False, size: str = "", source: str = ""
) -> str:
    """One bound field: label, widget (Bootstrap classes, ``is-invalid`` and ``aria-describedby`` when it has
    errors), the errors beside it, help text. With `figure` (the report form's numbers) also the registry's value
    (`registry`, from `source`: the member registry unless named) and why the figure disagrees with it (`flag`).
    `size`: "sm" for compact filter forms."""
    widget = bf.field.widget
    if widget.is_hidden:
        return str(bf)
    auto_id = bf.auto_id
    help_text = bf.help_text
    if isinstance(widget, DateInput) and not help_text:
        help_text = DATE_HINT  # the format, in words that stay when the placeholder is gone
    errors = bf.errors
    described = []
    if errors:
        described.append(f"{auto_id}_error")
    if help_text:
        described.append(f"{auto_id}_helptext")
    classes = [_widget_class(widget), *(widget.attrs.get("class") or "").split()]
    if size and classes[0] in ("form-control", "form-select"):
        classes.append(f"{classes[0]}-{size}")
    if errors:
        classes.append("is-invalid")
    attrs = {"class": " ".join(dict.fromkeys(c for c in classes if c))}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if isinstance(widget, forms.FileInput):
        attrs["aria-describedby"] = " ".join([*described, f"{auto_id}_name"])
    control = bf.as_widget(attrs=attrs)
    if isinstance(widget, forms.FileInput):
        control = file_picker(control, auto_id)
    # The pieces in f-strings with ``_escape`` (what ``format_html`` does, at a fraction of its cost: ~20
    # fields on the report form); `control` is the widget's safe HTML.
    errors_html = (
        f'<div id="{_escape(auto_id)}_error" class="invalid-feedback d-block">'
        + "<br>".join(f"<strong>{_escape(e)}</strong>" for e in errors)
        + "</div>"
        if errors
        else ""
    )
    help_html = (
        f'<div id="{_escape(auto_id)}_helptext" class="form-text">{_escape(help_text)}</div>'
        if help_text
        else ""
    )
    required = '<span class="text-danger" aria-hidden="true">*</span>' if bf.field.required else ""
    label_class = "form-label" + (" small mb-0" if size else "")
    control = _escape(control)
    if isinstance(widget, forms.CheckboxInput):
        html = (
            f'<div id="div_{_escape(auto_id)}" class="form-check mb-3">{control}<label for="{_escape(bf.id_for_label)}" '
            f'class="form-check-label">{_escape(bf.label)}{required}</label>{errors_html}{help_html}</div>'
        )
    else:
        label = (
            f'<label for="{_escape(bf.id_for_label)}" class="{label_class}">{_escape(bf.label)}{required}</label>'
            if bf.label
            else ""
        )
        html = (
            f'<div id="div_{_escape(auto_id)}" class="{"mb-2" if size else "mb-3"}">{label}{control}{errors_html}'
            f"{help_html}</div>"
        )
    if figure:
        registry_html = (
            f'<div class="form-text registry-note">{_escape(source or "Sổ đảng viên")}: {_escape(registry)}</div>'
            if registry is not None
            else ""
        )
        flag_html = f'<div class="form-text flag-text" role="status">⚠ {_escape(flag)}</div>' if flag else ""
        html = (
            f'<div class="report-field{" is-flagged" if flag else ""}">{html}{registry_html}{flag_html}</div>'
        )
    return mark_safe(html)  # noqa: S308 (every part escaped above)


def render_fields(form, *, size: str = "") -> str:
    """A whole form: its errors that belong to no field (an alert), every visible field, the hidden ones."""
    parts = []
    if form.non_field_errors():
        parts.append(
            format_html(
                '<div class="alert alert-danger" role="alert">{}</div>',
                format_html_join("", "<div>{}</div>", ((e,) for e in form.non_field_errors())),
            )
        )
    parts += [render_field(bf, size=size) for bf in form.visible_fields()]
    parts += [str(bf) for bf in form.hidden_fields()]
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 (each part escaped above)
