"""Report reminders: secretaries N days before a due date and when overdue (once, then once a week for
OVERDUE_WINDOW_DAYS), and one daily digest of missing reports to staff — sent by the nightly command
(``send_reminders``) — and the reminders staff send from a period's page (``reminder_send``: one organisation,
or every organisation that has not submitted).

Idempotent across runs, clicks and servers: every sending holds a database lock (``select_for_update`` on the
schedule rows, so a second server or a double click waits), and each message's key is inserted into
``ReminderLog`` (unique) before it is sent; a key already there means "already sent", and a send that fails
rolls its key back so the next run tries again. A staff reminder's key names the day: one a day per
organisation, period and address, however often the button is pressed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q

from organizations.access import is_staff_role
from organizations.models import Organization

from .models import ReminderKind, ReminderLog, ReportingPeriod, ReportingSchedule
from .notifications import secretary_emails, staff_emails
from .periods import periods_of_year
from .timeliness import MISSING, NOT_DUE, cells, owes_q, owes_report

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
    organization_id: int | None = None
    period_id: int | None = None


@dataclass
class RunResult:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: Organisations a staff reminder could not reach (no secretary with an e-mail address).
    unreachable: list[Organization] = field(default_factory=list)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _due_text(org: Organization, period: ReportingPeriod, today: dt.date) -> tuple[str, str]:
    left = (period.due_on - today).days
    return (
        f"Nhắc nộp báo cáo {period.label_in_sentence} (hạn {_fmt(period.due_on)})",
        f"Kính gửi đồng chí Bí thư {org.name},\n\n"
        f"Báo cáo {period.label_in_sentence} của tổ chức đến hạn nộp ngày "
        f"{_fmt(period.due_on)} (còn {left} ngày). Đề nghị đồng chí lập và nộp báo cáo "
        f"trên cổng thông tin.\n\n{settings.PORTAL_BLOC_NAME}",
    )


def _overdue_text(org: Organization, period: ReportingPeriod, days: int) -> tuple[str, str]:
    return (
        f"Báo cáo {period.label_in_sentence} đã quá hạn {days} ngày",
        f"Kính gửi đồng chí Bí thư {org.name},\n\n"
        f"Báo cáo {period.label_in_sentence} đã quá hạn nộp (hạn {_fmt(period.due_on)}, "
        f"quá {days} ngày). Đề nghị đồng chí nộp báo cáo ngay trên cổng thông tin.\n\n"
        f"{settings.PORTAL_BLOC_NAME}",
    )


def plan_messages(today: dt.date) -> list[Message]:
    """Every message the schedule should have sent by `today` (the log decides which are new)."""
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
    officers = secretary_emails(o.pk for o in orgs)

    messages: list[Message] = []
    missing_lines: list[str] = []
    for org in orgs:
        for period in periods:
            cell = states[(org.pk, period.pk)]
            if cell.state == NOT_DUE:
                subject, body = _due_text(org, period, today)
                for email in officers.get(org.pk, []):
                    messages.append(
                        Message(
                            f"due:{org.pk}:{period.pk}:{email}",
                            ReminderKind.DUE,
                            email,
                            subject,
                            body,
                            org.pk,
                            period.pk,
                        )
                    )
            elif cell.state == MISSING:
                days = cell.days_late
                week = (days - 1) // 7
                missing_lines.append(f"- {org.code} · {org.name}: {period.label}, quá hạn {days} ngày")
                subject, body = _overdue_text(org, period, days)
                for email in officers.get(org.pk, []):
                    messages.append(
                        Message(
                            f"overdue:{org.pk}:{period.pk}:w{week}:{email}",
                            ReminderKind.OVERDUE,
                            email,
                            subject,
                            body,
                            org.pk,
                            period.pk,
                        )
                    )
    if missing_lines:
        body = (
            f"Các báo cáo quá hạn chưa nộp tính đến ngày {_fmt(today)} ({len(missing_lines)} báo cáo):\n\n"
            + "\n".join(missing_lines)
        )
        for email in staff_emails():
            messages.append(
                Message(
                    key=f"digest:{today.isoformat()}:{email}",
                    kind=ReminderKind.DIGEST,
                    recipient=email,
                    subject=f"Tổng hợp báo cáo chưa nộp ngày {_fmt(today)}",
                    body=body,
                )
            )
    return messages


def _deliver(messages: list[Message], *, by=None) -> RunResult:
    """Send what is not in the log yet, under the run's lock; each key logged before its message goes."""
    result = RunResult()
    # The run's lock: a second server (or a second click) blocks here until this one commits, then finds
    # every key logged.
    list(ReportingSchedule.objects.select_for_update().order_by("pk"))
    keys = [m.key for m in messages]
    logged: set[str] = set()
    for start in range(0, len(keys), 500):  # in chunks: SQLite limits the parameters of one query
        logged.update(
            ReminderLog.objects.filter(key__in=keys[start : start + 500]).values_list("key", flat=True)
        )
    for message in messages:
        if message.key in logged:
            result.skipped.append(message.key)
            continue
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    key=message.key,
                    recipient=message.recipient,
                    kind=message.kind,
                    subject=message.subject[:255],
                    organization_id=message.organization_id,
                    period_id=message.period_id,
                    sent_by=by,
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


def send_reminders(today: dt.date) -> RunResult:
    """The schedule's reminders for `today`. Safe to run twice, or on two servers at once."""
    with transaction.atomic():
        return _deliver(plan_messages(today))


def _staff_messages(
    orgs: list[Organization], period: ReportingPeriod, today: dt.date
) -> tuple[list[Message], list[Organization]]:
    """A reminder to each of `orgs` that owes `period` and has not submitted: the overdue wording past the due
    date, the due wording before it. Also the organisations no address reaches."""
    states = cells(orgs, [period], today)
    officers = secretary_emails(o.pk for o in orgs)
    messages, unreachable = [], []
    for org in orgs:
        cell = states[(org.pk, period.pk)]
        if cell.state not in (MISSING, NOT_DUE):
            continue  # submitted (on time or late) or not owed: nothing to remind
        if not officers.get(org.pk):
            unreachable.append(org)
            continue
        if cell.state == MISSING:
            subject, body = _overdue_text(org, period, cell.days_late)
        else:
            subject, body = _due_text(org, period, today)
        for email in officers[org.pk]:
            messages.append(
                Message(
                    f"manual:{org.pk}:{period.pk}:{today.isoformat()}:{email}",
                    ReminderKind.MANUAL,
                    email,
                    subject,
                    body,
                    org.pk,
                    period.pk,
                )
            )
    return messages, unreachable


@transaction.atomic
def reminder_send(
    *, period: ReportingPeriod, by, organization: Organization | None = None, today: dt.date
) -> RunResult:
    """Staff remind the secretary of `organization` (or of every organisation that owes `period` and has not
    submitted) from the period's page: the same wording, log and lock as the nightly reminders, logged with
    who sent it. Once a day per organisation, period and address: pressing again sends nothing new."""
    if not is_staff_role(by):
        raise PermissionDenied("Chỉ Văn phòng Đảng ủy Khối được gửi nhắc báo cáo.")
    if organization is not None:
        orgs = [organization] if owes_report(organization, period) else []
    else:
        orgs = list(Organization.objects.filter(owes_q(period)).order_by("code"))
    messages, unreachable = _staff_messages(orgs, period, today)
    result = _deliver(messages, by=by)
    result.unreachable = unreachable
    return result
