"""Forms of the discipline and inspection registers: shapes only; the rules live in ``discipline.services``."""

from django import forms
from django.utils import timezone

from core.forms import DateInput, ModelMultipleChoiceField
from members.models import ACTIVE_STATUSES, Member
from organizations.models import Cell, Organization

from .models import (
    AppealOutcome,
    DecidingBody,
    DisciplineForm,
    ProgrammeKind,
    Subject,
    Violation,
)


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def _org_label(o) -> str:
    return f"{o.code} · {o.name}"


class DisciplineRecordForm(forms.Form):
    """A disciplinary decision. The member and cell lists are those of the organisation chosen first (a GET
    parameter), so the page stays small on a phone."""

    organization = forms.ModelChoiceField(label="Tổ chức cơ sở đảng", queryset=Organization.objects.none())
    subject = forms.ChoiceField(label="Đối tượng", choices=Subject.choices, initial=Subject.MEMBER)
    member = forms.ModelChoiceField(label="Đảng viên", queryset=Member.objects.none(), required=False)
    is_leadership = forms.BooleanField(
        label="Là cấp ủy viên của tổ chức",
        required=False,
        help_text="Tính vào xếp loại của tổ chức (HD 21-HD/BTCTW mục II.B; QĐ 124-QĐ/TW Điều 12; QĐ 366-QĐ/TW Điều 11.1).",
    )
    cell = forms.ModelChoiceField(
        label="Chi bộ, đảng bộ bộ phận", queryset=Cell.objects.none(), required=False
    )
    form = forms.ChoiceField(label="Hình thức kỷ luật", choices=DisciplineForm.choices)
    deciding_body = forms.ChoiceField(label="Cấp quyết định", choices=DecidingBody.choices)
    decision_no = forms.CharField(label="Số quyết định", max_length=50)
    decided_on = _date("Ngày quyết định")
    effective_on = _date("Ngày có hiệu lực")
    violation = forms.ChoiceField(label="Nhóm vi phạm", choices=Violation.choices)
    summary = forms.CharField(
        label="Nội dung vi phạm", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.order_by("code")
        self.fields["organization"].queryset = orgs
        self.fields["organization"].label_from_instance = _org_label
        if organization is not None:
            self.fields["organization"].initial = organization.pk
            self.fields["member"].queryset = Member.objects.filter(
                organization=organization, status__in=ACTIVE_STATUSES
            ).order_by("full_name", "pk")
            self.fields["cell"].queryset = Cell.objects.filter(organization=organization, is_active=True)


class AppealForm(forms.Form):
    lodged_on = _date("Ngày nhận đơn khiếu nại")
    summary = forms.CharField(
        label="Nội dung khiếu nại", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealSettleForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Kết quả giải quyết",
        choices=[c for c in AppealOutcome.choices if c[0] != AppealOutcome.PENDING],
    )
    new_form = forms.ChoiceField(
        label="Hình thức kỷ luật mới",
        choices=[("", "—")] + [c for c in DisciplineForm.choices if c[0] != DisciplineForm.KHAI_TRU],
        required=False,
        help_text="Chỉ khi thay đổi hình thức kỷ luật.",
    )
    outcome_decision_no = forms.CharField(label="Số quyết định giải quyết", max_length=50, required=False)
    settled_on = _date("Ngày giải quyết")


class ProgrammeForm(forms.Form):
    year = forms.IntegerField(label="Năm kế hoạch", min_value=1930, max_value=2100)
    kind = forms.ChoiceField(label="Loại", choices=ProgrammeKind.choices)
    title = forms.CharField(label="Nội dung kiểm tra, giám sát", max_length=300)
    in_plan = forms.BooleanField(
        label="Trong chương trình kiểm tra, giám sát năm", required=False, initial=True
    )
    decision_no = forms.CharField(label="Số quyết định", max_length=50, required=False)
    starts_on = _date("Bắt đầu")
    ends_on = _date("Kết thúc (dự kiến)")
    organizations = ModelMultipleChoiceField(
        label="Tổ chức được kiểm tra, giám sát",
        queryset=Organization.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.order_by("code")
        self.fields["organizations"].label_from_instance = _org_label
        self.fields["year"].initial = timezone.localdate().year
        self.fields["year"].localize = False
        self.fields["year"].widget.is_localized = False


class ConcludeForm(forms.Form):
    concluded_on = _date("Ngày kết luận")
    conclusion = forms.CharField(label="Kết luận", max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))


class RemedyForm(forms.Form):
    organization = forms.ModelChoiceField(label="Tổ chức", queryset=Organization.objects.none())
    requirement = forms.CharField(
        label="Yêu cầu khắc phục", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = _date("Thời hạn")

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = programme.organizations.order_by("code")
        self.fields["organization"].label_from_instance = _org_label


class RemedyDoneForm(forms.Form):
    done_on = _date("Ngày hoàn thành")
    note = forms.CharField(label="Kết quả khắc phục", max_length=500, required=False)
