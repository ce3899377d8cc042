"""Every write to the members registry: one function per state change, each atomic, each checked.

The events are the history; ``Member.status`` (and the organisation a member belongs to) is re-derived from
them after every action. Nothing here deletes anything.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from organizations import access, closing
from organizations.models import GOOD_RATINGS, Cell, Organization, Rating
from organizations.rating_rules import disciplined_member_ids, member_discipline_problem
from organizations.selectors import officer_accounts

from . import dues, workdays
from . import meetings as meeting_rules
from .lifecycle import (
    BADGE_MILESTONES,
    FINAL_STATUSES,
    MIN_ADMISSION_AGE,
    OUTSIDE_KINDS,
    READMISSION_FROM,
    READMISSION_WAIT_MONTHS,
    PartyLife,
    add_months,
    badge_round_on,
    committee_full_due,
    is_of_admission_age,
    probation_ends_on,
    status_from_events,
)
from .models import (
    ACTIVE_STATUSES,
    ROLL_IN_KINDS,
    BadgeAward,
    BadgeStatus,
    Candidate,
    CellMeeting,
    DuesLine,
    DuesPolicy,
    DuesRate,
    DuesRemittance,
    DuesStatus,
    EventKind,
    ExtraDayOff,
    MeetingAttendance,
    MeetingCriterion,
    MeetingStatus,
    Member,
    MemberDues,
    MemberEvent,
    MemberRating,
    MemberStatus,
    Presence,
    TransferScope,
)

#: HD 21-HD/BTCTW 2019 §2.3 (member rating, "Hoàn thành xuất sắc nhiệm vụ"): members rated HTXSNV may not
#: exceed 20% of those rated HTTNV in each TCCSĐ.
EXCELLENT_CAP = 0.20

#: The actions that end or pause a member's activity, with the status they lead to.
ENDING_KINDS = (
    EventKind.EXEMPTED,
    EventKind.REMOVED,
    EventKind.EXPELLED,
    EventKind.LEFT,
    EventKind.DIED,
)


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date | None, label: str, field: str | None = None) -> None:
    if day and day > _today():
        message = f"{label} không được ở tương lai (hôm nay là {_today():%d/%m/%Y})."
        raise ValidationError({field: message} if field else message)


def _check_cell(cell: Cell | None, organization: Organization) -> None:
    if cell is not None and cell.organization_id != organization.pk:
        raise ValidationError({"cell": "Chi bộ đã chọn không thuộc tổ chức cơ sở đảng này."})


def member_refresh_status(member: Member, *, also: tuple[str, ...] = ()) -> Member:
    """Re-derive the cached status and current organisation from the events and save them (with the fields
    named in `also`, changed by the caller: one save, one history record)."""
    events = list(member.events.order_by("effective_on", "pk"))
    member.status = status_from_events(events, member.full_member_on) or MemberStatus.DU_BI
    roll_in = [e for e in events if e.kind in ROLL_IN_KINDS]
    if roll_in and roll_in[-1].organization_id != member.organization_id:
        member.organization_id = roll_in[-1].organization_id
        member.cell = None
    member.save(update_fields=["status", "organization", "cell", *also])
    return member


def _last_event(member: Member) -> MemberEvent | None:
    return member.events.order_by("-effective_on", "-pk").first()


def _check_event_dates(
    member: Member, *, effective_on: dt.date, decided_on: dt.date | None, final_allowed=False
) -> None:
    _not_future(effective_on, "Ngày hiệu lực", "effective_on")
    _not_future(decided_on, "Ngày quyết định", "decided_on")
    if member.status in FINAL_STATUSES and not final_allowed:
        raise ValidationError(
            f"Đảng viên đang ở tình trạng “{member.get_status_display()}”: không ghi nhận thêm sự kiện."
        )
    last = _last_event(member)
    if last and effective_on < last.effective_on:
        raise ValidationError(
            {
                "effective_on": f"Ngày hiệu lực không được trước sự kiện gần nhất "
                f"({last.get_kind_display()}, {last.effective_on:%d/%m/%Y})."
            }
        )
    if member.ceremony_on and effective_on < member.ceremony_on:
        raise ValidationError({"effective_on": "Ngày hiệu lực không được trước ngày vào Đảng."})


def _event(member: Member, *, kind, organization, effective_on, by, **extra) -> MemberEvent:
    return MemberEvent.objects.create(
        member=member,
        kind=kind,
        organization=organization,
        effective_on=effective_on,
        recorded_by=by,
        **extra,
    )


def _closed_year_event(
    member: Member, *, kind: str, days: tuple, effective_on: dt.date, change_reason: str, by
) -> None:
    """A member event dated in a closed year (an admission, a recognition, a transfer, an exit recorded late)
    changes that year's figures: allowed only with a reason, logged with the member's state before and the
    event after (``organizations.closing``)."""
    closing.closed_year_change_record(
        years=closing.years_of(*days),
        what=f"{EventKind(kind).label}: {member.full_name}",
        before=member.get_status_display() if member.pk else "",
        after=f"{EventKind(kind).label} {closing.day_text(effective_on)}",
        reason=change_reason,
        by=by,
    )


def _check_person(*, full_name: str, birth_date: dt.date) -> None:
    if not (full_name or "").strip():
        raise ValidationError({"full_name": "Hãy nhập họ và tên."})
    _not_future(birth_date, "Ngày sinh", "birth_date")
    if birth_date and birth_date < dt.date(1900, 1, 1):
        raise ValidationError({"birth_date": "Ngày sinh không hợp lệ (trước năm 1900)."})


def _check_admission_dates(
    *,
    birth_date: dt.date,
    admission_decided_on: dt.date | None,
    ceremony_on: dt.date,
    considered_on: dt.date | None = None,
) -> None:
    _not_future(ceremony_on, "Ngày vào Đảng", "ceremony_on")
    if admission_decided_on is None:
        # Older records (imports) may lack the decision date: the ceremony date stands in for it.
        admission_decided_on = ceremony_on
    _not_future(admission_decided_on, "Ngày quyết định kết nạp", "admission_decided_on")
    if ceremony_on < admission_decided_on:
        raise ValidationError(
            {"ceremony_on": "Ngày vào Đảng (lễ kết nạp) không được trước ngày quyết định kết nạp."}
        )
    if considered_on is not None:
        _not_future(considered_on, "Ngày chi bộ họp xét kết nạp", "admission_considered_on")
        if considered_on > admission_decided_on:
            raise ValidationError(
                {
                    "admission_considered_on": "Ngày chi bộ họp xét kết nạp không được sau ngày quyết định kết nạp."
                }
            )
    # QĐ 24-QĐ/TW §1.1.1: 18 (by months) when the cell considers the admission. Older records without the
    # meeting date are checked on the decision date, the nearest date on file.
    reckoned_on, field = (
        (considered_on, "admission_considered_on")
        if considered_on is not None
        else (admission_decided_on, "admission_decided_on")
    )
    if birth_date and not is_of_admission_age(birth_date, reckoned_on):
        when = (
            "vào ngày chi bộ họp xét kết nạp" if considered_on is not None else "vào ngày quyết định kết nạp"
        )
        raise ValidationError(
            {field: f"Người vào Đảng phải đủ {MIN_ADMISSION_AGE} tuổi (tính theo tháng) {when}."}
        )


# --- Members -----------------------------------------------------------------------------------------------


@transaction.atomic
def member_create(
    *,
    organization: Organization,
    full_name: str,
    birth_date: dt.date,
    gender: str,
    admission_decided_on: dt.date | None,
    ceremony_on: dt.date,
    full_member_on: dt.date | None = None,
    full_member_decided_on: dt.date | None = None,
    admission_considered_on: dt.date | None = None,
    cell: Cell | None = None,
    card_number: str = "",
    arrival: str = EventKind.ADMITTED,
    arrived_on: dt.date | None = None,
    decision_no: str = "",
    origin_text: str = "",
    candidate: Candidate | None = None,
    change_reason: str = "",
    closed_years_logged_by_caller: bool = False,
    by: AbstractBaseUser | None = None,
) -> Member:
    """Put a member on `organization`'s roll: admitted here (``arrival=admitted``) or transferred in from
    outside the Bloc (``arrival=transfer_in``, with the date they arrived). Their earlier history (admission,
    full membership) is recorded by its dates on the member; only events in this organisation become events.
    A full membership recorded here carries its real decision date (`full_member_decided_on`, default the
    anniversary), so an imported recognition counts in the year it was decided. Dated in a closed year, it needs
    `change_reason` (an import logs once for the file: ``closed_years_logged_by_caller``).
    """
    access.require_worker(by, organization)
    if arrival not in (EventKind.ADMITTED, EventKind.TRANSFER_IN):
        raise ValidationError({"arrival": "Hình thức phải là kết nạp tại đây hoặc chuyển đến."})
    _check_person(full_name=full_name, birth_date=birth_date)
    _check_cell(cell, organization)
    _check_admission_dates(
        birth_date=birth_date,
        admission_decided_on=admission_decided_on,
        ceremony_on=ceremony_on,
        considered_on=admission_considered_on,
    )
    if full_member_decided_on is not None:
        if full_member_on is None:
            raise ValidationError(
                {
                    "full_member_decided_on": "Có ngày quyết định công nhận chính thức thì phải có ngày chính thức."
                }
            )
        _not_future(full_member_decided_on, "Ngày quyết định công nhận chính thức", "full_member_decided_on")
        if full_member_decided_on < full_member_on:
            raise ValidationError(
                {
                    "full_member_decided_on": "Quyết định công nhận chính thức không được trước ngày đủ 12 tháng dự bị."
                }
            )
    if full_member_on:
        _not_future(full_member_on, "Ngày chính thức", "full_member_on")
        if full_member_on != probation_ends_on(ceremony_on):
            raise ValidationError(
                {
                    "full_member_on": "Ngày chính thức phải đúng ngày tròn 12 tháng dự bị kể từ ngày vào Đảng "
                    f"({probation_ends_on(ceremony_on):%d/%m/%Y})."
                }
            )
    member = Member(
        organization=organization,
        cell=cell,
        full_name=full_name.strip(),
        birth_date=birth_date,
        gender=gender,
        card_number=card_number.strip(),
        admission_decided_on=admission_decided_on,
        admission_considered_on=admission_considered_on,
        ceremony_on=ceremony_on,
        full_member_on=full_member_on,
        candidate=candidate,
        status=MemberStatus.DU_BI,
    )
    # Field shapes only: the date rules were checked above and the database backs them with constraints; the
    # organisation and cell are objects already (validating either would cost a query per row of an import).
    member.full_clean(
        exclude=["status", "search_text", "organization", "cell", "candidate"],
        validate_unique=False,
        validate_constraints=False,
    )
    common = {"organization": organization, "recorded_by": by}
    if arrival == EventKind.TRANSFER_IN:
        arrived_on = arrived_on or _today()
        _not_future(arrived_on, "Ngày chuyển đến", "arrived_on")
        if arrived_on < ceremony_on:
            raise ValidationError({"arrived_on": "Ngày chuyển đến không được trước ngày vào Đảng."})
        events = [
            MemberEvent(
                kind=EventKind.TRANSFER_IN,
                effective_on=arrived_on,
                decided_on=arrived_on,
                decision_no=decision_no,
                transfer_scope=TransferScope.CHINH_THUC,
                counterpart_text=origin_text,
                **common,
            )
        ]
        if full_member_on and full_member_on > arrived_on:
            # Still probationary on arrival: the full membership happened on this organisation's roll.
            events.append(
                MemberEvent(
                    kind=EventKind.FULL_MEMBER,
                    effective_on=full_member_on,
                    decided_on=full_member_decided_on or full_member_on,
                    **common,
                )
            )
    else:
        events = [
            MemberEvent(
                kind=EventKind.ADMITTED,
                effective_on=ceremony_on,
                decided_on=admission_decided_on or ceremony_on,  # counts go by decision date
                decision_no=decision_no,
                **common,
            )
        ]
        if full_member_on:
            events.append(
                MemberEvent(
                    kind=EventKind.FULL_MEMBER,
                    effective_on=full_member_on,
                    decided_on=full_member_decided_on or full_member_on,
                    **common,
                )
            )
    if not closed_years_logged_by_caller:
        _closed_year_event(
            member,
            kind=events[0].kind,
            days=tuple(d for e in events for d in (e.effective_on, e.decided_on)),
            effective_on=events[0].effective_on,
            change_reason=change_reason,
            by=by,
        )
    # The status is what the events say; written once, so the history starts with one "created" record.
    member.status = status_from_events(events, full_member_on) or MemberStatus.DU_BI
    member.save()
    for event in events:
        event.member = member
    MemberEvent.objects.bulk_create(events)
    return member


_UNCHANGED = object()


def _check_account(account, member: Member) -> None:
    """A member's portal account is one holding an officer post of their organisation, and nobody else's."""
    if account is None:
        return
    if not officer_accounts(member.organization).filter(pk=account.pk).exists():
        raise ValidationError(
            {"account": "Tài khoản này không phải cán bộ (bí thư, phó bí thư, văn phòng cấp ủy) của tổ chức."}
        )
    other = Member.objects.filter(account=account).exclude(pk=member.pk).first()
    if other is not None:
        raise ValidationError({"account": f"Tài khoản này đã gắn với đảng viên {other.full_name}."})


@transaction.atomic
def member_update(
    *,
    member: Member,
    full_name: str,
    birth_date: dt.date,
    gender: str,
    cell: Cell | None,
    card_number: str,
    account=_UNCHANGED,
    by: AbstractBaseUser | None = None,
) -> Member:
    """Correct a member's personal details, and which portal account is theirs (`account`, when given: the
    officer posts it holds are the member's, see ``targets.evidence``). Dates of the party life change only
    through events."""
    access.require_worker(by, member.organization)
    _check_person(full_name=full_name, birth_date=birth_date)
    _check_cell(cell, member.organization)
    fields = ["full_name", "birth_date", "gender", "cell", "card_number"]
    if account is not _UNCHANGED and getattr(account, "pk", None) != member.account_id:
        _check_account(account, member)
        member.account = account
        fields.append("account")
    member.full_name = full_name.strip()
    member.birth_date = birth_date
    member.gender = gender
    member.cell = cell
    member.card_number = card_number.strip()
    member.save(update_fields=fields)
    return member


def _organization_on(member: Member, day: dt.date) -> Organization:
    """The organisation whose roll `member` was on at the end of `day` (their current one if none yet)."""
    event = (
        member.events.filter(kind__in=ROLL_IN_KINDS, effective_on__lte=day)
        .select_related("organization")
        .order_by("-effective_on", "-pk")
        .first()
    )
    return event.organization if event else member.organization


@transaction.atomic
def member_make_full(
    *,
    member: Member,
    decided_on: dt.date,
    decision_no: str = "",
    note: str = "",
    change_reason: str = "",
    by: AbstractBaseUser | None = None,
) -> MemberEvent:
    """Công nhận đảng viên chính thức.

    The rule (Điều lệ Đảng, art. 5; DESIGN "Rules the services enforce"):

    - probation is 12 months counted from the ceremony date (ngày vào Đảng); the decision may not be dated
      before the anniversary: the day before is refused, the anniversary itself is accepted;
    - full membership *takes effect on the anniversary*, whatever the decision date: a decision taken later
      (the overdue case) is allowed, recorded with its own date (``decided_on``, the date counts and reports
      use), while the event and ``Member.full_member_on`` carry the anniversary (``effective_on``);
    - a ceremony on 29/02 has its anniversary on 28/02 of the next year (12 calendar months, clamped to the
      end of the month: ``lifecycle.probation_ends_on``);
    - only a probationary member (status dự bị) can be made full; the decision may not be in the future.

    A probationary member may have moved inside the Bloc between the anniversary and the decision: the event
    then sits before the transfer on the timeline (it is dated on the anniversary) and belongs to the
    organisation whose roll the member was on at the decision date. A decision recorded late may be dated
    before events already on the timeline, but it must fall on a day the member was on the Bloc's roll.
    """
    access.require_worker(by, member.organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.DU_BI:
        raise ValidationError(
            f"Chỉ công nhận chính thức đảng viên dự bị (hiện: {member.get_status_display()})."
        )
    if member.ceremony_on is None:
        raise ValidationError("Đảng viên chưa có ngày vào Đảng: không tính được thời gian dự bị.")
    anniversary = probation_ends_on(member.ceremony_on)
    _not_future(decided_on, "Ngày quyết định", "decided_on")
    if decided_on < anniversary:
        raise ValidationError(
            {
                "decided_on": f"Chưa đủ 12 tháng dự bị: sớm nhất là ngày {anniversary:%d/%m/%Y} "
                f"(vào Đảng ngày {member.ceremony_on:%d/%m/%Y})."
            }
        )
    before = list(member.events.filter(effective_on__lte=decided_on).order_by("effective_on", "pk"))
    if status_from_events(before) != MemberStatus.DU_BI:
        raise ValidationError(
            {
                "decided_on": "Vào ngày quyết định, đảng viên không sinh hoạt tại Đảng bộ Khối "
                "(đã chuyển sinh hoạt đi): hãy kiểm tra lại ngày quyết định."
            }
        )
    _closed_year_event(
        member,
        kind=EventKind.FULL_MEMBER,
        days=(anniversary, decided_on),
        effective_on=anniversary,
        change_reason=change_reason,
        by=by,
    )
    event = _event(
        member,
        kind=EventKind.FULL_MEMBER,
        organization=_organization_on(member, decided_on),
        effective_on=anniversary,
        decided_on=decided_on,
        decision_no=decision_no,
        note=note,
        by=by,
    )
    member.full_member_on = anniversary
    member_refresh_status(member, also=("full_member_on",))
    return event


@transaction.atomic
def member_transfer_out(
    *,
    member: Member,
    scope: str,
    effective_on: dt.date,
    decided_on: dt.date | None = None,
    decision_no: str = "",
    destination: Organization | None = None,
    destination_text: str = "",
    note: str = "",
    change_reason: str = "",
    by: AbstractBaseUser | None = None,
) -> MemberEvent:
    """Chuyển sinh hoạt đi. Inside the Bloc (``noi_bo``) the member moves to `destination` and each
    organisation keeps its side of the history; officially out of the Bloc (``chinh_thuc``) the member leaves
    the Bloc's roll (chuyển đi).

    A **temporary** transfer (``tam_thoi``, QĐ 232-QĐ/TW 2025 §6.3.2; QĐ 24-QĐ/TW 2021 §6.3.2) keeps the member
    on the home organisation's roll — the host does not count them in its đảng số: the home side gets a
    ``temp_out`` event, and a host inside the Bloc (`destination`) a ``temp_in`` event, which shows them among
    its temporary arrivals. Neither changes the status or any roll.
    """
    access.require_worker(by, member.organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError(f"Không chuyển sinh hoạt được: đảng viên đang “{member.get_status_display()}”.")
    _check_event_dates(member, effective_on=effective_on, decided_on=decided_on)
    if decided_on and decided_on > effective_on:
        raise ValidationError({"decided_on": "Ngày quyết định không được sau ngày hiệu lực."})
    source = member.organization
    if scope not in TransferScope.values:
        raise ValidationError({"scope": "Hình thức chuyển không hợp lệ."})
    _closed_year_event(
        member,
        kind=EventKind.TEMP_OUT if scope == TransferScope.TAM_THOI else EventKind.TRANSFER_OUT,
        days=(effective_on, decided_on),
        effective_on=effective_on,
        change_reason=change_reason,
        by=by,
    )
    if scope == TransferScope.TAM_THOI:
        return _temporary_transfer_out(
            member,
            effective_on=effective_on,
            decided_on=decided_on,
            decision_no=decision_no,
            destination=destination,
            destination_text=destination_text,
            note=note,
            by=by,
        )
    if scope == TransferScope.NOI_BO:
        if destination is None:
            raise ValidationError({"destination": "Hãy chọn tổ chức cơ sở đảng nơi chuyển đến."})
        if destination.pk == source.pk:
            raise ValidationError({"destination": "Nơi chuyển đến phải khác tổ chức hiện tại."})
        if not destination.in_bloc_on(effective_on):
            raise ValidationError(
                {"destination": "Tổ chức nơi chuyển đến không thuộc Đảng bộ Khối vào ngày đó."}
            )
    elif not destination_text.strip():
        raise ValidationError({"destination_text": "Hãy ghi nơi chuyển đến."})
    common = {
        "effective_on": effective_on,
        "decided_on": decided_on,
        "decision_no": decision_no,
        "transfer_scope": scope,
        "note": note,
        "by": by,
    }
    out = _event(
        member,
        kind=EventKind.TRANSFER_OUT,
        organization=source,
        counterpart=destination if scope == TransferScope.NOI_BO else None,
        counterpart_text=destination_text.strip(),
        **common,
    )
    if scope == TransferScope.NOI_BO:
        _event(member, kind=EventKind.TRANSFER_IN, organization=destination, counterpart=source, **common)
    member_refresh_status(member)
    return out


def _temporary_away(member: Member) -> MemberEvent | None:
    """The open temporary transfer of `member` (its ``temp_out`` event), if any."""
    last = (
        member.events.filter(kind__in=(EventKind.TEMP_OUT, EventKind.TEMP_END))
        .order_by("-effective_on", "-pk")
        .first()
    )
    return last if last is not None and last.kind == EventKind.TEMP_OUT else None


def _temporary_transfer_out(
    member: Member, *, effective_on, decided_on, decision_no, destination, destination_text, note, by
) -> MemberEvent:
    if _temporary_away(member) is not None:
        raise ValidationError("Đảng viên đang sinh hoạt tạm thời ở nơi khác: hãy ghi nhận kết thúc trước.")
    source = member.organization
    if destination is not None:
        if destination.pk == source.pk:
            raise ValidationError({"destination": "Nơi sinh hoạt tạm thời phải khác tổ chức hiện tại."})
        if not destination.in_bloc_on(effective_on):
            raise ValidationError(
                {"destination": "Tổ chức nơi chuyển đến không thuộc Đảng bộ Khối vào ngày đó."}
            )
    elif not destination_text.strip():
        raise ValidationError({"destination_text": "Hãy ghi nơi sinh hoạt tạm thời."})
    common = {
        "effective_on": effective_on,
        "decided_on": decided_on,
        "decision_no": decision_no,
        "transfer_scope": TransferScope.TAM_THOI,
        "note": note,
        "by": by,
    }
    out = _event(
        member,
        kind=EventKind.TEMP_OUT,
        organization=source,
        counterpart=destination,
        counterpart_text=destination_text.strip(),
        **common,
    )
    if destination is not None:
        _event(member, kind=EventKind.TEMP_IN, organization=destination, counterpart=source, **common)
    return out


@transaction.atomic
def member_temporary_end(
    *,
    member: Member,
    effective_on: dt.date,
    note: str = "",
    change_reason: str = "",
    by: AbstractBaseUser | None = None,
) -> MemberEvent:
    """The member comes back from a temporary transfer (QĐ 232-QĐ/TW 2025 §6.3.2): the host's temporary list
    loses them; the home roll never did."""
    access.require_worker(by, member.organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    away = _temporary_away(member)
    if away is None:
        raise ValidationError("Đảng viên không có đợt sinh hoạt tạm thời nào đang mở.")
    _not_future(effective_on, "Ngày hiệu lực", "effective_on")
    if effective_on < away.effective_on:
        raise ValidationError(
            {
                "effective_on": f"Ngày kết thúc không được trước ngày chuyển tạm thời ({away.effective_on:%d/%m/%Y})."
            }
        )
    _closed_year_event(
        member,
        kind=EventKind.TEMP_END,
        days=(effective_on,),
        effective_on=effective_on,
        change_reason=change_reason,
        by=by,
    )
    event = _event(
        member,
        kind=EventKind.TEMP_END,
        organization=away.organization,
        counterpart=away.counterpart,
        counterpart_text=away.counterpart_text,
        transfer_scope=TransferScope.TAM_THOI,
        effective_on=effective_on,
        note=note,
        by=by,
    )
    return event


@transaction.atomic
def member_record_gap(
    *,
    member: Member,
    starts_on: dt.date,
    ends_on: dt.date | None,
    reason: str,
    by: AbstractBaseUser | None = None,
) -> list[MemberEvent]:
    """Record a gap in party activity — lost contact, or interrupted by a transfer (QĐ 24-QĐ/TW 2021 §4.5.1,
    same in QĐ 232-QĐ/TW 2025) — as two events (start, end; the end may still be open). Party age leaves the
    gap out (``lifecycle.PartyLife``). Gaps are usually found in old records, so they may be dated before
    later events; they never change the status or the roll. Expulsion and removal are gaps already (their
    own events, closed by a later re-admission)."""
    access.require_worker(by, member.organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not reason.strip():
        raise ValidationError(
            {"reason": "Hãy ghi lý do gián đoạn (mất liên lạc, gián đoạn do chuyển sinh hoạt…)."}
        )
    _not_future(starts_on, "Ngày bắt đầu", "starts_on")
    _not_future(ends_on, "Ngày sinh hoạt trở lại", "ends_on")
    start_of_life = member.admission_decided_on or member.ceremony_on
    if start_of_life and starts_on < start_of_life:
        raise ValidationError({"starts_on": "Thời gian gián đoạn không được trước ngày kết nạp."})
    if ends_on is not None and ends_on <= starts_on:
        raise ValidationError({"ends_on": "Ngày sinh hoạt trở lại phải sau ngày bắt đầu gián đoạn."})
    life = PartyLife.of(member)
    for gap_start, gap_end in life.gaps:
        if (gap_end is None or starts_on < gap_end) and (ends_on is None or gap_start < ends_on):
            raise ValidationError({"starts_on": "Trùng với một thời gian gián đoạn đã ghi nhận."})
    common = {"organization": member.organization, "note": reason.strip(), "by": by}
    events = [_event(member, kind=EventKind.GAP_START, effective_on=starts_on, **common)]
    if ends_on is not None:
        events.append(_event(member, kind=EventKind.GAP_END, effective_on=ends_on, **common))
    return events


@transaction.atomic
def member_record_dossier(
    *,
    member: Member,
    full_resolution_on: dt.date | None,
    training_certificate_no: str = "",
    training_certificate_on: dt.date | None = None,
    by: AbstractBaseUser | None = None,
) -> Member:
    """Record the full-membership dossier of a probationary member: the cell's resolution proposing full
    membership (QĐ 24-QĐ/TW 2021 §4.2, a: passed after the 12 months of probation) and the certificate of the
    lớp bồi dưỡng đảng viên mới (number and date; HD 01-HD/TW 2021, the dossier for full membership)."""
    access.require_worker(by, member.organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.DU_BI:
        raise ValidationError("Chỉ ghi hồ sơ công nhận chính thức cho đảng viên dự bị.")
    _not_future(full_resolution_on, "Ngày nghị quyết chi bộ", "full_resolution_on")
    _not_future(training_certificate_on, "Ngày cấp giấy chứng nhận", "training_certificate_on")
    if full_resolution_on and member.ceremony_on:
        anniversary = probation_ends_on(member.ceremony_on)
        if full_resolution_on < anniversary:
            raise ValidationError(
                {
                    "full_resolution_on": "Nghị quyết chi bộ đề nghị công nhận chính thức chỉ ban hành sau khi đủ "
                    f"12 tháng dự bị (từ ngày {anniversary:%d/%m/%Y})."
                }
            )
    start = member.admission_decided_on or member.ceremony_on
    if training_certificate_on and start and training_certificate_on < start:
        raise ValidationError(
            {
                "training_certificate_on": "Giấy chứng nhận lớp bồi dưỡng đảng viên mới không được trước ngày kết nạp."
            }
        )
    if bool(training_certificate_no.strip()) != bool(training_certificate_on):
        raise ValidationError(
            {"training_certificate_no": "Hãy ghi cả số và ngày cấp giấy chứng nhận (hoặc để trống cả hai)."}
        )
    if member.full_extension_on and full_resolution_on != member.full_resolution_on:
        raise ValidationError(
            {
                "full_resolution_on": "Cấp ủy đã gia hạn thời hạn xét theo nghị quyết này "
                f"(ngày {member.full_extension_on:%d/%m/%Y}): không sửa ngày nghị quyết."
            }
        )
    member.full_resolution_on = full_resolution_on
    member.training_certificate_no = training_certificate_no.strip()
    member.training_certificate_on = training_certificate_on
    member.save(update_fields=["full_resolution_on", "training_certificate_no", "training_certificate_on"])
    return member


@transaction.atomic
def member_extend_committee_deadline(
    *,
    member: Member,
    decided_on: dt.date,
    decided_by: str,
    reason: str,
    by: AbstractBaseUser | None = None,
) -> Member:
    """Record the committee's extension of its deadline on a probationary member's full membership.

    QĐ 24-QĐ/TW 2021 §4.3.1 (same in QĐ 232-QĐ/TW 2025): the committee above decides within 30 working days of
    the cell's resolution; in a special case it may extend that **once**, by up to 30 working days. So: the
    cell's resolution must be on file; the extension is decided after it and by the original deadline (after
    it, the committee is already late); a second extension is refused. The overdue list then counts the
    committee late only after the extended deadline (``lifecycle.committee_full_due(extended=True)``).
    """
    access.require_worker(by, member.organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.DU_BI:
        raise ValidationError("Chỉ gia hạn xét công nhận chính thức cho đảng viên dự bị.")
    if member.full_extension_on is not None:
        raise ValidationError(
            f"Thời hạn xét đã được gia hạn một lần (ngày {member.full_extension_on:%d/%m/%Y}, "
            f"{member.full_extension_by}): chỉ được gia hạn một lần (Quy định 24-QĐ/TW, mục 4.3.1)."
        )
    if member.full_resolution_on is None:
        raise ValidationError(
            "Chưa có ngày nghị quyết chi bộ đề nghị công nhận chính thức: hãy ghi hồ sơ trước khi gia hạn."
        )
    _not_future(decided_on, "Ngày quyết định gia hạn", "decided_on")
    if decided_on < member.full_resolution_on:
        raise ValidationError(
            {
                "decided_on": "Quyết định gia hạn không được trước ngày nghị quyết chi bộ "
                f"({member.full_resolution_on:%d/%m/%Y})."
            }
        )
    due = committee_full_due(member.full_resolution_on, workdays.extra_days_off())
    if decided_on > due:
        raise ValidationError(
            {
                "decided_on": f"Hạn 30 ngày làm việc đã hết ngày {due:%d/%m/%Y}: gia hạn phải quyết định "
                "trong thời hạn đó."
            }
        )
    if not decided_by.strip():
        raise ValidationError({"decided_by": "Hãy ghi cấp ủy quyết định và số văn bản gia hạn."})
    if not reason.strip():
        raise ValidationError({"reason": "Hãy ghi lý do gia hạn (trường hợp đặc biệt)."})
    member.full_extension_on = decided_on
    member.full_extension_by = decided_by.strip()
    member.full_extension_reason = reason.strip()
    member._history_user = by
    member.save(update_fields=["full_extension_on", "full_extension_by", "full_extension_reason"])
    return member


def full_membership_warnings(member: Member) -> list[str]:
    """What is missing from the full-membership dossier at recognition time (warned, not refused): the
    certificate of the lớp bồi dưỡng đảng viên mới (HD 01-HD/TW 2021) and the cell's resolution (§4.2)."""
    warnings = []
    if not (member.training_certificate_no and member.training_certificate_on):
        warnings.append("Hồ sơ chưa có giấy chứng nhận lớp bồi dưỡng đảng viên mới (số, ngày cấp).")
    if member.full_resolution_on is None:
        warnings.append("Hồ sơ chưa có ngày nghị quyết chi bộ đề nghị công nhận chính thức.")
    return warnings


