"""The project's form renderer writes plain inputs and text areas in Python: the HTML must be Django's own."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from core.forms import DateInput, FastFormRenderer


class Everything(forms.Form):
    name = forms.CharField(max_length=20, help_text="Họ và tên")
    count = forms.IntegerField(min_value=0, required=False)
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    day = forms.DateField(widget=DateInput)
    email = forms.EmailField(required=False, disabled=True)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B <b>")], required=False)
    agree = forms.BooleanField(required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"name": 'Lê "Văn" <script>alert(1)</script> & Đức', "count": "-5", "hidden": "x", "day": "05/03/2021",
         "email": "a@b.vn", "secret": "p<>&", "note": "Dòng 1\n</textarea><script>alert(1)</script>", "choice": "b",
         "agree": "on"},
        {"name": "", "count": "", "hidden": "", "day": "31/02/2021", "note": ""},
    ],
)  # fmt: skip
def test_fast_renderer_writes_the_same_html_as_django(data):
    initial = {"count": 0, "day": dt.date(2021, 3, 5), "note": "có sẵn"}
    fast = Everything(data, initial=initial, renderer=FastFormRenderer())
    django = Everything(data, initial=initial, renderer=DjangoTemplates())
    for name in Everything.base_fields:
        assert str(fast[name]) == str(django[name]), name
    assert fast.as_div() == django.as_div()
    assert "<script>" not in str(fast["name"]) and "<script>" not in str(fast["note"])


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FastFormRenderer)
