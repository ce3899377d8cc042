"""The project's form renderer writes plain inputs and text areas in Python: the HTML must be Django's own."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from core.forms import DateInput, FastFormRenderer, localized_decimal, render_field, render_fields


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
        assert parse_html(str(fast[name])) == parse_html(str(django[name])), name
    assert parse_html(fast.as_div()) == parse_html(django.as_div())
    assert "<script>" not in str(fast["name"]) and "<script>" not in str(fast["note"])


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FastFormRenderer)


class Grouped(forms.Form):
    place = forms.ChoiceField(
        choices=[
            ("", "Chọn…"),
            ("Đảng bộ", [("1", "Sở A"), ("2", 'Sở "B" <i>')]),
            ("Chi bộ", [("3", "Công ty C")]),
        ]
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)


@pytest.mark.parametrize("data", [None, {"place": "2", "many": ["x", "y"]}, {"place": "9"}])
def test_selects_keep_their_option_groups_and_escape_labels(data):
    fast = Grouped(data, renderer=FastFormRenderer())
    django = Grouped(data, renderer=DjangoTemplates())
    for name in Grouped.base_fields:
        assert parse_html(str(fast[name])) == parse_html(str(django[name])), name
    html = str(fast["place"])
    assert '<optgroup label="Đảng bộ">' in html and "&lt;i&gt;" in html
    if data and data.get("place") == "2":
        assert '<option value="2" selected>' in html


def test_a_field_renders_its_label_error_and_help_beside_it():
    form = Everything({"name": "", "count": "-5", "hidden": "1", "day": "31/02/2021"})
    form.is_valid()
    html = str(render_field(form["count"]))
    assert '<label for="id_count" class="form-label">' in html
    assert 'class="form-control is-invalid"' in html and 'aria-describedby="id_count_error"' in html
    assert 'id="id_count_error" class="invalid-feedback d-block"' in html
    name = str(render_field(form["name"]))
    assert 'id="id_name_helptext" class="form-text">Họ và tên' in name
    assert 'aria-describedby="id_name_error id_name_helptext"' in name and "text-danger" in name  # required *
    assert 'class="form-select"' in str(render_field(form["choice"]))
    assert 'class="form-check-input"' in str(render_field(form["agree"]))
    whole = str(render_fields(form))
    assert whole.count("invalid-feedback") == len(form.errors) and 'type="hidden"' in whole


class Upload(forms.Form):
    file = forms.FileField(label="Tệp danh sách")
    day = forms.DateField(label="Ngày quyết định", widget=DateInput)
    value = forms.DecimalField(label="Giá trị", max_digits=10, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localized_decimal(self.fields["value"])


def test_a_file_field_has_a_vietnamese_button_over_the_hidden_browser_control():
    """The browser's own file control says "Choose File" / "No file chosen" in the browser's language: it is
    hidden (still focusable and labelled) behind a "Chọn tệp…" label styled as a button."""
    html = render_field(Upload()["file"])
    assert 'type="file"' in html and 'class="file-input visually-hidden"' in html
    assert '<label for="id_file" class="btn btn-outline-primary file-button">Chọn tệp…</label>' in html
    assert 'id="id_file_name" aria-live="polite">Chưa chọn tệp nào' in html
    assert 'aria-describedby="id_file_name"' in html
    assert html.index('type="file"') < html.index("file-button"), "the button follows the input (focus ring)"


def test_a_date_field_says_its_format_and_opens_the_number_keypad():
    html = render_field(Upload()["day"])
    assert 'inputmode="numeric"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert 'id="id_day_helptext" class="form-text">Ngày/tháng/năm, ví dụ 05/03/2021' in html
    assert 'aria-describedby="id_day_helptext"' in html


def test_a_decimal_field_reads_the_vietnamese_comma():
    form = Upload({"day": "05/03/2021", "value": "90,5"}, {"file": SimpleUploadedFile("a.txt", b"x")})
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["value"]) == "90.5"
    html = render_field(Upload(initial={"value": Decimal("1234.50")})["value"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'value="1.234,50"' in html


@pytest.mark.django_db
def test_a_forged_key_too_large_for_the_database_is_refused_beside_the_field():
    from django.contrib.auth import get_user_model

    from core.forms import ModelMultipleChoiceField

    class Pick(forms.Form):
        users = ModelMultipleChoiceField(queryset=get_user_model().objects.all())

    user = get_user_model().objects.create_user("chon")
    form = Pick({"users": [str(user.pk), str(10**30)]})
    assert not form.is_valid()
    assert str(10**30) in str(form.errors["users"])  # the message names the bad key
    assert Pick({"users": [str(user.pk)]}).is_valid()
