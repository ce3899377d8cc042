"""Pages of the members registry. Thin: scope, bind the form, call the service, message, redirect."""

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from core.datacache import lazy_parts, page_cache_key
from core.spreadsheets import Sheet, xlsx_response
from organizations import access
from organizations.access import (
    check_can_work_in,
    is_staff_role,
    organization_of,
    organizations_for_user,
    role_of,
    staff_required,
)
from organizations.models import GOOD_RATINGS, Rating
from organizations.rating_rules import disciplined_member_ids

from . import forms, lifecycle, selectors, services, spreadsheets, workdays
from .filters import CandidateFilter, MemberFilter
from .lifecycle import PartyLife, overdue_party, probation_ends_on
from .models import (
    ACTIVE_STATUSES,
    BadgeStatus,
    Candidate,
    EventKind,
    ExtraDayOff,
    Member,
    MemberStatus,
    TransferScope,
)
from .tables import CandidateTable, MemberTable

PER_PAGE = 50


def _paginate(request, table):
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return table


def _can_change(user, organization) -> bool:
    return is_staff_role(user) or (
        organization_of(user) is not None and organization_of(user).pk == organization.pk
    )


# --- Lists ---------------------------------------------------------------------------------------------------


@require_GET
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

    def compute():
        member_filter = filtered()
        return {"filter": member_filter, "table": _paginate(request, MemberTable(member_filter.qs))}

    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    # The filter and the table are cached as one fragment under the data's version (core/datacache.py):
    # on a hit the table is not built and the filter not rendered.
    return render(
        request,
        "members/member_list.html",
        {
            "cache_key": page_cache_key(request, "member-list", access.role_of(request.user)),
            **lazy_parts(compute, "filter", "table"),
            "query": query.urlencode(),
            "can_add": role_of(request.user) in ("van_phong", "bi_thu"),
            "can_import": is_staff_role(request.user),
            "rating_organization": _rating_organization(request),
        },
    )


def _rating_organization(request) -> int | None:
    """The organisation whose bulk rating page the list links to: the secretary's own, or (staff) the one the
    list is filtered on."""
    role = role_of(request.user)
    if role == "bi_thu":
        own = organization_of(request.user)
        return own.pk if own else None
    if role == "van_phong":
        try:
            pk = int(request.GET.get("organization") or "")
        except ValueError:
            return None
        return pk if pk > 0 else None
    return None


@require_GET
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


