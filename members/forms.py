"""Forms of the members registry: one per page and one per lifecycle action.

Forms check the shape of what was typed; the rules live in ``members.services`` and their errors are put back
beside the fields by ``add_service_errors``.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from core.forms import (  # noqa: F401  (add_service_errors, change_reason_of: re-exported for the views)
    DateInput,
    add_service_errors,
    change_reason_of,
    localized_decimal,
)
from organizations.access import is_staff_role, organizations_for_user
from organizations.models import Cell, Organization, Rating
from organizations.selectors import officer_accounts

from .lifecycle import BADGE_MILESTONES
from .models import (
    BadgeStatus,
    DuesStatus,
    EventKind,
    Gender,
    MeetingCriterion,
    MeetingKind,
    Member,
    Presence,
    TransferScope,
)

MAX_NAME = 120


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


class _CellMixin:
    def limit_cells(self, organization: Organization | None):
        cells = Cell.objects.filter(is_active=True).select_related("organization")
        if organization is not None:
            cells = cells.filter(organization=organization)
        else:
            cells = cells.filter(organization__in=self._orgs)
        self.fields["cell"].queryset = cells
        self.fields["cell"].label_from_instance = lambda c: f"{c.organization.code} · {c.name}"


class MemberCreateForm(_CellMixin, forms.Form):
    organization = forms.ModelChoiceField(label="Tổ chức cơ sở đảng", queryset=Organization.objects.none())
    cell = forms.ModelChoiceField(label="Chi bộ trực thuộc", queryset=Cell.objects.none(), required=False)
    full_name = forms.CharField(label="Họ và tên", max_length=MAX_NAME)
    birth_date = _date("Ngày sinh")
    gender = forms.ChoiceField(label="Giới tính", choices=Gender.choices)
    card_number = forms.CharField(label="Số thẻ đảng viên", max_length=30, required=False)
    arrival = forms.ChoiceField(
        label="Vào danh sách do",
        choices=[
            (EventKind.ADMITTED, "Kết nạp tại tổ chức này"),
            (EventKind.TRANSFER_IN, "Chuyển sinh hoạt đến"),
        ],
        initial=EventKind.ADMITTED,
    )
    admission_considered_on = _date(
        "Ngày chi bộ họp xét kết nạp",
        required=False,
        help_text="Người vào Đảng phải đủ 18 tuổi vào ngày này.",
    )
    admission_decided_on = _date("Ngày quyết định kết nạp")
    ceremony_on = _date("Ngày vào Đảng (lễ kết nạp)")
    full_member_on = _date(
        "Ngày chính thức", required=False, help_text="Để trống nếu còn dự bị. Đúng ngày tròn 12 tháng dự bị."
    )
    full_member_decided_on = _date(
        "Ngày quyết định công nhận chính thức",
        required=False,
        help_text="Nếu trống: lấy ngày chính thức. Số liệu công nhận chính thức tính theo ngày quyết định.",
    )
    arrived_on = _date("Ngày chuyển đến", required=False, help_text="Chỉ khi chuyển sinh hoạt đến.")
    origin_text = forms.CharField(label="Chuyển từ (nơi sinh hoạt trước)", max_length=255, required=False)
    decision_no = forms.CharField(label="Số quyết định", max_length=50, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._orgs = organizations_for_user(user).order_by("code")
        self.fields["organization"].queryset = self._orgs
        self.fields["organization"].label_from_instance = lambda o: f"{o.code} · {o.name}"
        if not is_staff_role(user):
            own = self._orgs.first()
            self.fields["organization"].initial = own
            self.fields["organization"].disabled = True
        self.limit_cells(None)

    def clean(self):
        data = super().clean()
        org, cell = data.get("organization"), data.get("cell")
        if org and cell and cell.organization_id != org.pk:
            self.add_error("cell", "Chi bộ đã chọn không thuộc tổ chức cơ sở đảng này.")
        if data.get("arrival") == EventKind.TRANSFER_IN and not data.get("arrived_on"):
            self.add_error("arrived_on", "Hãy nhập ngày chuyển đến.")
        return data


class MemberEditForm(_CellMixin, forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=MAX_NAME)
    birth_date = _date("Ngày sinh")
    gender = forms.ChoiceField(label="Giới tính", choices=Gender.choices)
    cell = forms.ModelChoiceField(label="Chi bộ trực thuộc", queryset=Cell.objects.none(), required=False)
    card_number = forms.CharField(label="Số thẻ đảng viên", max_length=30, required=False)
    account = forms.ModelChoiceField(
        label="Tài khoản trên cổng (nếu là cán bộ của tổ chức)",
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Bí thư, phó bí thư, văn phòng cấp ủy: các kỳ báo cáo của tổ chức (đúng hạn, muộn, chưa nộp) "
        "được ghi bên cạnh xếp loại của đảng viên này.",
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_cells(member.organization)
        # The organisation's officers now, and the account already linked (kept even if its post has ended).
        self.fields["account"].queryset = (
            get_user_model()
            .objects.filter(
                Q(pk__in=officer_accounts(member.organization).values("pk")) | Q(pk=member.account_id)
            )
            .order_by("username")
        )
        self.fields["account"].label_from_instance = lambda u: " ".join(
            part for part in (u.username, "·", u.get_full_name()) if part
        )


class _ActionForm(forms.Form):
    """A lifecycle action's form: knows the member (and the user) it acts for."""

    def __init__(self, *args, member=None, user=None, **kwargs):
        self.member, self.user = member, user
        super().__init__(*args, **kwargs)


