"""Every write to the discipline and inspection registers: one function per change, atomic, checked (the
Inspection Commission records: ``access.check_can_record_discipline``), who did it kept, nothing deleted.

An expulsion (khai trừ) also writes the member's exit event through ``members.services.member_end`` in the same
transaction, with the decision's number and dates, and the register keeps the link (``Discipline.exit_event``).
"""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members import services as member_services
from members.models import ACTIVE_STATUSES, EventKind, Member
from organizations import closing
from organizations.access import check_can_record_discipline
from organizations.models import Cell, Organization

from .models import (
    MEMBER_FORMS,
    ORGANIZATION_FORMS,
    Appeal,
    AppealOutcome,
    Discipline,
    DisciplineForm,
    DisciplineStatus,
    InspectionProgramme,
    ProgrammeStatus,
    Remedy,
    Subject,
)


def _not_future(day: dt.date | None, label: str, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{label} không được ở tương lai."})


@transaction.atomic
def discipline_record(
    *,
    subject: str,
    organization: Organization,
    form: str,
    deciding_body: str,
    decision_no: str,
    decided_on: dt.date,
    effective_on: dt.date,
    violation: str,
    summary: str,
    member: Member | None = None,
    cell: Cell | None = None,
    is_leadership: bool = False,
    change_reason: str = "",
    by: AbstractBaseUser,
) -> Discipline:
    """Record a disciplinary decision (Điều lệ Đảng Art. 35–39): a member (khiển trách, cảnh cáo, cách chức,
    khai trừ), a TCCSĐ or a subordinate organisation (khiển trách, cảnh cáo, giải tán). A member's entry
    belongs to the organisation whose roll they are on; an expulsion takes them off it (their exit event). A
    decision dated in a closed year (it counts in the year decided) needs `change_reason`."""
    check_can_record_discipline(by)
    _not_future(decided_on, "Ngày quyết định", "decided_on")
    if effective_on < decided_on:
        raise ValidationError({"effective_on": "Ngày có hiệu lực không được trước ngày quyết định."})
    if not (decision_no or "").strip():
        raise ValidationError({"decision_no": "Hãy ghi số quyết định kỷ luật."})
    if subject == Subject.MEMBER:
        if member is None:
            raise ValidationError({"member": "Hãy chọn đảng viên bị kỷ luật."})
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.organization_id != organization.pk:
            raise ValidationError({"member": "Đảng viên không thuộc tổ chức cơ sở đảng đã chọn."})
        if member.status not in ACTIVE_STATUSES:
            raise ValidationError(
                {"member": f"Đảng viên đang “{member.get_status_display()}”: không còn trong danh sách."}
            )
        if form not in MEMBER_FORMS:
            raise ValidationError(
                {"form": "Đảng viên bị kỷ luật khiển trách, cảnh cáo, cách chức hoặc khai trừ."}
            )
        cell = None
    else:
        member, is_leadership = None, False
        if form not in ORGANIZATION_FORMS:
            raise ValidationError({"form": "Tổ chức đảng bị kỷ luật khiển trách, cảnh cáo hoặc giải tán."})
        if subject == Subject.CELL:
            if cell is None:
                raise ValidationError({"cell": "Hãy chọn chi bộ, đảng bộ bộ phận bị kỷ luật."})
            if cell.organization_id != organization.pk:
                raise ValidationError({"cell": "Chi bộ không thuộc tổ chức cơ sở đảng đã chọn."})
        elif subject == Subject.ORGANIZATION:
            cell = None
        else:
            raise ValidationError({"subject": "Đối tượng không hợp lệ."})
    discipline = Discipline(
        subject=subject,
        member=member,
        organization=organization,
        cell=cell,
        form=form,
        is_leadership=is_leadership,
        deciding_body=deciding_body,
        decision_no=decision_no.strip(),
        decided_on=decided_on,
        effective_on=effective_on,
        violation=violation,
        summary=summary.strip(),
        recorded_by=by,
    )
    discipline.full_clean(exclude=["exit_event", "recorded_by"])
    closing.closed_year_change_record(
        years=[decided_on.year],
        what=f"Kỷ luật {discipline.get_form_display().lower()}: {member.full_name if member else (cell.name if cell else organization.name)}",
        after=f"quyết định {discipline.decision_no} ngày {closing.day_text(decided_on)}",
        reason=change_reason,
        by=by,
    )
    if form == DisciplineForm.KHAI_TRU:
        discipline.exit_event = member_services.member_end(
            member=member,
            kind=EventKind.EXPELLED,
            effective_on=effective_on,
            decided_on=decided_on,
            decision_no=discipline.decision_no,
            note=f"Kỷ luật khai trừ: {discipline.summary}"[:2000],
            change_reason=change_reason,
            by=by,
        )
    discipline.save()
    return discipline


@transaction.atomic
def appeal_lodge(*, discipline: Discipline, lodged_on: dt.date, summary: str, by: AbstractBaseUser) -> Appeal:
    """Record a complaint against a discipline (Điều lệ Đảng Art. 37)."""
    check_can_record_discipline(by)
    _not_future(lodged_on, "Ngày nhận đơn", "lodged_on")
    if lodged_on < discipline.decided_on:
        raise ValidationError({"lodged_on": "Ngày nhận đơn không được trước ngày quyết định kỷ luật."})
    if discipline.appeals.filter(outcome=AppealOutcome.PENDING).exists():
        raise ValidationError("Quyết định này đang có một khiếu nại chưa giải quyết.")
    appeal = Appeal(discipline=discipline, lodged_on=lodged_on, summary=summary.strip(), recorded_by=by)
    appeal.full_clean(exclude=["recorded_by", "replacement"])
    appeal.save()
    return appeal


def _reinstate(discipline: Discipline, *, settled_on: dt.date, decision_no: str, outcome: str, by) -> None:
    """The member expelled by `discipline` returns to the roll (the appeal overturned the expulsion); the
    lifecycle's refusals are put beside the settlement's fields."""
    if discipline.exit_event_id is None:
        raise ValidationError(
            {"outcome": "Quyết định khai trừ này không có sự kiện ra khỏi danh sách để phục hồi."}
        )
    what = "hủy" if outcome == AppealOutcome.ANNULLED else "thay đổi hình thức"
    try:
        member_services.member_reinstate(
            member=discipline.member,
            exit_event=discipline.exit_event,
            effective_on=settled_on,
            decided_on=settled_on,
            decision_no=decision_no.strip(),
            note=f"Giải quyết khiếu nại: {what} quyết định khai trừ {discipline.decision_no}."[:2000],
            by=by,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            fields = {
                "effective_on": "settled_on",
                "decided_on": "settled_on",
                "decision_no": "outcome_decision_no",
            }
            raise ValidationError(
                {fields.get(name, "outcome"): errs for name, errs in error.error_dict.items()}
            ) from error
        raise ValidationError({"outcome": error.messages}) from error


@transaction.atomic
def appeal_settle(
    *,
    appeal: Appeal,
    outcome: str,
    settled_on: dt.date,
    outcome_decision_no: str = "",
    new_form: str = "",
    change_reason: str = "",
    by: AbstractBaseUser,
) -> Appeal:
    """Settle a complaint: the discipline stands (giữ nguyên), is changed to another form (the original is kept
    as "changed" and the new decision recorded beside it) or annulled (kept as "annulled": it no longer counts
    in any rating). An expulsion changed or annulled returns the member to the roll from the settlement's date
    (``members.services.member_reinstate``: a dated event; the exit event and the history stay). Changing or
    annulling a discipline of a closed year (it counts in the year decided) needs `change_reason`."""
    check_can_record_discipline(by)
    appeal = Appeal.objects.select_for_update().select_related("discipline").get(pk=appeal.pk)
    discipline = appeal.discipline
    if appeal.outcome != AppealOutcome.PENDING:
        raise ValidationError("Khiếu nại này đã được giải quyết.")
    if outcome not in (AppealOutcome.UPHELD, AppealOutcome.CHANGED, AppealOutcome.ANNULLED):
        raise ValidationError({"outcome": "Hãy chọn kết quả giải quyết."})
    _not_future(settled_on, "Ngày giải quyết", "settled_on")
    if settled_on < appeal.lodged_on:
        raise ValidationError({"settled_on": "Ngày giải quyết không được trước ngày nhận đơn."})
    if outcome != AppealOutcome.UPHELD and not outcome_decision_no.strip():
        raise ValidationError({"outcome_decision_no": "Thay đổi hoặc xóa kỷ luật cần số quyết định."})
    if outcome != AppealOutcome.UPHELD:
        closing.closed_year_change_record(
            years=[discipline.decided_on.year],
            what=f"Giải quyết khiếu nại kỷ luật số {discipline.decision_no}",
            before=discipline.get_form_display(),
            after=AppealOutcome(outcome).label + (f": {new_form}" if new_form else ""),
            reason=change_reason,
            by=by,
        )
    if outcome == AppealOutcome.CHANGED:
        allowed = MEMBER_FORMS if discipline.subject == Subject.MEMBER else ORGANIZATION_FORMS
        if new_form not in allowed or new_form == discipline.form or new_form == DisciplineForm.KHAI_TRU:
            raise ValidationError({"new_form": "Hãy chọn hình thức kỷ luật mới (khác hình thức cũ)."})
    if outcome != AppealOutcome.UPHELD and discipline.form == DisciplineForm.KHAI_TRU:
        _reinstate(discipline, settled_on=settled_on, decision_no=outcome_decision_no, outcome=outcome, by=by)
    if outcome == AppealOutcome.CHANGED:
        appeal.replacement = Discipline.objects.create(
            subject=discipline.subject,
            member=discipline.member,
            organization=discipline.organization,
            cell=discipline.cell,
            form=new_form,
            is_leadership=discipline.is_leadership,
            deciding_body=discipline.deciding_body,
            decision_no=outcome_decision_no.strip(),
            decided_on=discipline.decided_on,  # the violation counts in the same year, once
            effective_on=settled_on,
            violation=discipline.violation,
            summary=f"Thay đổi hình thức khi giải quyết khiếu nại: {discipline.summary}"[:4000],
            recorded_by=by,
        )
        discipline.status = DisciplineStatus.CHANGED
    elif outcome == AppealOutcome.ANNULLED:
        discipline.status = DisciplineStatus.ANNULLED
    if outcome != AppealOutcome.UPHELD:
        discipline._history_user = by
        discipline.save(update_fields=["status"])
    appeal.outcome, appeal.settled_on = outcome, settled_on
    appeal.outcome_decision_no, appeal.new_form = outcome_decision_no.strip(), new_form or ""
    appeal.full_clean(exclude=["recorded_by", "replacement", "discipline"])
    appeal.save()
    return appeal


@transaction.atomic
def programme_save(
    *,
    programme: InspectionProgramme | None,
    year: int,
    kind: str,
    title: str,
    in_plan: bool,
    decision_no: str,
    starts_on: dt.date,
    ends_on: dt.date,
    organizations,
    change_reason: str = "",
    by: AbstractBaseUser,
) -> InspectionProgramme:
    """Plan (or correct) an inspection or supervision programme and the organisations it covers. A programme of
    a closed year's plan added, moved or taken out of the plan needs `change_reason`."""
    check_can_record_discipline(by)
    if not 1930 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "Năm không hợp lệ."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "Ngày kết thúc không được trước ngày bắt đầu."})
    if not organizations:
        raise ValidationError({"organizations": "Hãy chọn ít nhất một tổ chức được kiểm tra, giám sát."})
    was = (programme.year, programme.in_plan) if programme is not None and programme.pk else None
    if was != (year, in_plan):
        closing.closed_year_change_record(
            years={y for y, planned in (was or (year, False), (year, in_plan)) if planned},
            what=f"Chương trình kiểm tra, giám sát “{title.strip()}”",
            before=f"năm {was[0]}, {'trong' if was[1] else 'ngoài'} chương trình" if was else "",
            after=f"năm {year}, {'trong' if in_plan else 'ngoài'} chương trình",
            reason=change_reason,
            by=by,
        )
    programme = programme or InspectionProgramme(recorded_by=by)
    programme.year, programme.kind, programme.title, programme.in_plan = year, kind, title.strip(), in_plan
    programme.decision_no, programme.starts_on, programme.ends_on = decision_no.strip(), starts_on, ends_on
    if programme.status == ProgrammeStatus.PLANNED and starts_on <= timezone.localdate():
        programme.status = ProgrammeStatus.UNDER_WAY
    programme.full_clean(exclude=["recorded_by"])
    programme.save()
    programme.organizations.set(organizations)
    return programme


