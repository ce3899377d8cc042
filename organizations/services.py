"""Every write to the organisations registry: one function per change, atomic, checked, never a delete."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from . import access
from .models import (
    BlocYear,
    Cell,
    CellKind,
    CellRating,
    DocumentTemplate,
    Kind,
    Officer,
    Organization,
    OrganizationYear,
    OutgoingDocument,
    Rating,
)
from .rating_rules import party_rating_problems


def _not_future(day: dt.date | None, label: str, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{label} không được ở tương lai."})


@transaction.atomic
def organization_save(*, organization: Organization) -> Organization:
    """Create or change an organisation (the form has set its fields)."""
    _not_future(organization.congress_held_on, "Ngày đại hội", "congress_held_on")
    if organization.left_on and organization.left_on <= organization.joined_on:
        raise ValidationError({"left_on": "Ngày thôi trực thuộc phải sau ngày trực thuộc."})
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def organization_leave(*, organization: Organization, left_on: dt.date) -> Organization:
    """The organisation leaves the Bloc (it is kept, with its history; it stops counting after `left_on`)."""
    if organization.left_on:
        raise ValidationError("Tổ chức này đã thôi trực thuộc Đảng bộ Khối.")
    if left_on <= organization.joined_on:
        raise ValidationError({"left_on": "Ngày thôi trực thuộc phải sau ngày trực thuộc."})
    organization.left_on = left_on
    organization.save(update_fields=["left_on"])
    return organization


@transaction.atomic
def cell_save(*, cell: Cell) -> Cell:
    """Điều lệ Đảng Art. 21.3: a đảng bộ cơ sở has chi bộ trực thuộc (or đảng bộ bộ phận); a chi bộ cơ sở has
    only tổ đảng (Art. 24.1: a large chi bộ may be divided into tổ đảng)."""
    if cell.organization.kind == Kind.CHI_BO_CO_SO and cell.kind != CellKind.TO_DANG:
        raise ValidationError({"kind": "Chi bộ cơ sở chỉ có tổ đảng trực thuộc."})
    if cell.organization.kind == Kind.DANG_BO_CO_SO and cell.kind == CellKind.TO_DANG:
        raise ValidationError(
            {"kind": "Tổ đảng thuộc chi bộ: hãy ghi chi bộ trực thuộc hoặc đảng bộ bộ phận."}
        )
    cell.full_clean()
    cell.save()
    return cell


@transaction.atomic
def officer_add(*, organization: Organization, user, title: str) -> Officer:
    if Officer.objects.filter(user=user, is_active=True).exclude(organization=organization).exists():
        raise ValidationError({"user": "Tài khoản này đang phụ trách một tổ chức khác."})
    officer, _ = Officer.objects.update_or_create(
        user=user, organization=organization, defaults={"title": title, "is_active": True}
    )
    return officer


@transaction.atomic
def officer_end(*, officer: Officer) -> Officer:
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    return officer


@transaction.atomic
def organization_year_save(
    *, record: OrganizationYear, cell_grades: dict | None = None, by=None
) -> OrganizationYear:
    """Save an organisation's year; `cell_grades` ({cell: grade}) rates its subordinate organisations first, in
    the same transaction, since a đảng bộ's HTXSNV rests on them (``rating_rules``)."""
    if cell_grades:
        cell_ratings_save(organization=record.organization, year=record.year, grades=cell_grades, by=by)
    if record.year > timezone.localdate().year:
        raise ValidationError({"year": "Không nhập số liệu cho năm chưa tới."})
    if not record.organization.is_enterprise and record.enterprise_effective is not None:
        raise ValidationError(
            {"enterprise_effective": "Chỉ doanh nghiệp mới đánh giá sản xuất kinh doanh; hãy để trống."}
        )
    _not_future(record.theme_issued_on, "Ngày ban hành chủ đề", "theme_issued_on")
    if record.theme_issued_on and record.theme_issued_on.year not in (record.year - 1, record.year):
        raise ValidationError(
            {"theme_issued_on": "Ngày ban hành chủ đề phải trong năm đó hoặc cuối năm trước."}
        )
    problems = party_rating_problems(record)
    if problems:
        raise ValidationError(
            {
                "party_rating": [
                    f"Chưa đủ điều kiện xếp loại “{record.get_party_rating_display()}”:",
                    *problems,
                ]
            }
        )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def bloc_year_save(*, record: BlocYear) -> BlocYear:
    if record.year > timezone.localdate().year:
        raise ValidationError({"year": "Không xếp loại cho năm chưa tới."})
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def cell_ratings_save(*, organization: Organization, year: int, grades: dict, by=None) -> int:
    """Rate a đảng bộ cơ sở's subordinate organisations for `year` ({cell: grade}; a blank grade leaves the
    cell as it was). The evidence for the đảng bộ's own rating (HD 21-HD/BTCTW 2019 §II.B.1.3)."""
    if year > timezone.localdate().year or year < 1930:
        raise ValidationError({"year": "Năm xếp loại không hợp lệ."})
    saved = 0
    for cell, grade in grades.items():
        if not grade:
            continue
        if cell.organization_id != organization.pk:
            raise ValidationError("Chi bộ không thuộc tổ chức này.")
        if grade not in Rating.values:
            raise ValidationError(f"{cell.name}: mức xếp loại không hợp lệ.")
        CellRating.objects.update_or_create(
            cell=cell, year=year, defaults={"party_rating": grade, "rated_by": by}
        )
        saved += 1
    return saved