class FullMemberForm(_ActionForm):
    decided_on = _date("Ngày quyết định công nhận chính thức")
    decision_no = forms.CharField(label="Số quyết định", max_length=50, required=False)
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferOutForm(_ActionForm):
    scope = forms.ChoiceField(label="Hình thức chuyển", choices=TransferScope.choices)
    destination = forms.ModelChoiceField(
        label="Chuyển đến tổ chức (trong Khối)",
        queryset=Organization.objects.none(),
        required=False,
        help_text="Khi chuyển nội bộ, hoặc sinh hoạt tạm thời ở một tổ chức trong Đảng bộ Khối.",
    )
    destination_text = forms.CharField(
        label="Nơi chuyển đến (ngoài Khối)",
        max_length=255,
        required=False,
        help_text="Khi chuyển ra ngoài Khối. Chuyển tạm thời: đảng viên vẫn trong danh sách của tổ chức này.",
    )
    effective_on = _date("Ngày hiệu lực")
    decided_on = _date("Ngày quyết định", required=False)
    decision_no = forms.CharField(label="Số giấy giới thiệu / quyết định", max_length=50, required=False)
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        member = self.member
        self.fields["destination"].queryset = (
            Organization.objects.in_bloc_on(timezone.localdate())
            .exclude(pk=member.organization_id)
            .order_by("code")
        )
        self.fields["destination"].label_from_instance = lambda o: f"{o.code} · {o.name}"


class TransferInForm(_ActionForm):
    organization = forms.ModelChoiceField(label="Chuyển đến tổ chức", queryset=Organization.objects.none())
    origin_text = forms.CharField(label="Chuyển từ", max_length=255, required=False)
    effective_on = _date("Ngày hiệu lực")
    decided_on = _date("Ngày quyết định", required=False)
    decision_no = forms.CharField(label="Số quyết định", max_length=50, required=False)
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        member, user = self.member, self.user
        self.fields["organization"].queryset = organizations_for_user(user).order_by("code")
        self.fields["organization"].initial = member.organization_id
        self.fields["organization"].label_from_instance = lambda o: f"{o.code} · {o.name}"


