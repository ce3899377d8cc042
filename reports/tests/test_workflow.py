"""The report form and workflow: prefill, validation, drafts, submit/return/accept through the URLs,
optimistic locking, idempotent submission, scoping, versions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import EventKind
from reports import services
from reports.models import PeriodicReport, ReportStatus, ReportTransition, ReportVersion
from reports.periods import periods_create

from .factories import MemberFactory, ResolutionFactory, admitted_member, event, period

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan():
    return period(2021, "month", 1)


@pytest.fixture
def resolutions():
    return [
        ResolutionFactory(year=2021, short_title="NQ 4"),
        ResolutionFactory(year=2021, short_title="CT 05"),
    ]


@pytest.fixture
def roll(org_a):
    """Org A: 3 members before 2021, one admitted in January 2021, one transferred out in January."""
    members = [admitted_member(org_a, dt.date(2015, 1, 1)) for _ in range(3)]
    admitted_member(org_a, dt.date(2021, 1, 20), decided_on=dt.date(2021, 1, 10))
    event(members[0], EventKind.FULL_MEMBER, dt.date(2016, 1, 1), dt.date(2016, 1, 1))
    leaving = MemberFactory(organization=org_a)
    event(leaving, EventKind.TRANSFER_IN, dt.date(2018, 1, 1))
    event(leaving, EventKind.TRANSFER_OUT, dt.date(2021, 1, 25))
    return org_a


def open_report(client, period_obj, **params):
    """Open the period's page, then "Bắt đầu nhập báo cáo" (the POST that starts the report)."""
    url = reverse("reports:report_open", args=[period_obj.pk])
    if params:
        url += f"?organization={params['organization']}"
    page = client.get(url)
    assert page.status_code in (200, 302), page
    if page.status_code == 200:
        assert "Bắt đầu nhập báo cáo" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302, response
    return PeriodicReport.objects.get(
        period=period_obj, **({"organization_id": params["organization"]} if params else {})
    )


def form_data(report, **overrides):
    data = {
        "revision": report.revision,
        "members_total": report.members_total,
        "admissions": report.admissions,
        "full_memberships": report.full_memberships,
        "transfers_in": report.transfers_in,
        "transfers_out": report.transfers_out,
        "non_member_headcount": 30,
        "cells_total": 2,
        "cell_meetings_held": 2,
        "discrepancy_note": "",
        "results_text": "Chi bộ sinh hoạt đều; học tập nghị quyết đầy đủ.",
        "shortcomings_text": "Một chi bộ sinh hoạt chưa đúng kỳ.",
        "directions_text": "Tiếp tục học tập nghị quyết.",
        "proposals_text": "",
        "action": "save",
    }
    for line in report.study_lines.all():
        prefix = f"study_{line.resolution_id}_"
        data |= {
            prefix + "members_studied": line.members_total,
            prefix + "members_total": line.members_total,
            prefix + "masses_studied": 30,
            prefix + "masses_total": 30,
        }
    data.update(overrides)
    return data


def test_opening_prefills_from_the_registry(client_for, secretary_a, roll, jan, resolutions):
    c = client_for(secretary_a)
    report = open_report(c, jan)
    assert report.status == ReportStatus.DRAFT
    assert (report.members_total, report.admissions, report.transfers_out) == (4, 1, 1)
    assert report.registry_snapshot["members_total"] == 4
    assert report.study_lines.count() == 2
    assert {line.members_total for line in report.study_lines.all()} == {4}
    # Opening again does not make another.
    open_report(c, jan)
    assert PeriodicReport.objects.count() == 1
    body = c.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    assert "Kết quả" in body and "NQ 4: đảng viên đã học" in body and "report_form.js" in body


def test_the_form_opened_again_follows_the_registry_and_the_next_save_keeps_it(
    client_for, secretary_a, roll, jan, resolutions
):
    """A member admitted after the draft was made, and a resolution made required since, show when the form
    is opened again. Opening the form writes nothing (a read never writes); the next save stores them."""
    c = client_for(secretary_a)
    report = open_report(c, jan)
    edit = reverse("reports:report_edit", args=[report.pk])
    revision, history = report.revision, report.history.count()
    c.get(edit)
    report.refresh_from_db()
    assert (report.revision, report.history.count(), report.members_total) == (revision, history, 4)

    admitted_member(roll, dt.date(2021, 1, 28), decided_on=dt.date(2021, 1, 26))
    ResolutionFactory(year=2021, short_title="KL 21")
    response = c.get(edit)
    body = response.content.decode()
    form = response.context["form"]
    assert (form.initial["members_total"], form.initial["admissions"]) == (5, 2)
    assert "KL 21: đảng viên đã học" in body
    report.refresh_from_db()
    assert (report.members_total, report.revision, report.study_lines.count()) == (4, revision, 2)

    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    assert c.post(edit, {**data, "action": "save"}).status_code == 302
    report.refresh_from_db()
    assert (report.members_total, report.admissions) == (5, 2)
    assert report.registry_snapshot["members_total"] == 5
    assert report.study_lines.count() == 3


