from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.forms import DateInput

from .models import (
    JOIN_REASONS,
    LEAVE_REASONS,
    TERM_ANCHOR,
    TERM_YEARS,
    BlocYear,
    Cell,
    CellKind,
    CellRating,
    Congress,
    Kind,
    MembershipReason,
    OfficerTitle,
    Organization,
    OrganizationYear,
    Rating,
    SignerTitle,
    term_label,
    term_of_year,
)


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "code", "name", "kind", "unit_type", "joined_on", "left_on",
            "address", "phone", "email",
            "large_cell_decision_no", "large_cell_decision_on",
        ]  # fmt: skip
        widgets = {
            "joined_on": DateInput(),
            "left_on": DateInput(),
            "large_cell_decision_on": DateInput(),
        }
        error_messages = {"code": {"unique": "Đã có tổ chức với mã này."}}


class ContactsForm(forms.ModelForm):
    """What an organisation's own secretary may correct: its contacts."""

    class Meta:
        model = Organization
        fields = ["address", "phone", "email"]


class LeaveForm(forms.Form):
    left_on = forms.DateField(label="Ngày thôi trực thuộc Đảng bộ Khối", widget=DateInput())
    reason = forms.ChoiceField(
        label="Lý do",
        choices=[(r.value, r.label) for r in LEAVE_REASONS],
        initial=MembershipReason.CHUYEN_DANG_BO_KHAC,
        required=False,
    )
    decision_no = forms.CharField(label="Số quyết định", max_length=50, required=False)
    decision_on = forms.DateField(label="Ngày quyết định", widget=DateInput(), required=False)

    def clean_reason(self):
        return self.cleaned_data["reason"] or MembershipReason.CHUYEN_DANG_BO_KHAC


class ReturnForm(forms.Form):
    """An organisation that had left the Bloc comes back: a new membership spell."""

    joined_on = forms.DateField(label="Ngày trực thuộc trở lại", widget=DateInput())
    reason = forms.ChoiceField(
        label="Lý do",
        choices=[(r.value, r.label) for r in JOIN_REASONS],
        initial=MembershipReason.CHUYEN_DEN,
        required=False,
    )
    decision_no = forms.CharField(label="Số quyết định", max_length=50, required=False)
    decision_on = forms.DateField(label="Ngày quyết định", widget=DateInput(), required=False)

    def clean_reason(self):
        return self.cleaned_data["reason"] or MembershipReason.CHUYEN_DEN


class CongressForm(forms.ModelForm):
    """Staff record an organisation's congress of a term."""

    class Meta:
        model = Congress
        fields = ["term_start", "held_on", "kind", "note"]
        widgets = {"held_on": DateInput()}
        labels = {"term_start": "Nhiệm kỳ"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        starts = range(TERM_ANCHOR - TERM_YEARS, term_of_year(today.year) + TERM_YEARS, TERM_YEARS)
        self.fields["term_start"] = forms.TypedChoiceField(
            label="Nhiệm kỳ",
            coerce=int,
            choices=[(start, term_label(start)) for start in reversed(starts)],
            initial=term_of_year(today.year),
        )


class CellForm(forms.ModelForm):
    class Meta:
        model = Cell
        fields = ["name", "kind", "is_active"]


class OfficerForm(forms.Form):
    user = forms.ModelChoiceField(label="Tài khoản", queryset=get_user_model().objects.filter(is_active=True))
    title = forms.ChoiceField(label="Chức danh", choices=OfficerTitle.choices)
    cell = forms.ModelChoiceField(
        label="Chi bộ trực thuộc (bí thư chi bộ)",
        queryset=Cell.objects.none(),
        required=False,
        help_text="Chỉ chọn khi tài khoản là bí thư của một chi bộ trực thuộc.",
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            self.fields["cell"].queryset = organization.cells.filter(is_active=True, kind=CellKind.CHI_BO)
        self.fields["user"].queryset = self.fields["user"].queryset.order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.username} — {u.get_full_name()}".rstrip(" —")


class OrganizationYearForm(forms.ModelForm):
    enterprise_effective = forms.NullBooleanField(
        label="Sản xuất kinh doanh hiệu quả, hoàn thành nghĩa vụ với Nhà nước",
        required=False,
        widget=forms.Select(
            choices=[("unknown", "— (không áp dụng / chưa đánh giá)"), ("true", "Có"), ("false", "Không")]
        ),
    )

    class Meta:
        model = OrganizationYear
        fields = [
            "year", "non_member_headcount", "party_rating", "professional_rating", "enterprise_effective",
            "theme_text", "theme_doc_no", "theme_issued_on",
        ]  # fmt: skip
        widgets = {"theme_issued_on": DateInput(), "theme_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].localize = False
        self.fields["year"].widget = forms.NumberInput()
        if not self.instance.organization.is_enterprise:
            del self.fields["enterprise_effective"]
        # A đảng bộ cơ sở's rating rests on its subordinate organisations' ratings: rate them on the same form.
        self.cells = []
        organization = self.instance.organization
        if organization.kind == Kind.DANG_BO_CO_SO:
            self.cells = list(organization.cells.filter(is_active=True).order_by("name"))
            current = dict(
                CellRating.objects.filter(cell__in=self.cells, year=self.instance.year).values_list(
                    "cell_id", "party_rating"
                )
            )
            for cell in self.cells:
                self.fields[f"cell_{cell.pk}"] = forms.ChoiceField(
                    label=f"Xếp loại {cell.get_kind_display().lower()}: {cell.name}",
                    choices=[("", "— chưa xếp loại —"), *Rating.choices],
                    required=False,
                    initial=current.get(cell.pk, ""),
                )

    def cell_grades(self) -> dict:
        return {cell: self.cleaned_data.get(f"cell_{cell.pk}") for cell in self.cells}


class BlocYearForm(forms.ModelForm):
    class Meta:
        model = BlocYear
        fields = ["year", "rating", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget = forms.NumberInput()


class ClosedYearReasonForm(forms.Form):
    """The reason for a change that touches a closed year (``organizations.closing``)."""

    change_reason = forms.CharField(
        label="Lý do điều chỉnh số liệu năm đã chốt",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IssueNumberForm(forms.Form):
    """Finalising an official document: the register gives the number; the person who issues chooses the date
    (default today), the signer and the recipients."""

    issued_on = forms.DateField(label="Ngày ban hành", widget=DateInput())
    signer_name = forms.CharField(label="Người ký", max_length=100)
    signer_title = forms.ChoiceField(label="Chức vụ người ký", choices=SignerTitle.choices)
    recipients = forms.CharField(
        label="Nơi nhận (mỗi nơi một dòng)", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_signer_name(self):
        name = " ".join(self.cleaned_data["signer_name"].split())
        if not name or any(ord(ch) < 32 for ch in name):
            raise forms.ValidationError("Nhập họ tên người ký.")
        return name

    def clean_recipients(self):
        text = self.cleaned_data["recipients"]
        if "\x00" in text:
            raise forms.ValidationError("Nơi nhận có ký tự không hợp lệ.")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("Ghi ít nhất một nơi nhận.")
        if any(len(line) > 200 for line in lines):
            raise forms.ValidationError("Mỗi nơi nhận không quá 200 ký tự.")
        return "\n".join(lines)


class DocumentTemplateForm(forms.Form):
    file = forms.FileField(
        label="Mẫu Word (.docx)",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
    )
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)