@require_http_methods(["GET", "POST"])
def badge_round_list(request):
    """Huy hiệu Đảng: per round, the members reaching a milestone by it, with the dossier status; XLSX export.
    Staff and leadership see every organisation, a secretary their own."""
    today = timezone.localdate()
    round_on = _round_from(request.GET.get("round"), today)
    if request.method == "POST":
        if role_of(request.user) not in ("van_phong", "bi_thu"):
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
        "can_record": role_of(request.user) in ("van_phong", "bi_thu"),
        "can_award": round_on <= today,
        "by_milestone": sorted(Counter(r.milestone for r in rows).items(), reverse=True),
    }
    return render(request, "members/badge_round_list.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
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


@require_GET
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
            "can_add": role_of(request.user) in ("van_phong", "bi_thu"),
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


@require_GET
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
    overdue = None
    if member.status == MemberStatus.DU_BI and member.ceremony_on:
        overdue = overdue_party(
            ceremony_on=member.ceremony_on,
            resolution_on=member.full_resolution_on,
            today=today,
            extra_off=workdays.extra_days_off(),
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


def _form_page(request, template, form, **context):
    return render(request, template, {"form": form, **context})


@require_http_methods(["GET", "POST"])
def member_create(request):
    if role_of(request.user) not in ("van_phong", "bi_thu"):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")
    form = forms.MemberCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        check_can_work_in(request.user, data["organization"])
        try:
            member = services.member_create(by=request.user, **data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã thêm đảng viên {member.full_name}.")
            return redirect("members:member_detail", pk=member.pk)
    return _form_page(request, "members/member_form.html", form, title="Thêm đảng viên")


@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = selectors.member_get_for_user(request.user, pk)
    check_can_work_in(request.user, member.organization)
    initial = {f: getattr(member, f) for f in ("full_name", "birth_date", "gender", "cell", "card_number")}
    form = forms.MemberEditForm(request.POST or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu thông tin đảng viên.")
            return redirect("members:member_detail", pk=member.pk)
    return _form_page(
        request, "members/member_form.html", form, title="Sửa thông tin đảng viên", member=member
    )


@require_http_methods(["GET", "POST"])
def member_action(request, pk, action):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("Không có thao tác này.")
    member = selectors.member_get_for_user(request.user, pk)
    check_can_work_in(request.user, member.organization)
    kwargs = {"member": member}
    if spec.form is forms.TransferInForm:
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
        try:
            if action == "full":
                warnings = services.full_membership_warnings(member)
                services.member_make_full(member=member, by=request.user, **data)
                for warning in warnings:
                    messages.warning(request, warning)
            elif action == "dossier":
                services.member_record_dossier(member=member, by=request.user, **data)
            elif action == "gap":
                services.member_record_gap(member=member, by=request.user, **data)
            elif action == "temporary-end":
                services.member_temporary_end(member=member, by=request.user, **data)
            elif action == "transfer-out":
                if data["scope"] == TransferScope.NOI_BO and not is_staff_role(request.user):
                    # Moving a member onto another organisation's roll changes that roll too.
                    raise ValidationError(
                        {"scope": "Chuyển sinh hoạt nội bộ trong Khối do Văn phòng Đảng ủy Khối ghi nhận."}
                    )
                services.member_transfer_out(member=member, by=request.user, **data)
            elif action == "transfer-in":
                check_can_work_in(request.user, data["organization"])
                services.member_transfer_back_in(member=member, by=request.user, **data)
            else:
                services.member_end(member=member, kind=END_KINDS[action], by=request.user, **data)
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


@require_http_methods(["GET", "POST"])
def member_rating(request, pk):
    member = selectors.member_get_for_user(request.user, pk)
    check_can_work_in(request.user, member.organization)
    form = forms.RatingForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_rate(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu xếp loại năm {form.cleaned_data['year']}.")
            return redirect("members:member_detail", pk=member.pk)
    return _form_page(request, "members/member_action.html", form, title="Xếp loại chất lượng", member=member)


def _rating_year(raw) -> int:
    """The year asked for (?year=), or last year (this year from December on); garbage gives the default."""
    today = timezone.localdate()
    default = today.year - (1 if today.month < 12 else 0)
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default
    return year if 1930 <= year <= today.year else default


@require_http_methods(["GET", "POST"])
def rating_bulk(request, organization):
    """Rate an organisation's members for a year on one page; the 20% cap is checked on the whole set."""
    if role_of(request.user) not in ("van_phong", "bi_thu"):  # leadership: a page it may not use at all
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")
    org = get_object_or_404(organizations_for_user(request.user), pk=organization)
    check_can_work_in(request.user, org)
    year = _rating_year(request.GET.get("year"))
    members, grades = selectors.rating_roll(org, year)
    disciplined = disciplined_member_ids(Member, [m.pk for m in members], year)
    form = forms.BulkRatingForm(request.POST or None, members=members, grades=grades, disciplined=disciplined)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.member_ratings_save(
                organization=org, year=year, grades=form.chosen(), by=request.user
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu xếp loại năm {year} ({saved} thay đổi).")
            return redirect(f"{request.path}?year={year}")
    excellent = sum(1 for g in grades.values() if g == Rating.HTXSNV)
    good = sum(1 for g in grades.values() if g in GOOD_RATINGS)
    base, cap = services.excellent_cap(good, excellent)
    context = {
        "organization": org,
        "year": year,
        "form": form,
        "summary": {"rated": len(grades), "excellent": excellent, "good": good, "base": base, "cap": cap},
    }
    return render(request, "members/rating_bulk.html", context)


# --- Candidates --------------------------------------------------------------------------------------------


@require_GET
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


def _candidate_initial(candidate: Candidate) -> dict:
    fields = (
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
    return {f: getattr(candidate, f) for f in fields}


@require_http_methods(["GET", "POST"])
def candidate_edit(request, pk=None):
    candidate = selectors.candidate_get_for_user(request.user, pk) if pk else None
    if candidate is not None:
        check_can_work_in(request.user, candidate.organization)
    elif role_of(request.user) not in ("van_phong", "bi_thu"):
        raise PermissionDenied("Vai trò của bạn chỉ được xem, không được thay đổi.")
    initial = _candidate_initial(candidate) if candidate else {}
    form = forms.CandidateForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        check_can_work_in(request.user, data["organization"])
        try:
            candidate = services.candidate_save(candidate=candidate, by=request.user, **data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu quần chúng ưu tú {candidate.full_name}.")
            return redirect("members:candidate_detail", pk=candidate.pk)
    title = "Sửa quần chúng ưu tú" if candidate else "Thêm quần chúng ưu tú"
    return _form_page(request, "members/member_form.html", form, title=title, candidate=candidate)


@require_http_methods(["GET", "POST"])
def candidate_admit(request, pk):
    candidate = selectors.candidate_get_for_user(request.user, pk)
    check_can_work_in(request.user, candidate.organization)
    form = forms.AdmitForm(request.POST or None, initial={"considered_on": candidate.cell_considered_on})
    if request.method == "POST" and form.is_valid():
        try:
            member = services.candidate_admit(candidate=candidate, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Đã kết nạp {member.full_name} (đảng viên dự bị).")
            return redirect("members:member_detail", pk=member.pk)
    return _form_page(
        request, "members/member_action.html", form, title="Kết nạp đảng viên", candidate=candidate
    )


# --- Import -------------------------------------------------------------------------------------------------

SESSION_KEY = "members_import"


@staff_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    """Upload → preview (a dry run showing every row's errors) → confirm (all-or-nothing)."""
    if request.GET.get("template") == "1":
        response = HttpResponse(
            spreadsheets.template_workbook(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-dang-vien.xlsx"'
        return response
    form = forms.ImportForm()
    context = {"form": form}
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(SESSION_KEY)
        if not pending or pending.get("token") != request.POST.get("token"):
            messages.error(request, "Phiên nhập dữ liệu đã hết hạn: hãy tải tệp lên lại.")
            return redirect("members:member_import")
        try:
            with default_storage.open(pending["path"], "rb") as handle:
                dataset = spreadsheets.dataset_from_upload(handle.read(), pending["format"])
        except (OSError, ValidationError):
            messages.error(request, "Không đọc lại được tệp đã tải lên: hãy tải tệp lên lại.")
            return redirect("members:member_import")
        result = spreadsheets.import_members(dataset, user=request.user, dry_run=False)
        problems = spreadsheets.row_problems(result)
        if problems:
            context.update(problems=problems, rows=len(result.rows))
            messages.error(request, "Dữ liệu đã thay đổi kể từ khi xem trước; không dòng nào được nhập.")
            return render(request, "members/member_import.html", context)
        default_storage.delete(pending["path"])
        del request.session[SESSION_KEY]
        messages.success(request, f"Đã nhập {len(result.rows)} đảng viên.")
        return redirect("members:member_list")
    if request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            fmt = form.cleaned_data["format"]
            content = upload.read()
            try:
                dataset = spreadsheets.dataset_from_upload(content, fmt)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                result = spreadsheets.import_members(dataset, user=request.user, dry_run=True)
                problems = spreadsheets.row_problems(result)
                preview = [(number, row.row_values) for number, row in enumerate(result.rows[:200], start=2)]
                context.update(
                    problems=problems, rows=len(result.rows), preview=preview, headers=dataset.headers
                )
                if not problems:
                    token = uuid.uuid4().hex
                    path = default_storage.save(f"imports/{token}.{fmt}", ContentFile(content))
                    request.session[SESSION_KEY] = {"token": token, "path": path, "format": fmt}
                    context["token"] = token
    return render(request, "members/member_import.html", context)
