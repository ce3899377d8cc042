"""Who hears about a report, and the e-mails the workflow sends: the secretary when staff return a report,
staff when a returned report comes back. Sent by the services after their transaction commits
(``transaction.on_commit``): a rolled-back change mails nobody. The reminders use the same recipients."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from organizations.access import STAFF
from organizations.models import Officer

log = logging.getLogger("khoi.reminders")


def secretary_emails(organization_ids) -> dict[int, list[str]]:
    """{organisation id: e-mail addresses of its active officers with an active account}, sorted."""
    found: dict[int, list[str]] = {}
    for org_id, email in (
        Officer.objects.filter(is_active=True, user__is_active=True, organization__in=list(organization_ids))
        .exclude(user__email="")
        .values_list("organization_id", "user__email")
        .order_by("organization_id", "user__email")
        .distinct()
    ):
        found.setdefault(org_id, []).append(email)
    return found


def staff_emails() -> list[str]:
    """E-mail addresses of the active committee staff."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=STAFF)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )


def report_link(report) -> str:
    """Where the report is, for an e-mail: the full address when ``PORTAL_BASE_URL`` is set."""
    path = reverse("reports:report_detail", args=[report.pk])
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}" if settings.PORTAL_BASE_URL else path


def _send(subject: str, body: str, recipients: list[str]) -> None:
    for email in recipients:
        try:
            send_mail(subject, body, None, [email])
        except Exception:  # a mail server down must not undo a committed review; the log says who missed it
            log.exception("report mail to %s failed: %s", email, subject)


def returned_mail(report, reason: str):
    """The mail to the organisation's secretary when staff return its report (sent after the commit)."""
    period = report.period
    subject = f"Báo cáo {period.label_in_sentence} bị trả lại — cần sửa và nộp lại"
    body = (
        f"Kính gửi đồng chí Bí thư {report.organization.name},\n\n"
        f"Văn phòng Đảng ủy Khối đã trả lại báo cáo {period.label_in_sentence} của tổ chức.\n"
        f"Lý do: {reason}\n\n"
        f"Đề nghị đồng chí sửa và nộp lại báo cáo trên cổng thông tin: {report_link(report)}\n\n"
        f"{settings.PORTAL_BLOC_NAME}"
    )
    recipients = secretary_emails([report.organization_id]).get(report.organization_id, [])
    return lambda: _send(subject, body, recipients)


def resubmitted_mail(report):
    """The mail to staff when a returned report is submitted again (sent after the commit)."""
    org, period = report.organization, report.period
    subject = f"{org.code} · {org.name} đã nộp lại báo cáo {period.label_in_sentence}"
    body = (
        f"Báo cáo {period.label_in_sentence} của {org.name} (mã {org.code}) đã được sửa và nộp lại, "
        f"chờ Văn phòng xem xét: {report_link(report)}\n\n{settings.PORTAL_BLOC_NAME}"
    )
    recipients = staff_emails()
    return lambda: _send(subject, body, recipients)
