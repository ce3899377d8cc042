"""Report reminders: secretaries N days before a due date and when overdue (once, then once a week for
OVERDUE_WINDOW_DAYS), and one daily digest of missing reports to staff.

Idempotent across runs and servers: the whole run holds a database lock (``select_for_update`` on the
schedule rows, so a second server waits), and each message's key is inserted into ``ReminderLog`` (unique)
before it is sent; a key already there means "already sent", and a send that fails rolls its key back so the
next run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q

from organizations.access import STAFF
from organizations.models import Officer, Organization

from .models import ReminderLog, ReportingSchedule
from .periods import periods_of_year
from .timeliness import MISSING, NOT_DUE, cells, owes_q

log = logging.getLogger("khoi.reminders")

#: Overdue reports are reminded once a week for this many days after the due date.
OVERDUE_WINDOW_DAYS = 90


@dataclass
class Message:
    key: str
    kind: str
    recipient: str
    subject: str
    body: str


@dataclass
class RunResult:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def plan_messages(today: dt.date) -> list[Message]:
    """Every message that should have gone out by `today` (the log decides which are new)."""
    remind = dict(ReportingSchedule.objects.values_list("kind", "remind_days_before"))
    periods = [
        p
        for year in (today.year - 1, today.year)
        for p in periods_of_year(year)
        if p.due_on - dt.timedelta(days=remind.get(p.kind, 3))
        <= today
        <= p.due_on + dt.timedelta(days=OVERDUE_WINDOW_DAYS)
    ]
    owes_one = Q(pk__in=[])
    for period in periods:
        owes_one |= owes_q(period)
    orgs = (
        list(Organization.objects.filter(owes_one).prefetch_related("spells").order_by("code"))
        if periods
        else []
    )
    states = cells(orgs, periods, today)
    officers: dict[int, list[str]] = {}
    for org_id, email in (
        Officer.objects.filter(is_active=True, user__is_active=True, organization__in=[o.pk for o in orgs])
        .exclude(user__email="")
        .values_list("organization_id", "user__email")
        .order_by("organization_id", "user__email")
    ):
        officers.setdefault(org_id, []).append(email)

    messages: list[Message] = []
    missing_lines: list[str] = []
    for org in orgs:
        for period in periods:
            cell = states[(org.pk, period.pk)]
            if cell.state == NOT_DUE:
                left = (period.due_on - today).days
                for email in officers.get(org.pk, []):
                    messages.append(
                        Message(
                            key=f"due:{org.pk}:{period.pk}:{email}",
                            kind="due",
                            recipient=email,
                            subject=f"Nhắc nộp báo cáo {period.label_in_sentence} (hạn {_fmt(period.due_on)})",
                            body=(
                                f"Kính gửi đồng chí Bí thư {org.name},\n\n"
                                f"Báo cáo {period.label_in_sentence} của tổ chức đến hạn nộp ngày "
                                f"{_fmt(period.due_on)} (còn {left} ngày). Đề nghị đồng chí lập và nộp báo cáo "
                                f"trên cổng thông tin.\n\n{settings.PORTAL_BLOC_NAME}"
                            ),
                        )
                    )
            elif cell.state == MISSING:
                days = cell.days_late
                week = (days - 1) // 7
                missing_lines.append(f"- {org.code} · {org.name}: {period.label}, quá hạn {days} ngày")
                for email in officers.get(org.pk, []):
                    messages.append(
                        Message(
                            key=f"overdue:{org.pk}:{period.pk}:w{week}:{email}",
                            kind="overdue",
                            recipient=email,
                            subject=f"Báo cáo {period.label_in_sentence} đã quá hạn {days} ngày",
                            body=(
                                f"Kính gửi đồng chí Bí thư {org.name},\n\n"
                                f"Báo cáo {period.label_in_sentence} đã quá hạn nộp (hạn {_fmt(period.due_on)}, "
                                f"quá {days} ngày). Đề nghị đồng chí nộp báo cáo ngay trên cổng thông tin.\n\n"
                                f"{settings.PORTAL_BLOC_NAME}"
                            ),
                        )
                    )
    if missing_lines:
        User = get_user_model()
        staff_emails = (
            User.objects.filter(is_active=True, groups__name=STAFF)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
            .order_by("email")
        )
        body = (
            f"Các báo cáo quá hạn chưa nộp tính đến ngày {_fmt(today)} ({len(missing_lines)} báo cáo):\n\n"
            + "\n".join(missing_lines)
        )
        for email in staff_emails:
            messages.append(
                Message(
                    key=f"digest:{today.isoformat()}:{email}",
                    kind="digest",
                    recipient=email,
                    subject=f"Tổng hợp báo cáo chưa nộp ngày {_fmt(today)}",
                    body=body,
                )
            )
    return messages


def send_reminders(today: dt.date) -> RunResult:
    """Send what is new for `today`. Safe to run twice, or on two servers at once."""
    result = RunResult()
    with transaction.atomic():
        # The run's lock: a second server blocks here until this run commits, then finds every key logged.
        list(ReportingSchedule.objects.select_for_update().order_by("pk"))
        logged = set(ReminderLog.objects.values_list("key", flat=True))
        for message in plan_messages(today):
            if message.key in logged:
                result.skipped.append(message.key)
                continue
            try:
                with transaction.atomic():
                    ReminderLog.objects.create(
                        key=message.key, recipient=message.recipient, kind=message.kind
                    )
                    send_mail(message.subject, message.body, None, [message.recipient])
            except IntegrityError:
                result.skipped.append(message.key)
            except Exception:  # a failed send: its key rolls back, the next run retries it
                log.exception("reminder %s to %s failed", message.key, message.recipient)
                result.failed.append(message.key)
            else:
                result.sent.append(message.key)
    return result
