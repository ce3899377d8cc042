"""Writes for periodic reports: the draft, the workflow (submit, return, accept), attachments, resolutions.

The workflow is draft → submitted → returned (reason) → submitted → accepted (locked). Every state change
locks the report row (``select_for_update``), checks the state and the optimistic-lock revision, and writes
its audit row (``ReportTransition``, and ``ReportVersion`` on submission) in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from organizations import access
from organizations.models import Organization

from .models import (
    PeriodicReport,
    ReportAttachment,
    ReportingPeriod,
    ReportStatus,
    ReportTransition,
    ReportVersion,
    Resolution,
    StudyLine,
)
from .periods import schedule_update  # noqa: F401  (re-exported: the schedule's write lives with periods)
from .selectors import (
    EDITABLE_STATUSES,
    REGISTRY_FIELDS,
    SNAPSHOT_LABELS,
    owes_report,
    registry_figures,
    registry_suggestions,
    report_flags,
    required_resolutions,
)
from .uploads import check_quota, check_upload

#: Fields a secretary enters on the form (study lines apart).
ENTERED_FIELDS = (
    *REGISTRY_FIELDS,
    "non_member_headcount",
    "cells_total",
    "cell_meetings_held",
    "discrepancy_note",
    "results_text",
    "shortcomings_text",
    "directions_text",
    "proposals_text",
    "self_rating",
    "theme_text",
    "theme_doc_no",
    "theme_issued_on",
)


class ReportError(Exception):
    """A workflow step that cannot happen; the message is for the user (Vietnamese)."""


class IllegalTransition(ReportError):
    pass


class StaleRevision(ReportError):
    """The report changed since the form was opened: the save is refused, nothing is overwritten."""

    def __init__(self, report: PeriodicReport):
        self.report = report
        who = (
            report.updated_by.get_full_name() or report.updated_by.username
            if report.updated_by
            else "người khác"
        )
        when = timezone.localtime(report.updated_at).strftime("%H:%M ngày %d/%m/%Y")
        super().__init__(
            f"Báo cáo đã được {who} sửa lúc {when}, sau khi bạn mở trang. Bản của bạn chưa được lưu để không ghi "
            "đè; dữ liệu bạn nhập vẫn còn ở dưới. Hãy mở lại báo cáo ở thẻ khác, đối chiếu rồi nhập lại."
        )


class AlreadySubmitted(ReportError):
    """A repeated submission (double click, retry): nothing new happens."""


# --- permissions -------------------------------------------------------------------------------------------


def can_edit(user, report: PeriodicReport) -> bool:
    """The organisation's own secretary or staff, while the report is a draft or returned."""
    return report.status in EDITABLE_STATUSES and _works_in(user, report.organization)


def _works_in(user, org: Organization) -> bool:
    return access.can_work_in_organization(user, org)


def _require_worker(user, report: PeriodicReport) -> None:
    access.require_worker(
        user,
        report.organization,
        "Chỉ bí thư của tổ chức này hoặc Văn phòng Đảng ủy Khối được thay đổi báo cáo.",
    )


def _require_staff(user) -> None:
    access.require_staff(user, "Chỉ Văn phòng Đảng ủy Khối được duyệt hoặc trả lại báo cáo.")


def _locked(report: PeriodicReport) -> PeriodicReport:
    return (
        PeriodicReport.objects.select_for_update(of=("self",))
        .select_related("updated_by", "period", "organization")
        .get(pk=report.pk)
    )


def _transition(report: PeriodicReport, to: str, by, reason: str = "") -> None:
    ReportTransition.objects.create(
        report=report, from_status=report.status, to_status=to, by=by, reason=reason
    )
    report.status = to


def _save(report: PeriodicReport, by) -> None:
    report.revision += 1
    report.updated_by = by
    report._history_user = by
    report.full_clean()
    report.save()


# --- opening and the draft --------------------------------------------------------------------------------