@transaction.atomic
def badge_award_record(
    *,
    member: Member,
    milestone: int,
    status: str,
    by: AbstractBaseUser | None = None,
) -> BadgeAward:
    """Record a Huy hiệu Đảng dossier: proposed (đề nghị) or awarded (đã trao) for one milestone. The round is
    the one the member's party age reaches the milestone for (HD 01-HD/TW 2021, item 18)."""
    access.require_worker(by, member.organization)
    if milestone not in BADGE_MILESTONES:
        raise ValidationError({"milestone": "Mốc Huy hiệu Đảng không hợp lệ."})
    if status not in BadgeStatus.values:
        raise ValidationError({"status": "Tình trạng hồ sơ không hợp lệ."})
    member = Member.objects.select_for_update().get(pk=member.pk)
    reached = PartyLife.of(member).reaches(milestone)
    if reached is None:
        raise ValidationError("Đảng viên chưa có tuổi đảng tính được cho mốc này.")
    round_on = badge_round_on(reached)
    if round_on > _today() + dt.timedelta(days=366):
        raise ValidationError(f"Chưa tới đợt xét: đủ {milestone} năm tuổi đảng vào ngày {reached:%d/%m/%Y}.")
    if status == BadgeStatus.DA_TRAO and round_on > _today():
        raise ValidationError(f"Đợt trao {round_on:%d/%m/%Y} chưa tới: chỉ ghi “đề nghị”.")
    award, _ = BadgeAward.objects.update_or_create(
        member=member,
        milestone=milestone,
        defaults={"round_on": round_on, "status": status, "recorded_by": by},
    )
    return award