# --- the register of outgoing documents ---------------------------------------------------------------------


def _check_may_issue(by, organization: Organization | None) -> None:
    """The Bloc's numbers are issued by committee staff; an organisation's by staff or its own officers."""
    allowed = (
        access.is_staff_role(by)
        if organization is None
        else access.can_work_in_organization(by, organization)
    )
    if not allowed:
        raise PermissionDenied("Vai trò của bạn không được cấp số văn bản của cơ quan này.")


@transaction.atomic
def outgoing_document_issue(
    *,
    organization: Organization | None,
    doc_type: str,
    subject_kind: str,
    subject_ref: str,
    subject: str,
    issued_on: dt.date,
    signer_name: str,
    signer_title: str,
    recipients: str,
    by,
) -> OutgoingDocument:
    """Give a document the next number of its issuer's register (sổ đăng ký văn bản đi) and store its date,
    signer and recipients with it.

    Hướng dẫn 36-HD/VPTW (2018), part II, item 3: a document's number is its order in the issuer's register of
    outgoing documents, from 01, per document type and year; a number is never reused. Rules held here:
    - the issue date is chosen by the person who issues (never silently today) and is not in the future;
    - numbers follow the order of issue: a later number never carries an earlier date than the one before it;
    - a document gets one number (issuing twice is refused);
    - the number is the highest of the series plus one; two issues at once cannot take the same number (the
      database's unique constraint refuses the second, which then takes the next one).
    """
    _check_may_issue(by, organization)
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "Ngày ban hành không được ở tương lai."})
    existing = OutgoingDocument.objects.filter(subject_kind=subject_kind, subject_ref=subject_ref).first()
    if existing is not None:
        raise ValidationError(
            f"Văn bản này đã được cấp số {existing.number_text} ngày {existing.issued_on:%d/%m/%Y}."
        )
    year = issued_on.year
    series = OutgoingDocument.objects.filter(organization=organization, doc_type=doc_type, year=year)
    last = series.order_by("-number").first()
    if last is not None and issued_on < last.issued_on:
        raise ValidationError(
            {
                "issued_on": f"Số {last.number_text} đã cấp ngày {last.issued_on:%d/%m/%Y}: văn bản cấp số sau "
                "không được mang ngày sớm hơn."
            }
        )
    from .documents import issuer_symbol

    for _attempt in range(5):
        number = (series.aggregate(m=Max("number"))["m"] or 0) + 1
        entry = OutgoingDocument(
            organization=organization,
            doc_type=doc_type,
            year=year,
            number=number,
            symbol=issuer_symbol(organization),
            issued_on=issued_on,
            subject=subject.strip(),
            signer_name=" ".join(signer_name.split()),
            signer_title=signer_title,
            recipients="\n".join(line.strip() for line in recipients.splitlines() if line.strip()),
            subject_kind=subject_kind,
            subject_ref=subject_ref,
            issued_by=by,
        )
        entry.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            if OutgoingDocument.objects.filter(subject_kind=subject_kind, subject_ref=subject_ref).exists():
                raise ValidationError("Văn bản này vừa được cấp số.") from None
            continue  # someone took this number a moment ago: take the next one
        return entry
    raise ValidationError("Không cấp được số lúc này; vui lòng thử lại.")


# --- the Word template of the official documents ------------------------------------------------------------


@transaction.atomic
def document_template_upload(*, upload, note: str, by) -> DocumentTemplate:
    """Keep an office's Word template after checking that it renders the sample document and that the result
    still holds the header, the title, the number and the signer. The repository's template stays the
    default; every upload is kept (the list is the history)."""
    from core.documents import TemplateInvalid, validate_template

    if not access.is_staff_role(by):
        raise PermissionDenied("Chỉ Văn phòng Đảng ủy Khối được thay mẫu văn bản.")
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({"file": "Tệp quá lớn."})
    data = upload.read()
    if not upload.name.lower().endswith(".docx"):
        raise ValidationError({"file": "Mẫu văn bản phải là tệp Word .docx."})
    try:
        validate_template(data)
    except TemplateInvalid as error:
        raise ValidationError({"file": str(error)}) from error
    template = DocumentTemplate(
        original_name=upload.name[-255:], size=len(data), note=note.strip()[:255], uploaded_by=by
    )
    template.file.save(f"{uuid.uuid4().hex}.docx", ContentFile(data), save=False)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def document_template_withdraw(*, template: DocumentTemplate, by) -> DocumentTemplate:
    """Stop using an uploaded template (kept in the history): the previous one, or the repository's, applies."""
    if not access.is_staff_role(by):
        raise PermissionDenied("Chỉ Văn phòng Đảng ủy Khối được thay mẫu văn bản.")
    template.is_withdrawn = True
    template.save(update_fields=["is_withdrawn"])
    return template
