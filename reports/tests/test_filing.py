"""Filing a report as a secretary really does it (issue 12, point 2): nothing submitted too early or empty, a
confirmation step, everything the portal knows prefilled, returned reports first, mails on return and resubmit."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from organizations.models import OrganizationYear
from reports import services
from reports.models import PeriodicReport, ReportingSchedule, ReportStatus

from .factories import ResolutionFactory, admitted_member, period

pytestmark = pytest.mark.django_db

NARRATIVE = {
    "non_member_headcount": 30,
    "results_text": "Hoàn thành kế hoạch tháng.",
    "shortcomings_text": "Một chi bộ sinh hoạt chưa đúng kỳ.",
    "directions_text": "Tiếp tục học tập nghị quyết.",
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def on_day(monkeypatch):
    """on_day(date): today is `date` for the portal (timezone.localdate() without an argument)."""
    original = timezone.localdate

    def set_day(day: dt.date):
        def localdate(value=None, timezone=None):
            return original(value, timezone) if value is not None else day

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return set_day


@pytest.fixture
def roll(org_a):
    for _ in range(4):
        admitted_member(org_a, dt.date(2015, 1, 1))
    return org_a


@pytest.fixture
def nq(db):
    return ResolutionFactory(year=2021, short_title="NQ 4")


def started(org, kind="month", number=1, by=None):
    return services.report_start(organization=org, period=period(2021, kind, number), by=by)


def lines_for(report, studied):
    """Each line: `studied` members and non-members studied, of the unit's 30 non-members (NARRATIVE)."""
    return {
        line.resolution_id: {"members_studied": studied, "masses_studied": studied, "masses_total": 30}
        for line in report.study_lines.all()
    }


# --- no early submission -------------------------------------------------------------------------------------


def test_a_report_cannot_be_submitted_before_its_period_ends(on_day, roll, secretary_a):
    """DESIGN.md (reports): "a report cannot be submitted before its figures can be known" — from the period's
    last day. January 2021 ends on 31/01: refused on 30/01, accepted on 31/01."""
    report = started(roll, by=secretary_a)
    on_day(dt.date(2021, 1, 30))
    with pytest.raises(services.ReportError, match="chỉ nộp được từ ngày 31/01/2021"):
        services.report_submit(report=report, by=secretary_a, data=NARRATIVE)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not report.versions.exists()
    on_day(dt.date(2021, 1, 31))
    services.report_submit(report=report, by=secretary_a, data=NARRATIVE)
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_staff_may_allow_a_kind_to_be_submitted_days_earlier(on_day, roll, secretary_a):
    """Lịch báo cáo: "cho phép nộp sớm" N days before the period's last day, per kind (here the month: 3 days,
    so from 28/01; the quarter keeps its last day, 31/03)."""
    ReportingSchedule.objects.filter(kind="month").update(early_days=3)
    month = started(roll, by=secretary_a)
    quarter = started(roll, "quarter", 1, by=secretary_a)
    on_day(dt.date(2021, 1, 27))
    with pytest.raises(services.ReportError, match="từ ngày 28/01/2021"):
        services.report_submit(report=month, by=secretary_a, data=NARRATIVE)
    on_day(dt.date(2021, 1, 28))
    services.report_submit(report=month, by=secretary_a, data=NARRATIVE)
    on_day(dt.date(2021, 3, 30))
    with pytest.raises(services.ReportError, match="từ ngày 31/03/2021"):
        services.report_submit(report=quarter, by=secretary_a, data=NARRATIVE)


def test_the_form_says_from_when_and_offers_no_submission_before(on_day, client_for, roll, secretary_a):
    report = started(roll, by=secretary_a)
    on_day(dt.date(2021, 1, 20))
    c = client_for(secretary_a)
    body = c.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert "Nộp được từ ngày 31/01/2021" in body
    assert 'value="submit"' not in body  # no button that submits
    confirm = c.get(reverse("reports:report_confirm", args=[report.pk])).content.decode()
    assert "chỉ nộp được từ ngày 31/01/2021" in confirm and "Nộp báo cáo</button>" not in confirm
    c.post(reverse("reports:report_confirm", args=[report.pk]), {"revision": report.revision})
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    on_day(dt.date(2021, 1, 31))
    body = c.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert 'value="submit"' in body and "Xem lại và nộp báo cáo" in body


# --- no empty submission -------------------------------------------------------------------------------------


def form_data(report, **overrides):
    data = {
        "revision": report.revision,
        **{name: getattr(report, name) for name in services.REGISTRY_FIELDS},
        "non_member_headcount": 30,
        "cells_total": 1,
        "cell_meetings_held": 1,
        "discrepancy_note": "",
        "results_text": "Đã làm.",
        "shortcomings_text": "",
        "directions_text": "",
        "proposals_text": "",
        "action": "submit",
    }
    for line in report.study_lines.all():
        data[f"study_{line.resolution_id}_members_total"] = line.members_total
        data[f"study_{line.resolution_id}_masses_total"] = line.masses_total
    data.update(overrides)
    return {k: "" if v is None else v for k, v in data.items()}


