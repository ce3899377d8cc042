"""Party members, candidates, the append-only lifecycle history and yearly member ratings.

A member's status is what their events say. ``Member.status`` is a cache written only by
``members.services`` from the events (see ``status_from_events``); counts for a period always come from
``MemberEvent`` rows, never from the cached field.
"""

import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.collation import SORT_KEY_LENGTH, name_sort_key
from organizations.models import Cell, Organization, Rating


class Gender(models.TextChoices):
    NAM = "nam", "Nam"
    NU = "nu", "Nữ"


class MemberStatus(models.TextChoices):
    DU_BI = "du_bi", "Dự bị"
    CHINH_THUC = "chinh_thuc", "Chính thức"
    CHUYEN_DI = "chuyen_di", "Đã chuyển đi"
    MIEN_SINH_HOAT = "mien_sinh_hoat", "Miễn sinh hoạt"
    XOA_TEN = "xoa_ten", "Đã xóa tên"
    KHAI_TRU = "khai_tru", "Khai trừ"
    RA_KHOI_DANG = "ra_khoi_dang", "Ra khỏi Đảng"
    TU_TRAN = "tu_tran", "Từ trần"


#: Statuses that still count as a member of the organisation (on its roll).
ACTIVE_STATUSES = (MemberStatus.DU_BI, MemberStatus.CHINH_THUC, MemberStatus.MIEN_SINH_HOAT)


class EventKind(models.TextChoices):
    ADMITTED = "admitted", "Kết nạp"
    FULL_MEMBER = "full_member", "Công nhận đảng viên chính thức"
    TRANSFER_IN = "transfer_in", "Chuyển sinh hoạt đến"
    TRANSFER_OUT = "transfer_out", "Chuyển sinh hoạt đi"
    EXEMPTED = "exempted", "Miễn sinh hoạt"
    REMOVED = "removed", "Xóa tên"
    EXPELLED = "expelled", "Khai trừ"
    LEFT = "left", "Ra khỏi Đảng"
    DIED = "died", "Từ trần"
    #: A gap in party activity (QĐ 24-QĐ/TW §4.5.1: lost contact, interruption by a transfer…): the two ends.
    #: Neither changes the status or the roll; party age leaves the time between them out.
    GAP_START = "gap_start", "Bắt đầu gián đoạn sinh hoạt đảng"
    GAP_END = "gap_end", "Sinh hoạt đảng trở lại"
    #: Chuyển sinh hoạt tạm thời (QĐ 232-QĐ/TW §6.3.2): the member stays on the home roll.
    TEMP_OUT = "temp_out", "Chuyển sinh hoạt tạm thời đi"
    TEMP_IN = "temp_in", "Đến sinh hoạt tạm thời"
    TEMP_END = "temp_end", "Kết thúc sinh hoạt tạm thời"
    #: An expulsion overturned on appeal (annulled, or changed to a lighter form): the member returns to the roll
    #: of the organisation that expelled them (QĐ 117-QĐ/TW 2023: phục hồi đảng tịch). The exit event stays.
    REINSTATED = "reinstated", "Phục hồi đảng tịch (hủy kỷ luật khai trừ)"


#: Events that leave the status and the roll as they are.
NEUTRAL_KINDS = (
    EventKind.GAP_START,
    EventKind.GAP_END,
    EventKind.TEMP_OUT,
    EventKind.TEMP_IN,
    EventKind.TEMP_END,
)


#: Events that put a member on an organisation's roll, and those that take them off it.
ROLL_IN_KINDS = (EventKind.ADMITTED, EventKind.TRANSFER_IN, EventKind.REINSTATED)
ROLL_OUT_KINDS = (
    EventKind.TRANSFER_OUT,
    EventKind.REMOVED,
    EventKind.EXPELLED,
    EventKind.LEFT,
    EventKind.DIED,
)


class TransferScope(models.TextChoices):
    CHINH_THUC = "chinh_thuc", "Chính thức"
    TAM_THOI = "tam_thoi", "Tạm thời"
    NOI_BO = "noi_bo", "Nội bộ (trong Đảng bộ Khối)"


class CandidateQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.sort_name = name_sort_key(obj.full_name)
        return super().bulk_create(objs, *args, **kwargs)


class Candidate(models.Model):
    """A person the organisation is preparing for admission (quần chúng ưu tú, cảm tình Đảng)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Đang bồi dưỡng"
        ADMITTED = "admitted", "Đã kết nạp"
        WITHDRAWN = "withdrawn", "Dừng xem xét"

    full_name = models.CharField("họ và tên", max_length=120)
    birth_date = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=5, choices=Gender.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="candidates")
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, null=True, blank=True, related_name="candidates")
    course_certificate_on = models.DateField(
        "ngày cấp giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng", null=True, blank=True
    )
    cell_considered_on = models.DateField("ngày chi bộ họp xét kết nạp", null=True, blank=True)
    sponsors = models.CharField("đảng viên giới thiệu", max_length=255, blank=True)
    status = models.CharField("tình trạng", max_length=12, choices=Status.choices, default=Status.PENDING)
    note = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: ``core.collation.name_sort_key(full_name)``, kept by ``save`` and ``bulk_create``: lists order by it.
    sort_name = models.CharField(max_length=SORT_KEY_LENGTH, blank=True, editable=False, db_index=True)

    objects = CandidateQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["sort_name"])  # derived from the name: not a change

    class Meta:
        verbose_name = "quần chúng ưu tú"
        verbose_name_plural = "quần chúng ưu tú"
        ordering = ["organization__code", "sort_name", "pk"]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.sort_name = name_sort_key(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in set(update_fields):
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)


def search_key(*parts: str) -> str:
    """Text folded for search: lower case, no diacritics, đ → d, single spaces ("Phạm Minh Đức" → "pham minh duc").

    Vietnamese users type names with or without accents and in any case; SQLite's LIKE folds ASCII only, so
    the folding is done here, once, for both the stored key and the query.
    """
    text = " ".join(p for p in parts if p).replace("đ", "d").replace("Đ", "D")
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in unicodedata.normalize("NFD", text)
        if not unicodedata.combining(ch)
    )
    return " ".join(text.casefold().split())


class MemberQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.search_text = search_key(obj.full_name, obj.card_number)
            obj.sort_name = name_sort_key(obj.full_name)
        return super().bulk_create(objs, *args, **kwargs)


class Member(models.Model):
    """A party member (đảng viên) on the roll of one organisation."""

    full_name = models.CharField("họ và tên", max_length=120, db_index=True)
    birth_date = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=5, choices=Gender.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    card_number = models.CharField("số thẻ đảng viên", max_length=30, blank=True)
    admission_decided_on = models.DateField("ngày quyết định kết nạp", null=True, blank=True)
    ceremony_on = models.DateField("ngày vào Đảng", null=True, blank=True)
    full_member_on = models.DateField("ngày chính thức", null=True, blank=True)
    #: The cell meeting that considered the admission (age 18 is reckoned on it: QĐ 24-QĐ/TW §1.1.1).
    admission_considered_on = models.DateField("ngày chi bộ họp xét kết nạp", null=True, blank=True)
    #: Nghị quyết chi bộ đề nghị công nhận chính thức (QĐ 24-QĐ/TW §4.2, §4.3.1).
    full_resolution_on = models.DateField(
        "ngày nghị quyết chi bộ đề nghị công nhận chính thức", null=True, blank=True
    )
    #: The committee's extension of its own deadline (30 working days after the cell's resolution, extendable
    #: once by 30: QĐ 24-QĐ/TW 2021 §4.3.1, same in QĐ 232-QĐ/TW 2025). Set once: a second one is refused.
    full_extension_on = models.DateField(
        "ngày quyết định gia hạn xét công nhận chính thức", null=True, blank=True
    )
    full_extension_by = models.CharField("cấp ủy, số văn bản gia hạn", max_length=255, blank=True)
    full_extension_reason = models.TextField("lý do gia hạn", blank=True)
    #: Kết nạp lại (QĐ 24-QĐ/TW 2021 §3.5, §4.5.2): the first admission decision, kept when the member is
    #: re-admitted — party age counts from it (minus the time outside the Party); the admission fields above
    #: then describe the re-admission and its new probation. Set once: a person is re-admitted only once.
    first_admission_decided_on = models.DateField("ngày quyết định kết nạp lần đầu", null=True, blank=True)
    #: Giấy chứng nhận lớp bồi dưỡng đảng viên mới: part of the full-membership dossier (HD 01-HD/TW 2021).
    training_certificate_no = models.CharField(
        "số giấy chứng nhận lớp bồi dưỡng đảng viên mới", max_length=50, blank=True
    )
    training_certificate_on = models.DateField(
        "ngày cấp giấy chứng nhận lớp bồi dưỡng đảng viên mới", null=True, blank=True
    )
    status = models.CharField("tình trạng", max_length=20, choices=MemberStatus.choices, editable=False)
    candidate = models.OneToOneField(
        Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="member"
    )
    #: The member's own account on the portal, when they have one (a TCCSĐ secretary or deputy, the office): the
    #: officer posts of that account (``organizations.Officer``) are the member's, and their organisation's report
    #: duties stand beside the member's rating (``targets.evidence``).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_record",
        verbose_name="tài khoản trên cổng",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: ``search_key(full_name, card_number)``, kept by ``save`` and ``bulk_create``; the list's search box.
    search_text = models.CharField(max_length=200, blank=True, editable=False)
    #: ``core.collation.name_sort_key(full_name)`` (given name, middle, family; Vietnamese alphabet, tones after
    #: letters), kept by ``save`` and ``bulk_create``: every list of members orders by it.
    sort_name = models.CharField(max_length=SORT_KEY_LENGTH, blank=True, editable=False)

    objects = MemberQuerySet.as_manager()
    # Derived from the name: not a change of the record.
    history = HistoricalRecords(excluded_fields=["search_text", "sort_name"])

    class Meta:
        verbose_name = "đảng viên"
        verbose_name_plural = "đảng viên"
        ordering = ["sort_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(admission_decided_on__isnull=True)
                | Q(ceremony_on__isnull=True)
                | Q(ceremony_on__gte=models.F("admission_decided_on")),
                name="member_ceremony_after_decision",
                violation_error_message="Ngày vào Đảng (lễ kết nạp) không được trước ngày quyết định kết nạp.",
            ),
            models.CheckConstraint(
                condition=Q(full_member_on__isnull=True)
                | Q(ceremony_on__isnull=True)
                | Q(full_member_on__gt=models.F("ceremony_on")),
                name="member_full_after_ceremony",
                violation_error_message="Ngày chính thức phải sau ngày vào Đảng.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MemberStatus.values),
                name="member_status_valid",
                violation_error_message="Tình trạng đảng viên không hợp lệ.",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="member_org_status_idx"),
            models.Index(fields=["status", "ceremony_on"], name="member_status_ceremony_idx"),
            # The list's "year of admission" filter and its date sorts.
            models.Index(fields=["admission_decided_on"], name="member_admission_idx"),
            models.Index(fields=["ceremony_on"], name="member_ceremony_idx"),
            # Lists of an organisation's members in Vietnamese name order.
            models.Index(fields=["organization", "sort_name"], name="member_org_sort_name_idx"),
            models.Index(fields=["sort_name"], name="member_sort_name_idx"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_text = search_key(self.full_name, self.card_number)
        self.sort_name = name_sort_key(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "card_number"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text", "sort_name"}
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Không xóa hồ sơ đảng viên: hãy ghi nhận sự kiện (xóa tên, chuyển đi…).")


class MemberEvent(models.Model):
    """One step of a member's life in the Party. Append-only: never edited, never deleted."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("sự kiện", max_length=20, choices=EventKind.choices)
    #: The organisation whose roll the event belongs to (for a transfer, each side has its own event).
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="member_events")
    effective_on = models.DateField("ngày hiệu lực")
    decided_on = models.DateField("ngày quyết định", null=True, blank=True)
    decision_no = models.CharField("số quyết định", max_length=50, blank=True)
    transfer_scope = models.CharField(
        "hình thức chuyển", max_length=12, choices=TransferScope.choices, blank=True
    )
    #: The other side of a transfer (inside the Bloc), or blank for outside.
    counterpart = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    counterpart_text = models.CharField("nơi chuyển đến / chuyển từ", max_length=255, blank=True)
    note = models.TextField("ghi chú", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)

    class Meta:
        verbose_name = "sự kiện đảng viên"
        verbose_name_plural = "sự kiện đảng viên"
        ordering = ["effective_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True)
                | Q(decided_on__lte=models.F("effective_on"))
                | Q(kind="full_member"),
                name="event_decision_not_after_effect",
                violation_error_message="Ngày quyết định không được sau ngày hiệu lực.",
            ),
            # Full membership takes effect on the anniversary; the decision may come on it or later, not before.
            models.CheckConstraint(
                condition=~Q(kind="full_member")
                | Q(decided_on__isnull=True)
                | Q(decided_on__gte=models.F("effective_on")),
                name="event_full_member_decided_on_or_after_effect",
                violation_error_message="Quyết định công nhận chính thức không được trước ngày đủ 12 tháng dự bị.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="event_kind_valid",
                violation_error_message="Loại sự kiện không hợp lệ.",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "decided_on"], name="event_kind_decided_idx"),
            # One organisation's events of a kind in a year (a figure brought up to date after a new member): by
            # the kind and day alone, SQLite read every organisation's admissions of the year.
            models.Index(fields=["organization", "kind", "decided_on"], name="event_org_kind_decided_idx"),
            models.Index(fields=["organization", "kind", "effective_on"], name="event_org_kind_eff_idx"),
            models.Index(fields=["kind", "effective_on"], name="event_kind_eff_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.member} · {self.effective_on:%d/%m/%Y}"

    @property
    def count_date(self):
        """The date the event counts on: the decision date where there is one (admissions, full memberships)."""
        return self.decided_on or self.effective_on

    def delete(self, *args, **kwargs):
        raise ValidationError("Lịch sử sự kiện đảng viên không được xóa.")


class MemberRating(models.Model):
    """A member's yearly quality rating (đánh giá, xếp loại chất lượng đảng viên)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="ratings")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="member_ratings")
    year = models.PositiveSmallIntegerField("năm")
    grade = models.CharField("xếp loại", max_length=10, choices=Rating.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "xếp loại đảng viên"
        verbose_name_plural = "xếp loại đảng viên"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                name="member_rating_unique_year",
                violation_error_message="Đảng viên này đã được xếp loại trong năm này.",
            ),
            models.CheckConstraint(
                condition=Q(grade__in=Rating.values),
                name="member_rating_grade_valid",
                violation_error_message="Mức xếp loại không hợp lệ.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1930) & Q(year__lte=2100),
                name="member_rating_year_valid",
                violation_error_message="Năm xếp loại không hợp lệ.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "year", "grade"], name="mrating_org_year_idx")]

    def __str__(self):
        return f"{self.member} · {self.year} · {self.grade}"


class BadgeStatus(models.TextChoices):
    DE_NGHI = "de_nghi", "Đề nghị"
    DA_TRAO = "da_trao", "Đã trao"


class BadgeAward(models.Model):
    """The dossier of one Huy hiệu Đảng milestone for one member (HD 01-HD/TW 2021, item 18): proposed, then
    awarded at a round (03/02, 19/05, 02/09, 07/11)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="badge_awards")
    milestone = models.PositiveSmallIntegerField("mốc tuổi đảng (năm)")
    round_on = models.DateField("đợt trao")
    status = models.CharField("tình trạng hồ sơ", max_length=10, choices=BadgeStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("ghi nhận lúc", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "hồ sơ Huy hiệu Đảng"
        verbose_name_plural = "hồ sơ Huy hiệu Đảng"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "milestone"],
                name="badge_award_unique_milestone",
                violation_error_message="Đảng viên này đã có hồ sơ Huy hiệu cho mốc này.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["de_nghi", "da_trao"]),
                name="badge_award_status_valid",
                violation_error_message="Tình trạng hồ sơ không hợp lệ.",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.milestone} năm · {self.get_status_display()}"


