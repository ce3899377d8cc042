"""Pages of the cell meetings (sổ sinh hoạt chi bộ). Thin: scope through ``organizations.access``, read through
``members.meetings``, write through ``members.services``."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.concurrency import EMPTY, EditGuard, history_last_change, model_state, object_guard
from core.dates import parse_date
from organizations import access, closing
from organizations.models import Cell, Organization

from . import forms, services
from . import meetings as rules
from .models import CellMeeting, MeetingAttendance, MeetingCriterion, MeetingStatus, Presence

MONTHS = list(range(1, 13))


def _year(request) -> int:
    """?year=, or this year; garbage or a year out of range gives this year."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _organization(user, pk: int) -> Organization:
    """The organisation, or 404 when the user sees none of its cells."""
    org = get_object_or_404(Organization, pk=pk)
    if access.reads_everything(user):
        return org
    cell = access.cell_of(user)
    if cell is not None and cell.organization_id == org.pk:
        return org
    mine = access.organization_of(user)
    if mine is not None and mine.pk == org.pk:
        return org
    raise Http404("Không tìm thấy.")


def _unit(user, organization: Organization, cell_pk: int) -> Cell | None:
    """The cell `cell_pk` of `organization` (0: the chi bộ cơ sở itself), or 404 outside the user's scope."""
    if cell_pk == 0:
        if not access.holds_own_meetings(organization):
            raise Http404("Không tìm thấy.")
        cell = None
    else:
        cell = get_object_or_404(
            Cell.objects.filter(access.meeting_cells_q()), pk=cell_pk, organization=organization
        )
    if not access.can_see_cell(user, organization, cell):
        raise Http404("Không tìm thấy.")
    return cell


def _flags(user, organization: Organization, year: int) -> list[rules.AbsenceFlag]:
    """Absence flags the user may see: a cell secretary their cell's, others the organisation's."""
    cell = access.cell_of(user)
    return (
        rules.absence_flags(year, organization=organization, cell=cell)
        if cell
        else rules.absence_flags(year, organization=organization)
    )


def _visible_units(user, organization: Organization) -> list[rules.Unit]:
    return [
        u
        for u in rules.units_of([organization])
        if access.can_see_cell(user, organization, None if u.cell_id is None else Cell(pk=u.cell_id))
    ]


@require_safe
def meeting_list(request, organization):
    """An organisation's cells and how each met this year: months held, thematic quarters, attendance, and the
    members absent without reason in three months (Điều lệ Art. 8.1)."""
    org = _organization(request.user, organization)
    year = _year(request)
    as_of = timezone.localdate()
    units = _visible_units(request.user, org)
    years = rules.unit_years(units, year, as_of)
    flags = _flags(request.user, org, year)
    return render(
        request,
        "members/meeting_list.html",
        {
            "organization": org,
            "year": year,
            "years": [y for y in range(2021, as_of.year + 1)],
            "rows": [years[u.key] for u in units],
            "months": MONTHS,
            "flags": flags,
        },
    )


@require_safe
def meeting_unit(request, organization, cell):
    """One cell's meeting book for a year: its meetings, their attendance and the year's gaps."""
    org = _organization(request.user, organization)
    unit_cell = _unit(request.user, org, cell)
    year = _year(request)
    record = rules.unit_year(org, unit_cell, year, timezone.localdate())
    return render(
        request,
        "members/meeting_unit.html",
        {
            "organization": org,
            "cell": unit_cell,
            "cell_pk": cell,
            "unit": record,
            "year": year,
            "months": MONTHS,
            "meetings": rules.meetings_of(org, unit_cell, year).select_related("chair"),
            "flags": rules.absence_flags(year, organization=org, cell=unit_cell)
            if unit_cell
            else rules.absence_flags(year, organization=org),
            "can_record": access.can_record_meetings(request.user, org, unit_cell),
        },
    )


def _meeting_form(request, org, cell, meeting=None, *, bound: bool = True):
    held_on = meeting.held_on if meeting else timezone.localdate()
    roll = list(rules.roll_of(org, cell))
    if meeting is not None:  # a member who has left the roll since keeps their line
        roll_ids = {m.pk for m in roll}
        roll += [a.member for a in meeting.attendance.select_related("member") if a.member_id not in roll_ids]
    year = held_on.year
    if request.method == "POST":  # the checklist of the year typed (the form says if the date is wrong)
        try:
            year = (parse_date(request.POST.get("held_on")) or held_on).year
        except ValueError:
            pass
    criteria = rules.criteria_of(year)
    initial = {"held_on": held_on, "kind": "thuong_ky"}
    if meeting is not None:
        initial.update(
            {
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
                "kind": meeting.kind,
                "topics": meeting.topics,
                "resolution": meeting.resolution,
                "chair": meeting.chair_id,
                "recorder": meeting.recorder_id,
                "higher_attendee": meeting.higher_attendee,
                "criteria_met": meeting.criteria_met,
            }
        )
        for row in meeting.attendance.all():
            initial[f"presence_{row.member_id}"] = row.presence
            initial[f"reason_{row.member_id}"] = row.reason
    data = (request.POST or None) if bound else None
    return forms.MeetingForm(data, initial=initial, roll=roll, criteria=criteria)


