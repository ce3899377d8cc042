"""Staff's daily work (issue 12, point 3): the inbox on the home page, the review queue oldest first with "mở báo
cáo tiếp theo" and bulk accept, reminders sent from a period's page through the idempotent reminder service, and
the log of every reminder."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members import services as member_services
from members.tests.factories import member
from organizations.models import Organization
from organizations.tests.factories import OrganizationFactory, secretary_user
from reports import reminders, services, tallies
from reports.models import ReminderKind, ReminderLog, ReportStatus
from reports.periods import periods_of_year

from .factories import period

pytestmark = pytest.mark.django_db

NARRATIVE = {
    "non_member_headcount": 30,
    "results_text": "Hoàn thành.",
    "shortcomings_text": "Còn chậm.",
    "directions_text": "Tiếp tục.",
}


def submit(org, number, by, at):
    report = services.report_start(organization=org, period=period(2021, "month", number), by=by)
    report = services.report_submit(report=report, by=by, data=NARRATIVE)
    type(report).objects.filter(pk=report.pk).update(submitted_at=at, first_submitted_at=at)
    tallies.refresh([report.period], report.organization)  # an update() bypasses the tally's signal
    report.refresh_from_db()
    return report


@pytest.fixture
def queue(org_a, org_b, staff):
    """Three submitted reports: B's January (oldest), A's January, A's February (newest)."""
    base = timezone.make_aware(dt.datetime(2021, 2, 1, 9))
    return [
        submit(org_b, 1, staff, base),
        submit(org_a, 1, staff, base + dt.timedelta(hours=1)),
        submit(org_a, 2, staff, base + dt.timedelta(days=30)),
    ]


def test_the_review_queue_lists_submitted_reports_oldest_first(client_for, staff, queue, secretary_a):
    body = client_for(staff).get(reverse("reports:review_queue")).content.decode()
    links = [body.index(reverse("reports:report_detail", args=[r.pk]) + '"') for r in queue]
    assert links == sorted(links)
    assert "Báo cáo chờ duyệt" in body
    services.report_accept(report=queue[0], by=staff)
    body = client_for(staff).get(reverse("reports:review_queue")).content.decode()
    assert reverse("reports:report_detail", args=[queue[0].pk]) + '"' not in body
    assert client_for(secretary_a).get(reverse("reports:review_queue")).status_code == 403


def test_after_accepting_next_opens_the_next_report_in_the_queue(client_for, staff, queue):
    c = client_for(staff)
    c.post(reverse("reports:report_accept", args=[queue[0].pk]), {"revision": queue[0].revision})
    page = c.get(reverse("reports:report_detail", args=[queue[0].pk])).content.decode()
    assert "Đã duyệt báo cáo." in page and "Mở báo cáo tiếp theo" in page
    nxt = page.split("Mở báo cáo tiếp theo")[0].rsplit('href="', 1)[1].split('"')[0]
    assert nxt == reverse("reports:report_detail", args=[queue[1].pk])
    c.post(reverse("reports:report_return", args=[queue[1].pk]), {"reason": "Bổ sung.", "revision": ""})
    page = c.get(reverse("reports:report_detail", args=[queue[1].pk])).content.decode()
    assert reverse("reports:report_detail", args=[queue[2].pk]) in page.split("Mở báo cáo tiếp theo")[0]
    services.report_accept(report=queue[2], by=staff)
    page = c.get(reverse("reports:report_detail", args=[queue[2].pk])).content.decode()
    assert "Mở báo cáo tiếp theo" not in page and "Danh sách chờ duyệt" in page


def test_bulk_accept_accepts_each_selected_report_through_its_own_checks(client_for, staff, queue):
    services.report_return(report=queue[1], by=staff, reason="Thiếu giải trình.")
    c = client_for(staff)
    response = c.post(
        reverse("reports:review_accept_selected"), {"report": [queue[0].pk, queue[1].pk, "x", "9" * 30]}
    )
    assert response["Location"] == reverse("reports:review_queue")
    statuses = [type(r).objects.get(pk=r.pk).status for r in queue]
    assert statuses == [ReportStatus.ACCEPTED, ReportStatus.RETURNED, ReportStatus.SUBMITTED]
    page = c.get(reverse("reports:review_queue")).content.decode()
    assert "Đã duyệt 1 báo cáo." in page and "Không duyệt được" in page and queue[1].organization.code in page