class ExtraDayOff(models.Model):
    """A day off that the public-holiday calendar does not know (a compensating day off decided for the year).
    Working days are Monday–Friday minus Vietnam's public holidays (the ``holidays`` package) minus these."""

    day = models.DateField(
        "ngày nghỉ", unique=True, error_messages={"unique": "Ngày này đã có trong danh sách."}
    )
    name = models.CharField("lý do", max_length=120)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "ngày nghỉ bù"
        verbose_name_plural = "ngày nghỉ bù"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} · {self.name}"


# --- cell meetings (sinh hoạt chi bộ) ------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    """Điều lệ Đảng Art. 24: the chi bộ meets regularly once a month (thường kỳ); thematic meetings (chuyên đề)
    at least once a quarter, not instead of the monthly one. A thematic meeting may be held in the same session
    as the monthly one (Hướng dẫn 42-HD/BTCTW 2025: then at least 120 minutes): it counts as both."""

    THUONG_KY = "thuong_ky", "Thường kỳ"
    CHUYEN_DE = "chuyen_de", "Chuyên đề"
    KET_HOP = "ket_hop", "Thường kỳ kết hợp chuyên đề"


#: Kinds that are the month's regular meeting, and kinds that are the quarter's thematic one.
REGULAR_KINDS = (MeetingKind.THUONG_KY, MeetingKind.KET_HOP)
THEMATIC_KINDS = (MeetingKind.CHUYEN_DE, MeetingKind.KET_HOP)


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    COMPLETED = "completed", "Đã hoàn thành"
    #: Recorded by mistake: kept (nothing is deleted), counted nowhere.
    WITHDRAWN = "withdrawn", "Đã hủy (ghi nhầm)"


class Presence(models.TextChoices):
    PRESENT = "present", "Có mặt"
    EXCUSED = "excused", "Vắng có lý do"
    UNEXCUSED = "unexcused", "Vắng không lý do"


class MeetingCriterion(models.Model):
    """One line of the checklist of a good cell meeting for a year, as the guidance in force says; staff edit
    the list per year (``members.meetings.DEFAULT_CRITERIA`` proposes the guidance's lines)."""

    year = models.PositiveSmallIntegerField("năm")
    code = models.SlugField("mã", max_length=40)
    text = models.CharField("tiêu chí", max_length=300)
    regulation = models.CharField("căn cứ", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang áp dụng", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "tiêu chí chất lượng sinh hoạt chi bộ"
        verbose_name_plural = "tiêu chí chất lượng sinh hoạt chi bộ"
        ordering = ["year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "code"],
                name="meeting_criterion_unique_code",
                violation_error_message="Năm này đã có tiêu chí cùng mã.",
            )
        ]

    def __str__(self):
        return f"{self.year} · {self.text}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Tiêu chí không bị xóa: hãy thôi áp dụng.")