def _save_meeting(request, form, org, cell, meeting):
    complete = request.POST.get("action") == "complete"
    try:
        saved = services.meeting_save(
            meeting=meeting,
            organization=org,
            cell=cell,
            data=form.details(),
            attendance=form.attendance(),
            complete=complete,
            change_reason=forms.change_reason_of(form),
            by=request.user,
        )
    except ValidationError as error:
        forms.add_service_errors(form, error)
        return None
    if saved.status == MeetingStatus.COMPLETED:
        messages.success(request, f"Đã hoàn thành biên bản sinh hoạt ngày {saved.held_on:%d/%m/%Y}.")
    else:
        messages.success(request, f"Đã lưu bản nháp buổi sinh hoạt ngày {saved.held_on:%d/%m/%Y}.")
    return redirect("members:meeting_detail", pk=saved.pk)


def _form_context(org, cell, cell_pk, form, meeting=None):
    return {
        "organization": org,
        "cell": cell,
        "cell_pk": cell_pk,
        "form": form,
        "meeting": meeting,
        "presences": Presence.choices,
    }


#: Recording meetings: staff, an organisation's or a cell's secretary (leadership reads: 403 before any lookup).
recorders_required = access.role_required(access.SECRETARY, access.CELL_SECRETARY)


@recorders_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_create(request, organization, cell):
    """Record a meeting: the member list with three tap targets each, saved as a draft or completed."""
    org = _organization(request.user, organization)
    unit_cell = _unit(request.user, org, cell)
    access.check_can_record_meetings(request.user, org, unit_cell)
    form = _meeting_form(request, org, unit_cell)
    if request.method == "POST" and form.is_valid():
        done = _save_meeting(request, form, org, unit_cell, None)
        if done is not None:
            return done
    return render(request, "members/meeting_form.html", _form_context(org, unit_cell, cell, form))


def _meeting_for(user, pk) -> CellMeeting:
    meeting = get_object_or_404(CellMeeting.objects.select_related("organization", "cell"), pk=pk)
    if not access.can_see_cell(user, meeting.organization, meeting.cell):
        raise Http404("Không tìm thấy.")
    return meeting


@require_safe
def meeting_detail(request, pk):
    meeting = _meeting_for(request.user, pk)
    rows = list(meeting.attendance.select_related("member").order_by("member__full_name", "member_id"))
    present = sum(1 for r in rows if r.presence == Presence.PRESENT)
    criteria = {c.code: c for c in rules.criteria_of(meeting.held_on.year)}
    return render(
        request,
        "members/meeting_detail.html",
        {
            "meeting": meeting,
            "rows": rows,
            "present": present,
            "rate": round(100 * present / len(rows), 1) if rows else None,
            "criteria": [(c, c.code in meeting.criteria_met) for c in criteria.values()],
            "cell_pk": meeting.cell_id or 0,
            "can_record": access.can_record_meetings(request.user, meeting.organization, meeting.cell)
            and meeting.status != MeetingStatus.WITHDRAWN,
        },
    )


@recorders_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_edit(request, pk):
    """Complete a draft, or correct a meeting (every change is kept in its history); "Hủy buổi ghi nhầm"
    withdraws it."""
    meeting = _meeting_for(request.user, pk)
    org, cell = meeting.organization, meeting.cell
    access.check_can_record_meetings(request.user, org, cell)
    if meeting.status == MeetingStatus.WITHDRAWN:
        raise PermissionDenied("Buổi sinh hoạt đã hủy, không sửa được.")
    withdraw_error = ""
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        try:
            services.meeting_withdraw(
                meeting=meeting, change_reason=request.POST.get("change_reason", "").strip(), by=request.user
            )
        except ValidationError as error:
            withdraw_error = " ".join(error.messages)
        else:
            messages.success(request, "Đã hủy buổi sinh hoạt ghi nhầm (vẫn lưu trong sổ).")
            return redirect("members:meeting_unit", organization=org.pk, cell=meeting.cell_id or 0)
    guard = EditGuard(
        request,
        lambda: _meeting_state(meeting.pk),
        lock=lambda: _meeting_state(meeting.pk, lock=True),
        last_change=lambda: history_last_change(CellMeeting, meeting.pk),
    )
    form = _meeting_form(request, org, cell, meeting, bound=not withdraw_error)
    guard.attach(form)
    if request.method == "POST" and form.is_valid():
        done = guard.run(lambda: _save_meeting(request, form, org, cell, meeting))
        if done is not None and done is not False:  # None: refused by the rules; False: a conflict
            return done
    context = {**_form_context(org, cell, meeting.cell_id or 0, form, meeting), **guard.context()}
    # Withdrawing a completed meeting of a closed year asks why (organizations.closing).
    context["withdraw_needs_reason"] = meeting.status == MeetingStatus.COMPLETED and closing.is_year_closed(
        meeting.held_on.year
    )
    context["withdraw_error"] = withdraw_error
    return render(request, "members/meeting_form.html", context, status=guard.status)