def _new_report(organization: Organization, period: ReportingPeriod, by) -> PeriodicReport:
    figures = registry_figures(organization, period)
    suggestions = registry_suggestions(organization, period)
    # The cells' figures come from their meeting records when the organisation keeps them (``figures``),
    # otherwise the count of its active cells is only a suggestion.
    report = PeriodicReport(
        organization=organization,
        period=period,
        registry_snapshot={**figures, "taken_at": timezone.now().isoformat()},
        non_member_headcount=suggestions["non_member_headcount"],
        updated_by=by,
        **{"cells_total": suggestions["cells_total"], **figures},
    )
    report._history_user = by
    return report


@transaction.atomic
def report_start(*, organization: Organization, period: ReportingPeriod, by) -> PeriodicReport:
    """Start the organisation's report for the period ("Bắt đầu nhập báo cáo", a POST): a draft with the
    registry's figures and a study line per required resolution. Idempotent: when the report exists (opened
    twice at once, or a double click), that report is returned."""
    access.require_worker(
        by, organization, "Chỉ bí thư của tổ chức này hoặc Văn phòng Đảng ủy Khối được lập báo cáo."
    )
    if not owes_report(organization, period):
        raise ReportError("Tổ chức không thuộc Đảng bộ Khối trong kỳ này nên không phải báo cáo.")
    existing = PeriodicReport.objects.filter(organization=organization, period=period).first()
    if existing is None:
        # Race-safe (a double click, two tabs): the organisation's row is locked, then the report is looked for
        # again. A second request starting the same report waits here until the first has committed and then
        # finds its report, so both answer with the same one. (Catching the unique violation is not enough:
        # ``full_clean`` reports it as a ValidationError once the other request has committed.) On SQLite the
        # write transaction is already exclusive (``transaction_mode = IMMEDIATE``).
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        existing = PeriodicReport.objects.filter(organization=organization, period=period).first()
    if existing is not None:
        return existing
    report = _new_report(organization, period, by)
    try:
        with transaction.atomic():
            report.full_clean(validate_unique=False)
            report.save()
    except IntegrityError:  # started twice at once: the other request made it
        return PeriodicReport.objects.get(organization=organization, period=period)
    masses = report.non_member_headcount or 0
    StudyLine.objects.bulk_create(
        StudyLine(report=report, resolution=r, members_total=report.members_total, masses_total=masses)
        for r in required_resolutions(period.year)
    )
    return report


def report_preview(organization: Organization, period: ReportingPeriod, by) -> PeriodicReport:
    """What a report not started yet would hold (in memory, nothing saved): for the start page."""
    return _new_report(organization, period, by)


def follow_registry(report: PeriodicReport, figures: dict) -> bool:
    """Bring `report` (in memory) up to date with the registry's `figures`: the snapshot becomes the new
    figures, and each prefilled figure the secretary has not changed follows the registry. True when the
    registry had changed since the last snapshot. Reads nothing, writes nothing."""
    old = report.registry_snapshot or {}
    if all(old.get(k) == v for k, v in figures.items()):
        return False
    for name, value in figures.items():
        if getattr(report, name) is None or getattr(report, name) == old.get(name):
            setattr(report, name, value)
    report.registry_snapshot = {**figures, "taken_at": timezone.now().isoformat()}
    return True


def missing_lines(report: PeriodicReport, have: set[int]) -> list[StudyLine]:
    """Study lines (unsaved) for resolutions made required since the report was started."""
    roll = (report.registry_snapshot or {}).get("members_total") or report.members_total or 0
    return [
        StudyLine(
            report=report, resolution=r, members_total=roll, masses_total=report.non_member_headcount or 0
        )
        for r in required_resolutions(report.period.year)
        if r.pk not in have
    ]


