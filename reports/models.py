"""Reporting schedule and periods, periodic reports with their versions, resolutions to study, reminders."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from organizations.models import Organization, Rating


class ReportKind(models.TextChoices):
    MONTH = "month", "Tháng"
    QUARTER = "quarter", "Quý"
    HALF_YEAR = "half_year", "6 tháng"
    YEAR = "year", "Năm"


#: Periods per year for each kind.
PERIODS_PER_YEAR = {ReportKind.MONTH: 12, ReportKind.QUARTER: 4, ReportKind.HALF_YEAR: 2, ReportKind.YEAR: 1}


#: Default due days after the period ends, and reminder lead days (also in migration 0002_default_schedule).
DEFAULT_SCHEDULE = {
    ReportKind.MONTH: (5, 3),
    ReportKind.QUARTER: (10, 5),
    ReportKind.HALF_YEAR: (15, 5),
    ReportKind.YEAR: (20, 7),
}


class ReportingSchedule(models.Model):
    """For one report kind: how many days after the period ends the report is due."""

    kind = models.CharField("loại báo cáo", max_length=12, choices=ReportKind.choices, unique=True)
    due_days = models.PositiveSmallIntegerField(
        "hạn nộp (số ngày sau khi hết kỳ)", validators=[MinValueValidator(0)]
    )
    remind_days_before = models.PositiveSmallIntegerField("nhắc trước hạn (số ngày)", default=3)
    #: A report is submitted from its period's last day; staff may open submission this many days earlier
    #: (``periods.submission_opens_on``).
    early_days = models.PositiveSmallIntegerField(
        "cho phép nộp sớm (số ngày trước ngày cuối kỳ)", default=0, validators=[MaxValueValidator(31)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "lịch báo cáo"
        verbose_name_plural = "lịch báo cáo"
        ordering = ["pk"]

    def __str__(self):
        return f"Báo cáo {self.get_kind_display().lower()}: hạn {self.due_days} ngày sau kỳ"


class ReportingPeriod(models.Model):
    """One reporting period (a month, quarter, half-year or year). Made by ``periods.periods_create``."""

    kind = models.CharField("loại kỳ", max_length=12, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveSmallIntegerField("kỳ số")
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến ngày")
    due_on = models.DateField("hạn nộp")

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["year", "ends_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "number"], name="period_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="period_dates_order"
            ),
        ]
        indexes = [models.Index(fields=["year", "kind"], name="period_year_kind_idx")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.kind == ReportKind.MONTH:
            return f"Tháng {self.number:02d}/{self.year}"
        if self.kind == ReportKind.QUARTER:
            return f"Quý {'I II III IV'.split()[self.number - 1]}/{self.year}"
        if self.kind == ReportKind.HALF_YEAR:
            return f"6 tháng đầu năm {self.year}" if self.number == 1 else f"6 tháng cuối năm {self.year}"
        return f"Năm {self.year}"

    @property
    def label_in_sentence(self) -> str:
        """The label inside a sentence: "quý IV/2021", "tháng 03/2021" (Roman numerals keep their case)."""
        label = self.label
        return label[0].lower() + label[1:]


class Resolution(models.Model):
    """A resolution or directive that members and non-member staff must study in a year."""

    year = models.PositiveSmallIntegerField("năm")
    title = models.CharField("tên nghị quyết, chỉ thị", max_length=255)
    short_title = models.CharField("tên ngắn", max_length=80)
    required = models.BooleanField("bắt buộc học tập", default=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "nghị quyết học tập"
        verbose_name_plural = "nghị quyết học tập"
        ordering = ["year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "short_title"],
                name="resolution_unique_short_title",
                violation_error_message="Năm này đã có nghị quyết cùng tên ngắn.",
            )
        ]

    def __str__(self):
        return f"{self.short_title} ({self.year})"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    SUBMITTED = "submitted", "Đã nộp"
    RETURNED = "returned", "Bị trả lại"
    ACCEPTED = "accepted", "Đã duyệt"


class PeriodicReport(models.Model):
    """One organisation's report for one period.

    ``registry_snapshot`` holds what the member registry said when the report was last saved (members at period
    end, admissions, full memberships, transfers); the plain fields are what the secretary reports, prefilled
    from it. A figure that differs from the snapshot is flagged and needs ``discrepancy_note``
    (``selectors.figure_flags``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        "trạng thái", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    #: Optimistic lock: every save bumps it; a save based on an older revision is refused.
    revision = models.PositiveIntegerField(default=0)

    # Figures prefilled from the registry (and possibly corrected by the secretary).
    members_total = models.PositiveIntegerField("tổng số đảng viên cuối kỳ", null=True, blank=True)
    admissions = models.PositiveIntegerField("kết nạp trong kỳ", null=True, blank=True)
    full_memberships = models.PositiveIntegerField("công nhận chính thức trong kỳ", null=True, blank=True)
    transfers_in = models.PositiveIntegerField("chuyển đến trong kỳ", null=True, blank=True)
    transfers_out = models.PositiveIntegerField("chuyển đi trong kỳ", null=True, blank=True)
    registry_snapshot = models.JSONField("số liệu sổ đảng viên khi lập", default=dict, blank=True)
    # Figures entered by the secretary.
    non_member_headcount = models.PositiveIntegerField("số quần chúng của đơn vị", null=True, blank=True)
    cells_total = models.PositiveIntegerField("số chi bộ", null=True, blank=True)
    cell_meetings_held = models.PositiveIntegerField(
        "số chi bộ sinh hoạt đúng định kỳ", null=True, blank=True
    )
    discrepancy_note = models.TextField("giải trình số liệu khác sổ", blank=True)
    # Narrative.
    results_text = models.TextField("kết quả", blank=True)
    shortcomings_text = models.TextField("hạn chế", blank=True)
    directions_text = models.TextField("phương hướng", blank=True)
    proposals_text = models.TextField("kiến nghị", blank=True)
    # Yearly report only.
    self_rating = models.CharField("tự đánh giá xếp loại", max_length=10, choices=Rating.choices, blank=True)
    theme_text = models.TextField("chủ đề năm (Chỉ thị 05)", blank=True)
    theme_doc_no = models.CharField("số văn bản chủ đề", max_length=50, blank=True)
    theme_issued_on = models.DateField("ngày ban hành chủ đề", null=True, blank=True)

    first_submitted_at = models.DateTimeField("nộp lần đầu lúc", null=True, blank=True)
    submitted_at = models.DateTimeField("nộp lần cuối lúc", null=True, blank=True)
    accepted_at = models.DateTimeField("duyệt lúc", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField("lý do trả lại", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "báo cáo định kỳ"
        verbose_name_plural = "báo cáo định kỳ"
        ordering = ["-period__ends_on", "organization__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period"],
                name="report_one_per_org_period",
                violation_error_message="Tổ chức đã có báo cáo cho kỳ này.",
            ),
            models.CheckConstraint(
                condition=Q(cell_meetings_held__isnull=True)
                | Q(cells_total__isnull=True)
                | Q(cell_meetings_held__lte=models.F("cells_total")),
                name="report_meetings_le_cells",
                violation_error_message="Số chi bộ sinh hoạt không được lớn hơn tổng số chi bộ.",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="report_period_status_idx"),
            # The staff menu's "Chờ duyệt" count on every page: the few reports waiting, not a pass over all.
            models.Index(fields=["status"], condition=Q(status="submitted"), name="report_waiting_idx"),
        ]

    def __str__(self):
        return f"{self.organization.code} · {self.period.label}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Báo cáo là hồ sơ lưu trữ, không được xóa.")


