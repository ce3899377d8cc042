"""Pages of the members registry. Thin: scope, bind the form, call the service, message, redirect."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe
from django_tables2 import RequestConfig

from core.concurrency import EditGuard, object_guard, text_of
from core.datacache import page_cache_key
from core.imports import ImportWizard
from core.spreadsheets import CONTENT_TYPE, Sheet, xlsx_response
from organizations import access
from organizations.access import (
    check_can_work_in,
    is_staff_role,
    organization_of,
    organizations_for_user,
    staff_required,
)
from organizations.forms import ClosedYearReasonForm
from organizations.models import GOOD_RATINGS, Organization, Rating
from organizations.rating_rules import disciplined_member_ids

from . import forms, lifecycle, rating_evidence, selectors, services, spreadsheets, workdays
from . import meetings as meeting_rules
from .filters import CandidateFilter, MemberFilter
from .lifecycle import READMISSION_FROM, PartyLife, committee_full_due, overdue_party, probation_ends_on
from .models import (
    ACTIVE_STATUSES,
    BadgeStatus,
    Candidate,
    EventKind,
    ExtraDayOff,
    Member,
    MemberRating,
    MemberStatus,
    TransferScope,
)
from .tables import CandidateTable, MemberTable, member_rows_html

PER_PAGE = 50


def _paginate(request, table):
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return table


def _can_change(user, organization) -> bool:
    return is_staff_role(user) or (
        organization_of(user) is not None and organization_of(user).pk == organization.pk
    )


# --- Lists ---------------------------------------------------------------------------------------------------


@require_safe
def member_list(request):
    def filtered():
        queryset = selectors.members_for_user(request.user)
        return MemberFilter(request.GET or None, queryset=queryset, user=request.user)

    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        name = f"dang-vien-{timezone.localdate():%Y%m%d}"
        rows = filtered().qs
        return (
            spreadsheets.export_csv(rows, name) if export == "csv" else spreadsheets.export_xlsx(rows, name)
        )

    member_filter = SimpleLazyObject(filtered)

    def table():
        table = _paginate(request, MemberTable(member_filter.qs))
        table.rows_html = member_rows_html([row.record for row in table.page.object_list])
        return table

    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    # The filter form and the table are cached as two fragments under the data's version (core/datacache.py):
    # on a hit the table is not built and the filter not rendered; a new member renders the table afresh and
    # leaves the form (its lists of organisations and cells) as it was.
    role = access.role_of(request.user)
    return render(
        request,
        "members/member_list.html",
        {
            "filter_key": page_cache_key(request, "member-list-filter", role),
            "cache_key": page_cache_key(request, "member-list", role),
            "filter": member_filter,
            "table": SimpleLazyObject(table),
            "query": query.urlencode(),
            "can_add": access.changes_records(request.user),
            "can_import": is_staff_role(request.user),
            "rating_organization": _rating_organization(request),
        },
    )


def _rating_organization(request) -> int | None:
    """The organisation whose bulk rating page the list links to: the secretary's own, or (staff) the one the
    list is filtered on."""
    if access.is_secretary(request.user):
        own = organization_of(request.user)
        return own.pk if own else None
    if access.is_staff_role(request.user):
        try:
            pk = int(request.GET.get("organization") or "")
        except ValueError:
            return None
        return pk if pk > 0 else None
    return None


@require_safe
def overdue_list(request):
    """Overdue probations split by who is late (the cell / the committee above), and admissions the committee
    has not decided in time (``lifecycle.overdue_party``)."""
    today = timezone.localdate()
    split = selectors.overdue_probations(request.user, today)
    return render(
        request,
        "members/overdue_list.html",
        {
            "cell_late": split[lifecycle.CELL_LATE],
            "committee_late": split[lifecycle.COMMITTEE_LATE],
            "admissions_late": selectors.overdue_admissions(request.user, today),
            "today": today,
        },
    )


def _round_from(raw: str | None, today) -> dt.date:
    """The round asked for (?round=YYYY-MM-DD, one of the four dates) or the next round from today."""
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        return lifecycle.badge_round_on(today)
    if (day.month, day.day) not in lifecycle.BADGE_ROUNDS or not 1930 <= day.year <= today.year + 1:
        return lifecycle.badge_round_on(today)
    return day


@require_http_methods(["GET", "HEAD", "POST"])
def badge_round_list(request):
    """Huy hiệu Đảng: per round, the members reaching a milestone by it, with the dossier status; XLSX export.
    Staff and leadership see every organisation, a secretary their own."""
    today = timezone.localdate()
    round_on = _round_from(request.GET.get("round"), today)
    if request.method == "POST":
        if not access.changes_records(request.user):
            raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")
        form = forms.BadgeStatusForm(request.POST)
        if form.is_valid():
            member = selectors.member_get_for_user(request.user, form.cleaned_data["member"])
            check_can_work_in(request.user, member.organization)
            try:
                services.badge_award_record(
                    member=member,
                    milestone=form.cleaned_data["milestone"],
                    status=form.cleaned_data["status"],
                    by=request.user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    f"Đã ghi hồ sơ Huy hiệu {form.cleaned_data['milestone']} năm tuổi đảng — {member.full_name}.",
                )
        else:
            messages.error(request, "Không ghi nhận được: dữ liệu không hợp lệ.")
        return redirect(f"{request.path}?round={round_on.isoformat()}")
    rows = selectors.badge_round(request.user, round_on)
    if request.GET.get("export") == "xlsx":
        headers = ["Mã tổ chức", "Tổ chức", "Họ và tên", "Ngày sinh", "Ngày quyết định kết nạp",
                   "Huy hiệu (năm tuổi đảng)", "Đủ tuổi đảng ngày", "Đợt trao", "Hồ sơ"]  # fmt: skip
        data = (
            [
                r.member.organization.code,
                r.member.organization.name,
                r.member.full_name,
                r.member.birth_date,
                r.member.admission_decided_on or r.member.ceremony_on,
                r.milestone,
                r.reached_on,
                round_on,
                r.award.get_status_display() if r.award else "Chưa lập",
            ]
            for r in rows
        )
        sheet = Sheet("Huy hiệu Đảng", data, headers=headers, widths=[10, 36, 26, 12, 14, 12, 14, 12, 12])
        return xlsx_response([sheet], f"huy-hieu-dang-{round_on:%Y%m%d}")
    rounds = lifecycle.badge_rounds(round_on.year)
    context = {
        "round_on": round_on,
        "rows": rows,
        "rounds": rounds,
        "years": [round_on.year - 1, round_on.year + 1],
        "statuses": BadgeStatus.choices,
        "can_record": access.changes_records(request.user),
        "can_award": round_on <= today,
        "by_milestone": sorted(Counter(r.milestone for r in rows).items(), reverse=True),
    }
    return render(request, "members/badge_round_list.html", context)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def day_off_list(request):
    """The year's compensating days off (nghỉ bù) that working-day deadlines skip, beside the public holidays
    the calendar already knows."""
    form = forms.DayOffForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        record = get_object_or_404(ExtraDayOff, pk=request.POST.get("remove"))
        services.extra_day_off_remove(record=record, by=request.user)
        messages.success(request, f"Đã bỏ ngày nghỉ {record.day:%d/%m/%Y}.")
        return redirect("members:day_off_list")
    if request.method == "POST" and form.is_valid():
        try:
            services.extra_day_off_add(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã thêm ngày nghỉ {form.cleaned_data['day']:%d/%m/%Y}.")
            return redirect("members:day_off_list")
    year = timezone.localdate().year
    holidays_this_year = [
        (day, workdays.public_holiday_name(day)) for day in sorted(workdays.public_holidays(year))
    ]
    return render(
        request,
        "members/day_off_list.html",
        {
            "form": form,
            "days": ExtraDayOff.objects.all(),
            "year": year,
            "public_holidays": holidays_this_year,
        },
    )


@require_safe
def candidate_list(request):
    queryset = selectors.candidates_for_user(request.user)
    candidate_filter = CandidateFilter(request.GET or None, queryset=queryset, user=request.user)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return spreadsheets.export_candidates(
            candidate_filter.qs, export, f"quan-chung-uu-tu-{timezone.localdate():%Y%m%d}"
        )
    table = _paginate(request, CandidateTable(candidate_filter.qs))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/candidate_list.html",
        {
            "filter": candidate_filter,
            "table": table,
            "query": query.urlencode(),
            "can_add": access.changes_records(request.user),
        },
    )


# --- Member pages ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    slug: str
    label: str
    form: type
    allowed_statuses: tuple
    button: str = "btn-outline-primary"


ACTIONS = {
    "full": Action(
        "full", "Công nhận chính thức", forms.FullMemberForm, (MemberStatus.DU_BI,), "btn-primary"
    ),
    "transfer-out": Action("transfer-out", "Chuyển sinh hoạt đi", forms.TransferOutForm, ACTIVE_STATUSES),
    "transfer-in": Action(
        "transfer-in", "Chuyển sinh hoạt đến", forms.TransferInForm, (MemberStatus.CHUYEN_DI,)
    ),
    "exempt": Action(
        "exempt", "Miễn sinh hoạt", forms.EndForm, (MemberStatus.DU_BI, MemberStatus.CHINH_THUC)
    ),
    "remove": Action("remove", "Xóa tên", forms.EndForm, ACTIVE_STATUSES, "btn-outline-danger"),
    "expel": Action("expel", "Khai trừ", forms.EndForm, ACTIVE_STATUSES, "btn-outline-danger"),
    "leave": Action("leave", "Ra khỏi Đảng", forms.EndForm, ACTIVE_STATUSES, "btn-outline-danger"),
    "died": Action("died", "Từ trần", forms.EndForm, ACTIVE_STATUSES, "btn-outline-secondary"),
    "dossier": Action(
        "dossier",
        "Hồ sơ công nhận chính thức",
        forms.DossierForm,
        (MemberStatus.DU_BI,),
        "btn-outline-primary",
    ),
    "gap": Action("gap", "Gián đoạn sinh hoạt đảng", forms.GapForm, ACTIVE_STATUSES, "btn-outline-secondary"),
    "temporary-end": Action(
        "temporary-end", "Kết thúc sinh hoạt tạm thời", forms.TemporaryEndForm, ACTIVE_STATUSES
    ),
    "readmit": Action("readmit", "Kết nạp lại", forms.ReadmitForm, READMISSION_FROM, "btn-outline-primary"),
}
END_KINDS = {
    "exempt": EventKind.EXEMPTED,
    "remove": EventKind.REMOVED,
    "expel": EventKind.EXPELLED,
    "leave": EventKind.LEFT,
    "died": EventKind.DIED,
}


def context_away(events) -> bool:
    """Is a temporary transfer open at the end of `events`?"""
    temporary = [e.kind for e in events if e.kind in (EventKind.TEMP_OUT, EventKind.TEMP_END)]
    return bool(temporary) and temporary[-1] == EventKind.TEMP_OUT


@require_safe
def member_detail(request, pk):
    member = selectors.member_get_for_user(request.user, pk)
    today = timezone.localdate()
    can_change = _can_change(request.user, member.organization)
    history = []
    if is_staff_role(request.user):
        records = list(member.history.select_related("history_user").order_by("-history_date")[:30])
        for newer, older in zip(records, records[1:] + [None], strict=False):
            changes = newer.diff_against(older).changes if older is not None else []
            history.append((newer, changes))
    events = list(selectors.member_timeline(member))
    life = PartyLife.of(member, events)
    overdue = committee_due = None
    extra_off = workdays.extra_days_off()
    if member.status == MemberStatus.DU_BI and member.ceremony_on:
        overdue = overdue_party(
            ceremony_on=member.ceremony_on,
            resolution_on=member.full_resolution_on,
            today=today,
            extra_off=extra_off,
            extended=member.full_extension_on is not None,
        )
        if member.full_resolution_on:
            committee_due = committee_full_due(
                member.full_resolution_on, extra_off, extended=member.full_extension_on is not None
            )
    context = {
        "member": member,
        "events": events,
        "ratings": member.ratings.order_by("-year"),
        "party_age": life.age_on(today),
        "party_age_start": life.start,
        "gaps": life.gaps,
        "badge": life.next_badge(today),
        "probation_end": probation_ends_on(member.ceremony_on) if member.ceremony_on else None,
        "overdue": overdue,
        "committee_due": committee_due,
        "can_extend": can_change
        and member.status == MemberStatus.DU_BI
        and member.full_resolution_on is not None
        and member.full_extension_on is None,
        "dossier_warnings": services.full_membership_warnings(member)
        if member.status == MemberStatus.DU_BI
        else [],
        "temporarily_away": context_away(events),
        "can_change": can_change,
        "actions": [
            a
            for a in ACTIONS.values()
            if member.status in a.allowed_statuses and (a.slug != "temporary-end" or context_away(events))
        ]
        if can_change
        else [],
        "history": history,
    }
    return render(request, "members/member_detail.html", context)


def _form_page(request, template, form, guard=None, **context):
    if guard is not None:
        context.update(guard.context())
    return render(request, template, {"form": form, **context}, status=guard.status if guard else 200)


def _lock_organization(pk):
    """Ratings are written under the organisation's row lock (members.services): the check takes it first."""
    return lambda: Organization.objects.select_for_update().filter(pk=pk).first()