def test_the_staff_home_counts_what_waits_and_links_to_it(client_for, staff, queue, secretary_a, monkeypatch):
    """Each count on the inbox is the number a user would find by following its link, on 10/03/2021: two
    reports wait, one is returned, one account is locked; three monthly reports are overdue (the
    portal's reporting schedule, as the matrix reads it: C owes January and February, B owes February); two
    probationary members are late (QĐ 24-QĐ/TW §4.2 a, §4.3.1: one cell past its 30 working days to resolve,
    one committee past its 30 working days to decide), while one still within them and one full member are
    not counted."""
    services.report_return(report=queue[2], by=staff, reason="Thiếu.")
    AccessAttempt.objects.create(
        username="ai",
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=9,
        get_data="",
        post_data="",
    )
    org_a, org_b = queue[1].organization, queue[0].organization
    OrganizationFactory(code="C1", name="Chi bộ C")  # owes January and February, files nothing
    member(org_a, ceremony_on=dt.date(2019, 6, 3), name="Lê Văn Muộn")  # resolution due mid-July 2020: late
    waiting = member(org_b, ceremony_on=dt.date(2019, 9, 2), name="Phạm Thị Trễ")
    # the cell resolved on 15/09/2020; the committee's 30 working days ended in October 2020: late
    member_services.member_record_dossier(member=waiting, full_resolution_on=dt.date(2020, 9, 15), by=staff)
    member(org_a, ceremony_on=dt.date(2020, 3, 2), name="Đỗ Văn Kịp")  # probation ended 02/03/2021: in time
    member(org_b, ceremony_on=dt.date(2018, 5, 2), full=True, name="Vũ Thị Chính")
    today = dt.date(2021, 3, 10)
    real_localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, *a, **k: real_localdate(value, *a, **k) if value else today
    )
    past_due = [(p.kind, p.number) for p in periods_of_year(2021) if p.due_on < today]
    assert past_due == [("month", 1), ("month", 2)]

    c = client_for(staff)
    body = c.get("/").content.decode()

    def count(code):
        return int(body.split(f'id="inbox-{code}">')[1].split("<")[0])

    assert (count("review"), count("returned"), count("lockouts")) == (2, 1, 1)
    assert (count("overdue"), count("probation")) == (3, 2)
    for name in ("reports:review_queue", "reports:matrix", "members:overdue_list", "lockout_list"):
        assert f'href="{reverse(name)}' in body, name
    # The menu shows the count of reports waiting.
    assert 'href="/reports/review/">Chờ duyệt <span class="badge text-bg-light">2</span>' in body
    # The linked list shows the same two members.
    listed = c.get(reverse("members:overdue_list")).content.decode()
    assert "Lê Văn Muộn" in listed and "Phạm Thị Trễ" in listed
    assert "Đỗ Văn Kịp" not in listed and "Vũ Thị Chính" not in listed


# --- reminders from the period's page --------------------------------------------------------------------------


@pytest.fixture
def late_orgs(org_a, org_b):
    """January 2021 (due 05/02): A has not submitted, B has; C has no secretary with an e-mail address."""
    a = secretary_user(org_a, username="sa")
    a.email = "bithu.a@example.vn"
    a.save()
    OrganizationFactory(code="C1", name="Chi bộ C")
    report = services.report_start(
        organization=org_b, period=period(2021, "month", 1), by=secretary_user(org_b)
    )
    services.report_submit(report=report, by=report.updated_by, data=NARRATIVE)
    org_a.phone = "0233 3852 111"
    org_a.save()
    return a


def test_the_period_page_shows_each_late_organisation_with_its_secretary_contact(
    client_for, staff, late_orgs
):
    jan = period(2021, "month", 1)
    body = client_for(staff).get(reverse("reports:period_status"), {"period": jan.pk}).content.decode()
    missing = body.split("Chưa nộp (quá hạn)")[1].split("Nộp muộn")[0]
    assert "bithu.a@example.vn" in missing and "0233 3852 111" in missing
    assert "Chưa có bí thư phụ trách trên cổng." in missing  # C
    assert missing.count("Gửi nhắc") == 2 and "Nhắc tất cả tổ chức chưa nộp" in body