class StudyLine(models.Model):
    """Study coverage of one resolution in one report (cumulative for the year up to the period end)."""

    report = models.ForeignKey(PeriodicReport, on_delete=models.PROTECT, related_name="study_lines")
    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="study_lines")
    #: Studied figures are blank until the secretary enters them (or a previous report of the year prefills
    #: them): a submitted report has every one (``services.missing_on_submit``).
    members_studied = models.PositiveIntegerField("đảng viên đã học", null=True, blank=True)
    members_total = models.PositiveIntegerField("tổng số đảng viên", default=0)
    masses_studied = models.PositiveIntegerField("quần chúng đã học", null=True, blank=True)
    masses_total = models.PositiveIntegerField("tổng số quần chúng", default=0)

    class Meta:
        verbose_name = "kết quả học tập nghị quyết"
        verbose_name_plural = "kết quả học tập nghị quyết"
        constraints = [
            models.UniqueConstraint(fields=["report", "resolution"], name="study_line_unique"),
            models.CheckConstraint(
                condition=Q(members_studied__lte=models.F("members_total")),
                name="study_members_le_total",
                violation_error_message="Số đảng viên đã học không được lớn hơn tổng số đảng viên.",
            ),
            models.CheckConstraint(
                condition=Q(masses_studied__lte=models.F("masses_total")),
                name="study_masses_le_total",
                violation_error_message="Số quần chúng đã học không được lớn hơn tổng số quần chúng.",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.resolution.short_title}"


class ReportVersion(models.Model):
    """A frozen copy of a report at each submission. Never changed, never deleted."""

    report = models.ForeignKey(PeriodicReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("lần nộp")
    data = models.JSONField("nội dung")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("nộp lúc")

    class Meta:
        verbose_name = "phiên bản báo cáo"
        verbose_name_plural = "phiên bản báo cáo"
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]

    def __str__(self):
        return f"{self.report} · lần {self.number}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Phiên bản báo cáo không được xóa.")