#: What the meeting form changes (besides the attendance), and its status (a draft completed meanwhile).
MEETING_FIELDS = ("held_on", "starts_at", "ends_at", "kind", "topics", "resolution", "chair", "recorder",
                  "higher_attendee", "criteria_met", "status")  # fmt: skip


def _meeting_state(pk, *, lock=False) -> dict:
    """A meeting as its edit form shows it: its fields and each member's presence and reason (the rows locked
    with ``lock``)."""
    state = model_state(CellMeeting, pk, MEETING_FIELDS, lock=lock)
    labels = dict(Presence.choices)
    rows = MeetingAttendance.objects.filter(meeting_id=pk).select_related("member").order_by("member_id")
    if lock:
        rows = rows.select_for_update(of=("self",))
    for row in rows:
        name = row.member.full_name
        state[f"presence_{row.member_id}"] = (
            f"Điểm danh — {name}",
            row.presence,
            labels.get(row.presence, row.presence),
            row.presence,
        )
        state[f"reason_{row.member_id}"] = (
            f"Lý do vắng — {name}",
            row.reason,
            row.reason or EMPTY,
            row.reason,
        )
    return state


@require_safe
@access.readers_required
def meeting_grid(request):
    """Every cell × month of a year (like the completeness matrix), 50 organisations a page, and the members
    absent without reason in three months across the Bloc."""
    year = _year(request)
    as_of = timezone.localdate()
    orgs = Organization.objects.in_bloc_during(dt.date(year, 1, 1), dt.date(year, 12, 31)).order_by("code")
    page = Paginator(orgs, 50).get_page(request.GET.get("page"))
    units = rules.units_of(page.object_list)
    years = rules.unit_years(units, year, as_of)
    rows = [years[u.key] for u in units]
    return render(
        request,
        "members/meeting_grid.html",
        {
            "year": year,
            "years": list(range(2021, as_of.year + 1)),
            "page": page,
            "rows": rows,
            "months": MONTHS,
            "held": sum(1 for r in rows for m in MONTHS if r.month_state(m) == "held"),
            "missing": sum(1 for r in rows for m in MONTHS if r.month_state(m) == "missing"),
            "flags": rules.absence_flags(year),
        },
    )


@access.staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_criteria(request):
    """The year's checklist of a good cell meeting: staff add lines, or write the guidance's lines."""
    year = _year(request)
    form = forms.MeetingCriterionForm(
        request.POST if request.POST.get("action") == "add" else None, instance=MeetingCriterion(year=year)
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "defaults":
                added = services.meeting_criteria_from_guidance(year=year, by=request.user)
                messages.success(request, f"Đã thêm {added} tiêu chí theo hướng dẫn cho năm {year}.")
                return redirect(f"{reverse('members:meeting_criteria')}?year={year}")
            if form.is_valid():
                services.meeting_criterion_save(criterion=form.instance, by=request.user)
                messages.success(request, "Đã thêm tiêu chí.")
                return redirect(f"{reverse('members:meeting_criteria')}?year={year}")
        except ValidationError as error:
            forms.add_service_errors(form, error)
    return render(
        request,
        "members/meeting_criteria.html",
        {
            "year": year,
            "criteria": MeetingCriterion.objects.filter(year=year).order_by("order", "pk"),
            "form": form,
            "guidance": rules.GUIDANCE_42 if year >= 2025 else rules.GUIDANCE_12,
        },
    )


@access.staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_criterion_edit(request, pk):
    criterion = get_object_or_404(MeetingCriterion, pk=pk)
    guard = object_guard(request, MeetingCriterion, criterion.pk, forms.MeetingCriterionForm.Meta.fields)
    form = forms.MeetingCriterionForm(request.POST or None, instance=criterion)
    guard.attach(form)
    if request.method == "POST" and form.is_valid():
        try:
            saved = guard.run(
                lambda: services.meeting_criterion_save(criterion=form.instance, by=request.user)
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            if saved:
                messages.success(request, "Đã lưu tiêu chí.")
                return redirect(f"{reverse('members:meeting_criteria')}?year={criterion.year}")
    return render(
        request,
        "members/meeting_criterion_form.html",
        {"form": form, "criterion": criterion, **guard.context()},
        status=guard.status,
    )