def test_blank_narrative_parts_and_study_figures_are_named_beside_each_field(
    client_for, roll, secretary_a, nq
):
    """The first report of the year has no studied figures to start from: they are blank and must be typed;
    kết quả, hạn chế, phương hướng may not be blank (kiến nghị may)."""
    report = started(roll, by=secretary_a)
    line = report.study_lines.get()
    assert line.members_studied is None and line.masses_studied is None
    response = client_for(secretary_a).post(
        reverse("reports:report_edit", args=[report.pk]), form_data(report)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_shortcomings_text_error"' in body and "Cần ghi hạn chế trước khi nộp." in body
    assert 'id="id_directions_text_error"' in body and "Cần ghi phương hướng trước khi nộp." in body
    assert f'id="id_study_{nq.pk}_members_studied_error"' in body
    assert f'id="id_study_{nq.pk}_masses_studied_error"' in body
    assert "id_proposals_text_error" not in body and "id_results_text_error" not in body
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.revision == 0


def test_the_service_refuses_a_stored_report_with_blanks(roll, secretary_a, nq):
    report = started(roll, by=secretary_a)
    with pytest.raises(services.ReportError) as refused:
        services.report_submit(report=report, by=secretary_a, data={**NARRATIVE, "directions_text": " "})
    assert "Phương hướng" in str(refused.value) and "NQ 4: đảng viên đã học" in str(refused.value)
    services.report_submit(report=report, by=secretary_a, data=NARRATIVE, lines=lines_for(report, 3))


# --- the confirmation step -----------------------------------------------------------------------------------


def test_the_confirmation_lists_what_will_be_sent_and_whether_the_scan_is_attached(
    client_for, roll, secretary_a, nq, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = started(roll, by=secretary_a)
    c = client_for(secretary_a)
    data = form_data(
        report,
        **NARRATIVE,
        **{
            f"study_{nq.pk}_members_studied": 3,
            f"study_{nq.pk}_masses_studied": 20,
            f"study_{nq.pk}_masses_total": 30,
        },
    )
    response = c.post(reverse("reports:report_edit", args=[report.pk]), data)
    confirm_url = reverse("reports:report_confirm", args=[report.pk])
    assert response.status_code == 302 and response["Location"] == confirm_url
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT, "the form only saves: submitting is the next step"
    page = c.get(confirm_url).content.decode()
    for text in (
        "Hoàn thành kế hoạch tháng.",
        "Tiếp tục học tập nghị quyết.",
        "đảng viên 3/4",
        "Nộp báo cáo",
    ):
        assert text in page, text
    assert "Chưa đính kèm bản quét có chữ ký" in page

    services.attachment_add(
        report=report, upload=SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf"), by=secretary_a
    )
    page = c.get(confirm_url).content.decode()
    assert "Đã đính kèm 1 tệp" in page and "bien-ban.pdf" in page
    report.refresh_from_db()
    response = c.post(confirm_url, {"revision": report.revision})
    assert response["Location"] == reverse("reports:report_detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.versions.count() == 1


# --- prefill ---------------------------------------------------------------------------------------------------


def test_cumulative_study_figures_start_from_the_previous_counted_report_of_the_year(roll, secretary_a, nq):
    """ "Lũy kế từ đầu năm": February starts from January's submitted figures; a later draft does not count,
    nor does a report of another year (December 2020, counted, with more)."""
    OrganizationYear.objects.create(organization=roll, year=2021, non_member_headcount=30)
    december = services.report_start(organization=roll, period=period(2020, "month", 12), by=secretary_a)
    services.report_submit(report=december, by=secretary_a, data=NARRATIVE)
    january = started(roll, by=secretary_a)
    assert "study_from" not in january.registry_snapshot, "a new year starts from nothing"
    assert january.study_lines.get().members_studied is None
    services.report_submit(report=january, by=secretary_a, data=NARRATIVE, lines=lines_for(january, 3))
    march = started(roll, "month", 3, by=secretary_a)
    services.report_save_draft(report=march, by=secretary_a, revision=0, data={}, lines=lines_for(march, 4))
    february = started(roll, "month", 2, by=secretary_a)
    line = february.study_lines.get()
    assert (line.members_studied, line.masses_studied) == (3, 3)
    assert february.registry_snapshot["study_from"]["label"] == "tháng 01/2021"
    quarter = started(roll, "quarter", 1, by=secretary_a)  # ends with March: the latest counted is January
    assert quarter.study_lines.get().members_studied == 3


def test_the_yearly_theme_comes_from_the_registry(roll, secretary_a, nq):
    OrganizationYear.objects.create(
        organization=roll,
        year=2021,
        non_member_headcount=40,
        theme_text="Năm siết chặt kỷ luật, kỷ cương",
        theme_doc_no="05-KH/ĐU",
        theme_issued_on=dt.date(2021, 1, 6),
    )
    year = started(roll, "year", 1, by=secretary_a)
    assert (year.theme_text, year.theme_doc_no, year.theme_issued_on) == (
        "Năm siết chặt kỷ luật, kỷ cương",
        "05-KH/ĐU",
        dt.date(2021, 1, 6),
    )
    assert year.non_member_headcount == 40
    assert started(roll, by=secretary_a).theme_text == "", "only the yearly report has a theme"


def test_unit_headcounts_are_marked_as_coming_from_the_registry(client_for, roll, secretary_a):
    OrganizationYear.objects.create(organization=roll, year=2021, non_member_headcount=40)
    report = started(roll, by=secretary_a)
    body = client_for(secretary_a).get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert "Sổ theo dõi tổ chức (số liệu năm): 40" in body
    assert "Sổ theo dõi tổ chức (chi bộ đang hoạt động): 0" in body


# --- returned first, mails ------------------------------------------------------------------------------------


def submitted(org, by, number=1):
    report = started(org, "month", number, by=by)
    return services.report_submit(report=report, by=by, data=NARRATIVE)


def test_returning_mails_the_secretary_and_resubmitting_mails_staff(
    roll, secretary_a, staff, django_capture_on_commit_callbacks
):
    secretary_a.email, staff.email = "bithu.a@example.vn", "vanphong@example.vn"
    secretary_a.save()
    staff.save()
    report = submitted(roll, secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, by=staff, reason="Thiếu số liệu học tập Nghị quyết 4.")
    assert [m.to for m in mail.outbox] == [["bithu.a@example.vn"]]
    assert mail.outbox[0].subject == "Báo cáo tháng 01/2021 bị trả lại — cần sửa và nộp lại"
    assert "Thiếu số liệu học tập Nghị quyết 4." in mail.outbox[0].body
    assert reverse("reports:report_detail", args=[report.pk]) in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=report, by=secretary_a)
    assert mail.outbox[1].to == ["vanphong@example.vn"]
    assert "đã nộp lại báo cáo tháng 01/2021" in mail.outbox[1].subject


def test_a_first_submission_mails_nobody_and_a_failed_return_mails_nobody(
    roll, secretary_a, staff, django_capture_on_commit_callbacks
):
    secretary_a.email = staff.email = "x@example.vn"
    secretary_a.save()
    staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted(roll, secretary_a)
        with pytest.raises(services.ReportError):
            services.report_return(report=report, by=staff, reason="  ")
    assert mail.outbox == []


def test_a_returned_report_comes_first_on_the_secretary_home_and_list(client_for, roll, secretary_a, staff):
    report = submitted(roll, secretary_a)
    services.report_return(report=report, by=staff, reason="Bổ sung giải trình.")
    c = client_for(secretary_a)
    home = c.get("/").content.decode()
    assert "Bị trả lại — cần sửa và nộp lại" in home and "Bổ sung giải trình." in home
    assert home.index("Bị trả lại — cần sửa và nộp lại") < home.index("Quá hạn chưa nộp")
    assert reverse("reports:report_edit", args=[report.pk]) in home
    listing = c.get(reverse("reports:report_list"), {"year": 2021}).content.decode()
    assert listing.index("Bị trả lại — cần sửa và nộp lại") < listing.index("Quá hạn chưa nộp")
    panel = c.get(reverse("reports:organization_obligations", args=[roll.pk])).content.decode()
    assert "Bị trả lại — cần sửa và nộp lại" in panel and "Bổ sung giải trình." in panel
    assert reverse("reports:report_edit", args=[report.pk]) in panel


def test_the_secretary_list_filters_by_year_this_year_by_default_and_pages(client_for, roll, secretary_a):
    for number in range(1, 4):
        submitted(roll, secretary_a, number)
    c = client_for(secretary_a)
    this_year = c.get(reverse("reports:report_list")).content.decode()
    assert f"Báo cáo đã nộp năm {timezone.localdate().year}" in this_year
    assert "Tháng 02/2021" not in this_year.split('id="h-filed"')[1]
    year_2021 = c.get(reverse("reports:report_list"), {"year": 2021}).content.decode()
    filed = year_2021.split('id="h-filed"')[1]
    assert all(f"Tháng 0{n}/2021" in filed for n in (1, 2, 3))
    assert 'class="table table-sm align-middle table-stack"' in filed  # cards on a phone
    assert c.get(reverse("reports:report_list"), {"year": "abc"}).status_code == 404
