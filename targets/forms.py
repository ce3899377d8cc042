"""Forms for the yearly targets (validation only)."""

from django import forms

from core.forms import DecimalInput
from organizations.models import Rating

from . import indicators
from .models import Comparator, Target


class TargetForm(forms.ModelForm):
    indicator = forms.ChoiceField(label="Chỉ số", choices=())

    class Meta:
        model = Target
        fields = ["year", "indicator", "comparator", "value", "rating", "wording", "order"]
        widgets = {"wording": forms.Textarea(attrs={"rows": 3}), "value": DecimalInput}  # "90,5" is 90,5
        localized_fields = ["value"]
        help_texts = {
            "comparator": "“trên 90%” là > 90; “90% trở lên” là ≥ 90.",
            "value": "Số lượng hoặc tỷ lệ phần trăm (bỏ trống ý nghĩa với chỉ tiêu xếp loại).",
            "rating": "Chỉ dùng cho chỉ tiêu xếp loại Đảng bộ Khối.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators.indicator_choices()
        self.fields["year"].localize = False
        self.fields["year"].widget = forms.NumberInput(attrs={"min": 1930, "max": 2100})
        self.fields["value"].required = False

    def clean(self):
        data = super().clean()
        code = data.get("indicator")
        definition = indicators.REGISTRY.get(code)
        if definition is None:
            return data
        if definition.unit == indicators.RATING:
            if not data.get("rating"):
                self.add_error("rating", "Chỉ tiêu xếp loại cần chọn mức xếp loại.")
            if data.get("comparator") == Comparator.GT and data.get("rating") == Rating.HTXSNV:
                self.add_error("comparator", "Không có mức xếp loại nào cao hơn HTXSNV.")
            data["value"] = data.get("value") or 0
        else:
            if data.get("rating"):
                self.add_error("rating", "Chỉ tiêu này so sánh số liệu, không chọn mức xếp loại.")
            value = data.get("value")
            if value is None:
                self.add_error("value", "Nhập giá trị chỉ tiêu.")
            elif value < 0:
                self.add_error("value", "Giá trị không được âm.")
            elif definition.unit == indicators.PERCENT and value > 100:
                self.add_error("value", "Tỷ lệ không được lớn hơn 100%.")
        return data


class TargetCopyForm(forms.Form):
    from_year = forms.IntegerField(label="Sao chép từ năm", min_value=1930, max_value=2100, localize=False)
    to_year = forms.IntegerField(label="Sang năm", min_value=1930, max_value=2100, localize=False)

    def clean(self):
        data = super().clean()
        if data.get("from_year") and data.get("from_year") == data.get("to_year"):
            raise forms.ValidationError("Năm nguồn và năm đích phải khác nhau.")
        if data.get("from_year") and not Target.objects.filter(year=data["from_year"]).exists():
            self.add_error("from_year", "Năm này chưa có chỉ tiêu nào để sao chép.")
        return data
