"""The discipline register (kỷ luật) and the inspection and supervision register (kiểm tra, giám sát) of the
Bloc's Inspection Commission — Điều lệ Đảng chapters VII–VIII.

Nothing here is ever deleted: a discipline changed or annulled on appeal keeps its row with its new status
(``DisciplineStatus``), an appeal keeps its outcome, a remedy its completion date.

The question "who was disciplined in year Y" has one home, ``DisciplineQuerySet.counting_in``: the rating rules
of the layers below (``members.services``, ``organizations.rating_rules``) ask it through the reverse relations
``member.disciplines`` and ``organization.disciplines`` — the idiom ``rating_rules`` already uses for
``organization.member_ratings`` — so no import runs upward.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from members.models import Member, MemberEvent
from organizations.models import Cell, Organization


class Subject(models.TextChoices):
    MEMBER = "member", "Đảng viên"
    ORGANIZATION = "organization", "Tổ chức cơ sở đảng"
    CELL = "cell", "Chi bộ, đảng bộ bộ phận trực thuộc"


class DisciplineForm(models.TextChoices):
    """Điều lệ Đảng Art. 35: forms of discipline — for a member khiển trách, cảnh cáo, cách chức (an office in
    the Party), khai trừ; for a party organisation khiển trách, cảnh cáo, giải tán."""

    KHIEN_TRACH = "khien_trach", "Khiển trách"
    CANH_CAO = "canh_cao", "Cảnh cáo"
    CACH_CHUC = "cach_chuc", "Cách chức"
    KHAI_TRU = "khai_tru", "Khai trừ"
    GIAI_TAN = "giai_tan", "Giải tán"


#: Điều lệ Đảng Art. 35: which forms apply to whom.
MEMBER_FORMS = (
    DisciplineForm.KHIEN_TRACH,
    DisciplineForm.CANH_CAO,
    DisciplineForm.CACH_CHUC,
    DisciplineForm.KHAI_TRU,
)
ORGANIZATION_FORMS = (DisciplineForm.KHIEN_TRACH, DisciplineForm.CANH_CAO, DisciplineForm.GIAI_TAN)
#: Heaviness, for "từ cảnh cáo trở lên" (HD 21-HD/BTCTW 2019 §II.B).
SEVERITY = {
    DisciplineForm.KHIEN_TRACH: 1,
    DisciplineForm.CANH_CAO: 2,
    DisciplineForm.CACH_CHUC: 3,
    DisciplineForm.KHAI_TRU: 4,
    DisciplineForm.GIAI_TAN: 4,
}


class Violation(models.TextChoices):
    """Violation categories as the Inspection Commission's statistics group them."""

    CHINH_TRI_TU_TUONG = "chinh_tri", "Chính trị tư tưởng, đạo đức, lối sống"
    NGUYEN_TAC = "nguyen_tac", "Nguyên tắc tập trung dân chủ, quy chế làm việc"
    SINH_HOAT = "sinh_hoat", "Sinh hoạt đảng, đóng đảng phí"
    KINH_TE = "kinh_te", "Quản lý kinh tế, tài chính, tài sản công"
    THAM_NHUNG = "tham_nhung", "Tham nhũng, tiêu cực, lãng phí"
    DAT_DAI = "dat_dai", "Đất đai, tài nguyên, môi trường"
    CONG_TAC_CAN_BO = "can_bo", "Công tác cán bộ"
    CHINH_SACH_DAN_SO = "dan_so", "Chính sách dân số, kế hoạch hóa gia đình"
    PHAP_LUAT = "phap_luat", "Vi phạm pháp luật khác"
    KHAC = "khac", "Khác"


class DecidingBody(models.TextChoices):
    CHI_BO = "chi_bo", "Chi bộ"
    DANG_UY_CO_SO = "dang_uy_co_so", "Đảng ủy cơ sở"
    UBKT_DANG_UY_KHOI = "ubkt_duk", "Ủy ban Kiểm tra Đảng ủy Khối"
    BTV_DANG_UY_KHOI = "btv_duk", "Ban Thường vụ Đảng ủy Khối"
    CAP_TREN = "cap_tren", "Cấp ủy, UBKT cấp trên"


class DisciplineStatus(models.TextChoices):
    IN_FORCE = "in_force", "Có hiệu lực"
    #: The appeal's outcome replaced the form (a lighter one): the replacing decision is another row.
    CHANGED = "changed", "Đã thay đổi hình thức khi giải quyết khiếu nại"
    ANNULLED = "annulled", "Đã hủy khi giải quyết khiếu nại"


class DisciplineQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(status=DisciplineStatus.IN_FORCE)

    def counting_in(self, year: int):
        """Disciplines that count in the ratings of `year`: decided in that year and still in force (HD 21-HD/
        BTCTW 2019 §II.B: "bị thi hành kỷ luật trong năm — một vi phạm bị xử lý kỷ luật chỉ tính một lần khi
        xếp loại": the decision's year is the one rating that counts it; an annulled discipline counts in
        none). The one home of "disciplined in year Y". A year no date can have (a form's garbage) has none."""
        if not isinstance(year, int) or not 1 <= year <= 9998:
            return self.none()
        return self.in_force().filter(decided_on__year=year)


class Discipline(models.Model):
    """One disciplinary decision against a member, a TCCSĐ or a subordinate organisation (Điều lệ Art. 35–40).

    `organization` is always set: the member's TCCSĐ on the decision date, or the disciplined organisation (the
    đảng bộ cơ sở of a disciplined cell) — it decides who may read the entry."""

    subject = models.CharField("đối tượng", max_length=15, choices=Subject.choices)
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disciplines",
        verbose_name="đảng viên",
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="disciplines", verbose_name="tổ chức cơ sở đảng"
    )
    cell = models.ForeignKey(
        Cell,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disciplines",
        verbose_name="chi bộ",
    )
    form = models.CharField("hình thức kỷ luật", max_length=15, choices=DisciplineForm.choices)
    #: A member of the organisation's leadership (cấp ủy viên) at the time: QĐ 366-QĐ/TW Art. 11.1 and
    #: HD 21-HD/BTCTW 2019 §II.B weigh it on the organisation's own rating.
    is_leadership = models.BooleanField("là cấp ủy viên", default=False)
    deciding_body = models.CharField("cấp quyết định", max_length=15, choices=DecidingBody.choices)
    decision_no = models.CharField("số quyết định", max_length=50)
    decided_on = models.DateField("ngày quyết định")
    effective_on = models.DateField("ngày có hiệu lực")
    violation = models.CharField("nhóm vi phạm", max_length=15, choices=Violation.choices)
    summary = models.TextField("nội dung vi phạm", max_length=4000)
    status = models.CharField(
        "tình trạng", max_length=10, choices=DisciplineStatus.choices, default=DisciplineStatus.IN_FORCE
    )
    #: The member's exit event written with an expulsion (khai trừ).
    exit_event = models.OneToOneField(
        MemberEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="discipline"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)

    objects = DisciplineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "quyết định kỷ luật"
        verbose_name_plural = "sổ kỷ luật"
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gte=models.F("decided_on")),
                name="discipline_effect_not_before_decision",
                violation_error_message="Ngày có hiệu lực không được trước ngày quyết định.",
            ),
            models.CheckConstraint(
                condition=(Q(subject="member") & Q(member__isnull=False))
                | (Q(subject="organization") & Q(member__isnull=True) & Q(cell__isnull=True))
                | (Q(subject="cell") & Q(member__isnull=True) & Q(cell__isnull=False)),
                name="discipline_subject_matches",
                violation_error_message="Đối tượng kỷ luật không khớp (đảng viên, tổ chức hoặc chi bộ).",
            ),
            models.CheckConstraint(
                condition=(Q(subject="member") & Q(form__in=[f.value for f in MEMBER_FORMS]))
                | (~Q(subject="member") & Q(form__in=[f.value for f in ORGANIZATION_FORMS])),
                name="discipline_form_fits_subject",
                violation_error_message="Hình thức kỷ luật không áp dụng cho đối tượng này (Điều lệ Đảng, Điều 35).",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DisciplineStatus.values),
                name="discipline_status_valid",
                violation_error_message="Tình trạng không hợp lệ.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "decided_on"], name="discipline_org_decided_idx")]

    def __str__(self):
        return f"{self.get_form_display()} · {self.subject_name} · {self.decision_no}"

    @property
    def subject_name(self) -> str:
        if self.subject == Subject.MEMBER and self.member_id:
            return self.member.full_name
        if self.subject == Subject.CELL and self.cell_id:
            return self.cell.name
        return self.organization.name

    def delete(self, *args, **kwargs):
        raise ValidationError("Sổ kỷ luật không được xóa.")


class AppealOutcome(models.TextChoices):
    PENDING = "pending", "Đang giải quyết"
    UPHELD = "upheld", "Giữ nguyên hình thức kỷ luật"
    CHANGED = "changed", "Thay đổi hình thức kỷ luật"
    ANNULLED = "annulled", "Xóa (hủy) quyết định kỷ luật"