@transaction.atomic
def programme_conclude(
    *,
    programme: InspectionProgramme,
    concluded_on: dt.date,
    conclusion: str,
    change_reason: str = "",
    by: AbstractBaseUser,
) -> InspectionProgramme:
    """Record the programme's conclusion (kết luận kiểm tra, giám sát). Concluded within its year, it counts in
    that year: for a closed year that needs `change_reason`."""
    check_can_record_discipline(by)
    _not_future(concluded_on, "Ngày kết luận", "concluded_on")
    if concluded_on < programme.starts_on:
        raise ValidationError({"concluded_on": "Ngày kết luận không được trước ngày bắt đầu."})
    if not conclusion.strip():
        raise ValidationError({"conclusion": "Hãy ghi nội dung kết luận."})
    if programme.in_plan and concluded_on.year <= programme.year:
        closing.closed_year_change_record(
            years=[programme.year],
            what=f"Kết luận kiểm tra, giám sát “{programme.title}”",
            before=programme.get_status_display(),
            after=f"{ProgrammeStatus.CONCLUDED.label} {closing.day_text(concluded_on)}",
            reason=change_reason,
            by=by,
        )
    programme.status, programme.concluded_on, programme.conclusion = (
        ProgrammeStatus.CONCLUDED,
        concluded_on,
        conclusion.strip(),
    )
    programme.full_clean(exclude=["recorded_by"])
    programme.save()
    return programme


