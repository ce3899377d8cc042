"""The Bloc's grassroots party organisations (TCCSĐ), their cells, officers and yearly records; the register of
outgoing documents and the Word template of the official documents."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
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
    """Organisations that belong to the Bloc at some point between `start` and `end` inclusive (joined on or
    before `end`, not left by `start`), as a filter; `prefix` is the path to the organisation (e.g.
    ``"organization__"``). The one home of Bloc membership in queries (``Organization.belongs_during`` in
    Python)."""
    return Q(**{f"{prefix}joined_on__lte": end}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": start})
    )


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
    joined_on = models.DateField("ngày trực thuộc Đảng bộ Khối")
    left_on = models.DateField("ngày thôi trực thuộc", null=True, blank=True)
    congress_held_on = models.DateField("ngày đại hội nhiệm kỳ 2020–2025", null=True, blank=True)
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
        """Belongs to the Bloc at some point between `start` and `end` inclusive (``in_bloc_during_q``)."""
        return self.joined_on <= end and (self.left_on is None or self.left_on > start)


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