class Appeal(models.Model):
    """A complaint against a discipline (khiếu nại kỷ luật đảng, Điều lệ Art. 37) and how it was settled."""

    discipline = models.ForeignKey(Discipline, on_delete=models.PROTECT, related_name="appeals")
    lodged_on = models.DateField("ngày nhận đơn khiếu nại")
    summary = models.TextField("nội dung khiếu nại", max_length=4000)
    outcome = models.CharField(
        "kết quả giải quyết", max_length=10, choices=AppealOutcome.choices, default=AppealOutcome.PENDING
    )
    new_form = models.CharField(
        "hình thức kỷ luật mới", max_length=15, choices=DisciplineForm.choices, blank=True
    )
    outcome_decision_no = models.CharField("số quyết định giải quyết", max_length=50, blank=True)
    settled_on = models.DateField("ngày giải quyết", null=True, blank=True)
    #: When the outcome changed the form: the discipline row that replaces the original.
    replacement = models.OneToOneField(
        Discipline, on_delete=models.PROTECT, null=True, blank=True, related_name="replaces_through"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "khiếu nại kỷ luật"
        verbose_name_plural = "khiếu nại kỷ luật"
        ordering = ["-lodged_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(settled_on__isnull=False),
                name="appeal_settled_has_date",
                violation_error_message="Đã giải quyết thì phải có ngày giải quyết.",
            ),
            models.CheckConstraint(
                condition=Q(settled_on__isnull=True) | Q(settled_on__gte=models.F("lodged_on")),
                name="appeal_settled_after_lodged",
                violation_error_message="Ngày giải quyết không được trước ngày nhận đơn.",
            ),
        ]

    def __str__(self):
        return f"Khiếu nại · {self.discipline}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Khiếu nại kỷ luật không được xóa.")


class ProgrammeKind(models.TextChoices):
    KIEM_TRA_CHUYEN_DE = "kiem_tra", "Kiểm tra chuyên đề"
    GIAM_SAT_CHUYEN_DE = "giam_sat", "Giám sát chuyên đề"
    DAU_HIEU_VI_PHAM = "dau_hieu", "Kiểm tra khi có dấu hiệu vi phạm"
    TAI_CHINH_DANG = "tai_chinh", "Kiểm tra tài chính đảng, thu nộp đảng phí"


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", "Theo kế hoạch, chưa tiến hành"
    UNDER_WAY = "under_way", "Đang tiến hành"
    CONCLUDED = "concluded", "Đã kết luận"


class InspectionProgramme(models.Model):
    """An inspection or supervision programme of the Bloc's Inspection Commission (Điều lệ Đảng Art. 30, 32):
    the organisations it covers, its dates, its conclusion, and the remedies it requires."""

    year = models.PositiveSmallIntegerField("năm kế hoạch")
    kind = models.CharField("loại", max_length=10, choices=ProgrammeKind.choices)
    title = models.CharField("nội dung", max_length=300)
    #: In the year's plan (counts in "done vs planned"); an inspection for signs of violation is not planned.
    in_plan = models.BooleanField("trong chương trình năm", default=True)
    decision_no = models.CharField("số quyết định", max_length=50, blank=True)
    starts_on = models.DateField("bắt đầu")
    ends_on = models.DateField("kết thúc (dự kiến)")
    organizations = models.ManyToManyField(
        Organization, related_name="inspection_programmes", verbose_name="tổ chức được kiểm tra, giám sát"
    )
    status = models.CharField(
        "tình trạng", max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.PLANNED
    )
    conclusion = models.TextField("kết luận", blank=True, max_length=8000)
    concluded_on = models.DateField("ngày kết luận", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(m2m_fields=[organizations])

    class Meta:
        verbose_name = "cuộc kiểm tra, giám sát"
        verbose_name_plural = "chương trình kiểm tra, giám sát"
        ordering = ["-year", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_start",
                violation_error_message="Ngày kết thúc không được trước ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=~Q(status="concluded") | Q(concluded_on__isnull=False),
                name="programme_concluded_has_date",
                violation_error_message="Đã kết luận thì phải có ngày kết luận.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.title}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Chương trình kiểm tra, giám sát không được xóa.")


class RemedyQuerySet(models.QuerySet):
    def overdue_on(self, day):
        """Remedies not done by `day` whose deadline had passed (the one home of "quá hạn khắc phục"). One done
        after `day` was still overdue on it: a past year's figure does not change when a late remedy is done."""
        return self.filter(deadline__lt=day).filter(Q(done_on__isnull=True) | Q(done_on__gt=day))


class Remedy(models.Model):
    """A remedy an inspection's conclusion requires of one organisation, with its deadline (Điều lệ Art. 30:
    the inspected organisation remedies what the conclusion finds)."""

    programme = models.ForeignKey(InspectionProgramme, on_delete=models.PROTECT, related_name="remedies")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="remedies")
    requirement = models.TextField("yêu cầu khắc phục", max_length=4000)
    deadline = models.DateField("thời hạn")
    done_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    done_note = models.CharField("kết quả khắc phục", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RemedyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "yêu cầu khắc phục"
        verbose_name_plural = "yêu cầu khắc phục"
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["done_on", "deadline"], name="remedy_open_deadline_idx")]

    def __str__(self):
        return f"{self.organization.code} · {self.requirement[:60]}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Yêu cầu khắc phục không được xóa.")