class EndForm(_ActionForm):
    effective_on = _date("Ngày hiệu lực")
    decided_on = _date("Ngày quyết định", required=False)
    decision_no = forms.CharField(label="Số quyết định", max_length=50, required=False)
    note = forms.CharField(
        label="Ghi chú / lý do", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DossierForm(_ActionForm):
    """The full-membership dossier: the cell's resolution and the new-member course certificate."""

    full_resolution_on = _date(
        "Ngày nghị quyết chi bộ đề nghị công nhận chính thức",
        required=False,
        help_text="Chi bộ xét trong 30 ngày làm việc sau khi đủ 12 tháng dự bị.",
    )
    training_certificate_no = forms.CharField(
        label="Số giấy chứng nhận lớp bồi dưỡng đảng viên mới", max_length=50, required=False
    )
    training_certificate_on = _date("Ngày cấp giấy chứng nhận lớp bồi dưỡng đảng viên mới", required=False)


class ExtensionForm(_ActionForm):
    """The committee's one extension of its 30 working days to decide full membership (QĐ 24 §4.3.1)."""

    decided_on = _date(
        "Ngày quyết định gia hạn",
        help_text="Trong 30 ngày làm việc kể từ ngày nghị quyết chi bộ; chỉ gia hạn một lần, thêm 30 ngày làm việc.",
    )
    decided_by = forms.CharField(
        label="Cấp ủy quyết định, số văn bản",
        max_length=255,
        help_text="Ví dụ: Ban Thường vụ Đảng ủy Khối, số 12-TB/ĐUK.",
    )
    reason = forms.CharField(label="Lý do gia hạn", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReadmitForm(_ActionForm):
    """Kết nạp lại (QĐ 24-QĐ/TW §3.5): a new admission decision and ceremony on the same record."""

    organization = forms.ModelChoiceField(
        label="Kết nạp lại vào tổ chức", queryset=Organization.objects.none()
    )
    admission_considered_on = _date("Ngày chi bộ họp xét kết nạp lại", required=False)
    admission_decided_on = _date(
        "Ngày quyết định kết nạp lại",
        help_text="Ít nhất 36 tháng kể từ khi ra khỏi Đảng (Quy định 24-QĐ/TW, mục 3.5.1).",
    )
    decision_no = forms.CharField(label="Số quyết định kết nạp lại", max_length=50)
    ceremony_on = _date(
        "Ngày lễ kết nạp lại (ngày vào Đảng)", help_text="Phải trải qua thời gian dự bị 12 tháng."
    )
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for_user(self.user).order_by("code")
        self.fields["organization"].initial = self.member.organization_id
        self.fields["organization"].label_from_instance = lambda o: f"{o.code} · {o.name}"


class GapForm(_ActionForm):
    starts_on = _date("Bắt đầu gián đoạn từ ngày")
    ends_on = _date("Sinh hoạt trở lại từ ngày", required=False, help_text="Để trống nếu chưa trở lại.")
    reason = forms.CharField(
        label="Lý do",
        max_length=500,
        help_text="Mất liên lạc với tổ chức đảng, gián đoạn do chuyển sinh hoạt…",
    )


class TemporaryEndForm(_ActionForm):
    effective_on = _date("Ngày kết thúc sinh hoạt tạm thời")
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BadgeStatusForm(forms.Form):
    """One row of the badge round list: record the dossier of a member's milestone."""

    member = forms.IntegerField(widget=forms.HiddenInput())
    milestone = forms.TypedChoiceField(
        choices=[(m, m) for m in BADGE_MILESTONES], coerce=int, widget=forms.HiddenInput()
    )
    status = forms.ChoiceField(label="Tình trạng hồ sơ", choices=BadgeStatus.choices)


class DayOffForm(forms.Form):
    day = _date("Ngày nghỉ bù")
    name = forms.CharField(label="Lý do", max_length=120, help_text="Ví dụ: nghỉ bù dịp Quốc khánh.")


class RatingForm(_ActionForm):
    year = forms.IntegerField(label="Năm", min_value=1930, max_value=2100)
    grade = forms.ChoiceField(label="Xếp loại", choices=Rating.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - (
            1 if timezone.localdate().month < 12 else 0
        )
        self.fields["year"].localize = False
        self.fields["year"].widget.is_localized = False


class BulkRatingForm(forms.Form):
    """One grade per member of an organisation for one year (the 20% cap is checked on the whole set)."""

    BLANK = [("", "— chưa xếp loại —")]

    def __init__(self, *args, members, grades, disciplined=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.disciplined = disciplined or {}
        choices = self.BLANK + list(Rating.choices)
        for member in members:
            # HD 21-HD/BTCTW 2019 §II.B: disciplined in the year → KHTNV only (the service refuses the rest).
            own = (
                self.BLANK + [(Rating.KHTNV, Rating.KHTNV.label)]
                if member.pk in self.disciplined
                else choices
            )
            self.fields[f"m{member.pk}"] = forms.ChoiceField(
                label=member.full_name,
                choices=own,
                required=False,
                initial=grades.get(member.pk, ""),
                widget=forms.Select(
                    attrs={"class": "form-select form-select-sm", "aria-label": member.full_name}
                ),
            )

    def rows(self):
        """(member, bound field, discipline counting in the year or None) in the order of the roll."""
        return [(member, self[f"m{member.pk}"], self.disciplined.get(member.pk)) for member in self.members]

    def chosen(self) -> dict:
        """{member: grade} for every member given a grade (a blank leaves the member as they were)."""
        return {m: self.cleaned_data[f"m{m.pk}"] for m in self.members if self.cleaned_data.get(f"m{m.pk}")}


class CandidateForm(_CellMixin, forms.Form):
    organization = forms.ModelChoiceField(label="Tổ chức cơ sở đảng", queryset=Organization.objects.none())
    cell = forms.ModelChoiceField(label="Chi bộ trực thuộc", queryset=Cell.objects.none(), required=False)
    full_name = forms.CharField(label="Họ và tên", max_length=MAX_NAME)
    birth_date = _date("Ngày sinh")
    gender = forms.ChoiceField(label="Giới tính", choices=Gender.choices)
    course_certificate_on = _date("Ngày cấp giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng", required=False)
    cell_considered_on = _date(
        "Ngày chi bộ họp xét kết nạp",
        required=False,
        help_text="Khi chi bộ đã có nghị quyết đề nghị kết nạp: cấp ủy quyết định trong 60 ngày làm việc.",
    )
    sponsors = forms.CharField(label="Đảng viên giới thiệu", max_length=255, required=False)
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._orgs = organizations_for_user(user).order_by("code")
        self.fields["organization"].queryset = self._orgs
        self.fields["organization"].label_from_instance = lambda o: f"{o.code} · {o.name}"
        if not is_staff_role(user):
            self.fields["organization"].initial = self._orgs.first()
            self.fields["organization"].disabled = True
        self.limit_cells(None)


class AdmitForm(forms.Form):
    considered_on = _date(
        "Ngày chi bộ họp xét kết nạp",
        help_text="Người vào Đảng phải đủ 18 tuổi (tính theo tháng) vào ngày này.",
    )
    admission_decided_on = _date("Ngày quyết định kết nạp")
    ceremony_on = _date("Ngày vào Đảng (lễ kết nạp)")
    decision_no = forms.CharField(label="Số quyết định kết nạp", max_length=50, required=False)
    card_number = forms.CharField(label="Số thẻ đảng viên", max_length=30, required=False)


class MeetingForm(forms.Form):
    """A cell meeting and its attendance: the details, the year's checklist and one choice per member of the
    cell's roll (``presence_<id>``: có mặt / vắng có lý do / vắng không lý do, with ``reason_<id>``)."""

    held_on = _date("Ngày sinh hoạt")
    starts_at = forms.TimeField(
        label="Bắt đầu", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label="Kết thúc", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    kind = forms.ChoiceField(label="Loại sinh hoạt", choices=MeetingKind.choices)
    topics = forms.CharField(
        label="Nội dung sinh hoạt", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    resolution = forms.CharField(
        label="Nghị quyết được thông qua",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    chair = forms.ModelChoiceField(
        label="Chủ trì", queryset=Member.objects.none(), required=False, empty_label="— chọn đảng viên —"
    )
    recorder = forms.ModelChoiceField(
        label="Thư ký", queryset=Member.objects.none(), required=False, empty_label="— chọn đảng viên —"
    )
    higher_attendee = forms.CharField(
        label="Cấp ủy cấp trên dự (họ tên, chức vụ)", required=False, max_length=200
    )
    criteria_met = forms.MultipleChoiceField(
        label="Tiêu chí chất lượng đạt", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, roll, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.roll = list(roll)
        people = Member.objects.filter(pk__in=[m.pk for m in self.roll]).order_by("full_name", "pk")
        for name in ("chair", "recorder"):
            self.fields[name].queryset = people
        self.fields["criteria_met"].choices = [
            (c.code, f"{c.text}" + (f" ({c.regulation})" if c.regulation else "")) for c in criteria
        ]
        for member in self.roll:
            self.fields[f"presence_{member.pk}"] = forms.ChoiceField(
                label=member.full_name,
                choices=Presence.choices,
                initial=Presence.PRESENT,
                widget=forms.RadioSelect,
            )
            self.fields[f"reason_{member.pk}"] = forms.CharField(
                label=f"Lý do vắng — {member.full_name}", required=False, max_length=200
            )

    def attendance_rows(self):
        """[(member, presence bound field, reason bound field)] for the template's tap targets."""
        return [(m, self[f"presence_{m.pk}"], self[f"reason_{m.pk}"]) for m in self.roll]

    def detail_fields(self):
        return [self[name] for name in ("held_on", "starts_at", "ends_at", "kind")]

    def minutes_fields(self):
        return [self[name] for name in ("topics", "resolution", "chair", "recorder", "higher_attendee")]

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "Giờ kết thúc phải sau giờ bắt đầu.")
        return data

    def attendance(self) -> dict[int, tuple[str, str]]:
        return {
            m.pk: (self.cleaned_data[f"presence_{m.pk}"], self.cleaned_data.get(f"reason_{m.pk}", ""))
            for m in self.roll
        }

    def details(self) -> dict:
        names = ("held_on", "starts_at", "ends_at", "kind", "topics", "resolution", "chair", "recorder",
                 "higher_attendee", "criteria_met")  # fmt: skip
        return {name: self.cleaned_data.get(name) for name in names}


class MeetingCriterionForm(forms.ModelForm):
    class Meta:
        model = MeetingCriterion
        fields = ["text", "regulation", "order", "is_active"]


# --- Party dues -----------------------------------------------------------------------------------------------


class DuesMonthForm(forms.Form):
    """A month's collection for every member on the roll: status, amount (blank: what they owe), reason.
    A status left blank leaves the member as recorded (or "chưa thu")."""

    BLANK = [("", "— chưa thu —")]

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = rows
        choices = self.BLANK + list(DuesStatus.choices)
        for row in rows:
            pk = row.member.pk
            line = row.line
            self.fields[f"s{pk}"] = forms.ChoiceField(
                label=f"Tình trạng — {row.member.full_name}",
                choices=choices,
                required=False,
                initial=line.status if line else "",
                widget=forms.Select(
                    attrs={
                        "class": "form-select dues-status",
                        "aria-label": f"Tình trạng — {row.member.full_name}",
                        "data-due": row.due if row.due is not None else "",
                    }
                ),
            )
            self.fields[f"a{pk}"] = forms.IntegerField(
                label=f"Số tiền — {row.member.full_name}",
                required=False,
                min_value=1,
                max_value=10**10,
                initial=line.amount_paid if line and line.amount_paid else None,
                widget=forms.NumberInput(
                    attrs={"class": "form-control", "inputmode": "numeric", "placeholder": str(row.due or ""),
                           "aria-label": f"Số tiền — {row.member.full_name}"}
                ),
            )  # fmt: skip
            self.fields[f"r{pk}"] = forms.CharField(
                label=f"Lý do — {row.member.full_name}",
                required=False,
                max_length=200,
                initial=line.reason if line else "",
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control",
                        "placeholder": "Lý do (miễn, chưa đóng)",
                        "aria-label": f"Lý do — {row.member.full_name}",
                    }
                ),
            )

    def rows(self):
        return [
            (r, self[f"s{r.member.pk}"], self[f"a{r.member.pk}"], self[f"r{r.member.pk}"]) for r in self.sheet
        ]

    def entries(self) -> dict:
        """{member: (status, amount or None, reason)} for every member given a status."""
        found = {}
        for row in self.sheet:
            pk = row.member.pk
            status = self.cleaned_data.get(f"s{pk}")
            if status:
                found[row.member] = (
                    status,
                    self.cleaned_data.get(f"a{pk}"),
                    self.cleaned_data.get(f"r{pk}") or "",
                )
        return found


class MemberDuesForm(forms.Form):
    category = forms.ChoiceField(label="Đối tượng đóng đảng phí", choices=())
    income_base = forms.IntegerField(
        label="Thu nhập tính đảng phí (đồng/tháng)",
        required=False,
        min_value=0,
        max_value=10**11,
        help_text="Tiền lương, phụ cấp (hoặc lương hưu) làm căn cứ; để trống với đối tượng đóng mức cố định.",
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories
        self.fields["income_base"].localize = False
        self.fields["income_base"].widget.is_localized = False


class RemittanceForm(forms.Form):
    period_start = forms.TypedChoiceField(label="Kỳ nộp", choices=(), coerce=lambda v: v)
    amount = forms.IntegerField(label="Số tiền nộp (đồng)", min_value=1, max_value=10**12)
    remitted_on = _date("Ngày nộp")
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.start.isoformat(): p for p in periods}
        self.fields["period_start"].choices = [(k, p.label) for k, p in self.periods.items()]
        self.fields["amount"].localize = False
        self.fields["amount"].widget.is_localized = False

    def clean_period_start(self):
        return self.periods[self.cleaned_data["period_start"]].start


class DuesRateForm(forms.Form):
    category = forms.CharField(label="Mã đối tượng", max_length=30, help_text="Ví dụ: hanh_chinh, huu_tri.")
    label = forms.CharField(label="Đối tượng đảng viên", max_length=200)
    valid_from = _date("Áp dụng từ (ngày đầu tháng)")
    percent = localized_decimal(  # "0,5" is half a percent, never 5
        forms.DecimalField(label="Tỷ lệ (%)", required=False, min_value=0, max_value=100, decimal_places=2)
    )
    fixed_amount = forms.IntegerField(
        label="Hoặc mức cố định (đồng/tháng)", required=False, min_value=0, max_value=10**9
    )
    base_label = forms.CharField(label="Căn cứ tính", max_length=200, required=False)
    source = forms.CharField(label="Văn bản quy định (số, ngày, điều khoản)", max_length=300)


class DuesPolicyForm(forms.Form):
    """The shares each level keeps and the remittance period from a date (``services.dues_policy_set``)."""

    valid_from = _date(
        "Áp dụng từ (ngày đầu tháng)", help_text="Cùng ngày với một quy định đã có: sửa quy định đó."
    )
    cell_keeps_percent = localized_decimal(
        forms.DecimalField(
            label="Chi bộ trực thuộc giữ lại (%)", min_value=0, max_value=100, decimal_places=2,
            help_text="Quyết định 342-QĐ/TW, Điều 4: từ 30% đến 50%, phần còn lại nộp lên đảng ủy cơ sở.",
        )
    )  # fmt: skip
    organization_keeps_percent = localized_decimal(
        forms.DecimalField(
            label="Tổ chức cơ sở đảng giữ lại (%)", min_value=0, max_value=100, decimal_places=2,
            help_text="Phần còn lại nộp lên Đảng ủy Khối (QĐ 342: giữ 70%, nộp 30%).",
        )
    )  # fmt: skip
    bloc_keeps_percent = localized_decimal(
        forms.DecimalField(
            label="Đảng ủy Khối giữ lại (%)", min_value=0, max_value=100, decimal_places=2, initial=50,
            help_text="Của phần các tổ chức cơ sở đảng nộp lên; phần còn lại nộp Tỉnh ủy (QĐ 342: mỗi cấp trên "
            "cơ sở giữ 50%).",
        )
    )  # fmt: skip
    remit_every_months = forms.TypedChoiceField(
        label="Kỳ nộp lên Đảng ủy Khối", choices=[(1, "Hằng tháng"), (3, "Hằng quý")], coerce=int
    )
    remit_due_days = forms.IntegerField(label="Hạn nộp (số ngày sau khi hết kỳ)", min_value=0, max_value=120)
    source = forms.CharField(label="Văn bản quy định (số, ngày, điều khoản)", max_length=300)
    cell_share_override = forms.CharField(
        label="Căn cứ cho tỷ lệ chi bộ ngoài khung 30–50%",
        max_length=300,
        required=False,
        help_text="Chỉ ghi khi tỷ lệ chi bộ giữ lại ngoài khung: văn bản cho phép.",
    )