class CellMeeting(models.Model):
    """One meeting of a cell: a chi bộ trực thuộc (``cell``) or a chi bộ cơ sở, which is its own cell (``cell``
    empty). Saved as a draft, completed later; only completed meetings count. Never deleted: a meeting
    recorded by mistake is withdrawn."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cell_meetings")
    cell = models.ForeignKey(
        Cell, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name="chi bộ"
    )
    held_on = models.DateField("ngày sinh hoạt")
    starts_at = models.TimeField("bắt đầu", null=True, blank=True)
    ends_at = models.TimeField("kết thúc", null=True, blank=True)
    kind = models.CharField("loại", max_length=12, choices=MeetingKind.choices, default=MeetingKind.THUONG_KY)
    topics = models.TextField("nội dung sinh hoạt", blank=True)
    resolution = models.TextField("nghị quyết được thông qua", blank=True)
    chair = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="chủ trì"
    )
    recorder = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="thư ký"
    )
    higher_attendee = models.CharField("cấp ủy cấp trên dự", max_length=200, blank=True)
    #: Codes of the year's ``MeetingCriterion`` lines this meeting met.
    criteria_met = models.JSONField("tiêu chí chất lượng đạt", default=list, blank=True)
    status = models.CharField(
        "tình trạng", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    completed_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "buổi sinh hoạt chi bộ"
        verbose_name_plural = "sổ sinh hoạt chi bộ"
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message="Giờ kết thúc phải sau giờ bắt đầu.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values),
                name="meeting_kind_valid",
                violation_error_message="Loại sinh hoạt không hợp lệ.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values),
                name="meeting_status_valid",
                violation_error_message="Tình trạng không hợp lệ.",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "cell", "held_on"], name="meeting_unit_day_idx"),
            models.Index(fields=["status", "held_on"], name="meeting_status_day_idx"),
        ]

    def __str__(self):
        return f"{self.unit_name} · {self.get_kind_display()} · {self.held_on:%d/%m/%Y}"

    @property
    def unit_name(self) -> str:
        return self.cell.name if self.cell_id else self.organization.name

    @property
    def minutes(self) -> int | None:
        """How long it lasted (minutes), when both times are known."""
        if self.starts_at is None or self.ends_at is None:
            return None
        return (self.ends_at.hour * 60 + self.ends_at.minute) - (
            self.starts_at.hour * 60 + self.starts_at.minute
        )

    def delete(self, *args, **kwargs):
        raise ValidationError("Sổ sinh hoạt chi bộ không được xóa: hãy hủy buổi ghi nhầm.")


class MeetingAttendance(models.Model):
    """One member's presence at one meeting (có mặt / vắng có lý do / vắng không lý do)."""

    meeting = models.ForeignKey(CellMeeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="meeting_attendance")
    presence = models.CharField("có mặt", max_length=10, choices=Presence.choices, default=Presence.PRESENT)
    reason = models.CharField("lý do vắng", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "điểm danh sinh hoạt chi bộ"
        verbose_name_plural = "điểm danh sinh hoạt chi bộ"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="attendance_unique_member",
                violation_error_message="Đảng viên này đã được điểm danh trong buổi sinh hoạt.",
            ),
            models.CheckConstraint(
                condition=Q(presence__in=Presence.values),
                name="attendance_presence_valid",
                violation_error_message="Điểm danh không hợp lệ.",
            ),
        ]
        indexes = [models.Index(fields=["member", "presence"], name="attendance_member_idx")]

    def __str__(self):
        return f"{self.member} · {self.get_presence_display()}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Điểm danh không được xóa.")