class ReportTransition(models.Model):
    """Audit trail of the report's workflow: who moved it from which state to which, when and why."""

    report = models.ForeignKey(PeriodicReport, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    to_status = models.CharField(max_length=12, choices=ReportStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.report}: {self.from_status} → {self.to_status}"


def attachment_path(instance, filename):
    # Generated names only: the uploader's file name is kept in `original_name`, never used on disk.
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    """A signed scan or document attached to a report; served only through a scoped view."""

    report = models.ForeignKey(PeriodicReport, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    is_removed = models.BooleanField(default=False)

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ReminderKind(models.TextChoices):
    DUE = "due", "Nhắc trước hạn"
    OVERDUE = "overdue", "Nhắc quá hạn"
    DIGEST = "digest", "Tổng hợp gửi Văn phòng"
    MANUAL = "manual", "Nhắc từ trang tình hình nộp"


class ReminderLog(models.Model):
    """One reminder message sent, by the nightly schedule (``sent_by`` empty) or by a staff member from the
    period's page. The unique key makes the reminder service idempotent across runs, clicks and servers."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.CharField("gửi tới", max_length=254)
    kind = models.CharField("loại", max_length=20, choices=ReminderKind.choices)
    subject = models.CharField("tiêu đề", max_length=255, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="tổ chức",
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kỳ"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người gửi",
    )
    sent_at = models.DateTimeField("gửi lúc", auto_now_add=True)

    class Meta:
        verbose_name = "thư nhắc báo cáo"
        verbose_name_plural = "thư nhắc báo cáo"
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["period", "organization"], name="reminder_period_org_idx")]

    def __str__(self):
        return self.key


class ReportTally(models.Model):
    """A maintained figure (issue 20): one row for each (organisation, period) the organisation owes — it
    belonged to the Bloc for some part of the period (``timeliness.owes_report``) — with the local day its report
    was first submitted (empty: not yet). Punctuality is then counted from these rows (``timeliness``), not by
    checking every report against the Bloc's membership spells.

    Derived data: kept by ``reports.tallies`` in the same transaction as every write that can change it (a
    report saved, a period made, a membership spell changed); ``manage.py tally_check`` recomputes every row from
    the raw records and reports any difference."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField("nộp lần đầu ngày", null=True, blank=True)

    class Meta:
        verbose_name = "số liệu tổng hợp báo cáo"
        verbose_name_plural = "số liệu tổng hợp báo cáo"
        constraints = [
            models.UniqueConstraint(fields=["organization", "period"], name="report_tally_org_period"),
        ]
        indexes = [models.Index(fields=["period", "submitted_on"], name="report_tally_period_idx")]

    def __str__(self):
        return f"{self.organization_id} × {self.period_id}: {self.submitted_on or '—'}"