def test_negative_and_impossible_figures_are_refused_and_typed_data_kept(
    client_for, secretary_a, roll, jan, resolutions
):
    c = client_for(secretary_a)
    report = open_report(c, jan)
    line = report.study_lines.first()
    data = form_data(report, admissions=-1, results_text="Nội dung đã gõ dài")
    data[f"study_{line.resolution_id}_members_studied"] = 9
    response = c.post(reverse("reports:report_edit", args=[report.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Không được nhập số âm." in body
    assert "không được lớn hơn tổng số đảng viên" in body
    assert "Nội dung đã gõ dài" in body
    report.refresh_from_db()
    assert report.revision == 0 and report.results_text == ""


def test_a_changed_figure_is_flagged_draft_saves_submit_needs_a_note(
    client_for, secretary_a, roll, jan, resolutions
):
    c = client_for(secretary_a)
    report = open_report(c, jan)
    url = reverse("reports:report_edit", args=[report.pk])
    response = c.post(url, form_data(report, members_total=7))
    assert response.status_code == 302  # a draft with a warning saves
    report.refresh_from_db()
    assert report.members_total == 7 and report.revision == 1
    body = c.get(url).content.decode()
    assert "Khác sổ đảng viên: sổ ghi 4, bạn nhập 7" in body
    response = c.post(url, form_data(report, members_total=7, action="submit"))
    assert response.status_code == 200
    assert "cần ghi giải trình" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    response = submit(c, report, members_total=7, discrepancy_note="Ba đồng chí chuyển đến chưa nhập sổ.")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_study_total_that_disagrees_with_the_roll_is_flagged(client_for, secretary_a, roll, jan, resolutions):
    c = client_for(secretary_a)
    report = open_report(c, jan)
    line = report.study_lines.first()
    data = form_data(report, action="submit")
    data[f"study_{line.resolution_id}_members_total"] = 9
    data[f"study_{line.resolution_id}_members_studied"] = 9
    response = c.post(reverse("reports:report_edit", args=[report.pk]), data)
    body = response.content.decode()
    assert "cuối kỳ có 4 đảng viên, bạn nhập 9" in body
    assert "cần ghi giải trình" in body


def confirm(c, report):
    """The confirmation step after "Xem lại và nộp báo cáo": the page, then "Nộp báo cáo" (a POST)."""
    report.refresh_from_db()
    url = reverse("reports:report_confirm", args=[report.pk])
    page = c.get(url)
    assert page.status_code == 200 and "Nộp báo cáo" in page.content.decode()
    return c.post(url, {"revision": report.revision})


def submit(c, report, **overrides):
    """ "Xem lại và nộp báo cáo" on the form (saves the draft, opens the confirmation), then "Nộp báo cáo"."""
    report.refresh_from_db()
    response = c.post(
        reverse("reports:report_edit", args=[report.pk]), form_data(report, action="submit", **overrides)
    )
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("reports:report_confirm", args=[report.pk])
    return confirm(c, report)


def test_full_workflow_through_the_urls(client_for, secretary_a, staff, roll, jan, resolutions):
    sec = client_for(secretary_a)
    report = open_report(sec, jan)
    assert submit(sec, report).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.versions.count() == 1
    first_submitted = report.first_submitted_at

    st = client_for(staff)
    # Return needs a reason.
    response = st.post(reverse("reports:report_return", args=[report.pk]), {"reason": "  "})
    assert response.status_code == 200 and "Cần ghi lý do trả lại" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    st.post(reverse("reports:report_return", args=[report.pk]), {"reason": "Bổ sung số liệu học tập."})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.return_reason == "Bổ sung số liệu học tập."

    sec = client_for(secretary_a)
    assert (
        "Bổ sung số liệu học tập."
        in sec.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    )
    response = submit(sec, report, results_text="Đã bổ sung.")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.versions.count() == 2
    assert report.first_submitted_at == first_submitted  # timeliness counts the first submission

    st = client_for(staff)
    compare = st.get(reverse("reports:report_compare", args=[report.pk]), {"a": 1, "b": 2}).content.decode()
    assert "Đã bổ sung." in compare and "table-warning" in compare
    st.post(reverse("reports:report_accept", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.accepted_by == staff
    assert list(report.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]

    # Locked: nothing changes any more, through any URL.
    sec = client_for(secretary_a)
    revision = report.revision
    sec.post(
        reverse("reports:report_edit", args=[report.pk]), form_data(report, results_text="Sửa sau khi duyệt")
    )
    sec.post(
        reverse("reports:report_autosave", args=[report.pk]),
        form_data(report, results_text="Sửa sau khi duyệt"),
    )
    st = client_for(staff)
    st.post(reverse("reports:report_return", args=[report.pk]), {"reason": "Trả lại báo cáo đã duyệt"})
    st.post(reverse("reports:report_accept", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.revision == revision
    assert report.results_text == "Đã bổ sung."
    assert report.transitions.count() == 4


def test_illegal_transitions_are_refused(client_for, secretary_a, staff, leader, roll, jan, resolutions):
    sec = client_for(secretary_a)
    report = open_report(sec, jan)
    st = client_for(staff)
    st.post(reverse("reports:report_accept", args=[report.pk]))  # accept a draft
    st.post(reverse("reports:report_return", args=[report.pk]), {"reason": "x"})  # return a draft
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    submit(client_for(secretary_a), report)
    report.refresh_from_db()
    sec = client_for(secretary_a)
    assert sec.post(reverse("reports:report_accept", args=[report.pk])).status_code == 403
    assert sec.post(reverse("reports:report_return", args=[report.pk]), {"reason": "x"}).status_code == 403
    ld = client_for(leader)
    for name in ("report_accept", "report_return", "report_edit", "report_autosave", "attachment_upload"):
        assert ld.post(reverse(f"reports:{name}", args=[report.pk]), {"reason": "x"}).status_code == 403, name
    assert ld.get(reverse("reports:report_edit", args=[report.pk])).status_code == 403
    assert ld.get(reverse("reports:report_open", args=[jan.pk])).status_code == 403
    assert ld.get(reverse("reports:report_detail", args=[report.pk])).status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert ReportTransition.objects.count() == 1
    with pytest.raises(services.IllegalTransition):
        services.report_accept(
            report=PeriodicReport.objects.create(organization=roll, period=period(2021, "month", 2)), by=staff
        )


def test_two_forms_with_the_same_revision_second_is_refused(
    client_for, secretary_a, staff, roll, jan, resolutions
):
    sec = client_for(secretary_a)
    report = open_report(sec, jan)
    stale = form_data(report, results_text="Bản của bí thư")
    st = client_for(staff)
    assert (
        st.post(
            reverse("reports:report_edit", args=[report.pk]),
            form_data(report, results_text="Bản của văn phòng"),
        ).status_code
        == 302
    )
    sec = client_for(secretary_a)
    response = sec.post(reverse("reports:report_edit", args=[report.pk]), stale)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Báo cáo đã được" in body and "dữ liệu bạn nhập vẫn còn ở dưới" in body
    assert "Bản của bí thư" in body  # typed data shown again
    report.refresh_from_db()
    assert report.results_text == "Bản của văn phòng"
    # The autosave refuses the same way.
    response = sec.post(reverse("reports:report_autosave", args=[report.pk]), stale)
    assert response.status_code == 409 and response.json()["conflict"] is True
    report.refresh_from_db()
    assert report.results_text == "Bản của văn phòng"


def test_autosave_saves_a_draft_and_returns_the_new_revision(client_for, secretary_a, roll, jan, resolutions):
    sec = client_for(secretary_a)
    report = open_report(sec, jan)
    response = sec.post(
        reverse("reports:report_autosave", args=[report.pk]), form_data(report, results_text="Đang gõ")
    )
    assert response.status_code == 200 and response.json() == response.json() | {"saved": True, "revision": 1}
    report.refresh_from_db()
    assert report.results_text == "Đang gõ" and report.status == ReportStatus.DRAFT
    bad = sec.post(reverse("reports:report_autosave", args=[report.pk]), form_data(report, admissions=-3))
    assert bad.status_code == 400
    assert sec.get(reverse("reports:keepalive")).status_code == 204
    assert sec.post(reverse("reports:keepalive")).status_code == 204


def test_double_submit_creates_one_submission(client_for, secretary_a, roll, jan, resolutions):
    sec = client_for(secretary_a)
    report = open_report(sec, jan)
    data = form_data(report, action="submit")
    assert sec.post(reverse("reports:report_edit", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    url = reverse("reports:report_confirm", args=[report.pk])
    first = sec.post(url, {"revision": report.revision})
    second = sec.post(url, {"revision": report.revision})  # a double click on "Nộp báo cáo"
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("reports:report_detail", args=[report.pk])
    assert ReportVersion.objects.filter(report=report).count() == 1
    assert ReportTransition.objects.filter(report=report).count() == 1
    report.refresh_from_db()
    with pytest.raises(services.AlreadySubmitted):
        services.report_submit(report=report, by=secretary_a, revision=report.revision - 1)


def test_version_keeps_a_full_snapshot(client_for, secretary_a, roll, jan, resolutions):
    sec = client_for(secretary_a)
    report = open_report(sec, jan)
    submit(sec, report)
    version = ReportVersion.objects.get(report=report)
    assert version.data["results_text"].startswith("Chi bộ sinh hoạt")
    assert [line["short_title"] for line in version.data["study_lines"]] == ["NQ 4", "CT 05"]
    assert version.data["registry_snapshot"]["members_total"] == 4


def test_secretary_b_gets_404_on_a_report_of_a(client_for, secretary_a, secretary_b, roll, jan, resolutions):
    report = open_report(client_for(secretary_a), jan)
    b = client_for(secretary_b)
    for name in ("report_detail", "report_edit", "report_compare"):
        assert b.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404, name
    for name in ("report_edit", "report_autosave", "attachment_upload"):
        assert b.post(reverse(f"reports:{name}", args=[report.pk]), form_data(report)).status_code == 404, (
            name
        )
    report.refresh_from_db()
    assert report.revision == 0


def test_staff_opens_a_report_for_any_organisation(client_for, staff, org_b, jan, resolutions):
    c = client_for(staff)
    report = open_report(c, jan, organization=org_b.pk)
    assert report.organization == org_b


def test_yearly_report_has_rating_and_theme(client_for, secretary_a, roll, resolutions):
    year = period(2021, "year", 1)
    sec = client_for(secretary_a)
    report = open_report(sec, year)
    url = reverse("reports:report_edit", args=[report.pk])
    body = sec.get(url).content.decode()
    assert "Tự đánh giá xếp loại" in body and "Chỉ thị 05" in body
    response = sec.post(url, form_data(report, action="submit"))
    assert "Báo cáo năm cần tự đánh giá xếp loại" in response.content.decode()
    response = submit(
        sec,
        report,
        self_rating="HTTNV",
        theme_text="Năm kỷ cương",
        theme_doc_no="12-KH/ĐU",
        theme_issued_on="05/01/2021",
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.theme_issued_on == dt.date(2021, 1, 5) and report.self_rating == "HTTNV"


def test_secretary_sees_obligations(client_for, secretary_a, org_a):
    body = client_for(secretary_a).get(reverse("reports:report_list")).content.decode()
    assert "Quá hạn chưa nộp" in body and "Sắp đến hạn" in body


def test_staff_and_leadership_see_the_filtered_list(
    client_for, staff, leader, secretary_a, roll, jan, resolutions
):
    open_report(client_for(secretary_a), jan)
    for user in (staff, leader):
        body = (
            client_for(user)
            .get(reverse("reports:report_list"), {"year": 2021, "status": "draft"})
            .content.decode()
        )
        assert "Tháng 01/2021" in body


def test_secretary_sees_what_is_due_on_their_organisation_page(client_for, secretary_a, org_a):
    """The organisation page loads the reports panel from the reports app; each due report links to it."""
    this_year = timezone.localdate().year
    periods_create(year=this_year - 1)
    periods_create(year=this_year)
    c = client_for(secretary_a)
    page = c.get(reverse("organizations:organization_detail", args=[org_a.pk])).content.decode()
    panel_url = reverse("reports:organization_obligations", args=[org_a.pk])
    assert f'hx-get="{panel_url}"' in page
    body = c.get(panel_url).content.decode()
    assert "Báo cáo định kỳ" in body
    assert "Quá hạn chưa nộp" in body or "Sắp đến hạn" in body
    assert "/reports/periods/" in body