# --- Party dues (đảng phí) -------------------------------------------------------------------------------------


class DuesRate(models.Model):
    """What a member of one category owes a month, from a date: a rate of an income base, or a fixed amount.

    A staff-editable setting with its source cited, so the next change of the rules is data, not code: the
    month's date chooses the row (``members.dues.rate_for``). Seeded by a data migration with Quyết định
    342-QĐ/TW 2010 (to 31/01/2026) and Quy định 01-QĐ/TW 2026 (from 01/02/2026)."""

    category = models.CharField("mã đối tượng", max_length=30)
    label = models.CharField("đối tượng đảng viên", max_length=200)
    valid_from = models.DateField("áp dụng từ")
    valid_to = models.DateField("áp dụng đến hết", null=True, blank=True)
    percent = models.DecimalField("tỷ lệ (%)", max_digits=5, decimal_places=2, null=True, blank=True)
    fixed_amount = models.PositiveIntegerField("mức cố định (đồng/tháng)", null=True, blank=True)
    base_label = models.CharField("căn cứ tính", max_length=200, blank=True)
    source = models.CharField("văn bản quy định", max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "mức đóng đảng phí"
        verbose_name_plural = "mức đóng đảng phí"
        ordering = ["category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "valid_from"],
                name="dues_rate_unique_start",
                violation_error_message="Đối tượng này đã có mức đóng áp dụng từ ngày đó.",
            ),
            models.CheckConstraint(
                condition=(Q(percent__isnull=False) & Q(fixed_amount__isnull=True))
                | (Q(percent__isnull=True) & Q(fixed_amount__isnull=False)),
                name="dues_rate_percent_or_fixed",
                violation_error_message="Ghi tỷ lệ phần trăm hoặc mức cố định (một trong hai).",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="dues_rate_range",
                violation_error_message="Ngày hết áp dụng không được trước ngày bắt đầu.",
            ),
        ]

    def __str__(self):
        return f"{self.label} · từ {self.valid_from:%d/%m/%Y}"

    @property
    def wording(self) -> str:
        if self.percent is not None:
            return f"{self.percent.normalize():n}% {self.base_label}".replace(".", ",").strip()
        return f"{self.fixed_amount:,} đồng/tháng".replace(",", ".")


