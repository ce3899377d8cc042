"""The role home (each role's first page) and the benchmarks' baseline page. The home may read every app."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.datacache import cached_under_data_version
from members import selectors as member_selectors
from members.lifecycle import CELL_LATE, COMMITTEE_LATE
from organizations import access
from reports import selectors as report_selectors

from .security import current_lockouts


def _overdue_probation_count(user, scope, today) -> int:
    """Members overdue for full membership in the user's scope (``members.selectors.overdue_probations``),
    cached under the data's version: the home page is opened often, the count changes only with the data."""

    def compute():
        split = member_selectors.overdue_probations(user, today)
        return len(split[CELL_LATE]) + len(split[COMMITTEE_LATE])

    return cached_under_data_version(("home-overdue-probations", scope, today), compute)


@require_safe
def home(request):
    """Staff: their work inbox. Leadership: the dashboard. The Inspection Commission: the discipline register. A
    secretary: what they must do first — a returned report, then overdue and due reports — then their
    organisation's summary. A cell secretary: their cell's meetings."""
    role = access.role_of(request.user)
    if role == access.STAFF:
        return staff_home(request)
    if role == access.INSPECTION:
        return redirect("discipline:discipline_list")
    if role == access.LEADERSHIP:
        return redirect("dashboard:dashboard")
    org = access.organization_of(request.user)
    if role == access.SECRETARY and org is not None:
        return secretary_home(request, org)
    cell = access.cell_of(request.user)
    if role == access.CELL_SECRETARY and cell is not None:
        return redirect("members:meeting_unit", organization=cell.organization_id, cell=cell.pk)
    return render(request, "no_role.html", status=403)


def secretary_home(request, org):
    today = timezone.localdate()
    obligations = report_selectors.obligations_for_organization(org, today)
    return render(
        request,
        "home/secretary.html",
        {
            "organization": org,
            "returned": obligations["returned"],
            "overdue": obligations["overdue"],
            "due": obligations["due"],
            "counts": member_selectors.roll_counts(org),
            "overdue_members": _overdue_probation_count(request.user, org.pk, today),
        },
    )


def staff_home(request):
    """Counts with links: what waits for staff today."""
    today = timezone.localdate()
    reviews = report_selectors.review_counts()
    items = [
        (
            "review",
            "Báo cáo chờ duyệt",
            reviews["submitted"],
            reverse("reports:review_queue"),
            "Mở danh sách chờ duyệt",
        ),
        (
            "returned",
            "Bị trả lại, chưa nộp lại",
            reviews["returned"],
            reverse("reports:report_list") + "?status=returned&year=",
            "Xem báo cáo bị trả lại",
        ),
        (
            "overdue",
            "Báo cáo quá hạn chưa nộp",
            report_selectors.overdue_report_count(today),
            reverse("reports:matrix"),
            "Xem tình hình nộp báo cáo",
        ),
        (
            "probation",
            "Đảng viên quá hạn công nhận chính thức",
            _overdue_probation_count(request.user, "all", today),
            reverse("members:overdue_list"),
            "Xem danh sách quá hạn",
        ),
        (
            "lockouts",
            "Tài khoản đang bị khóa",
            len(current_lockouts()),
            reverse("lockout_list"),
            "Xem tài khoản bị khóa",
        ),
    ]
    return render(request, "home/staff.html", {"items": items, "today": today})


@require_safe
def baseline(request):
    """The benchmarks' yardstick: a logged-in page that renders the base layout and runs no query of its own."""
    return render(request, "baseline.html")