def test_gui_nhac_goes_through_the_reminder_service_once_a_day_and_is_logged(
    client_for, staff, late_orgs, org_a
):
    jan = period(2021, "month", 1)
    c = client_for(staff)
    url = reverse("reports:reminder_send")
    response = c.post(url, {"period": jan.pk, "organization": org_a.pk})
    assert response["Location"] == reverse("reports:period_status") + f"?period={jan.pk}"
    assert [m.to for m in mail.outbox] == [["bithu.a@example.vn"]]
    assert "tháng 01/2021 đã quá hạn" in mail.outbox[0].subject
    again = c.post(url, {"period": jan.pk, "organization": org_a.pk}, follow=True)  # pressed again
    assert "Hôm nay đã gửi nhắc rồi; không gửi trùng." in again.content.decode()
    # "Nhắc tất cả": A was reminded today, B has submitted, C has no address to send to.
    everyone = c.post(url, {"period": jan.pk}, follow=True).content.decode()
    assert "Chưa có địa chỉ thư của bí thư: C1 · Chi bộ C." in everyone
    assert "Đã nhắc hôm nay" in everyone
    assert len(mail.outbox) == 1
    entry = ReminderLog.objects.get()
    assert (entry.kind, entry.sent_by, entry.organization, entry.period) == (
        ReminderKind.MANUAL,
        staff,
        org_a,
        jan,
    )
    log = c.get(reverse("reports:reminder_log")).content.decode()
    assert "bithu.a@example.vn" in log and "Tháng 01/2021" in log and staff.username in log


def test_the_nightly_reminders_are_logged_as_sent_by_the_schedule(client_for, staff, late_orgs):
    reminders.send_reminders(dt.date(2021, 2, 10))
    entry = ReminderLog.objects.filter(kind=ReminderKind.OVERDUE).first()
    assert entry.sent_by is None and entry.organization.code == "A1" and entry.period.label == "Tháng 01/2021"
    body = client_for(staff).get(reverse("reports:reminder_log")).content.decode()
    assert "Lịch nhắc tự động" in body


def test_only_staff_send_reminders(client_for, leader, secretary_b, late_orgs, org_a):
    jan = period(2021, "month", 1)
    for user in (leader, secretary_b):
        response = client_for(user).post(reverse("reports:reminder_send"), {"period": jan.pk})
        assert response.status_code == 403
    with pytest.raises(Exception, match="Chỉ Văn phòng"):
        reminders.reminder_send(period=jan, by=leader, today=dt.date(2021, 2, 10))
    assert not ReminderLog.objects.exists() and mail.outbox == []
    assert Organization.objects.count() == 3


def test_the_matrix_has_a_legend_and_prints_rates_with_two_decimals(client_for, staff, org_a, org_b):
    """One of the two organisations filed January 2021 on time: 50,00% (never "50,0%")."""
    submit(org_a, 1, staff, timezone.make_aware(dt.datetime(2021, 2, 1, 9)))
    body = client_for(staff).get(reverse("reports:matrix"), {"year": 2021}).content.decode()
    assert 'class="matrix-legend' in body and "Chú giải màu" in body
    for state in ("on_time", "late", "missing", "not_due", "not_owed"):
        assert f'class="swatch tl-{state}"' in body
    assert "50,00%" in body and "50,0%" not in body


# --- query-count guards: the new lists do not grow a query per row ------------------------------------------------


def _queries(client, url, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_the_review_queue_the_period_page_and_the_reminder_log_do_not_grow_with_their_rows(client_for, staff):
    jan = period(2021, "month", 1)
    c = client_for(staff)

    def grow(n):
        for _ in range(n):
            org = OrganizationFactory()
            secretary = secretary_user(org)
            secretary.email = f"{secretary.username}@example.vn"
            secretary.save()
            report = services.report_start(organization=org, period=period(2021, "month", 2), by=staff)
            services.report_submit(report=report, by=staff, data=NARRATIVE)
        reminders.reminder_send(period=jan, by=staff, today=dt.date(2021, 2, 10))

    grow(2)
    before = [
        _queries(c, reverse("reports:review_queue")),
        _queries(c, reverse("reports:period_status"), {"period": jan.pk}),
        _queries(c, reverse("reports:reminder_log")),
        _queries(c, "/"),
    ]
    grow(20)
    after = [
        _queries(c, reverse("reports:review_queue")),
        _queries(c, reverse("reports:period_status"), {"period": jan.pk}),
        _queries(c, reverse("reports:reminder_log")),
        _queries(c, "/"),
    ]
    assert after == before, (before, after)