@transaction.atomic
def remedy_add(
    *,
    programme: InspectionProgramme,
    organization: Organization,
    requirement: str,
    deadline: dt.date,
    change_reason: str = "",
    by: AbstractBaseUser,
) -> Remedy:
    """A remedy the conclusion requires of one of the inspected organisations, with its deadline. Due in a
    closed year, it counts as overdue there (and every year after until done): that needs `change_reason`."""
    check_can_record_discipline(by)
    if not programme.organizations.filter(pk=organization.pk).exists():
        raise ValidationError(
            {"organization": "Tổ chức này không thuộc diện kiểm tra, giám sát của cuộc này."}
        )
    if deadline < programme.starts_on:
        raise ValidationError({"deadline": "Thời hạn khắc phục không được trước khi bắt đầu kiểm tra."})
    closing.closed_year_change_record(
        years=range(deadline.year, timezone.localdate().year + 1),
        what=f"Yêu cầu khắc phục của tổ chức {organization.code} (“{programme.title}”)",
        after=f"hạn {closing.day_text(deadline)}",
        reason=change_reason,
        by=by,
    )
    remedy = Remedy(
        programme=programme, organization=organization, requirement=requirement.strip(), deadline=deadline,
        recorded_by=by,
    )  # fmt: skip
    remedy.full_clean(exclude=["recorded_by"])
    remedy.save()
    return remedy


@transaction.atomic
def remedy_done(
    *, remedy: Remedy, done_on: dt.date, note: str = "", change_reason: str = "", by: AbstractBaseUser
) -> Remedy:
    """The organisation has remedied what was required (the date it was verified). Dated back in a closed year
    in which the remedy read as overdue, it changes that year: that needs `change_reason`."""
    check_can_record_discipline(by)
    _not_future(done_on, "Ngày hoàn thành", "done_on")
    if remedy.done_on is not None:
        raise ValidationError("Yêu cầu này đã được ghi hoàn thành.")
    closing.closed_year_change_record(
        years=range(max(done_on.year, remedy.deadline.year), timezone.localdate().year + 1),
        what=f"Hoàn thành khắc phục của tổ chức {remedy.organization.code}",
        before="chưa hoàn thành",
        after=f"hoàn thành {closing.day_text(done_on)}",
        reason=change_reason,
        by=by,
    )
    remedy.done_on, remedy.done_note = done_on, note.strip()
    remedy._history_user = by
    remedy.full_clean(exclude=["recorded_by"])
    remedy.save()
    return remedy
