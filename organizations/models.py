"""The Bloc's grassroots party organisations (TCCSĐ), their cells, officers and yearly records; the register of
outgoing documents and the Word template of the official documents."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    DANG_BO_CO_SO = "dang_bo_co_so", "Đảng bộ cơ sở"
    CHI_BO_CO_SO = "chi_bo_co_so", "Chi bộ cơ sở"


class CellKind(models.TextChoices):
    """What sits under a TCCSĐ (Điều lệ Đảng, Art. 21.3 and 24.1): chi bộ trực thuộc and đảng bộ bộ phận under a
    đảng bộ cơ sở; tổ đảng under a chi bộ (cơ sở)."""

    CHI_BO = "chi_bo", "Chi bộ trực thuộc"
    DANG_BO_BO_PHAN = "dang_bo_bo_phan", "Đảng bộ bộ phận"
    TO_DANG = "to_dang", "Tổ đảng"


class UnitType(models.TextChoices):
    CO_QUAN_DANG_DOAN_THE = "co_quan_dang_doan_the", "Cơ quan Đảng, Mặt trận Tổ quốc, đoàn thể"
    CO_QUAN_DAN_CU = "co_quan_dan_cu", "Cơ quan dân cử"
    CO_QUAN_HANH_CHINH = "co_quan_hanh_chinh", "Cơ quan hành chính"
    TOA_AN_VIEN_KIEM_SAT = "toa_an_vien_kiem_sat", "Tòa án, Viện kiểm sát"
    SU_NGHIEP_CONG_LAP = "su_nghiep_cong_lap", "Đơn vị sự nghiệp công lập"
    DN_NHA_NUOC = "dn_nha_nuoc", "Doanh nghiệp nhà nước"
    #: Not a state enterprise: the State holds 50% of the capital or less.
    DN_NHA_NUOC_THIEU_SO = "dn_nha_nuoc_thieu_so", "Doanh nghiệp có vốn nhà nước ≤ 50%"
    DN_NGOAI_NHA_NUOC = "dn_ngoai_nha_nuoc", "Doanh nghiệp ngoài nhà nước"


ENTERPRISE_UNIT_TYPES = (
    UnitType.DN_NHA_NUOC,
    UnitType.DN_NHA_NUOC_THIEU_SO,
    UnitType.DN_NGOAI_NHA_NUOC,
)


class Rating(models.TextChoices):
    """The four grades used for party organisations, members, units and the Bloc itself."""

    HTXSNV = "HTXSNV", "Hoàn thành xuất sắc nhiệm vụ"
    HTTNV = "HTTNV", "Hoàn thành tốt nhiệm vụ"
    HTNV = "HTNV", "Hoàn thành nhiệm vụ"
    KHTNV = "KHTNV", "Không hoàn thành nhiệm vụ"


#: "HTTNV" targets count HTTNV-or-better.
GOOD_RATINGS = (Rating.HTXSNV, Rating.HTTNV)


def in_bloc_during_q(start, end, prefix: str = "") -> Q:
    """Organisations that belong to the Bloc at some point between `start` and `end` inclusive (one of their
    membership spells began on or before `end` and had not ended by `start`), as a filter; `prefix` is the path
    to the organisation (e.g. ``"organization__"``). The one home of Bloc membership in queries
    (``Organization.belongs_during`` in Python); `start` and `end` may be expressions of the outer query
    (``OuterRef("decided_on")``)."""
    spells = BlocMembership.objects.filter(organization=OuterRef(f"{prefix}pk"), joined_on__lte=end).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=start)
    )
    return Q(Exists(spells))


def in_bloc_on_field_q(field: str, prefix: str = "") -> Q:
    """Rows whose organisation (path `prefix`) belonged to the Bloc on the row's own date `field` (e.g. an event
    counted in its organisation if it belonged to the Bloc on the decision date)."""
    return in_bloc_during_q(OuterRef(field), OuterRef(field), prefix)


class OrganizationQuerySet(models.QuerySet):
    def in_bloc_on(self, day):
        """Organisations that belong to the Bloc on `day` (joined on or before, not yet left)."""
        return self.filter(in_bloc_during_q(day, day))

    def in_bloc_during(self, start, end):
        """Organisations that belong to the Bloc at some point between `start` and `end` inclusive."""
        return self.filter(in_bloc_during_q(start, end))

    def enterprises(self):
        return self.filter(unit_type__in=ENTERPRISE_UNIT_TYPES)


class Organization(models.Model):
    """A grassroots party organisation (tổ chức cơ sở đảng, TCCSĐ) directly under the Bloc Party Committee."""

    code = models.CharField("mã", max_length=10, unique=True)
    name = models.CharField("tên tổ chức", max_length=255)
    kind = models.CharField("loại hình", max_length=20, choices=Kind.choices)
    unit_type = models.CharField("loại đơn vị", max_length=30, choices=UnitType.choices)
    #: The first day of the first membership spell and the end of the last one (empty while it belongs): kept
    #: by ``organizations.services`` from the spells (``BlocMembership``), which alone say who belongs when.
    joined_on = models.DateField("ngày trực thuộc Đảng bộ Khối")
    left_on = models.DateField("ngày thôi trực thuộc", null=True, blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    #: Điều lệ Đảng Art. 21.3: 30 members or more make a đảng bộ cơ sở; the superior's decision that allows a
    #: chi bộ cơ sở to stay one (the exception the article leaves to the superior committee).
    large_cell_decision_no = models.CharField(
        "số quyết định cho phép chi bộ cơ sở từ 30 đảng viên", max_length=50, blank=True
    )
    large_cell_decision_on = models.DateField(
        "ngày quyết định cho phép chi bộ cơ sở từ 30 đảng viên", null=True, blank=True
    )

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "tổ chức cơ sở đảng"
        verbose_name_plural = "tổ chức cơ sở đảng"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gt=models.F("joined_on")),
                name="organization_left_after_joined",
                violation_error_message="Ngày thôi trực thuộc phải sau ngày trực thuộc.",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"

    @property
    def is_enterprise(self) -> bool:
        return self.unit_type in ENTERPRISE_UNIT_TYPES

    def in_bloc_on(self, day) -> bool:
        return self.belongs_during(day, day)

    def belongs_during(self, start, end) -> bool:
        """Belongs to the Bloc at some point between `start` and `end` inclusive (``in_bloc_during_q``): one of
        its spells began by `end` and had not ended by `start`. Reads the prefetched spells
        (``prefetch_related("spells")``), else one query, remembered on the instance."""
        return any(s.joined_on <= end and (s.left_on is None or s.left_on > start) for s in self.spell_list)

    @property
    def spell_list(self) -> list["BlocMembership"]:
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "spells" in cache:
            prefetched = cache["spells"]
            # a copy made once per prefetched list (a matrix page asks 600 times: 12 periods × 50 organisations)
            if getattr(self, "_spell_list_of", None) is not prefetched:
                self._spell_list_of, self._spell_list_copy = prefetched, list(prefetched)
            return self._spell_list_copy
        if not hasattr(self, "_spell_list"):
            self._spell_list = list(self.spells.order_by("joined_on")) if self.pk else []
        return self._spell_list

    def congress_of_term(self, term_start: int) -> "Congress | None":
        return self.congresses.filter(term_start=term_start).first()


class MembershipReason(models.TextChoices):
    """Why an organisation joins or leaves the Bloc (Quy định 01-QĐ/TW 2018 on the functions of grassroots
    party organisations: set up, dissolved, merged or moved by the competent committee's decision)."""

    THANH_LAP = "thanh_lap", "Thành lập"
    CHUYEN_DEN = "chuyen_den", "Chuyển đến"
    GIAI_THE = "giai_the", "Giải thể"
    SAP_NHAP = "sap_nhap", "Sáp nhập"
    CHUYEN_DANG_BO_KHAC = "chuyen_dang_bo_khac", "Chuyển đảng bộ khác"


JOIN_REASONS = (MembershipReason.THANH_LAP, MembershipReason.CHUYEN_DEN, MembershipReason.SAP_NHAP)
LEAVE_REASONS = (MembershipReason.GIAI_THE, MembershipReason.SAP_NHAP, MembershipReason.CHUYEN_DANG_BO_KHAC)


class BlocMembership(models.Model):
    """One spell of an organisation's membership of the Bloc: from `joined_on` to the day before `left_on`
    (open while it belongs), each end with its reason and decision. An organisation may leave and return:
    several spells, never overlapping (``organizations.services``). Every denominator reads these
    (``in_bloc_during_q``)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="spells")
    joined_on = models.DateField("ngày trực thuộc")
    join_reason = models.CharField(
        "lý do trực thuộc",
        max_length=30,
        choices=MembershipReason.choices,
        default=MembershipReason.THANH_LAP,
    )
    join_decision_no = models.CharField("số quyết định (trực thuộc)", max_length=50, blank=True)
    join_decision_on = models.DateField("ngày quyết định (trực thuộc)", null=True, blank=True)
    left_on = models.DateField("ngày thôi trực thuộc", null=True, blank=True)
    leave_reason = models.CharField(
        "lý do thôi trực thuộc", max_length=30, choices=MembershipReason.choices, blank=True
    )
    leave_decision_no = models.CharField("số quyết định (thôi trực thuộc)", max_length=50, blank=True)
    leave_decision_on = models.DateField("ngày quyết định (thôi trực thuộc)", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "thời gian trực thuộc Đảng bộ Khối"
        verbose_name_plural = "thời gian trực thuộc Đảng bộ Khối"
        ordering = ["organization__code", "joined_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gt=models.F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message="Ngày thôi trực thuộc phải sau ngày trực thuộc.",
            ),
            models.UniqueConstraint(
                fields=["organization", "joined_on"],
                name="membership_unique_start",
                violation_error_message="Tổ chức đã có một thời gian trực thuộc bắt đầu ngày này.",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "joined_on", "left_on"], name="membership_org_dates_idx")
        ]

    def __str__(self):
        end = f"{self.left_on:%d/%m/%Y}" if self.left_on else "nay"
        return f"{self.organization.code}: {self.joined_on:%d/%m/%Y} – {end}"


class CongressKind(models.TextChoices):
    DAI_HOI = "dai_hoi", "Đại hội đảng viên"
    DAI_HOI_DAI_BIEU = "dai_hoi_dai_bieu", "Đại hội đại biểu"


#: Grassroots congresses are held once a five-year term, the terms aligned on the national congress:
#: 2020–2025 (Chỉ thị 35-CT/TW 2019 on the congresses towards the XIII Congress), 2025–2030 (Chỉ thị 45-CT/TW
#: 2025 towards the XIV Congress).
TERM_YEARS = 5
TERM_ANCHOR = 2020


def term_of_year(year: int) -> int:
    """The start of the term whose congresses a year's figures read: the term that begins in or before `year`
    (2025 and 2026 read 2025–2030; the term's congresses are held in its first year)."""
    return TERM_ANCHOR + TERM_YEARS * ((year - TERM_ANCHOR) // TERM_YEARS)


def term_label(term_start: int) -> str:
    return f"{term_start}–{term_start + TERM_YEARS}"


class Congress(models.Model):
    """An organisation's congress for one term (nhiệm kỳ 2020–2025, 2025–2030, …): the day it was held and
    whether members or delegates attended."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="congresses")
    term_start = models.PositiveSmallIntegerField("nhiệm kỳ (năm bắt đầu)")
    held_on = models.DateField("ngày đại hội")
    kind = models.CharField(
        "hình thức", max_length=20, choices=CongressKind.choices, default=CongressKind.DAI_HOI
    )
    note = models.CharField("ghi chú", max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "đại hội nhiệm kỳ"
        verbose_name_plural = "đại hội nhiệm kỳ"
        ordering = ["organization__code", "term_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "term_start"],
                name="congress_one_per_term",
                violation_error_message="Tổ chức này đã có đại hội của nhiệm kỳ này.",
            ),
            models.CheckConstraint(
                condition=Q(term_start__gte=1930) & Q(term_start__lte=2100),
                name="congress_term_range",
                violation_error_message="Nhiệm kỳ không hợp lệ.",
            ),
        ]

    def __str__(self):
        return f"{self.organization.code} · nhiệm kỳ {self.term}"

    @property
    def term(self) -> str:
        return term_label(self.term_start)


class Cell(models.Model):
    """A party cell (chi bộ trực thuộc) under a đảng bộ cơ sở."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cells")
    name = models.CharField("tên chi bộ", max_length=255)
    kind = models.CharField("loại", max_length=20, choices=CellKind.choices, default=CellKind.CHI_BO)
    is_active = models.BooleanField("đang hoạt động", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "chi bộ trực thuộc"
        verbose_name_plural = "chi bộ trực thuộc"
        ordering = ["organization__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="cell_unique_name_per_organization",
                violation_error_message="Tổ chức này đã có chi bộ cùng tên.",
            )
        ]

    def __str__(self):
        return self.name


class CellRating(models.Model):
    """A subordinate organisation's yearly party rating: the evidence a đảng bộ cơ sở's own rating rests on
    (HD 21-HD/BTCTW 2019 §II.B.1.3)."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="ratings")
    year = models.PositiveSmallIntegerField("năm")
    party_rating = models.CharField("xếp loại", max_length=10, choices=Rating.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "xếp loại chi bộ trực thuộc"
        verbose_name_plural = "xếp loại chi bộ trực thuộc"
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "year"],
                name="cell_rating_unique_year",
                violation_error_message="Chi bộ này đã được xếp loại trong năm này.",
            )
        ]

    def __str__(self):
        return f"{self.cell} · {self.year} · {self.party_rating}"


class OfficerTitle(models.TextChoices):
    BI_THU = "bi_thu", "Bí thư"
    PHO_BI_THU = "pho_bi_thu", "Phó Bí thư"
    VAN_PHONG = "van_phong", "Văn phòng cấp ủy"
    BI_THU_CHI_BO = "bi_thu_chi_bo", "Bí thư chi bộ trực thuộc"


class Officer(models.Model):
    """Links a user account to the one organisation whose reports and members they keep — or, for a cell's
    secretary (bí thư chi bộ trực thuộc), to the one cell of that organisation whose meetings they record
    (``cell`` set; what that allows is decided in ``organizations.access``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer_roles")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="officers")
    #: The cell a cell secretary keeps (a chi bộ trực thuộc of `organization`); empty for the TCCSĐ's officers.
    cell = models.ForeignKey(
        Cell,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name="chi bộ trực thuộc",
    )
    title = models.CharField(
        "chức danh", max_length=20, choices=OfficerTitle.choices, default=OfficerTitle.BI_THU
    )
    is_active = models.BooleanField("đang đảm nhiệm", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "cán bộ phụ trách"
        verbose_name_plural = "cán bộ phụ trách"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_active=True),
                name="officer_one_active_organization_per_user",
                violation_error_message="Mỗi tài khoản chỉ phụ trách một tổ chức cơ sở đảng.",
            )
        ]

    def __str__(self):
        where = f"{self.cell} ({self.organization.code})" if self.cell_id else str(self.organization)
        return f"{self.get_title_display()} — {where}"

    def clean(self):
        if self.cell_id and self.organization_id and self.cell.organization_id != self.organization_id:
            raise ValidationError({"cell": "Chi bộ này không thuộc tổ chức cơ sở đảng đã chọn."})


class OrganizationYear(models.Model):
    """One organisation's record for one year: headcounts, ratings, the Chỉ thị 05 theme."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField("năm")
    non_member_headcount = models.PositiveIntegerField("số quần chúng", null=True, blank=True)
    party_rating = models.CharField(
        "xếp loại tổ chức đảng", max_length=10, choices=Rating.choices, blank=True
    )
    professional_rating = models.CharField(
        "xếp loại nhiệm vụ chuyên môn của đơn vị", max_length=10, choices=Rating.choices, blank=True
    )
    enterprise_effective = models.BooleanField(
        "sản xuất kinh doanh hiệu quả, hoàn thành nghĩa vụ với Nhà nước", null=True, blank=True
    )
    theme_text = models.TextField("chủ đề năm (Chỉ thị 05)", blank=True)
    theme_doc_no = models.CharField("số văn bản chủ đề", max_length=50, blank=True)
    theme_issued_on = models.DateField("ngày ban hành chủ đề", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "số liệu năm của tổ chức"
        verbose_name_plural = "số liệu năm của tổ chức"
        ordering = ["organization__code", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="organization_year_unique",
                violation_error_message="Tổ chức này đã có số liệu cho năm này.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1930) & Q(year__lte=2100),
                name="organization_year_range",
                violation_error_message="Năm không hợp lệ.",
            ),
        ]
        indexes = [models.Index(fields=["year", "party_rating"], name="orgyear_year_rating_idx")]

    def __str__(self):
        return f"{self.organization.code} · {self.year}"

    @property
    def theme_adopted(self) -> bool:
        return bool(self.theme_text.strip())


class BlocYear(models.Model):
    """The Bloc Party Committee's own rating for a year (target 8: Đảng bộ Khối HTXSNV)."""

    year = models.PositiveSmallIntegerField("năm", unique=True)
    rating = models.CharField("xếp loại Đảng bộ Khối", max_length=10, choices=Rating.choices, blank=True)
    note = models.TextField("ghi chú", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "xếp loại Đảng bộ Khối"
        verbose_name_plural = "xếp loại Đảng bộ Khối"
        ordering = ["-year"]

    def __str__(self):
        return f"Đảng bộ Khối · {self.year}"


# --- the register of outgoing documents and the Word template ------------------------------------------------


class DocumentType(models.TextChoices):
    """Document types and their abbreviations in a Party document's number (Hướng dẫn 36-HD/VPTW, part II,
    item 3: "Số 01-BC/ĐUK")."""

    BC = "BC", "Báo cáo"
    KH = "KH", "Kế hoạch"
    TB = "TB", "Thông báo"
    CV = "CV", "Công văn"
    CTR = "CTr", "Chương trình"
    HD = "HD", "Hướng dẫn"
    NQ = "NQ", "Nghị quyết"
    QD = "QĐ", "Quyết định"
    TTR = "TTr", "Tờ trình"


class SignerTitle(models.TextChoices):
    BI_THU = "BÍ THƯ", "Bí thư"
    PHO_BI_THU = "PHÓ BÍ THƯ", "Phó Bí thư"


class OutgoingDocument(models.Model):
    """One entry of the register of outgoing documents (sổ đăng ký văn bản đi) of the Bloc committee
    (`organization` empty) or of one organisation.

    Numbers run from 01 per issuing body, document type and year of issue, in the order of issue; a number is
    never reused and an entry is never deleted or changed (Hướng dẫn 36-HD/VPTW, part II, item 3; the register
    of outgoing documents of the Party's clerical rules). `subject_kind` and `subject_ref` name what the number
    was given to ("period_summary" and the period's id, "report" and the report's id, "dashboard" and the
    year), so the document prints its number, date, signer and recipients from here.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outgoing_documents",
        verbose_name="cơ quan ban hành",
        help_text="Để trống: Đảng ủy Khối.",
    )
    doc_type = models.CharField("loại văn bản", max_length=4, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    symbol = models.CharField("ký hiệu cơ quan", max_length=20)
    issued_on = models.DateField("ngày ban hành")
    subject = models.CharField("trích yếu", max_length=500)
    signer_name = models.CharField("người ký", max_length=100)
    signer_title = models.CharField("chức vụ người ký", max_length=20, choices=SignerTitle.choices)
    recipients = models.TextField("nơi nhận", help_text="Mỗi nơi nhận một dòng.")
    subject_kind = models.CharField("loại tài liệu", max_length=30)
    subject_ref = models.CharField("tài liệu", max_length=60)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người cấp số"
    )
    created_at = models.DateTimeField("cấp số lúc", auto_now_add=True)

    class Meta:
        verbose_name = "văn bản đi"
        verbose_name_plural = "sổ đăng ký văn bản đi"
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "doc_type", "year", "number"],
                condition=Q(organization__isnull=False),
                name="outgoing_number_unique_organization",
                violation_error_message="Số này đã được cấp cho một văn bản khác của tổ chức.",
            ),
            models.UniqueConstraint(
                fields=["doc_type", "year", "number"],
                condition=Q(organization__isnull=True),
                name="outgoing_number_unique_bloc",
                violation_error_message="Số này đã được cấp cho một văn bản khác của Đảng ủy Khối.",
            ),
            models.UniqueConstraint(
                fields=["subject_kind", "subject_ref"],
                name="outgoing_one_number_per_document",
                violation_error_message="Văn bản này đã được cấp số.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="outgoing_number_positive",
                violation_error_message="Số từ 01.",
            ),
        ]
        indexes = [models.Index(fields=["subject_kind", "subject_ref"], name="outgoing_subject_idx")]

    def __str__(self):
        return self.number_text

    @property
    def number_text(self) -> str:
        return f"{self.number:02d}-{self.doc_type}/{self.symbol}"

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    def delete(self, *args, **kwargs):
        raise ValidationError("Sổ đăng ký văn bản đi không được xóa.")


def document_template_path(instance, filename):
    # Generated names only; the uploader's file name is kept in `original_name`.
    return f"document-templates/{uuid.uuid4().hex}.docx"


class DocumentTemplate(models.Model):
    """A Word template (docxtpl) of the official documents uploaded by staff for their province. The newest
    one that is not withdrawn is used; the one in the repository (core/documents/templates/official.docx) when
    there is none. Every upload is kept: the list is the template's history."""

    file = models.FileField(upload_to=document_template_path, max_length=255)
    original_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveIntegerField()
    note = models.CharField("ghi chú", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    is_withdrawn = models.BooleanField("đã thôi dùng", default=False)

    class Meta:
        verbose_name = "mẫu văn bản Word"
        verbose_name_plural = "mẫu văn bản Word"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name

    def delete(self, *args, **kwargs):
        raise ValidationError("Mẫu văn bản đã tải lên được lưu lại, không xóa.")


# --- closed years ----------------------------------------------------------------------------------------------


class ClosedYear(models.Model):
    """A year whose figures staff have closed (chốt số liệu năm) once its annual reports were due. The
    dashboard's snapshot of it lives in ``targets``; here only the fact, so that every app's services can ask
    whether a change touches a closed year (``organizations.closing``)."""

    year = models.PositiveSmallIntegerField("năm", unique=True)
    closed_at = models.DateTimeField("chốt lúc", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người chốt"
    )

    class Meta:
        verbose_name = "năm đã chốt số liệu"
        verbose_name_plural = "năm đã chốt số liệu"
        ordering = ["-year"]

    def __str__(self):
        return f"Năm {self.year} đã chốt số liệu"

    def delete(self, *args, **kwargs):
        raise ValidationError("Năm đã chốt số liệu không bỏ chốt được.")


class ClosedYearChange(models.Model):
    """A change made after a year was closed that may alter its figures: what, why, who, when. Written in the
    same transaction as the change (``organizations.closing.closed_year_change_record``); never changed or
    deleted."""

    year = models.PositiveSmallIntegerField("năm")
    what = models.CharField("thay đổi", max_length=255)
    #: The changed record as it was and as it is now, in words ("kết nạp 20/11/2020"); empty for a new record.
    before = models.CharField("trước", max_length=255, blank=True, default="")
    after = models.CharField("sau", max_length=255, blank=True, default="")
    reason = models.TextField("lý do")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người thay đổi"
    )
    at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "điều chỉnh sau khi chốt"
        verbose_name_plural = "điều chỉnh sau khi chốt"
        ordering = ["year", "at", "pk"]
        indexes = [models.Index(fields=["year", "at"], name="closed_change_year_idx")]

    def __str__(self):
        return f"{self.year}: {self.what}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Nhật ký điều chỉnh sau khi chốt không được xóa.")
