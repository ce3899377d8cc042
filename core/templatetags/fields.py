"""``{% load fields %}``: the portal's one way to render form fields (core.forms.render_field)."""

from django import template

from core.forms import render_field, render_fields

register = template.Library()


@register.simple_tag
def field(bf, flag="", registry=None, figure=False, size="", source=""):
    """``{% field form.name %}``; the report form's figures: ``{% field bf flag=flag registry=value figure=True %}``
    (``source="…"`` names where the registry's value comes from, when not the member registry)."""
    return render_field(bf, flag=flag, registry=registry, figure=figure, size=size, source=source)


@register.filter(name="fields")
def fields_filter(form, size=""):
    """``{{ form|fields }}``: every field of the form, its errors and its hidden fields."""
    return render_fields(form, size=size)