class DuesPolicy(models.Model):
    """The share of the dues each level keeps and how often a TCCSĐ remits to the Bloc, from a date (a setting).

    QĐ 342-QĐ/TW 2010, Art. 4: a chi bộ trực thuộc đảng bộ cơ sở keeps 30–50% and passes the rest up; a TCCSĐ
    (of agencies and enterprises) keeps 70% and remits 30%; each level above keeps 50%. The Bloc chooses the
    cell's share within its range and whether TCCSĐ remit monthly or quarterly."""

    valid_from = models.DateField("áp dụng từ", unique=True)
    cell_keeps_percent = models.DecimalField("chi bộ trực thuộc giữ lại (%)", max_digits=5, decimal_places=2)
    organization_keeps_percent = models.DecimalField(
        "tổ chức cơ sở đảng giữ lại (%)", max_digits=5, decimal_places=2
    )
    bloc_keeps_percent = models.DecimalField(
        "Đảng ủy Khối giữ lại (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        help_text="Mỗi cấp trên cơ sở giữ lại 50%, nộp lên cấp trên 50% (QĐ 342-QĐ/TW, Điều 4).",
    )
    remit_every_months = models.PositiveSmallIntegerField(
        "kỳ nộp lên Đảng ủy Khối", choices=[(1, "Hằng tháng"), (3, "Hằng quý")], default=3
    )
    remit_due_days = models.PositiveSmallIntegerField(
        "hạn nộp (số ngày sau khi hết kỳ)", default=15, help_text="Quá hạn này là nộp muộn."
    )
    source = models.CharField("văn bản quy định", max_length=300)
    cell_share_override = models.CharField(
        "căn cứ cho tỷ lệ chi bộ ngoài khung 30–50%",
        max_length=300,
        blank=True,
        help_text="Chỉ ghi khi tỷ lệ chi bộ trực thuộc giữ lại ngoài khung của QĐ 342: văn bản cho phép.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    #: QĐ 342-QĐ/TW 2010, Art. 4: a chi bộ trực thuộc đảng bộ cơ sở keeps 30–50%.
    CELL_SHARE_RANGE = (Decimal("30"), Decimal("50"))

    class Meta:
        verbose_name = "tỷ lệ trích giữ, kỳ nộp đảng phí"
        verbose_name_plural = "tỷ lệ trích giữ, kỳ nộp đảng phí"
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cell_keeps_percent__gte=0)
                & Q(cell_keeps_percent__lte=100)
                & Q(organization_keeps_percent__gte=0)
                & Q(organization_keeps_percent__lte=100)
                & Q(bloc_keeps_percent__gte=0)
                & Q(bloc_keeps_percent__lte=100),
                name="dues_policy_percent_range",
                violation_error_message="Tỷ lệ trích giữ phải từ 0 đến 100%.",
            ),
            models.CheckConstraint(
                condition=Q(remit_every_months__in=[1, 3]),
                name="dues_policy_every_month_or_quarter",
                violation_error_message="Nộp hằng tháng hoặc hằng quý.",
            ),
        ]

    def __str__(self):
        return f"Trích giữ đảng phí · từ {self.valid_from:%d/%m/%Y}"


