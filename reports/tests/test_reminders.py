"""Reminders: before the due date, when overdue (weekly), the staff digest; each message once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from organizations.tests.factories import secretary_user, staff_user
from reports.models import ReminderLog, ReportStatus
from reports.periods import periods_create
from reports.reminders import send_reminders

from .factories import ReportFactory, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org_a, org_b):
    periods_create(year=2021)  # the daily command makes the year's periods; send_reminders only reads them
    sec_a = secretary_user(org_a, username="sa")
    sec_a.email = "bithu.a@example.vn"
    sec_a.save()
    sec_b = secretary_user(org_b, username="sb")
    sec_b.email = "bithu.b@example.vn"
    sec_b.save()
    vp = staff_user("vp1")
    vp.email = "vanphong@example.vn"
    vp.save()
    return sec_a, sec_b, vp


def subjects(to):
    return [m.subject for m in mail.outbox if to in m.to]


def test_running_twice_sends_each_message_once(people, org_a):
    # 3 March 2021: February's report (due 5 March) is within the 3-day lead; January's is overdue.
    ReportFactory(
        organization=org_a,
        period=period(2021, "month", 1),
        status=ReportStatus.SUBMITTED,
        first_submitted_at=dt.datetime(2021, 2, 3, tzinfo=dt.UTC),
    )
    call_command("send_report_reminders", "--date", "2021-03-03", stdout=open("/dev/null", "w"))
    first = len(mail.outbox)
    call_command("send_report_reminders", "--date", "2021-03-03", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == first
    assert ReminderLog.objects.count() == first
    a = subjects("bithu.a@example.vn")
    b = subjects("bithu.b@example.vn")
    assert any("tháng 02/2021" in s and "Nhắc" in s for s in a)
    assert not any("tháng 01/2021" in s for s in a)  # filed
    assert any("tháng 01/2021" in s and "quá hạn" in s for s in b)
    digest = [m for m in mail.outbox if "vanphong@example.vn" in m.to]
    assert len(digest) == 1 and "B1 · Đảng bộ Sở B: Tháng 01/2021" in digest[0].body
    assert "Đảng bộ Sở A: Tháng 01/2021" not in digest[0].body


def test_overdue_reminders_repeat_weekly_and_digest_daily(people):
    send_reminders(dt.date(2021, 2, 10))
    send_reminders(dt.date(2021, 2, 11))
    jan_b = [s for s in subjects("bithu.b@example.vn") if "tháng 01/2021" in s and "quá hạn" in s]
    assert len(jan_b) == 1  # same week
    send_reminders(dt.date(2021, 2, 13))
    jan_b = [s for s in subjects("bithu.b@example.vn") if "tháng 01/2021" in s and "quá hạn" in s]
    assert len(jan_b) == 2  # a week later
    assert len([m for m in mail.outbox if "vanphong@example.vn" in m.to]) == 3


def test_a_failed_send_is_retried_next_run(people, monkeypatch):
    import reports.reminders as reminders

    def boom(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(reminders, "send_mail", boom)
    result = send_reminders(dt.date(2021, 3, 3))
    assert result.failed and not ReminderLog.objects.exists()
    monkeypatch.undo()
    result = send_reminders(dt.date(2021, 3, 3))
    assert result.sent and len(mail.outbox) == len(result.sent)
