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
from .closing import closed_year_change_record, day_text, record_field_changes, years_between
from .documents import issuer_symbol
from .models import (
    JOIN_REASONS,
    LEAVE_REASONS,
    TERM_YEARS,
    BlocMembership,
    BlocYear,
    Cell,
    CellKind,
    CellRating,
    Congress,
    CongressKind,
    DocumentTemplate,
    Kind,
    MembershipReason,
    Officer,
    OfficerTitle,
    Organization,
    OrganizationYear,
    OutgoingDocument,
    Rating,
    term_label,
)
from .rating_rules import party_rating_problems


def _not_future(day: dt.date | None, label: str, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{label} không được ở tương lai."})


def _spells_follow_fields(organization: Organization) -> None:
    """Forms and imports set ``joined_on`` / ``left_on`` (the first day of the first spell, the end of the last):
    the spells follow. No spell yet: one is made; otherwise the first spell starts on ``joined_on`` and the last
    ends on ``left_on``."""
    spells = list(organization.spells.order_by("joined_on"))
    if not spells:
        spells = [BlocMembership(organization=organization, joined_on=organization.joined_on)]
    first, last = spells[0], spells[-1]
    first.joined_on = organization.joined_on
    last.left_on = organization.left_on
    if last.left_on and not last.leave_reason:
        last.leave_reason = MembershipReason.CHUYEN_DANG_BO_KHAC
    if not last.left_on:
        last.leave_reason = ""
    for spell in {id(first): first, id(last): last}.values():
        spell.full_clean(validate_constraints=False)
        spell.save()
    _check_spells(organization)
    organization._spell_list = list(organization.spells.order_by("joined_on"))


def _check_spells(organization: Organization) -> None:
    """Spells never overlap and only the last may be open."""
    spells = list(organization.spells.order_by("joined_on"))
    for before, after in zip(spells, spells[1:], strict=False):
        if before.left_on is None or before.left_on > after.joined_on:
            raise ValidationError(
                {"joined_on": "Các thời gian trực thuộc Đảng bộ Khối không được chồng lên nhau."}
            )


def _fields_from_spells(organization: Organization) -> None:
    spells = list(organization.spells.order_by("joined_on"))
    organization.joined_on = spells[0].joined_on
    organization.left_on = spells[-1].left_on
    organization.save(update_fields=["joined_on", "left_on"])
    organization._spell_list = spells


#: What an organisation's own secretary may change on its record; the rest is the Bloc's registry (staff).
CONTACT_FIELDS = ("address", "phone", "email")


def _check_may_save(organization: Organization, by) -> None:
    """Staff change everything; the organisation's own secretary only its contacts."""
    if organization.pk is None:
        access.require_staff(by, "Chỉ Văn phòng Đảng ủy Khối được thêm tổ chức.")
    elif by is not None and not access.is_staff_role(by):
        access.require_worker(by, organization)
        stored = Organization.objects.get(pk=organization.pk)
        changed = [
            f.name
            for f in Organization._meta.concrete_fields
            if f.name not in CONTACT_FIELDS and getattr(stored, f.attname) != getattr(organization, f.attname)
        ]
        if changed:
            raise PermissionDenied("Bí thư cơ sở chỉ được sửa thông tin liên hệ của tổ chức.")


@transaction.atomic
def organization_save(*, organization: Organization, change_reason: str = "", by=None) -> Organization:
    """Create or change an organisation (the form has set its fields). Moving its join or leave date across a
    closed year changes that year's denominators: a reason is needed and logged (``closing``)."""
    _check_may_save(organization, by)
    if organization.left_on and organization.left_on <= organization.joined_on:
        raise ValidationError({"left_on": "Ngày thôi trực thuộc phải sau ngày trực thuộc."})
    organization.full_clean()
    before = (
        Organization.objects.filter(pk=organization.pk).values("joined_on", "left_on").first()
        if organization.pk
        else None
    )
    if before is not None:
        years = years_between(before["joined_on"], organization.joined_on) | years_between(
            before["left_on"], organization.left_on
        )
        closed_year_change_record(
            years=years,
            what=f"Sửa ngày trực thuộc / thôi trực thuộc của tổ chức {organization.code}",
            before=f"trực thuộc {day_text(before['joined_on'])}, thôi {day_text(before['left_on'])}",
            after=f"trực thuộc {day_text(organization.joined_on)}, thôi {day_text(organization.left_on)}",
            reason=change_reason,
            by=by,
        )
    else:
        closed_year_change_record(
            years=range(organization.joined_on.year, timezone.localdate().year + 1),
            what=f"Thêm tổ chức {organization.code} trực thuộc từ {organization.joined_on:%d/%m/%Y}",
            after=f"trực thuộc {day_text(organization.joined_on)}, thôi {day_text(organization.left_on)}",
            reason=change_reason,
            by=by,
        )
    organization.save()
    _spells_follow_fields(organization)
    return organization


@transaction.atomic
def organization_leave(
    *,
    organization: Organization,
    left_on: dt.date,
    reason: str = MembershipReason.CHUYEN_DANG_BO_KHAC,
    decision_no: str = "",
    decision_on: dt.date | None = None,
    change_reason: str = "",
    by=None,
) -> Organization:
    """The organisation leaves the Bloc (giải thể, sáp nhập, chuyển đảng bộ khác): its open spell ends on
    `left_on`. It is kept, with its history; it stops counting after `left_on` and may come back
    (``organization_return``)."""
    access.require_staff(by)
    spell = organization.spells.filter(left_on__isnull=True).order_by("-joined_on").first()
    if spell is None:
        raise ValidationError("Tổ chức này đã thôi trực thuộc Đảng bộ Khối.")
    if left_on <= spell.joined_on:
        raise ValidationError({"left_on": "Ngày thôi trực thuộc phải sau ngày trực thuộc."})
    if reason not in LEAVE_REASONS:
        raise ValidationError({"reason": "Lý do thôi trực thuộc không hợp lệ."})
    closed_year_change_record(
        years=range(left_on.year, timezone.localdate().year + 1),
        what=f"Tổ chức {organization.code} thôi trực thuộc từ {left_on:%d/%m/%Y}",
        before="đang trực thuộc",
        after=f"thôi trực thuộc {day_text(left_on)}",
        reason=change_reason,
        by=by,
    )
    spell.left_on, spell.leave_reason = left_on, reason
    spell.leave_decision_no, spell.leave_decision_on = decision_no, decision_on
    spell.full_clean()
    spell.save()
    _fields_from_spells(organization)
    return organization


@transaction.atomic
def organization_return(
    *,
    organization: Organization,
    joined_on: dt.date,
    reason: str = MembershipReason.CHUYEN_DEN,
    decision_no: str = "",
    decision_on: dt.date | None = None,
    change_reason: str = "",
    by=None,
) -> Organization:
    """An organisation that had left comes back to the Bloc: a new spell from `joined_on`."""
    access.require_staff(by)
    last = organization.spells.order_by("-joined_on").first()
    if last is not None and last.left_on is None:
        raise ValidationError("Tổ chức này đang trực thuộc Đảng bộ Khối.")
    if last is not None and joined_on < last.left_on:
        raise ValidationError(
            {"joined_on": "Ngày trực thuộc trở lại phải từ ngày thôi trực thuộc lần trước."}
        )
    if reason not in JOIN_REASONS:
        raise ValidationError({"reason": "Lý do trực thuộc không hợp lệ."})
    _not_future(joined_on, "Ngày trực thuộc", "joined_on")
    closed_year_change_record(
        years=range(joined_on.year, timezone.localdate().year + 1),
        what=f"Tổ chức {organization.code} trực thuộc trở lại từ {joined_on:%d/%m/%Y}",
        before="không trực thuộc",
        after=f"trực thuộc trở lại {day_text(joined_on)}",
        reason=change_reason,
        by=by,
    )
    spell = BlocMembership(
        organization=organization,
        joined_on=joined_on,
        join_reason=reason,
        join_decision_no=decision_no,
        join_decision_on=decision_on,
    )
    spell.full_clean()
    spell.save()
    _fields_from_spells(organization)
    return organization


@transaction.atomic
def congress_record(
    *,
    organization: Organization,
    term_start: int,
    held_on: dt.date,
    kind: str = CongressKind.DAI_HOI,
    note: str = "",
    change_reason: str = "",
    by=None,
) -> Congress:
    """Record (or correct) the organisation's congress of a term. The term's congress is held within the term
    (a congress of 2025–2030 from 2025 on); a change reaching a closed year of the term needs a reason."""
    access.require_staff(by)
    _not_future(held_on, "Ngày đại hội", "held_on")
    if not term_start - 1 <= held_on.year < term_start + TERM_YEARS:
        raise ValidationError(
            {
                "held_on": f"Đại hội nhiệm kỳ {term_label(term_start)} phải họp trong nhiệm kỳ (hoặc cuối năm trước)."
            }
        )
    congress = Congress.objects.filter(organization=organization, term_start=term_start).first()
    old = congress.held_on if congress else None
    closed_year_change_record(
        # The term's figures read this congress from the year it is held to the term's end.
        years=range(max(term_start, min(d for d in (old, held_on) if d).year), term_start + TERM_YEARS)
        if old != held_on
        else (),
        what=f"Đại hội nhiệm kỳ {term_label(term_start)} của tổ chức {organization.code}",
        before=f"đại hội {day_text(old)}" if old else "chưa ghi nhận",
        after=f"đại hội {day_text(held_on)}",
        reason=change_reason,
        by=by,
    )
    congress = congress or Congress(organization=organization, term_start=term_start)
    congress.held_on, congress.kind, congress.note = held_on, kind, note
    congress.full_clean()
    congress.save()
    return congress


@transaction.atomic
def cell_save(*, cell: Cell, by=None) -> Cell:
    """Điều lệ Đảng Art. 21.3: a đảng bộ cơ sở has chi bộ trực thuộc (or đảng bộ bộ phận); a chi bộ cơ sở has
    only tổ đảng (Art. 24.1: a large chi bộ may be divided into tổ đảng)."""
    access.require_staff(by)
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
def officer_add(
    *, organization: Organization, user, title: str, cell: Cell | None = None, by=None
) -> Officer:
    """Link an account to the organisation — or, for a cell's secretary (title ``bi_thu_chi_bo``), to one of its
    chi bộ trực thuộc (``cell``); what the account may then do is decided by its role in ``access``."""
    access.require_staff(by)
    if Officer.objects.filter(user=user, is_active=True).exclude(organization=organization).exists():
        raise ValidationError({"user": "Tài khoản này đang phụ trách một tổ chức khác."})
    if (title == OfficerTitle.BI_THU_CHI_BO) != (cell is not None):
        raise ValidationError(
            {"cell": "Bí thư chi bộ trực thuộc cần chọn chi bộ; chức danh khác không chọn chi bộ."}
        )
    if cell is not None and (cell.organization_id != organization.pk or cell.kind != CellKind.CHI_BO):
        raise ValidationError({"cell": "Hãy chọn một chi bộ trực thuộc của tổ chức này."})
    officer, _ = Officer.objects.update_or_create(
        user=user, organization=organization, defaults={"title": title, "is_active": True, "cell": cell}
    )
    officer.full_clean()
    return officer


@transaction.atomic
def officer_end(*, officer: Officer, by=None) -> Officer:
    access.require_staff(by)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    return officer


@transaction.atomic
def organization_year_save(
    *, record: OrganizationYear, cell_grades: dict | None = None, change_reason: str = "", by=None
) -> OrganizationYear:
    """Save an organisation's year; `cell_grades` ({cell: grade}) rates its subordinate organisations first, in
    the same transaction, since a đảng bộ's HTXSNV rests on them (``rating_rules``). Staff only. Changing the
    ratings or the theme of a closed year needs a reason (``closing``)."""
    access.require_staff(by)
    if cell_grades:
        cell_ratings_save(
            organization=record.organization,
            year=record.year,
            grades=cell_grades,
            change_reason=change_reason,
            by=by,
        )
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
    record_field_changes(
        year=record.year,
        old=OrganizationYear.objects.filter(pk=record.pk).first() if record.pk else None,
        new=record,
        fields=YEAR_FIGURE_FIELDS,
        what=f"Số liệu năm {record.year} của tổ chức {record.organization.code}",
        reason=change_reason,
        by=by,
    )
    record.save()
    return record


#: The fields of an organisation's year the dashboard reads (ratings, the theme, the masses' headcount).
YEAR_FIGURE_FIELDS = (
    "non_member_headcount",
    "party_rating",
    "professional_rating",
    "enterprise_effective",
    "theme_text",
    "theme_issued_on",
)


@transaction.atomic
def bloc_year_save(*, record: BlocYear, change_reason: str = "", by=None) -> BlocYear:
    """The Bloc's own rating of a year; changing it once the year is closed needs a reason."""
    access.require_staff(by)
    if record.year > timezone.localdate().year:
        raise ValidationError({"year": "Không xếp loại cho năm chưa tới."})
    record.full_clean()
    record_field_changes(
        year=record.year,
        old=BlocYear.objects.filter(pk=record.pk).first() if record.pk else None,
        new=record,
        fields=["rating"],
        what=f"Xếp loại Đảng bộ Khối năm {record.year}",
        reason=change_reason,
        by=by,
    )
    record.save()
    return record


@transaction.atomic
def cell_ratings_save(
    *, organization: Organization, year: int, grades: dict, change_reason: str = "", by=None
) -> int:
    """Rate a đảng bộ cơ sở's subordinate organisations for `year` ({cell: grade}; a blank grade leaves the
    cell as it was). The evidence for the đảng bộ's own rating (HD 21-HD/BTCTW 2019 §II.B.1.3); a grade of a
    closed year changed needs a reason."""
    access.require_staff(by)
    if year > timezone.localdate().year or year < 1930:
        raise ValidationError({"year": "Năm xếp loại không hợp lệ."})
    saved = 0
    stored = dict(
        CellRating.objects.filter(cell__organization=organization, year=year).values_list(
            "cell_id", "party_rating"
        )
    )
    for cell, grade in grades.items():
        if not grade:
            continue
        if cell.organization_id != organization.pk:
            raise ValidationError("Chi bộ không thuộc tổ chức này.")
        if grade not in Rating.values:
            raise ValidationError(f"{cell.name}: mức xếp loại không hợp lệ.")
        if stored.get(cell.pk) != grade:
            closed_year_change_record(
                years=[year],
                what=f"Xếp loại {cell.name} ({organization.code}) năm {year}",
                before=Rating(stored[cell.pk]).label if stored.get(cell.pk) in Rating.values else "",
                after=Rating(grade).label,
                reason=change_reason,
                by=by,
            )
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
    still holds the header, the title, the number and the signer, and that it renders the portal's own newest
    documents (``documents.TEMPLATE_CHECKS``: on the demo, the demo's summary and report). The repository's template stays the
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
    from core.documents import render_docx

    from .documents import TEMPLATE_CHECKS

    for check in TEMPLATE_CHECKS:  # the portal's own documents, from the database (the demo's, on the demo)
        doc = check()
        if doc is None:
            continue
        try:
            render_docx(doc, data)
        except TemplateInvalid as error:
            raise ValidationError({"file": f"Mẫu Word không in được “{doc.summary}”: {error}"}) from error
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