def _bring_up_to_date(report: PeriodicReport) -> None:
    """Inside a write (save, submit): store what ``follow_registry`` and ``missing_lines`` would show."""
    follow_registry(report, registry_figures(report.organization, report.period))
    have = set(report.study_lines.values_list("resolution_id", flat=True))
    StudyLine.objects.bulk_create(missing_lines(report, have))


def _apply(report: PeriodicReport, data: dict, lines: dict[int, dict] | None) -> None:
    for name in ENTERED_FIELDS:
        if name in data:
            value = data[name]
            if value is None and name in ("self_rating", "theme_text", "theme_doc_no", "discrepancy_note"):
                value = ""
            setattr(report, name, value)
    if not report.period.kind == "year":
        report.self_rating, report.theme_text, report.theme_doc_no, report.theme_issued_on = "", "", "", None
    if lines:
        for line in report.study_lines.select_for_update():
            values = lines.get(line.resolution_id)
            if values is None:
                continue
            for key in ("members_studied", "members_total", "masses_studied", "masses_total"):
                if values.get(key) is not None:
                    setattr(line, key, values[key])
            line.full_clean()
            line.save()


@transaction.atomic
def report_save_draft(
    *, report: PeriodicReport, data: dict, lines: dict[int, dict] | None = None, revision: int, by
) -> PeriodicReport:
    """Save what was typed (drafts may be incomplete). Refused when the report changed since `revision`."""
    report = _locked(report)
    _require_worker(by, report)
    if report.status not in EDITABLE_STATUSES:
        raise IllegalTransition(f"Báo cáo {report.get_status_display().lower()}, không sửa được nữa.")
    if revision != report.revision:
        raise StaleRevision(report)
    _bring_up_to_date(report)
    _apply(report, data, lines)
    _save(report, by)
    return report


def report_snapshot(report: PeriodicReport) -> dict:
    """Everything a version keeps (JSON-ready)."""
    data = {}
    for name in SNAPSHOT_LABELS:
        value = getattr(report, name)
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
    data["study_lines"] = [
        {
            "resolution_id": line.resolution_id,
            "short_title": line.resolution.short_title,
            "members_studied": line.members_studied,
            "members_total": line.members_total,
            "masses_studied": line.masses_studied,
            "masses_total": line.masses_total,
        }
        for line in report.study_lines.select_related("resolution").order_by(
            "resolution__order", "resolution_id"
        )
    ]
    data["registry_snapshot"] = report.registry_snapshot
    return data


def submit_problems(report: PeriodicReport) -> list[str]:
    """Why the stored report may not be submitted (figures that disagree with the registry need a note)."""
    problems = []
    if report_flags(report) and not report.discrepancy_note.strip():
        problems.append("Có số liệu khác với sổ đảng viên: cần ghi giải trình trước khi nộp.")
    if report.members_total is None:
        problems.append("Chưa có tổng số đảng viên cuối kỳ.")
    return problems


@transaction.atomic
def report_submit(
    *,
    report: PeriodicReport,
    by,
    revision: int | None = None,
    data: dict | None = None,
    lines: dict[int, dict] | None = None,
) -> PeriodicReport:
    """Submit (or resubmit after a return): keep a version and the transition. With `data`, what was typed
    is saved first in the same transaction. A repeated submission raises ``AlreadySubmitted``."""
    report = _locked(report)
    _require_worker(by, report)
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        raise AlreadySubmitted(
            f"Báo cáo đã được nộp lúc {timezone.localtime(report.submitted_at):%H:%M ngày %d/%m/%Y}."
            if report.submitted_at
            else "Báo cáo đã được nộp."
        )
    if revision is not None and revision != report.revision:
        raise StaleRevision(report)
    if data is not None:
        _bring_up_to_date(report)
        _apply(report, data, lines)
    problems = submit_problems(report)
    if problems:
        raise ReportError(" ".join(problems))
    now = timezone.now()
    _transition(report, ReportStatus.SUBMITTED, by)
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report.return_reason = ""
    _save(report, by)
    ReportVersion.objects.create(
        report=report,
        number=report.versions.count() + 1,
        data=report_snapshot(report),
        submitted_by=by,
        submitted_at=now,
    )
    return report


