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

from organizations import access, closing
from organizations.models import Organization

from . import notifications
from .models import (
    PeriodicReport,
    ReportAttachment,
    ReportingPeriod,
    ReportKind,
    ReportStatus,
    ReportTransition,
    ReportVersion,
    Resolution,
    StudyLine,
)
from .periods import (
    schedule_update,  # noqa: F401  (re-exported: the schedule's write lives with periods)
    submission_opens_on,
)
from .selectors import (
    EDITABLE_STATUSES,
    REGISTRY_FIELDS,
    SNAPSHOT_LABELS,
    owes_report,
    previous_counted_report,
    registry_figures,
    registry_suggestions,
    report_flags,
    required_resolutions,
    yearly_theme,
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


#: Study figures of a line, as the form names them (``study_<resolution id>_<key>``).
LINE_KEYS = ("members_studied", "members_total", "masses_studied", "masses_total")
LINE_LABELS = {
    "members_studied": "đảng viên đã học",
    "members_total": "tổng số đảng viên",
    "masses_studied": "quần chúng đã học",
    "masses_total": "tổng số quần chúng",
}
#: The narrative a submitted report must hold; kiến nghị may stay empty (a period may have none to make).
REQUIRED_NARRATIVE = {
    "results_text": "Cần ghi kết quả trước khi nộp.",
    "shortcomings_text": "Cần ghi hạn chế trước khi nộp.",
    "directions_text": "Cần ghi phương hướng trước khi nộp.",
}
#: Figures a submitted report must hold (the study lines' four figures too).
REQUIRED_FIGURES = (*REGISTRY_FIELDS, "non_member_headcount")
FIGURE_REQUIRED = "Cần nhập số liệu này trước khi nộp."


def line_field(resolution_id: int, key: str) -> str:
    return f"study_{resolution_id}_{key}"


def missing_on_submit(*, kind: str, values: dict, lines: dict[int, dict]) -> dict[str, str]:
    """What a submission may not leave blank, as {form field name: message beside it}: the registry's figures
    and the unit's non-member headcount, every study figure of every required resolution, the results,
    shortcomings and directions, and for the yearly report the self-rating. The one home of the rule: the form
    shows it beside each field, ``report_submit`` refuses a stored report that breaks it."""
    missing = {name: FIGURE_REQUIRED for name in REQUIRED_FIGURES if values.get(name) is None}
    for name, message in REQUIRED_NARRATIVE.items():
        if not (values.get(name) or "").strip():
            missing[name] = message
    if kind == ReportKind.YEAR and not values.get("self_rating"):
        missing["self_rating"] = "Báo cáo năm cần tự đánh giá xếp loại."
    for rid, line in lines.items():
        for key in LINE_KEYS:
            if line.get(key) is None:
                missing[line_field(rid, key)] = FIGURE_REQUIRED
    return missing


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def submission_closed_message(period: ReportingPeriod, opens_on: dt.date) -> str:
    return (
        f"Báo cáo {period.label_in_sentence} chỉ nộp được từ ngày {_fmt(opens_on)}, khi đã có đủ số liệu của "
        "kỳ. Bạn vẫn lưu nháp được."
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
    if period.kind == ReportKind.YEAR:  # the year's Chỉ thị 05 theme, as the registry keeps it
        for name, value in yearly_theme(organization, period.year).items():
            setattr(report, name, value or ("" if name != "theme_issued_on" else None))
    report._history_user = by
    return report


def prefilled_lines(report: PeriodicReport, resolutions) -> list[StudyLine]:
    """Study lines (unsaved) for `resolutions`: totals from the registry (members at the period's end, the
    unit's non-members); studied figures cumulative from the organisation's previous counted report of the
    year (``selectors.previous_counted_report``), blank when there is none — the secretary enters them. The
    source is noted in the snapshot (``study_from``) so the form can say where the figures came from."""
    roll = (report.registry_snapshot or {}).get("members_total") or report.members_total or 0
    masses = report.non_member_headcount or 0
    resolutions = list(resolutions)
    previous = previous_counted_report(report.organization, report.period) if resolutions else None
    before = {line.resolution_id: line for line in previous.study_lines.all()} if previous else {}
    lines = []
    for resolution in resolutions:
        earlier = before.get(resolution.pk)
        line = StudyLine(report=report, resolution=resolution, members_total=roll, masses_total=masses)
        if earlier is not None:
            # Cumulative figures never exceed today's totals (members may have left since).
            if earlier.members_studied is not None:
                line.members_studied = min(earlier.members_studied, roll)
            if earlier.masses_studied is not None:
                line.masses_studied = min(earlier.masses_studied, masses)
        lines.append(line)
    if any(resolution.pk in before for resolution in resolutions):
        report.registry_snapshot = {
            **(report.registry_snapshot or {}),
            "study_from": {"report_id": previous.pk, "label": previous.period.label_in_sentence},
        }
    return lines


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
    lines = prefilled_lines(report, required_resolutions(period.year))
    try:
        with transaction.atomic():
            report.full_clean(validate_unique=False)
            report.save()
    except IntegrityError:  # started twice at once: the other request made it
        return PeriodicReport.objects.get(organization=organization, period=period)
    for line in lines:
        line.report = report
    StudyLine.objects.bulk_create(lines)
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
    report.registry_snapshot = {**old, **figures, "taken_at": timezone.now().isoformat()}
    return True


def missing_lines(report: PeriodicReport, have: set[int]) -> list[StudyLine]:
    """Study lines (unsaved) for resolutions made required since the report was started."""
    missing = [r for r in required_resolutions(report.period.year) if r.pk not in have]
    if not missing:
        return []
    snapshot = dict(report.registry_snapshot or {})
    lines = prefilled_lines(report, missing)
    report.registry_snapshot = snapshot  # only the lines are new: where the first ones came from stays
    return lines


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
            for key in LINE_KEYS:
                if key not in values:
                    continue
                if values[key] is None and key in ("members_total", "masses_total"):
                    continue  # a total is never blank: the registry's stays until one is typed
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


def submit_problems(report: PeriodicReport, today: dt.date | None = None) -> list[str]:
    """Why the stored report may not be submitted now, in Vietnamese (empty: it may): too early in the period
    (``periods.submission_opens_on``), anything ``missing_on_submit`` finds, figures that disagree with the
    registry without an explanation."""
    today = today or timezone.localdate()
    problems = []
    opens_on = submission_opens_on(report.period)
    if today < opens_on:
        problems.append(submission_closed_message(report.period, opens_on))
    lines = list(
        report.study_lines.select_related("resolution").order_by("resolution__order", "resolution_id")
    )
    values = {name: getattr(report, name) for name in ENTERED_FIELDS}
    missing = missing_on_submit(
        kind=report.period.kind,
        values=values,
        lines={line.resolution_id: {key: getattr(line, key) for key in LINE_KEYS} for line in lines},
    )
    labels = {name: label for name, label in SNAPSHOT_LABELS.items()}
    for line in lines:
        for key in LINE_KEYS:
            labels[line_field(line.resolution_id, key)] = f"{line.resolution.short_title}: {LINE_LABELS[key]}"
    for name in missing:
        problems.append(f"Chưa có “{labels.get(name, name)}”.")
    if report_flags(report, lines) and not report.discrepancy_note.strip():
        problems.append("Có số liệu khác với sổ đảng viên: cần ghi giải trình trước khi nộp.")
    return problems


@transaction.atomic
def report_submit(
    *,
    report: PeriodicReport,
    by,
    revision: int | None = None,
    data: dict | None = None,
    lines: dict[int, dict] | None = None,
    change_reason: str = "",
) -> PeriodicReport:
    """Submit (or resubmit after a return): keep a version and the transition. With `data`, what was typed
    is saved first in the same transaction. A repeated submission raises ``AlreadySubmitted``; a report that
    is incomplete, unexplained or too early (``submit_problems``) is refused. A resubmission tells staff by
    e-mail once the transaction commits. A report of a closed year's period (its punctuality and study
    figures) needs `change_reason` (``organizations.closing``: a ``ValidationError`` on ``change_reason``)."""
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
    resubmitted = report.status == ReportStatus.RETURNED
    closing.closed_year_change_record(
        years=[report.period.year],
        what=f"Báo cáo {report.period.label} của tổ chức {report.organization.code}",
        before=report.get_status_display(),
        after=f"{ReportStatus.SUBMITTED.label} {timezone.localtime(now):%d/%m/%Y}",
        reason=change_reason,
        by=by,
    )
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
    if resubmitted:
        transaction.on_commit(notifications.resubmitted_mail(report))
    return report


@transaction.atomic
def report_return(
    *, report: PeriodicReport, reason: str, by, revision: int | None = None, change_reason: str = ""
) -> PeriodicReport:
    """Staff send a submitted report back to the secretary with a reason; the secretary hears by e-mail once
    the transaction commits. A returned report stops counting in its year's study figures: for a closed year
    that needs `change_reason`."""
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
    closing.closed_year_change_record(
        years=[report.period.year],
        what=f"Trả lại báo cáo {report.period.label} của tổ chức {report.organization.code}",
        before=report.get_status_display(),
        after=ReportStatus.RETURNED.label,
        reason=change_reason,
        by=by,
    )
    _transition(report, ReportStatus.RETURNED, by, reason)
    report.return_reason = reason
    _save(report, by)
    transaction.on_commit(notifications.returned_mail(report, reason))
    return report


@transaction.atomic
def report_accept(*, report: PeriodicReport, by, revision: int | None = None) -> PeriodicReport:
    """Staff accept a submitted report; it is locked from then on. A submitted report counts already (its
    punctuality and study figures): accepting it changes no figure, even of a closed year."""
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
def resolution_save(*, resolution: Resolution, change_reason: str = "", by) -> Resolution:
    """Add or change a resolution to study. Which resolutions of a year are required is the study figures'
    denominator: a change of that in a closed year needs `change_reason`."""
    access.require_staff(by)
    stored = (
        Resolution.objects.filter(pk=resolution.pk).values("year", "required").first()
        if resolution.pk
        else None
    )
    was = (stored["year"], stored["required"]) if stored else None
    now = (resolution.year, resolution.required)
    if was != now and (resolution.required or (was and was[1])):
        closing.closed_year_change_record(
            years={y for y, required in (was, now) if y and required} if was else {resolution.year},
            what=f"Nghị quyết học tập “{resolution.short_title}”",
            before=f"năm {was[0]}, {'bắt buộc' if was[1] else 'không bắt buộc'}" if was else "",
            after=f"năm {now[0]}, {'bắt buộc' if now[1] else 'không bắt buộc'}",
            reason=change_reason,
            by=by,
        )
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