class MemberDues(models.Model):
    """A member's dues category and income base (the salary, pension… the rate applies to), kept by their
    organisation; its history is the history of the base."""

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="dues_profile")
    category = models.CharField("đối tượng đóng đảng phí", max_length=30)
    income_base = models.PositiveBigIntegerField("thu nhập tính đảng phí (đồng/tháng)", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "căn cứ đóng đảng phí"
        verbose_name_plural = "căn cứ đóng đảng phí"

    def __str__(self):
        return f"{self.member} · {self.category}"


class DuesStatus(models.TextChoices):
    PAID = "paid", "Đã đóng"
    UNPAID = "unpaid", "Chưa đóng"
    EXEMPT = "exempt", "Miễn, có lý do"


class DuesLine(models.Model):
    """One member's dues for one month, as the cell or TCCSĐ secretary recorded it. A member on the roll with
    no line for a month is "chưa thu" (never silently absent: ``members.dues``)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_lines")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dues_lines")
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    month = models.DateField("tháng")  # the first day of the month
    status = models.CharField("tình trạng", max_length=10, choices=DuesStatus.choices)
    amount_due = models.PositiveBigIntegerField("phải đóng (đồng)", null=True, blank=True)
    amount_paid = models.PositiveBigIntegerField("đã đóng (đồng)", default=0)
    reason = models.CharField("lý do", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("ghi nhận lúc", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "thu đảng phí"
        verbose_name_plural = "sổ thu đảng phí"
        ordering = ["month", "member__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month"],
                name="dues_line_unique_month",
                violation_error_message="Đảng viên này đã có dòng đảng phí của tháng này.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="dues_line_first_of_month",
                violation_error_message="Tháng ghi bằng ngày đầu tháng.",
            ),
            models.CheckConstraint(
                condition=(Q(status="paid") & Q(amount_paid__gt=0))
                | (Q(status__in=["unpaid", "exempt"]) & Q(amount_paid=0)),
                name="dues_line_amount_matches_status",
                violation_error_message="Đã đóng thì có số tiền; chưa đóng hoặc miễn thì không.",
            ),
            models.CheckConstraint(
                condition=~Q(status="exempt") | ~Q(reason=""),
                name="dues_line_exempt_has_reason",
                violation_error_message="Miễn đóng đảng phí phải ghi lý do.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "month", "status"], name="dues_org_month_idx")]

    def __str__(self):
        return f"{self.member} · {self.month:%m/%Y} · {self.get_status_display()}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Sổ thu đảng phí không được xóa: hãy sửa tình trạng của tháng.")


class DuesRemittance(models.Model):
    """A TCCSĐ's remittance of the Bloc's share of its dues for one period (a month or a quarter)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dues_remittances")
    period_start = models.DateField("kỳ từ")
    period_end = models.DateField("kỳ đến hết")
    amount = models.PositiveBigIntegerField("số tiền nộp (đồng)")
    remitted_on = models.DateField("ngày nộp")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "nộp đảng phí lên Đảng ủy Khối"
        verbose_name_plural = "sổ nộp đảng phí lên Đảng ủy Khối"
        ordering = ["-period_start", "organization__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period_start"],
                name="dues_remittance_unique_period",
                violation_error_message="Tổ chức này đã ghi nộp đảng phí cho kỳ này.",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="dues_remittance_period_order",
                violation_error_message="Kỳ nộp không hợp lệ.",
            ),
        ]

    def __str__(self):
        return f"{self.organization.code} · {self.period_start:%m/%Y}–{self.period_end:%m/%Y}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Sổ nộp đảng phí không được xóa.")