@transaction.atomic
def extra_day_off_add(*, day: dt.date, name: str, by: AbstractBaseUser | None = None) -> ExtraDayOff:
    """Add a compensating day off (nghỉ bù) that working-day deadlines skip."""
    access.require_staff(by)
    record = ExtraDayOff(day=day, name=name.strip(), recorded_by=by)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def extra_day_off_remove(*, record: ExtraDayOff, by: AbstractBaseUser | None = None) -> None:
    """Remove a day off entered by mistake (a setting, not a register entry: its history keeps the record)."""
    access.require_staff(by)
    record._history_user = by
    record.delete()


@transaction.atomic
def member_transfer_back_in(
    *,
    member: Member,
    organization: Organization,
    effective_on: dt.date,
    decided_on: dt.date | None = None,
    decision_no: str = "",
    origin_text: str = "",
    note: str = "",
    change_reason: str = "",
    by: AbstractBaseUser | None = None,
) -> MemberEvent:
    """Chuyển sinh hoạt đến: a member who had moved out of the Bloc comes back to `organization`."""
    access.require_worker(by, organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.CHUYEN_DI:
        raise ValidationError("Chỉ ghi nhận chuyển đến cho đảng viên đã chuyển sinh hoạt đi.")
    _check_event_dates(member, effective_on=effective_on, decided_on=decided_on)
    _closed_year_event(
        member,
        kind=EventKind.TRANSFER_IN,
        days=(effective_on, decided_on),
        effective_on=effective_on,
        change_reason=change_reason,
        by=by,
    )
    event = _event(
        member,
        kind=EventKind.TRANSFER_IN,
        organization=organization,
        effective_on=effective_on,
        decided_on=decided_on,
        decision_no=decision_no,
        transfer_scope=TransferScope.CHINH_THUC,
        counterpart_text=origin_text,
        note=note,
        by=by,
    )
    member_refresh_status(member)
    return event


@transaction.atomic
def member_readmit(
    *,
    member: Member,
    organization: Organization,
    admission_decided_on: dt.date,
    ceremony_on: dt.date,
    decision_no: str,
    admission_considered_on: dt.date | None = None,
    cell: Cell | None = None,
    note: str = "",
    by: AbstractBaseUser | None = None,
) -> MemberEvent:
    """Kết nạp lại: a person who left the Party (removed, expelled, left) is admitted again — on the same
    record, whose history stays (nothing deleted).

    QĐ 24-QĐ/TW 2021 §3.5 (kept by QĐ 232-QĐ/TW 2025): at least 36 months after leaving (§3.5.1 b; the longer
    waits — 60 months after a criminal record is cleared — and the cases never re-admitted (QĐ 294-QĐ/TW 2025
    §3.5.2) are for the committee to check: not known here); re-admitted **only once** (§3.5.3); the
    re-admitted member goes through probation again (§3.5.4): the record's admission dates become the
    re-admission's, full membership is cleared until recognised anew. Party age (§4.5.2; QĐ 29-QĐ/TW 2016
    §4.5 b) counts from the first admission decision, kept in ``first_admission_decided_on``, minus the time
    outside (``lifecycle.PartyLife``).
    """
    access.require_worker(by, organization)
    _check_cell(cell, organization)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status not in READMISSION_FROM:
        raise ValidationError(
            f"Chỉ kết nạp lại người đã ra khỏi Đảng (xóa tên, khai trừ, ra khỏi Đảng); hiện: "
            f"“{member.get_status_display()}”."
        )
    if member.first_admission_decided_on is not None:
        raise ValidationError(
            f"Đã kết nạp lại một lần (lần đầu kết nạp ngày {member.first_admission_decided_on:%d/%m/%Y}): "
            "chỉ kết nạp lại một lần (Quy định 24-QĐ/TW, mục 3.5.3)."
        )
    first_on = member.admission_decided_on or member.ceremony_on
    if first_on is None:
        raise ValidationError(
            "Hồ sơ chưa có ngày quyết định kết nạp lần đầu (hoặc ngày vào Đảng): hãy bổ sung trước khi kết nạp lại."
        )
    if not decision_no.strip():
        raise ValidationError({"decision_no": "Kết nạp lại cần số quyết định."})
    _check_admission_dates(
        birth_date=member.birth_date,
        admission_decided_on=admission_decided_on,
        ceremony_on=ceremony_on,
        considered_on=admission_considered_on,
    )
    exit_event = member.events.filter(kind__in=OUTSIDE_KINDS).order_by("-effective_on", "-pk").first()
    if exit_event is not None:
        earliest = add_months(exit_event.effective_on, READMISSION_WAIT_MONTHS)
        if admission_decided_on < earliest:
            raise ValidationError(
                {
                    "admission_decided_on": f"Chưa đủ {READMISSION_WAIT_MONTHS} tháng kể từ khi ra khỏi Đảng "
                    f"({exit_event.get_kind_display().lower()} ngày {exit_event.effective_on:%d/%m/%Y}): "
                    f"sớm nhất ngày {earliest:%d/%m/%Y} (Quy định 24-QĐ/TW, mục 3.5.1)."
                }
            )
    _check_event_dates(member, effective_on=ceremony_on, decided_on=admission_decided_on, final_allowed=True)
    event = _event(
        member,
        kind=EventKind.ADMITTED,
        organization=organization,
        effective_on=ceremony_on,
        decided_on=admission_decided_on,
        decision_no=decision_no.strip(),
        note=("Kết nạp lại. " + note.strip()).strip(),
        by=by,
    )
    member.first_admission_decided_on = first_on
    member.admission_decided_on = admission_decided_on
    member.ceremony_on = ceremony_on
    member.admission_considered_on = admission_considered_on
    member.full_member_on = None
    member.full_resolution_on = None
    member.full_extension_on = None
    member.full_extension_by = ""
    member.full_extension_reason = ""
    member_refresh_status(
        member,
        also=(
            "first_admission_decided_on",
            "admission_decided_on",
            "ceremony_on",
            "admission_considered_on",
            "full_member_on",
            "full_resolution_on",
            "full_extension_on",
            "full_extension_by",
            "full_extension_reason",
        ),
    )
    if cell is not None and member.cell_id != cell.pk:
        member.cell = cell
        member.save(update_fields=["cell"])
    return event


@transaction.atomic
def member_end(
    *,
    member: Member,
    kind: str,
    effective_on: dt.date,
    decided_on: dt.date | None = None,
    decision_no: str = "",
    note: str = "",
    change_reason: str = "",
    by: AbstractBaseUser | None = None,
) -> MemberEvent:
    """Miễn sinh hoạt, xóa tên, khai trừ, ra khỏi Đảng, từ trần. An expulsion is also the Inspection
    Commission's to record (it writes the exit with the discipline decision: ``discipline.services``)."""
    if not (kind == EventKind.EXPELLED and access.can_record_discipline(by)):
        access.require_worker(by, member.organization)
    if kind not in ENDING_KINDS:
        raise ValidationError("Loại sự kiện không hợp lệ.")
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError(
            f"Không ghi nhận được: đảng viên đang “{member.get_status_display()}” (không còn trong danh sách)."
        )
    if kind == EventKind.EXEMPTED and member.status == MemberStatus.MIEN_SINH_HOAT:
        raise ValidationError("Đảng viên đã được miễn sinh hoạt.")
    _check_event_dates(member, effective_on=effective_on, decided_on=decided_on)
    if decided_on and decided_on > effective_on:
        raise ValidationError({"decided_on": "Ngày quyết định không được sau ngày hiệu lực."})
    if kind in (EventKind.REMOVED, EventKind.EXPELLED) and not decision_no.strip():
        raise ValidationError({"decision_no": "Xóa tên, khai trừ cần số quyết định."})
    _closed_year_event(
        member,
        kind=kind,
        days=(effective_on, decided_on),
        effective_on=effective_on,
        change_reason=change_reason,
        by=by,
    )
    event = _event(
        member,
        kind=kind,
        organization=member.organization,
        effective_on=effective_on,
        decided_on=decided_on,
        decision_no=decision_no,
        note=note,
        by=by,
    )
    member_refresh_status(member)
    return event


@transaction.atomic
def member_reinstate(
    *,
    member: Member,
    exit_event: MemberEvent,
    effective_on: dt.date,
    decided_on: dt.date,
    decision_no: str,
    note: str = "",
    by: AbstractBaseUser | None = None,
) -> MemberEvent:
    """An expulsion overturned on appeal (annulled, or changed to a lighter form): the member returns to the roll
    of the organisation that expelled them, with the status they had before (QĐ 117-QĐ/TW 2023: phục hồi đảng
    tịch, phục hồi quyền đảng viên; Điều lệ Đảng Art. 9 on appeals). A dated event of its own: the exit event
    stays — the roll between the two dates is as it was — and party age runs on without a gap
    (``lifecycle.PartyLife``). Only the Inspection Commission, which settles the appeal, records it."""
    if not access.can_record_discipline(by):
        access.require_staff(
            by, "Chỉ Ủy ban Kiểm tra Đảng ủy Khối ghi phục hồi đảng tịch khi giải quyết khiếu nại."
        )
    member = Member.objects.select_for_update().get(pk=member.pk)
    last = _last_event(member)
    if (
        exit_event.member_id != member.pk
        or exit_event.kind != EventKind.EXPELLED
        or member.status != MemberStatus.KHAI_TRU
        or last is None
        or last.pk != exit_event.pk
    ):
        raise ValidationError(
            "Không phục hồi được: đảng viên không còn ở tình trạng khai trừ theo quyết định này "
            "(đã có sự kiện khác sau đó)."
        )
    if not decision_no.strip():
        raise ValidationError({"decision_no": "Phục hồi đảng tịch cần số quyết định."})
    if effective_on < exit_event.effective_on:
        raise ValidationError(
            {
                "effective_on": "Ngày phục hồi không được trước ngày khai trừ có hiệu lực "
                f"({exit_event.effective_on:%d/%m/%Y})."
            }
        )
    _check_event_dates(member, effective_on=effective_on, decided_on=decided_on, final_allowed=True)
    event = _event(
        member,
        kind=EventKind.REINSTATED,
        organization=exit_event.organization,
        effective_on=effective_on,
        decided_on=decided_on,
        decision_no=decision_no.strip(),
        note=note,
        by=by,
    )
    member_refresh_status(member)
    return event


# --- Candidates --------------------------------------------------------------------------------------------


@transaction.atomic
def candidate_save(
    *,
    organization: Organization,
    full_name: str,
    birth_date: dt.date,
    gender: str,
    cell: Cell | None = None,
    course_certificate_on: dt.date | None = None,
    cell_considered_on: dt.date | None = None,
    sponsors: str = "",
    note: str = "",
    candidate: Candidate | None = None,
    by: AbstractBaseUser | None = None,
) -> Candidate:
    """Create (``candidate=None``) or edit a candidate for admission."""
    access.require_worker(by, organization)
    _check_person(full_name=full_name, birth_date=birth_date)
    _check_cell(cell, organization)
    _not_future(course_certificate_on, "Ngày cấp giấy chứng nhận", "course_certificate_on")
    _not_future(cell_considered_on, "Ngày chi bộ họp xét kết nạp", "cell_considered_on")
    if cell_considered_on and birth_date and not is_of_admission_age(birth_date, cell_considered_on):
        raise ValidationError(
            {
                "cell_considered_on": f"Người vào Đảng phải đủ {MIN_ADMISSION_AGE} tuổi (tính theo tháng) vào ngày chi bộ xét."
            }
        )
    if candidate is not None and candidate.status != Candidate.Status.PENDING:
        raise ValidationError("Quần chúng này đã được kết nạp hoặc dừng xem xét: không sửa được.")
    candidate = candidate or Candidate(organization=organization)
    candidate.full_name = full_name.strip()
    candidate.birth_date = birth_date
    candidate.gender = gender
    candidate.cell = cell
    candidate.course_certificate_on = course_certificate_on
    candidate.cell_considered_on = cell_considered_on
    candidate.sponsors = sponsors.strip()
    candidate.note = note
    candidate.save()
    return candidate


@transaction.atomic
def candidate_admit(
    *,
    candidate: Candidate,
    admission_decided_on: dt.date,
    ceremony_on: dt.date,
    considered_on: dt.date | None = None,
    decision_no: str = "",
    card_number: str = "",
    change_reason: str = "",
    by: AbstractBaseUser | None = None,
) -> Member:
    """Kết nạp: the candidate becomes a probationary member of their organisation. `considered_on` is the cell
    meeting that considered the admission: the candidate must be 18 (by months) on it (QĐ 24-QĐ/TW §1.1.1)."""
    access.require_worker(by, candidate.organization)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != Candidate.Status.PENDING:
        raise ValidationError("Quần chúng này đã được kết nạp hoặc dừng xem xét.")
    if candidate.course_certificate_on is None:
        raise ValidationError("Chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng: chưa kết nạp được.")
    if not candidate.sponsors.strip():
        raise ValidationError("Chưa có đảng viên giới thiệu: chưa kết nạp được.")
    if admission_decided_on < candidate.course_certificate_on:
        raise ValidationError(
            {
                "admission_decided_on": "Ngày quyết định kết nạp không được trước ngày cấp giấy chứng nhận lớp bồi dưỡng."
            }
        )
    member = member_create(
        organization=candidate.organization,
        cell=candidate.cell,
        full_name=candidate.full_name,
        birth_date=candidate.birth_date,
        gender=candidate.gender,
        admission_decided_on=admission_decided_on,
        admission_considered_on=considered_on,
        ceremony_on=ceremony_on,
        card_number=card_number,
        decision_no=decision_no,
        candidate=candidate,
        change_reason=change_reason,
        by=by,
    )
    candidate.status = Candidate.Status.ADMITTED
    candidate.cell_considered_on = considered_on
    candidate.save(update_fields=["status", "cell_considered_on"])
    return member


@transaction.atomic
def candidate_withdraw(
    *, candidate: Candidate, note: str = "", by: AbstractBaseUser | None = None
) -> Candidate:
    access.require_worker(by, candidate.organization)
    if candidate.status != Candidate.Status.PENDING:
        raise ValidationError("Quần chúng này không còn trong diện xem xét.")
    candidate.status = Candidate.Status.WITHDRAWN
    candidate.note = (candidate.note + "\n" + note).strip()
    candidate.save(update_fields=["status", "note"])
    return candidate


# --- Ratings -----------------------------------------------------------------------------------------------


def excellent_cap(good: int, excellent: int) -> tuple[int, int]:
    """(base, most HTXSNV allowed) for an organisation whose ratings count `excellent` HTXSNV among `good`
    HTTNV-or-better.

    HD 21-HD/BTCTW 2019 §2.3: HTXSNV ≤ 20% of the members rated "Hoàn thành tốt nhiệm vụ" in each TCCSĐ — the
    base is HTTNV only (``settings.PARTY_EXCELLENT_CAP_BASE = "httnv"``). A province whose guidance counts
    the base as HTTNV-or-better sets it to ``"good"``. 12 HTXSNV with 51 HTTNV: base 51, at most 10.
    """
    base = good - excellent if settings.PARTY_EXCELLENT_CAP_BASE == "httnv" else good
    return base, int(EXCELLENT_CAP * base + 1e-9)


def _check_excellent_cap(organization: Organization, year: int, field: str = "grade") -> None:
    """HTXSNV within the cap of ``excellent_cap`` in `organization` for `year`."""
    counts = MemberRating.objects.filter(organization=organization, year=year).aggregate(
        excellent=Count("pk", filter=Q(grade=Rating.HTXSNV)),
        good=Count("pk", filter=Q(grade__in=GOOD_RATINGS)),
    )
    excellent, good = counts["excellent"], counts["good"]
    base, allowed = excellent_cap(good, excellent)
    if excellent > allowed:
        what = "HTTNV" if settings.PARTY_EXCELLENT_CAP_BASE == "httnv" else "HTTNV trở lên"
        message = (
            f"Số đảng viên HTXSNV ({excellent}) vượt 20% số đảng viên được xếp loại {what} ({base}) "
            f"của tổ chức trong năm {year}: tối đa {allowed} (Hướng dẫn 21-HD/BTCTW, mục 2.3)."
        )
        raise ValidationError({field: message} if field else message)


def _check_rating_year(member: Member, year: int) -> None:
    if year > _today().year or year < 1930:
        raise ValidationError({"year": "Năm xếp loại không hợp lệ."})
    if member.ceremony_on and year < member.ceremony_on.year:
        raise ValidationError(
            {"year": f"{member.full_name} vào Đảng năm {member.ceremony_on.year}: không xếp loại năm {year}."}
        )


@transaction.atomic
def member_rate(
    *, member: Member, year: int, grade: str, change_reason: str = "", by: AbstractBaseUser | None = None
) -> MemberRating:
    """Set a member's rating for `year`, within the 20% cap of HTXSNV; changing a closed year's needs a
    reason."""
    access.require_worker(by, member.organization)
    _check_rating_year(member, year)
    if grade not in Rating.values:
        raise ValidationError({"grade": "Mức xếp loại không hợp lệ."})
    problem = member_discipline_problem(member, year, grade)
    if problem:
        raise ValidationError({"grade": problem})
    # Lock the organisation's row so two raters cannot both slip under the cap.
    Organization.objects.select_for_update().get(pk=member.organization_id)
    old = MemberRating.objects.filter(member=member, year=year).values_list("grade", flat=True).first()
    if old != grade:
        closing.closed_year_change_record(
            years=[year],
            what=f"Xếp loại đảng viên năm {year}: {member.full_name}",
            before=Rating(old).label if old else "",
            after=Rating(grade).label,
            reason=change_reason,
            by=by,
        )
    rating, _ = MemberRating.objects.update_or_create(
        member=member,
        year=year,
        defaults={"grade": grade, "organization_id": member.organization_id, "rated_by": by},
    )
    _check_excellent_cap(member.organization, year)
    return rating


@transaction.atomic
def member_ratings_save(
    *,
    organization: Organization,
    year: int,
    grades: Mapping[Member, str],
    change_reason: str = "",
    by: AbstractBaseUser | None = None,
) -> int:
    """Rate many members of `organization` for `year` at once (the bulk rating form): all or nothing. Ratings
    of a closed year changed need a reason (logged, each member's grade before and after).

    `grades` maps members to a grade; members left out keep what they had. The 20% cap is checked on the
    organisation's whole set once everything is written, so a form that would exceed it saves nothing.
    Returns how many ratings were created or changed.
    """
    access.require_worker(by, organization)
    if year > _today().year or year < 1930:
        raise ValidationError({"year": "Năm xếp loại không hợp lệ."})
    Organization.objects.select_for_update().get(pk=organization.pk)
    for member, grade in grades.items():
        if grade not in Rating.values:
            raise ValidationError({"__all__": f"{member.full_name}: mức xếp loại không hợp lệ."})
        existing_org = member.organization_id
        if existing_org != organization.pk:
            raise ValidationError(
                {
                    "__all__": f"{member.full_name} không thuộc tổ chức {organization.code}: không xếp loại được."
                }
            )
        try:
            _check_rating_year(member, year)
        except ValidationError as error:
            raise ValidationError({"__all__": error.message_dict["year"]}) from error
    # HD 21-HD/BTCTW 2019 §II.B: a member disciplined in the year is rated KHTNV (one query for the form).
    disciplined = disciplined_member_ids(Member, [m.pk for m in grades], year)
    refused = [
        problem
        for member, grade in grades.items()
        if member.pk in disciplined
        and (problem := member_discipline_problem(member, year, grade, disciplined[member.pk]))
    ]
    if refused:
        raise ValidationError({"__all__": refused})
    existing = {
        r.member_id: r
        for r in MemberRating.objects.filter(year=year, member__in=[m.pk for m in grades]).select_for_update()
    }
    created, changed = [], []
    for member, grade in grades.items():
        rating = existing.get(member.pk)
        if rating is None:
            created.append(
                MemberRating(member=member, organization=organization, year=year, grade=grade, rated_by=by)
            )
        elif rating.grade != grade or rating.organization_id != organization.pk:
            rating.grade, rating.organization_id, rating.rated_by = grade, organization.pk, by
            changed.append(rating)
    # [(name, grade before, grade after)]: the stored grades are read back (``changed`` holds the new ones).
    stored = dict(
        MemberRating.objects.filter(pk__in=[r.pk for r in changed]).values_list("member_id", "grade")
    )
    moved = [(r.member.full_name, "", r.grade) for r in created] + [
        (m.full_name, stored[m.pk], g) for m, g in grades.items() if existing.get(m.pk) in changed
    ]
    if moved and closing.closed_years_touched(years=[year]):
        label = lambda code: Rating(code).label if code else "—"  # noqa: E731
        closing.closed_year_change_record(
            years=[year],
            what=f"Xếp loại {len(moved)} đảng viên năm {year} của tổ chức {organization.code}",
            before="; ".join(f"{name}: {label(old)}" for name, old, _ in moved),
            after="; ".join(f"{name}: {label(new)}" for name, _, new in moved),
            reason=change_reason,
            by=by,
        )
    if created:
        bulk_create_with_history(created, MemberRating, batch_size=500, default_user=by)
    if changed:
        bulk_update_with_history(
            changed,
            MemberRating,
            ["grade", "organization", "rated_by"],
            batch_size=500,
            default_user=by,
        )
    _check_excellent_cap(organization, year, field="__all__")
    return len(created) + len(changed)


# --- cell meetings (sinh hoạt chi bộ) ----------------------------------------------------------------------


def _check_meeting_unit(organization: Organization, cell: Cell | None) -> None:
    """A chi bộ cơ sở meets as its own cell (no cell); a đảng bộ cơ sở's meetings are its chi bộ trực thuộc's."""
    if access.holds_own_meetings(organization):
        if cell is not None:
            raise ValidationError({"cell": "Chi bộ cơ sở tự sinh hoạt: không chọn chi bộ trực thuộc."})
        return
    if cell is None or cell.organization_id != organization.pk or not cell.is_active:
        raise ValidationError({"cell": "Hãy chọn một chi bộ trực thuộc đang hoạt động của tổ chức."})
    if not Cell.objects.filter(access.meeting_cells_q(), pk=cell.pk).exists():
        raise ValidationError({"cell": "Chỉ chi bộ trực thuộc mới ghi sổ sinh hoạt chi bộ."})


def _check_meeting_complete(meeting: CellMeeting) -> None:
    problems = {}
    if meeting.starts_at is None:
        problems["starts_at"] = "Cần giờ bắt đầu để hoàn thành biên bản."
    if meeting.ends_at is None:
        problems["ends_at"] = "Cần giờ kết thúc để hoàn thành biên bản."
    if not meeting.topics.strip():
        problems["topics"] = "Cần ghi nội dung sinh hoạt để hoàn thành biên bản."
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def meeting_save(
    *,
    meeting: CellMeeting | None,
    organization: Organization,
    cell: Cell | None,
    data: Mapping,
    attendance: Mapping[int, tuple[str, str]],
    complete: bool,
    change_reason: str = "",
    by: AbstractBaseUser,
) -> CellMeeting:
    """Record a cell meeting (new, or a draft / completed one corrected): its details, the checklist and the
    attendance of every member of the cell's roll (``meetings.roll_of``: {member id: (presence, reason)}; a
    member not given is present). Saved as a draft unless `complete`; completing needs the times and the
    topics. Staff, the organisation's secretary (any of its cells) or the cell's own secretary
    (``access.check_can_record_meetings``). Nothing is deleted: a member who left the roll keeps their row. A
    completed meeting of a closed year (recorded late, corrected or moved) needs `change_reason`."""
    access.check_can_record_meetings(by, organization, cell)
    stored = None
    if meeting is None:
        meeting = CellMeeting(organization=organization, cell=cell)
    else:
        meeting = CellMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.organization_id != organization.pk or meeting.cell_id != (cell.pk if cell else None):
            raise ValidationError("Buổi sinh hoạt này thuộc chi bộ khác.")
        if meeting.status == MeetingStatus.WITHDRAWN:
            raise ValidationError("Buổi sinh hoạt đã hủy, không sửa được.")
        stored = (
            (meeting.held_on, meeting.get_status_display())
            if meeting.status == MeetingStatus.COMPLETED
            else None
        )
    _check_meeting_unit(organization, cell)
    for name in ("held_on", "starts_at", "ends_at", "kind", "topics", "resolution", "higher_attendee"):
        if name in data:
            value = data[name]
            setattr(
                meeting,
                name,
                "" if value is None and name in ("topics", "resolution", "higher_attendee") else value,
            )
    _not_future(meeting.held_on, "Ngày sinh hoạt", "held_on")
    roll = {m.pk: m for m in meeting_rules.roll_of(organization, cell)}
    for name in ("chair", "recorder"):
        person = data.get(name)
        if person is not None and person.pk not in roll:
            raise ValidationError({name: "Chỉ chọn đảng viên của chi bộ."})
        if name in data:
            setattr(meeting, name, person)
    year = meeting.held_on.year
    allowed = {c.code for c in meeting_rules.criteria_of(year)}
    codes = list(data.get("criteria_met") or [])
    unknown = [c for c in codes if c not in allowed]
    if unknown:
        raise ValidationError({"criteria_met": "Tiêu chí không có trong danh mục của năm."})
    meeting.criteria_met = sorted(codes)
    stray = set(attendance) - set(roll)
    if stray:
        raise ValidationError("Chỉ điểm danh đảng viên của chi bộ.")
    for presence, reason in attendance.values():
        if presence not in Presence.values:
            raise ValidationError("Điểm danh không hợp lệ.")
        if len(reason or "") > 200:
            raise ValidationError("Lý do vắng tối đa 200 ký tự.")
    if complete:
        _check_meeting_complete(meeting)
        if meeting.status != MeetingStatus.COMPLETED:
            meeting.status, meeting.completed_at = MeetingStatus.COMPLETED, timezone.now()
    if stored is not None or meeting.status == MeetingStatus.COMPLETED:
        # The meeting figures count completed meetings by their day: the years of the day before and after.
        closing.closed_year_change_record(
            years=closing.years_of(stored[0] if stored else None, meeting.held_on),
            what=f"Buổi sinh hoạt của {cell.name if cell else organization.name}",
            before=f"{closing.day_text(stored[0])}, {stored[1]}" if stored else "",
            after=f"{closing.day_text(meeting.held_on)}, {meeting.get_status_display()}",
            reason=change_reason,
            by=by,
        )
    meeting.recorded_by = by
    meeting._history_user = by
    meeting.full_clean()
    meeting.save()
    existing = {a.member_id: a for a in meeting.attendance.select_for_update()}
    for member_id in roll:
        presence, reason = attendance.get(member_id, (Presence.PRESENT, ""))
        reason = "" if presence == Presence.PRESENT else (reason or "").strip()
        row = existing.get(member_id)
        if row is None:
            row = MeetingAttendance(meeting=meeting, member_id=member_id)
        elif row.presence == presence and row.reason == reason:
            continue
        row.presence, row.reason = presence, reason
        row._history_user = by
        row.full_clean(validate_unique=False)
        row.save()
    return meeting


@transaction.atomic
def meeting_withdraw(*, meeting: CellMeeting, change_reason: str = "", by: AbstractBaseUser) -> CellMeeting:
    """A meeting recorded by mistake: kept, counted nowhere (a completed one of a closed year: with a reason)."""
    access.check_can_record_meetings(by, meeting.organization, meeting.cell)
    if meeting.status == MeetingStatus.COMPLETED:
        closing.closed_year_change_record(
            years=[meeting.held_on.year],
            what=f"Hủy buổi sinh hoạt {meeting.held_on:%d/%m/%Y} của tổ chức {meeting.organization.code}",
            before=meeting.get_status_display(),
            after=MeetingStatus.WITHDRAWN.label,
            reason=change_reason,
            by=by,
        )
    meeting.status = MeetingStatus.WITHDRAWN
    meeting._history_user = by
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


@transaction.atomic
def meeting_criteria_from_guidance(*, year: int, by: AbstractBaseUser) -> int:
    """Write the guidance's checklist for `year` (``meetings.default_criteria``) where the year has none of its
    codes yet; returns how many lines were added. Staff only."""
    if not access.is_staff_role(by):
        raise PermissionDenied("Chỉ Văn phòng Đảng ủy Khối sửa tiêu chí.")
    if not 1930 <= year <= 2100:
        raise ValidationError({"year": "Năm không hợp lệ."})
    have = set(MeetingCriterion.objects.filter(year=year).values_list("code", flat=True))
    added = 0
    for order, (code, text, regulation) in enumerate(meeting_rules.default_criteria(year), start=1):
        if code in have:
            continue
        criterion = MeetingCriterion(year=year, code=code, text=text, regulation=regulation, order=order)
        criterion._history_user = by
        criterion.full_clean()
        criterion.save()
        added += 1
    return added


@transaction.atomic
def meeting_criterion_save(*, criterion: MeetingCriterion, by: AbstractBaseUser) -> MeetingCriterion:
    """Add or change one line of a year's checklist (its code stays: meetings refer to it). Staff only."""
    if not access.is_staff_role(by):
        raise PermissionDenied("Chỉ Văn phòng Đảng ủy Khối sửa tiêu chí.")
    if not criterion.code:
        criterion.code = f"c{MeetingCriterion.objects.filter(year=criterion.year).count() + 1}"
        while MeetingCriterion.objects.filter(year=criterion.year, code=criterion.code).exists():
            criterion.code += "x"
    criterion._history_user = by
    criterion.full_clean()
    criterion.save()
    return criterion


# --- Party dues ---------------------------------------------------------------------------------------------


@transaction.atomic
def member_dues_save(
    *,
    member: Member,
    category: str,
    income_base: int | None,
    by: AbstractBaseUser | None = None,
) -> MemberDues:
    """Record a member's dues category and income base (the history keeps the earlier ones). A rate-based
    category needs the base; a fixed amount does not."""
    access.require_worker(by, member.organization)
    known = dict(dues.categories())
    if category not in known:
        raise ValidationError({"category": "Đối tượng đóng đảng phí không có trong danh mục."})
    if income_base is not None and income_base < 0:
        raise ValidationError({"income_base": "Thu nhập không hợp lệ."})
    profile, _ = MemberDues.objects.get_or_create(member=member, defaults={"category": category})
    profile.category, profile.income_base, profile.recorded_by = category, income_base, by
    profile.full_clean(exclude=["member"])
    profile.save()
    return profile


@transaction.atomic
def dues_month_save(
    *,
    organization: Organization,
    month: dt.date,
    entries: Mapping[Member, tuple[str, int | None, str]],
    cell: Cell | None = None,
    by: AbstractBaseUser | None = None,
) -> int:
    """Record a month's collection for many members at once — all or nothing. `entries` maps a member to
    (status, amount paid or None for "what they owe", reason). Each member must be on `organization`'s roll at
    the month's end (``dues.roll_ids``); the amount due is written from their category and base under the rule
    in force that month (``dues.rate_for``: QĐ 342-QĐ/TW 2010 until 01/2026, QĐ 01-QĐ/TW 2026 after). Exempt
    needs a reason; paid needs an amount (typed, or what they owe). With `cell`, only that cell's members (its
    secretary may record them: ``access.can_record_dues``). Returns the number of lines written."""
    if by is not None and not access.can_record_dues(by, organization, cell):
        raise PermissionDenied(
            "Chỉ bí thư của tổ chức (hoặc của chi bộ) và Văn phòng Đảng ủy Khối ghi thu đảng phí."
        )
    month = dues.month_start(month)
    if month > dues.month_start(_today()):
        raise ValidationError({"__all__": "Chưa tới tháng này: không ghi thu đảng phí trước."})
    Organization.objects.select_for_update().get(pk=organization.pk)
    sheet = {row.member.pk: row for row in dues.month_sheet(organization, month, cell)}
    existing = {
        line.member_id: line
        for line in DuesLine.objects.filter(
            member__in=[m.pk for m in entries], month=month
        ).select_for_update()
    }
    written = []
    for member, (status, amount, reason) in entries.items():
        row = sheet.get(member.pk)
        if row is None:
            raise ValidationError(
                {
                    "__all__": f"{member.full_name} không có trong danh sách của "
                    f"{'chi bộ' if cell else 'tổ chức'} tháng {month:%m/%Y}."
                }
            )
        if status not in DuesStatus.values:
            raise ValidationError({"__all__": f"{member.full_name}: tình trạng không hợp lệ."})
        reason = (reason or "").strip()
        if status == DuesStatus.EXEMPT and not reason:
            raise ValidationError({"__all__": f"{member.full_name}: miễn đóng đảng phí phải ghi lý do."})
        if status == DuesStatus.PAID:
            amount = amount if amount is not None else row.due
            if not amount or amount <= 0:
                raise ValidationError(
                    {
                        "__all__": f"{member.full_name}: chưa có thu nhập tính đảng phí — hãy ghi số tiền đã đóng."
                    }
                )
        else:
            amount = 0
        line = existing.get(member.pk) or DuesLine(member=member, month=month)
        if line.pk and line.organization_id != organization.pk:
            raise ValidationError(
                {"__all__": f"{member.full_name}: tháng {month:%m/%Y} đã được ghi ở tổ chức khác."}
            )
        line.organization, line.cell = organization, member.cell if member.cell_id else None
        line.status, line.amount_paid, line.reason = status, amount, reason
        line.amount_due = 0 if status == DuesStatus.EXEMPT else row.due
        line.recorded_by = by
        line.full_clean(exclude=["member", "organization", "cell"], validate_unique=False)
        line.save()
        written.append(line)
    return len(written)


@transaction.atomic
def dues_remittance_record(
    *,
    organization: Organization,
    period_start: dt.date,
    amount: int,
    remitted_on: dt.date,
    note: str = "",
    change_reason: str = "",
    by: AbstractBaseUser | None = None,
) -> DuesRemittance:
    """Record a TCCSĐ's remittance to the Bloc for one period of the policy (a month or a quarter). Whether it
    was on time is read from the dates (``dues.remittance_status``), never typed. A period of a closed year
    recorded late changes that year's "nộp đảng phí đúng hạn": it needs `change_reason`."""
    access.require_worker(by, organization)
    _not_future(remitted_on, "Ngày nộp", "remitted_on")
    periods = {p.start: p for p in dues.remittance_periods(period_start.year)}
    period = periods.get(period_start)
    if period is None:
        raise ValidationError({"period_start": "Kỳ nộp không đúng với kỳ Đảng ủy Khối quy định."})
    if remitted_on < period.start:
        raise ValidationError({"remitted_on": "Ngày nộp không được trước kỳ nộp."})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Số tiền nộp phải lớn hơn 0."})
    if DuesRemittance.objects.filter(organization=organization, period_start=period.start).exists():
        raise ValidationError({"period_start": "Kỳ này đã ghi nộp đảng phí."})
    closing.closed_year_change_record(
        years=[period.start.year],
        what=f"Nộp đảng phí kỳ {period.start:%m/%Y} của tổ chức {organization.code}",
        before="chưa ghi nộp",
        after=f"nộp {closing.day_text(remitted_on)}",
        reason=change_reason,
        by=by,
    )
    remittance = DuesRemittance(
        organization=organization,
        period_start=period.start,
        period_end=period.end,
        amount=amount,
        remitted_on=remitted_on,
        note=note.strip(),
        recorded_by=by,
    )
    remittance.full_clean()
    remittance.save()
    return remittance


@transaction.atomic
def dues_rate_add(
    *,
    category: str,
    label: str,
    valid_from: dt.date,
    percent=None,
    fixed_amount: int | None = None,
    base_label: str = "",
    source: str,
    by: AbstractBaseUser | None = None,
) -> DuesRate:
    """A new rule for a category from `valid_from` (a newer regulation): the rule in force before it ends the
    day before. Earlier months keep their rule (the month's date chooses)."""
    access.require_staff(by)
    if not source.strip():
        raise ValidationError({"source": "Hãy ghi văn bản quy định (số, ngày, điều khoản)."})
    if valid_from.day != 1:
        raise ValidationError({"valid_from": "Mức mới áp dụng từ ngày đầu một tháng."})
    if (percent is None) == (fixed_amount is None):
        raise ValidationError({"percent": "Ghi tỷ lệ phần trăm hoặc mức cố định (một trong hai)."})
    previous = (
        DuesRate.objects.select_for_update()
        .filter(category=category, valid_from__lt=valid_from)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .first()
    )
    if DuesRate.objects.filter(category=category, valid_from__gte=valid_from).exists():
        raise ValidationError({"valid_from": "Đã có mức áp dụng từ ngày này hoặc sau đó cho đối tượng này."})
    if previous is not None:
        previous.valid_to = valid_from - dt.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
    rate = DuesRate(
        category=category.strip(),
        label=label.strip(),
        valid_from=valid_from,
        percent=percent,
        fixed_amount=fixed_amount,
        base_label=base_label.strip(),
        source=source.strip(),
        recorded_by=by,
    )
    rate.full_clean()
    rate.save()
    return rate


@transaction.atomic
def dues_policy_set(
    *,
    valid_from: dt.date,
    cell_keeps_percent,
    organization_keeps_percent,
    remit_every_months: int,
    bloc_keeps_percent=Decimal("50"),
    remit_due_days: int,
    source: str,
    cell_share_override: str = "",
    by: AbstractBaseUser | None = None,
) -> DuesPolicy:
    """The shares each level keeps and the remittance period from `valid_from` (a newer rule, or the Bloc's own
    choice): a new dated row, the earlier ones kept and still read for their months; a row of the same date is
    corrected, its history (``DuesPolicy.history``) keeping what it said. QĐ 342-QĐ/TW 2010 Art. 4: a chi bộ
    trực thuộc keeps 30–50% — outside that range only with the text that allows it (``cell_share_override``).
    The remittance period is chosen for whole years (``dues.remittance_periods``): a change of it starts on 1
    January."""
    access.require_staff(by)
    errors = {}
    source, override = (source or "").strip(), (cell_share_override or "").strip()
    if not source:
        errors["source"] = "Hãy ghi văn bản quy định (số, ngày, điều khoản)."
    if valid_from.day != 1:
        errors["valid_from"] = "Tỷ lệ mới áp dụng từ ngày đầu một tháng."
    for name, value in (
        ("cell_keeps_percent", cell_keeps_percent),
        ("organization_keeps_percent", organization_keeps_percent),
        ("bloc_keeps_percent", bloc_keeps_percent),
    ):
        if value is None or not Decimal(0) <= Decimal(value) <= Decimal(100):
            errors[name] = "Tỷ lệ trích giữ phải từ 0 đến 100%."
    low, high = DuesPolicy.CELL_SHARE_RANGE
    if "cell_keeps_percent" not in errors and not low <= Decimal(cell_keeps_percent) <= high and not override:
        errors["cell_share_override"] = (
            "Chi bộ trực thuộc giữ lại từ 30% đến 50% (Quyết định 342-QĐ/TW, Điều 4): ngoài khung này phải ghi "
            "văn bản cho phép."
        )
    if remit_every_months not in (1, 3):
        errors["remit_every_months"] = "Nộp hằng tháng hoặc hằng quý."
    before = (
        DuesPolicy.objects.select_for_update()
        .filter(valid_from__lt=valid_from)
        .order_by("-valid_from")
        .first()
    )
    if (
        before is not None
        and remit_every_months != before.remit_every_months
        and (valid_from.month, valid_from.day) != (1, 1)
    ):
        errors["remit_every_months"] = "Kỳ nộp (tháng/quý) chỉ đổi từ ngày 01/01 của một năm."
    if errors:
        raise ValidationError(errors)
    policy = DuesPolicy.objects.select_for_update().filter(valid_from=valid_from).first() or DuesPolicy(
        valid_from=valid_from
    )
    policy.cell_keeps_percent = Decimal(cell_keeps_percent)
    policy.organization_keeps_percent = Decimal(organization_keeps_percent)
    policy.bloc_keeps_percent = Decimal(bloc_keeps_percent)
    policy.remit_every_months, policy.remit_due_days = remit_every_months, remit_due_days
    policy.source, policy.cell_share_override, policy.recorded_by = source, override, by
    policy._history_user = by
    policy.full_clean()
    policy.save()
    return policy