def _ratings_state(ratings) -> dict:
    labels = dict(Rating.choices)
    return {key: (label, grade, labels.get(grade, text_of(grade)), grade) for key, label, grade in ratings}


MEMBER_EDIT_FIELDS = ("full_name", "birth_date", "gender", "cell", "card_number", "account")


@require_http_methods(["GET", "HEAD", "POST"])
def member_create(request):
    if not access.changes_records(request.user):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")
    form = forms.MemberCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        check_can_work_in(request.user, data["organization"])
        try:
            member = services.member_create(
                by=request.user, change_reason=forms.change_reason_of(form), **data
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã thêm đảng viên {member.full_name}.")
            return redirect("members:member_detail", pk=member.pk)
    return _form_page(request, "members/member_form.html", form, title="Thêm đảng viên")


@require_http_methods(["GET", "HEAD", "POST"])
def member_edit(request, pk):
    member = selectors.member_get_for_user(request.user, pk)
    check_can_work_in(request.user, member.organization)
    initial = {f: getattr(member, f) for f in MEMBER_EDIT_FIELDS}
    guard = object_guard(request, Member, member.pk, MEMBER_EDIT_FIELDS)
    form = forms.MemberEditForm(request.POST or None, initial=initial, member=member)
    guard.attach(form)
    if request.method == "POST" and form.is_valid():
        try:
            saved = guard.run(
                lambda: services.member_update(member=member, by=request.user, **form.cleaned_data)
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            if saved:
                messages.success(request, "Đã lưu thông tin đảng viên.")
                return redirect("members:member_detail", pk=member.pk)
    return _form_page(
        request, "members/member_form.html", form, guard, title="Sửa thông tin đảng viên", member=member
    )


@require_http_methods(["GET", "HEAD", "POST"])
def member_action(request, pk, action):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("Không có thao tác này.")
    member = selectors.member_get_for_user(request.user, pk)
    check_can_work_in(request.user, member.organization)
    kwargs = {"member": member}
    if spec.form in (forms.TransferInForm, forms.ReadmitForm):
        kwargs["user"] = request.user
    initial = {}
    if action == "dossier":
        initial = {
            "full_resolution_on": member.full_resolution_on,
            "training_certificate_no": member.training_certificate_no,
            "training_certificate_on": member.training_certificate_on,
        }
    if action == "full" and member.ceremony_on:
        initial["decided_on"] = max(probation_ends_on(member.ceremony_on), timezone.localdate())
        if initial["decided_on"] > timezone.localdate():
            initial.pop("decided_on")
    form = spec.form(request.POST or None, initial=initial, **kwargs)
    if member.status not in spec.allowed_statuses:
        messages.error(
            request, f"Không thể “{spec.label.lower()}”: đảng viên đang “{member.get_status_display()}”."
        )
        return redirect("members:member_detail", pk=member.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reason = forms.change_reason_of(form)  # an event dated in a closed year (organizations.closing)
        try:
            if action == "full":
                warnings = services.full_membership_warnings(member)
                services.member_make_full(member=member, by=request.user, change_reason=reason, **data)
                for warning in warnings:
                    messages.warning(request, warning)
            elif action == "dossier":
                services.member_record_dossier(member=member, by=request.user, **data)
            elif action == "gap":
                services.member_record_gap(member=member, by=request.user, **data)
            elif action == "temporary-end":
                services.member_temporary_end(member=member, by=request.user, change_reason=reason, **data)
            elif action == "transfer-out":
                if data["scope"] == TransferScope.NOI_BO and not is_staff_role(request.user):
                    # Moving a member onto another organisation's roll changes that roll too.
                    raise ValidationError(
                        {"scope": "Chuyển sinh hoạt nội bộ trong Khối do Văn phòng Đảng ủy Khối ghi nhận."}
                    )
                services.member_transfer_out(member=member, by=request.user, change_reason=reason, **data)
            elif action == "transfer-in":
                check_can_work_in(request.user, data["organization"])
                services.member_transfer_back_in(member=member, by=request.user, change_reason=reason, **data)
            elif action == "readmit":
                check_can_work_in(request.user, data["organization"])
                services.member_readmit(member=member, by=request.user, **data)
            else:
                services.member_end(
                    member=member, kind=END_KINDS[action], by=request.user, change_reason=reason, **data
                )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã ghi nhận: {spec.label.lower()} — {member.full_name}.")
            return redirect("members:member_detail", pk=member.pk)
    context = {"title": spec.label, "member": member, "action": spec}
    if member.ceremony_on:
        context["probation_end"] = probation_ends_on(member.ceremony_on)
    if action == "full":
        context["warnings"] = services.full_membership_warnings(member)
    return _form_page(request, "members/member_action.html", form, **context)


@require_http_methods(["GET", "HEAD", "POST"])
def member_extension(request, pk):
    """Record the committee's one extension of its deadline on a probationary member's full membership
    (QĐ 24-QĐ/TW 2021 §4.3.1): staff or the member's TCCSĐ secretary."""
    member = selectors.member_get_for_user(request.user, pk)
    check_can_work_in(request.user, member.organization)
    if member.status != MemberStatus.DU_BI:
        messages.error(request, "Chỉ gia hạn xét công nhận chính thức cho đảng viên dự bị.")
        return redirect("members:member_detail", pk=member.pk)
    form = forms.ExtensionForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_extend_committee_deadline(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(
                request, f"Đã ghi nhận quyết định gia hạn xét công nhận chính thức — {member.full_name}."
            )
            return redirect("members:member_detail", pk=member.pk)
    context = {"title": "Gia hạn xét công nhận chính thức", "member": member}
    if member.ceremony_on:
        context["probation_end"] = probation_ends_on(member.ceremony_on)
    return _form_page(request, "members/member_action.html", form, **context)


@require_http_methods(["GET", "HEAD", "POST"])
def member_rating(request, pk):
    member = selectors.member_get_for_user(request.user, pk)
    check_can_work_in(request.user, member.organization)
    guard = EditGuard(
        request,
        lambda: _ratings_state(
            (f"year:{r.year}", f"Xếp loại năm {r.year}", r.grade)
            for r in MemberRating.objects.filter(member=member).order_by("year")
        ),
        lock=_lock_organization(member.organization_id),
    )
    form = forms.RatingForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            saved = guard.run(
                lambda: services.member_rate(
                    member=member,
                    by=request.user,
                    change_reason=forms.change_reason_of(form),
                    **form.cleaned_data,
                )
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            if saved:
                messages.success(request, f"Đã lưu xếp loại năm {form.cleaned_data['year']}.")
                return redirect("members:member_detail", pk=member.pk)
    year = _rating_year(request.GET.get("year"))
    return _form_page(
        request,
        "members/member_action.html",
        form,
        guard,
        title="Xếp loại chất lượng",
        member=member,
        attendance=meeting_rules.member_year(member, year),
        attendance_year=year,
    )


def _rating_year(raw) -> int:
    """The year asked for (?year=), or last year (this year from December on); garbage gives the default."""
    today = timezone.localdate()
    default = today.year - (1 if today.month < 12 else 0)
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default
    return year if 1930 <= year <= today.year else default


@require_http_methods(["GET", "HEAD", "POST"])
def rating_bulk(request, organization):
    """Rate an organisation's members for a year on one page; the 20% cap is checked on the whole set."""
    if not access.changes_records(request.user):  # leadership: a page it may not use at all
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")
    org = get_object_or_404(organizations_for_user(request.user), pk=organization)
    check_can_work_in(request.user, org)
    year = _rating_year(request.GET.get("year"))
    members, grades = selectors.rating_roll(org, year)

    def state():
        roll, now = selectors.rating_roll(org, year)
        return _ratings_state((f"m{m.pk}", m.full_name, now.get(m.pk, "")) for m in roll)

    guard = EditGuard(request, state, lock=_lock_organization(org.pk))
    disciplined = disciplined_member_ids(Member, [m.pk for m in members], year)
    form = forms.BulkRatingForm(request.POST or None, members=members, grades=grades, disciplined=disciplined)
    guard.attach(form)
    if request.method == "POST" and form.is_valid():
        try:
            saved = guard.run(
                lambda: services.member_ratings_save(
                    organization=org,
                    year=year,
                    grades=form.chosen(),
                    change_reason=forms.change_reason_of(form),
                    by=request.user,
                )
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            if saved is not False:
                messages.success(request, f"Đã lưu xếp loại năm {year} ({saved} thay đổi).")
                return redirect(f"{request.path}?year={year}")
    excellent = sum(1 for g in grades.values() if g == Rating.HTXSNV)
    good = sum(1 for g in grades.values() if g in GOOD_RATINGS)
    base, cap = services.excellent_cap(good, excellent)
    context = {
        **guard.context(),
        "organization": org,
        "year": year,
        "form": form,
        "summary": {"rated": len(grades), "excellent": excellent, "good": good, "base": base, "cap": cap},
    }
    attendance = meeting_rules.attendance_by_member(org, year)
    notes = rating_evidence.notes_for(org, year, form.members, timezone.localdate())
    for member in form.members:
        member.meeting_year = attendance.get(member.pk)
        member.rating_notes = notes.get(member.pk, [])
    return render(request, "members/rating_bulk.html", context, status=guard.status)


# --- Candidates --------------------------------------------------------------------------------------------


@require_safe
def candidate_detail(request, pk):
    candidate = selectors.candidate_get_for_user(request.user, pk)
    member = getattr(candidate, "member", None) if candidate.status == Candidate.Status.ADMITTED else None
    return render(
        request,
        "members/candidate_detail.html",
        {
            "candidate": candidate,
            "member": member,
            "can_change": _can_change(request.user, candidate.organization)
            and candidate.status == Candidate.Status.PENDING,
        },
    )


CANDIDATE_FIELDS = (
    "organization",
    "cell",
    "full_name",
    "birth_date",
    "gender",
    "course_certificate_on",
    "cell_considered_on",
    "sponsors",
    "note",
)


def _candidate_initial(candidate: Candidate) -> dict:
    return {f: getattr(candidate, f) for f in CANDIDATE_FIELDS}


@require_http_methods(["GET", "HEAD", "POST"])
def candidate_edit(request, pk=None):
    candidate = selectors.candidate_get_for_user(request.user, pk) if pk else None
    if candidate is not None:
        check_can_work_in(request.user, candidate.organization)
    elif not access.changes_records(request.user):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")
    initial = _candidate_initial(candidate) if candidate else {}
    guard = object_guard(request, Candidate, candidate.pk, CANDIDATE_FIELDS) if candidate else None
    form = forms.CandidateForm(request.POST or None, initial=initial, user=request.user)
    if guard:
        guard.attach(form)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        check_can_work_in(request.user, data["organization"])
        save = lambda: services.candidate_save(candidate=candidate, by=request.user, **data)  # noqa: E731
        try:
            saved = guard.run(save) if guard else save()
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            if saved:
                messages.success(request, f"Đã lưu quần chúng ưu tú {saved.full_name}.")
                return redirect("members:candidate_detail", pk=saved.pk)
    title = "Sửa quần chúng ưu tú" if candidate else "Thêm quần chúng ưu tú"
    return _form_page(request, "members/member_form.html", form, guard, title=title, candidate=candidate)


@require_http_methods(["GET", "HEAD", "POST"])
def candidate_admit(request, pk):
    candidate = selectors.candidate_get_for_user(request.user, pk)
    check_can_work_in(request.user, candidate.organization)
    form = forms.AdmitForm(request.POST or None, initial={"considered_on": candidate.cell_considered_on})
    if request.method == "POST" and form.is_valid():
        try:
            member = services.candidate_admit(
                candidate=candidate,
                by=request.user,
                change_reason=forms.change_reason_of(form),
                **form.cleaned_data,
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã kết nạp {member.full_name} (đảng viên dự bị).")
            return redirect("members:member_detail", pk=member.pk)
    return _form_page(
        request, "members/member_action.html", form, title="Kết nạp đảng viên", candidate=candidate
    )


# --- Import -------------------------------------------------------------------------------------------------


#: Upload → preview → confirm (core.imports), each row through services.member_create.
_import_wizard = ImportWizard(
    resource=spreadsheets.MemberImportResource,
    template="members/member_import.html",
    session_key="members_import",
    noun="đảng viên",
    done="members:member_list",
    reason_form=ClosedYearReasonForm,
)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_import(request):
    """Upload → preview (a dry run showing every row's errors) → confirm (all-or-nothing); ?template=1 is the
    file to fill in."""
    if request.GET.get("template") == "1":
        response = HttpResponse(spreadsheets.template_workbook(), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-dang-vien.xlsx"'
        return response
    return _import_wizard(request)
