"""Forms for periodic reports: the report itself (draft or submission), return, attachment, resolutions,
schedule, list filters. Validation only; writes happen in services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.forms.models import fields_for_model

from core.forms import DateInput
from organizations.models import Organization

from .models import PeriodicReport, ReportingSchedule, ReportKind, ReportStatus, Resolution
from .selectors import MEETING_FIELDS, REGISTRY_FIELDS, figure_flags, report_flags
from .services import ENTERED_FIELDS, LINE_KEYS, LINE_LABELS, missing_on_submit
from .uploads import ACCEPT_ATTR, check_upload

NUMBER_ERRORS = {
    "min_value": "Không được nhập số âm.",
    "invalid": "Hãy nhập một số nguyên.",
    "required": "Cần nhập số liệu này trước khi nộp.",
}
YEARLY_FIELDS = ("self_rating", "theme_text", "theme_doc_no", "theme_issued_on")
NARRATIVE_FIELDS = ("results_text", "shortcomings_text", "directions_text", "proposals_text")
SAVE = "save"
SUBMIT = "submit"


def _number_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        error_messages=NUMBER_ERRORS,
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
    )


class ReportForm(forms.Form):
    """The secretary's report. ``mode`` is ``save`` (a draft: incomplete is fine, impossible values are not)
    or ``submit`` (complete, and figures that disagree with the registry need ``discrepancy_note``)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, report: PeriodicReport, lines, mode: str = SAVE, suggestions=None, **kwargs):
        self.report = report
        #: The registry's unit figures (``selectors.registry_suggestions``), shown beside their fields.
        self.suggestions = suggestions or {}
        self.lines = list(lines)
        self.mode = mode
        self.flags: dict[str, str] = {}
        if "initial" not in kwargs and not args and "data" not in kwargs:
            kwargs["initial"] = self.initial_from(report, self.lines)
        super().__init__(*args, **kwargs)
        model_fields = fields_for_model(
            PeriodicReport,
            fields=[
                f for f in ENTERED_FIELDS if report.period.kind == ReportKind.YEAR or f not in YEARLY_FIELDS
            ],
            widgets={"theme_issued_on": DateInput()},
        )
        for name, field in model_fields.items():
            if isinstance(field, forms.IntegerField):
                field = _number_field(field.label)
            field.required = False
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 4 if name in NARRATIVE_FIELDS else 2
            self.fields[name] = field
        for line in self.lines:
            for key in LINE_KEYS:
                self.fields[self.line_field(line.resolution_id, key)] = _number_field(
                    f"{line.resolution.short_title}: {LINE_LABELS[key]}"
                )
        if not self.is_bound:
            self.flags = report_flags(report, self.lines)

    @staticmethod
    def line_field(resolution_id: int, key: str) -> str:
        return f"study_{resolution_id}_{key}"

    @classmethod
    def initial_from(cls, report: PeriodicReport, lines) -> dict:
        initial = {name: getattr(report, name) for name in ENTERED_FIELDS}
        initial["revision"] = report.revision
        for line in lines:
            for key in LINE_KEYS:
                initial[cls.line_field(line.resolution_id, key)] = getattr(line, key)
        return initial

    def clean(self):
        data = super().clean()
        lines = self.cleaned_lines()
        for line in self.lines:
            rid, title = line.resolution_id, line.resolution.short_title
            values = lines[rid]
            for what, label in (("members", "đảng viên"), ("masses", "quần chúng")):
                studied, total = values.get(f"{what}_studied"), values.get(f"{what}_total")
                if studied is not None and total is not None and studied > total:
                    self.add_error(
                        self.line_field(rid, f"{what}_studied"),
                        f"{title}: số {label} đã học không được lớn hơn tổng số {label} ({total}).",
                    )
        held, cells = data.get("cell_meetings_held"), data.get("cells_total")
        if held is not None and cells is not None and held > cells:
            self.add_error(
                "cell_meetings_held", f"Số chi bộ sinh hoạt không được lớn hơn tổng số chi bộ ({cells})."
            )
        self.flags = figure_flags(self.report.registry_snapshot, data, lines)
        if self.mode == SUBMIT:
            self._check_complete(data, lines)
            if self.flags and not (data.get("discrepancy_note") or "").strip():
                self.add_error(
                    "discrepancy_note",
                    "Có số liệu khác sổ đảng viên hoặc sổ sinh hoạt chi bộ (đánh dấu bên cạnh từng ô): cần ghi "
                    "giải trình trước khi nộp.",
                )
        return data

    def _check_complete(self, data, lines) -> None:
        """Blank parts a submission may not have (``services.missing_on_submit``), each beside its field."""
        for name, message in missing_on_submit(
            kind=self.report.period.kind, values=data, lines=lines
        ).items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)

    def cleaned_lines(self) -> dict[int, dict]:
        data = getattr(self, "cleaned_data", {})
        return {
            line.resolution_id: {key: data.get(self.line_field(line.resolution_id, key)) for key in LINE_KEYS}
            for line in self.lines
        }

    def cleaned_report_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ENTERED_FIELDS if name in self.fields}

    # --- layout helpers for the template ------------------------------------------------------------------

    def _items(self, names):
        return [(self[name], self.flags.get(name, "")) for name in names if name in self.fields]

    def registry_items(self):
        snapshot = self.report.registry_snapshot or {}
        return [(bf, flag, snapshot.get(bf.name)) for bf, flag in self._items(REGISTRY_FIELDS)]

    #: Where the unit's figures come from in the registry, as the form says it beside them.
    SUGGESTION_SOURCES = {
        "non_member_headcount": "Sổ theo dõi tổ chức (số liệu năm)",
        "cells_total": "Sổ theo dõi tổ chức (chi bộ đang hoạt động)",
    }

    def entered_items(self):
        """[(bound field, flag, the registry's value or None, where it comes from)]: the cells' meeting records
        where the organisation keeps them for the year (in the registry snapshot), else the registry's
        suggestion."""
        snapshot = self.report.registry_snapshot or {}
        out = []
        for bf, flag in self._items(("non_member_headcount", "cells_total", "cell_meetings_held")):
            if bf.name in MEETING_FIELDS and bf.name in snapshot:
                out.append((bf, flag, snapshot[bf.name], "Sổ sinh hoạt chi bộ"))
            else:
                out.append(
                    (bf, flag, self.suggestions.get(bf.name), self.SUGGESTION_SOURCES.get(bf.name, ""))
                )
        return out

    def study_rows(self):
        return [
            (
                line.resolution,
                [
                    (
                        self[self.line_field(line.resolution_id, key)],
                        self.flags.get(self.line_field(line.resolution_id, key), ""),
                    )
                    for key in LINE_KEYS
                ],
            )
            for line in self.lines
        ]

    def narrative_items(self):
        return self._items(NARRATIVE_FIELDS)

    def yearly_items(self):
        return self._items(YEARLY_FIELDS)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Lý do trả lại",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Cần ghi lý do trả lại."},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Cần ghi lý do trả lại.")
        return reason


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Tệp đính kèm (PDF, DOCX, PNG, JPEG)",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
        error_messages={"required": "Hãy chọn một tệp.", "empty": "Tệp rỗng."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class ResolutionForm(forms.ModelForm):
    class Meta:
        model = Resolution
        fields = ["year", "title", "short_title", "required", "order"]
        widgets = {"year": forms.NumberInput(attrs={"min": "1930", "max": "2100"})}

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 1930 <= year <= 2100:
            raise forms.ValidationError("Năm không hợp lệ.")
        return year


class ResolutionCopyForm(forms.Form):
    from_year = forms.IntegerField(label="Sao chép từ năm", min_value=1930, max_value=2100)
    to_year = forms.IntegerField(label="Sang năm", min_value=1930, max_value=2100)

    def clean(self):
        data = super().clean()
        if data.get("from_year") and data.get("from_year") == data.get("to_year"):
            raise forms.ValidationError("Năm nguồn và năm đích phải khác nhau.")
        return data


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ReportingSchedule
        fields = ["due_days", "remind_days_before", "early_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["min_value"] = "Không được nhập số âm."
            field.error_messages["max_value"] = "Tối đa %(limit_value)s ngày."
            field.widget.attrs["min"] = "0"
            field.label = f"{field.label} — {self.instance.get_kind_display()}"

    def clean_due_days(self):
        value = self.cleaned_data["due_days"]
        if value > 366:
            raise forms.ValidationError("Hạn nộp tối đa 366 ngày sau kỳ.")
        return value

    def clean_early_days(self):
        value = self.cleaned_data["early_days"]
        if value > 31:
            raise forms.ValidationError("Cho phép nộp sớm tối đa 31 ngày trước ngày cuối kỳ.")
        return value


class ReportFilterForm(forms.Form):
    """Filters of the staff and leadership report list."""

    year = forms.IntegerField(label="Năm", required=False, min_value=1930, max_value=2100)
    kind = forms.ChoiceField(label="Loại kỳ", required=False, choices=[("", "Tất cả"), *ReportKind.choices])
    status = forms.ChoiceField(
        label="Trạng thái", required=False, choices=[("", "Tất cả"), *ReportStatus.choices]
    )
    organization = forms.ModelChoiceField(
        label="Tổ chức", required=False, queryset=Organization.objects.order_by("code"), empty_label="Tất cả"
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("year"):
            queryset = queryset.filter(period__year=data["year"])
        if data.get("kind"):
            queryset = queryset.filter(period__kind=data["kind"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("organization"):
            queryset = queryset.filter(organization=data["organization"])
        return queryset


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