@transaction.atomic
def report_return(*, report: PeriodicReport, reason: str, by, revision: int | None = None) -> PeriodicReport:
    """Staff send a submitted report back to the secretary with a reason."""
    _require_staff(by)
    report = _locked(report)
    reason = (reason or "").strip()
    if not reason:
        raise ReportError("Cần ghi lý do trả lại.")
    if report.status != ReportStatus.SUBMITTED:
        raise IllegalTransition(
            f"Chỉ trả lại được báo cáo đã nộp (báo cáo đang: {report.get_status_display()})."
        )
    if revision is not None and revision != report.revision:
        raise StaleRevision(report)
    _transition(report, ReportStatus.RETURNED, by, reason)
    report.return_reason = reason
    _save(report, by)
    return report


@transaction.atomic
def report_accept(*, report: PeriodicReport, by, revision: int | None = None) -> PeriodicReport:
    """Staff accept a submitted report; it is locked from then on."""
    _require_staff(by)
    report = _locked(report)
    if report.status != ReportStatus.SUBMITTED:
        raise IllegalTransition(
            f"Chỉ duyệt được báo cáo đã nộp (báo cáo đang: {report.get_status_display()})."
        )
    if revision is not None and revision != report.revision:
        raise StaleRevision(report)
    _transition(report, ReportStatus.ACCEPTED, by)
    report.accepted_at = timezone.now()
    report.accepted_by = by
    _save(report, by)
    return report


# --- attachments --------------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, report: PeriodicReport, upload, by) -> ReportAttachment:
    report = _locked(report)
    _require_worker(by, report)
    if report.status not in EDITABLE_STATUSES:
        raise IllegalTransition("Báo cáo đã nộp hoặc đã duyệt: không thêm tệp được nữa.")
    checked = check_upload(upload)
    used = report.attachments.aggregate(shown=Count("pk", filter=Q(is_removed=False)), stored=Sum("size"))
    check_quota(shown=used["shown"], stored_bytes=used["stored"] or 0, size=checked.size)
    attachment = ReportAttachment(
        report=report,
        original_name=(upload.name or "tep")[-255:],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ReportAttachment, by) -> ReportAttachment:
    """Soft remove: hidden from the report; the file stays on disk and in the record, deliberately (what was
    attached is kept), and keeps counting in the report's stored bytes (``uploads.check_quota``)."""
    report = _locked(attachment.report)
    _require_worker(by, report)
    if report.status not in EDITABLE_STATUSES:
        raise IllegalTransition("Báo cáo đã nộp hoặc đã duyệt: không gỡ tệp được nữa.")
    attachment.is_removed = True
    attachment.save(update_fields=["is_removed"])
    return attachment


# --- resolutions ----------------------------------------------------------------------------------------------


@transaction.atomic
def resolution_save(*, resolution: Resolution, by) -> Resolution:
    access.require_staff(by)
    resolution._history_user = by
    resolution.full_clean()
    resolution.save()
    return resolution


@transaction.atomic
def resolution_copy_year(*, from_year: int, to_year: int, by) -> int:
    """Copy a year's resolutions to another year (those with a short title already there are skipped)."""
    access.require_staff(by)
    if from_year == to_year:
        raise ValidationError("Năm nguồn và năm đích phải khác nhau.")
    have = set(Resolution.objects.filter(year=to_year).values_list("short_title", flat=True))
    made = 0
    for r in Resolution.objects.filter(year=from_year):
        if r.short_title in have:
            continue
        copy = Resolution(
            year=to_year, title=r.title, short_title=r.short_title, required=r.required, order=r.order
        )
        resolution_save(resolution=copy, by=by)
        made += 1
    return made
