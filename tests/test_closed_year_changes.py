"""After a year is closed (chốt số liệu năm), every write that can change one of its dashboard figures is still
allowed, but only with a reason, and is logged with what the record was and became (issue 14: "A later change
that would alter a closed year's figure … is still allowed, but only with a reason, is logged").

One row per write path (docs/dashboard.md, "Sau khi chốt năm"): the setup runs before 2021 is closed, the change
after it — refused without a reason (the error on ``change_reason``, the field a form shows beside it), logged
with one. Then the pages: the field appears only when the change needs it, with the error beside it; and the
dashboard's JSON carries what its HTML shows of a closed year's adjusted figures.
"""

import datetime as dt
import io
import json
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from discipline import services as discipline_services
from discipline.models import AppealOutcome, DecidingBody, Violation
from members import services as member_services
from members.models import EventKind, MeetingStatus, MemberStatus, TransferScope
from members.tests import factories as mf
from organizations import services as org_services
from organizations.models import (
    BlocYear,
    ClosedYear,
    ClosedYearChange,
    Organization,
    OrganizationYear,
    Rating,
)
from organizations.tests.factories import CellFactory, OrganizationFactory, inspection_user, staff_user
from reports import services as report_services
from reports.models import ReportStatus, Resolution
from reports.tests.factories import period
from targets import dashboard as dash
from targets import services as target_services

pytestmark = pytest.mark.django_db

CLOSED = 2021
REASON = "Bổ sung theo hồ sơ gốc"


@pytest.fixture
def w(db):
    org = OrganizationFactory(code="01")
    return SimpleNamespace(
        staff=staff_user("vanphong"),
        inspector=inspection_user("kiemtra"),
        org=org,
        cell=CellFactory(organization=org, name="Chi bộ Văn phòng"),
    )


def _close(w):
    ClosedYear.objects.create(year=CLOSED, closed_by=w.staff)


def _full_member(w, **extra):
    return mf.member(w.org, ceremony_on=dt.date(2015, 3, 1), full=True, by=w.staff, **extra)


def _draft_report(w):
    for _ in range(2):
        _full_member(w)
    report = report_services.report_start(organization=w.org, period=period(CLOSED, "month", 1), by=w.staff)
    report = report_services.report_save_draft(
        report=report,
        data={
            "non_member_headcount": 30,
            "cells_total": 1,
            "cell_meetings_held": 1,
            "results_text": "Kết quả",
            "shortcomings_text": "Hạn chế",
            "directions_text": "Phương hướng",
        },
        revision=report.revision,
        by=w.staff,
    )
    return report


def _submitted_report(w):
    report = _draft_report(w)
    return report_services.report_submit(report=report, by=w.staff, revision=report.revision)


def _meeting(w, *, complete=True, change_reason=""):
    return member_services.meeting_save(
        meeting=None,
        organization=w.org,
        cell=w.cell,
        data={
            "held_on": dt.date(CLOSED, 5, 10),
            "kind": "thuong_ky",
            "topics": "Kiểm điểm công việc tháng",
            "starts_at": dt.time(14, 0),
            "ends_at": dt.time(15, 45),
        },
        attendance={},
        complete=complete,
        change_reason=change_reason,
        by=w.staff,
    )


def _discipline(w, member, *, change_reason=""):
    return discipline_services.discipline_record(
        subject="member",
        member=member,
        organization=w.org,
        form="khien_trach",
        deciding_body=DecidingBody.UBKT_DANG_UY_KHOI,
        decision_no="12-QĐ/UBKTĐUK",
        decided_on=dt.date(CLOSED, 5, 4),
        effective_on=dt.date(CLOSED, 5, 4),
        violation=Violation.SINH_HOAT,
        summary="Vi phạm quy định sinh hoạt đảng.",
        change_reason=change_reason,
        by=w.inspector,
    )


def _programme(w, *, change_reason=""):
    return discipline_services.programme_save(
        programme=None, year=CLOSED, kind="kiem_tra", title="Kiểm tra năm 2021", in_plan=True, decision_no="",
        starts_on=dt.date(CLOSED, 3, 1), ends_on=dt.date(CLOSED, 3, 30), organizations=[w.org],
        change_reason=change_reason, by=w.inspector,
    )  # fmt: skip


def _remedy(w, programme, *, change_reason=""):
    return discipline_services.remedy_add(
        programme=programme, organization=w.org, requirement="Bổ sung sổ sách.", deadline=dt.date(CLOSED, 6, 30),
        change_reason=change_reason, by=w.inspector,
    )  # fmt: skip


#: path → (setup before closing: w → ctx, the change after closing: (w, ctx, reason) → anything).
PATHS = {
    "member_create": (
        lambda w: None,
        lambda w, c, r: mf.member(w.org, ceremony_on=dt.date(CLOSED, 5, 10), by=w.staff, change_reason=r),
    ),
    "candidate_admit": (
        lambda w: mf.candidate(w.org),
        lambda w, c, r: member_services.candidate_admit(
            candidate=c,
            admission_decided_on=dt.date(CLOSED, 5, 5),
            ceremony_on=dt.date(CLOSED, 5, 10),
            change_reason=r,
            by=w.staff,
        ),
    ),
    "member_make_full": (
        lambda w: mf.member(w.org, ceremony_on=dt.date(2020, 3, 10), by=w.staff),
        lambda w, c, r: member_services.member_make_full(
            member=c, decided_on=dt.date(CLOSED, 3, 15), change_reason=r, by=w.staff
        ),
    ),
    "member_transfer_out": (
        _full_member,
        lambda w, c, r: member_services.member_transfer_out(
            member=c,
            scope=TransferScope.CHINH_THUC,
            effective_on=dt.date(CLOSED, 6, 1),
            destination_text="Đảng bộ huyện X",
            change_reason=r,
            by=w.staff,
        ),
    ),
    "member_transfer_out (tạm thời)": (
        _full_member,
        lambda w, c, r: member_services.member_transfer_out(
            member=c,
            scope=TransferScope.TAM_THOI,
            effective_on=dt.date(CLOSED, 6, 1),
            destination_text="Đảng bộ huyện X",
            change_reason=r,
            by=w.staff,
        ),
    ),
    "member_temporary_end": (
        lambda w: (
            member_services.member_transfer_out(
                member=_full_member(w),
                scope=TransferScope.TAM_THOI,
                effective_on=dt.date(2020, 6, 1),
                destination_text="Đảng bộ huyện X",
                by=w.staff,
            ).member
        ),
        lambda w, c, r: member_services.member_temporary_end(
            member=c, effective_on=dt.date(CLOSED, 2, 1), change_reason=r, by=w.staff
        ),
    ),
    "member_transfer_back_in": (
        lambda w: (
            member_services.member_transfer_out(
                member=_full_member(w),
                scope=TransferScope.CHINH_THUC,
                effective_on=dt.date(2020, 6, 1),
                destination_text="Đảng bộ huyện X",
                by=w.staff,
            ).member
        ),
        lambda w, c, r: member_services.member_transfer_back_in(
            member=c, organization=w.org, effective_on=dt.date(CLOSED, 2, 1), change_reason=r, by=w.staff
        ),
    ),
    "member_end": (
        _full_member,
        lambda w, c, r: member_services.member_end(
            member=c, kind=EventKind.DIED, effective_on=dt.date(CLOSED, 7, 1), change_reason=r, by=w.staff
        ),
    ),
    "member_rate": (
        _full_member,
        lambda w, c, r: member_services.member_rate(
            member=c, year=CLOSED, grade=Rating.HTTNV, change_reason=r, by=w.staff
        ),
    ),
    "member_ratings_save": (
        _full_member,
        lambda w, c, r: member_services.member_ratings_save(
            organization=w.org, year=CLOSED, grades={c: Rating.HTTNV}, change_reason=r, by=w.staff
        ),
    ),
    "organization_save": (
        lambda w: None,
        lambda w, c, r: org_services.organization_save(
            organization=_with(w.org, joined_on=dt.date(CLOSED, 1, 1)), change_reason=r, by=w.staff
        ),
    ),
    "organization_leave": (
        lambda w: None,
        lambda w, c, r: org_services.organization_leave(
            organization=w.org, left_on=dt.date(CLOSED, 6, 30), change_reason=r, by=w.staff
        ),
    ),
    "organization_return": (
        lambda w: org_services.organization_leave(
            organization=w.org, left_on=dt.date(2019, 6, 30), by=w.staff
        ),
        lambda w, c, r: org_services.organization_return(
            organization=w.org, joined_on=dt.date(CLOSED, 1, 10), change_reason=r, by=w.staff
        ),
    ),
    "congress_record": (
        lambda w: None,
        lambda w, c, r: org_services.congress_record(
            organization=w.org, term_start=2020, held_on=dt.date(CLOSED, 3, 1), change_reason=r, by=w.staff
        ),
    ),
    "organization_year_save": (
        lambda w: None,
        lambda w, c, r: org_services.organization_year_save(
            record=OrganizationYear(organization=w.org, year=CLOSED, party_rating=Rating.HTTNV),
            change_reason=r,
            by=w.staff,
        ),
    ),
    "bloc_year_save": (
        lambda w: None,
        lambda w, c, r: org_services.bloc_year_save(
            record=BlocYear(year=CLOSED, rating=Rating.HTXSNV), change_reason=r, by=w.staff
        ),
    ),
    "cell_ratings_save": (
        lambda w: None,
        lambda w, c, r: org_services.cell_ratings_save(
            organization=w.org, year=CLOSED, grades={w.cell: Rating.HTTNV}, change_reason=r, by=w.staff
        ),
    ),
    "meeting_save": (
        lambda w: None,
        lambda w, c, r: _meeting(w, change_reason=r),
    ),
    "meeting_save (hoàn thành bản nháp)": (
        lambda w: _meeting(w, complete=False),
        lambda w, c, r: member_services.meeting_save(
            meeting=c,
            organization=w.org,
            cell=w.cell,
            data={},
            attendance={},
            complete=True,
            change_reason=r,
            by=w.staff,
        ),  # fmt: skip
    ),
    "meeting_withdraw": (
        lambda w: _meeting(w),
        lambda w, c, r: member_services.meeting_withdraw(meeting=c, change_reason=r, by=w.staff),
    ),
    "dues_remittance_record": (
        lambda w: None,
        lambda w, c, r: member_services.dues_remittance_record(
            organization=w.org,
            period_start=dt.date(CLOSED, 1, 1),
            amount=1_200_000,
            remitted_on=dt.date(CLOSED, 4, 10),
            change_reason=r,
            by=w.staff,
        ),
    ),
    "report_submit": (
        _draft_report,
        lambda w, c, r: report_services.report_submit(
            report=c, revision=c.revision, change_reason=r, by=w.staff
        ),
    ),
    "report_return": (
        _submitted_report,
        lambda w, c, r: report_services.report_return(
            report=c, reason="Thiếu số liệu học tập.", change_reason=r, by=w.staff
        ),
    ),
    "resolution_save": (
        lambda w: None,
        lambda w, c, r: report_services.resolution_save(
            resolution=Resolution(
                year=CLOSED, title="Nghị quyết bổ sung", short_title="NQ bổ sung", required=True
            ),
            change_reason=r,
            by=w.staff,
        ),
    ),
    "discipline_record": (
        _full_member,
        lambda w, c, r: _discipline(w, c, change_reason=r),
    ),
    "appeal_settle": (
        lambda w: discipline_services.appeal_lodge(
            discipline=_discipline(w, _full_member(w)),
            lodged_on=dt.date(CLOSED, 6, 1),
            summary="Đề nghị xem xét lại.",
            by=w.inspector,
        ),
        lambda w, c, r: discipline_services.appeal_settle(
            appeal=c,
            outcome=AppealOutcome.ANNULLED,
            settled_on=dt.date(2022, 2, 1),
            outcome_decision_no="3-QĐ/UBKTĐUK",
            change_reason=r,
            by=w.inspector,
        ),
    ),
    "programme_save": (
        lambda w: None,
        lambda w, c, r: _programme(w, change_reason=r),
    ),
    "programme_conclude": (
        _programme,
        lambda w, c, r: discipline_services.programme_conclude(
            programme=c,
            concluded_on=dt.date(CLOSED, 4, 10),
            conclusion="Kết luận.",
            change_reason=r,
            by=w.inspector,
        ),
    ),
    "remedy_add": (
        _programme,
        lambda w, c, r: _remedy(w, c, change_reason=r),
    ),
    "remedy_done": (
        lambda w: _remedy(w, _programme(w)),
        lambda w, c, r: discipline_services.remedy_done(
            remedy=c, done_on=dt.date(CLOSED, 6, 20), change_reason=r, by=w.inspector
        ),
    ),
}


def _with(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


@pytest.mark.parametrize("path", PATHS)
def test_a_change_to_a_closed_year_needs_a_reason_and_is_logged_before_after(w, path):
    """Issue 14 ("chốt số liệu năm"): refused without a reason — the error names the closed year, on the
    ``change_reason`` field — and, with one, done and logged for 2021 with its reason, who, and the record
    before → after."""
    setup, change = PATHS[path]
    ctx = setup(w)
    _close(w)
    with pytest.raises(ValidationError) as refused:
        change(w, ctx, "")
    assert "change_reason" in refused.value.message_dict
    assert f"năm đã chốt ({CLOSED}" in refused.value.message_dict["change_reason"][0]
    assert not ClosedYearChange.objects.exists()
    if hasattr(ctx, "refresh_from_db"):
        ctx.refresh_from_db()
    change(w, ctx, REASON)
    logged = list(ClosedYearChange.objects.filter(year=CLOSED))
    assert logged, "the change is logged for the closed year"
    assert all(c.reason == REASON and c.by_id in (w.staff.pk, w.inspector.pk) for c in logged)
    assert all(c.after for c in logged), "the log says what the record became"


def test_an_open_year_needs_no_reason(w):
    """The same changes in a year nobody closed are made as before, and nothing is logged."""
    member = _full_member(w)
    member_services.member_end(
        member=member, kind=EventKind.DIED, effective_on=dt.date(CLOSED, 7, 1), by=w.staff
    )
    _meeting(w)
    assert not ClosedYearChange.objects.exists()


def test_a_correction_that_leaves_the_closed_figures_alone_needs_no_reason(w):
    """Accepting a submitted report of a closed year (it counts already, submitted or accepted), a draft saved,
    a member's personal details corrected: no figure of 2021 moves, no reason is asked."""
    report = _submitted_report(w)
    member = _full_member(w)
    _close(w)
    before = dash.build_dashboard(CLOSED).as_json()["indicators"]
    report_services.report_accept(report=report, by=w.staff)
    member_services.member_update(
        member=member, full_name="Nguyễn Văn Đổi Tên", birth_date=member.birth_date, gender=member.gender,
        cell=None, card_number="", by=w.staff,
    )  # fmt: skip
    assert dash.build_dashboard(CLOSED).as_json()["indicators"] == before
    assert not ClosedYearChange.objects.exists()


def test_the_logged_before_after_names_the_old_and_the_new_record(w):
    """An organisation's 2021 rating changed after closing: the log keeps "HTTNV → HTXSNV"-like words."""
    record = org_services.organization_year_save(
        record=OrganizationYear(organization=w.org, year=CLOSED, party_rating=Rating.HTTNV), by=w.staff
    )
    _close(w)
    record.party_rating = Rating.HTNV
    org_services.organization_year_save(record=record, change_reason=REASON, by=w.staff)
    change = ClosedYearChange.objects.get()
    assert Rating.HTTNV.label in change.before and Rating.HTNV.label in change.after


# --- the pages -----------------------------------------------------------------------------------------------


def test_the_member_page_asks_for_the_reason_only_when_the_change_touches_a_closed_year(w, client_for):
    """Recording a death dated 2021 after 2021 is closed: the form has no reason field until the service asks;
    then it appears with the error beside it, and the second submission with a reason is saved."""
    member = _full_member(w)
    _close(w)
    client = client_for(w.staff)
    url = reverse("members:member_action", kwargs={"pk": member.pk, "action": "died"})
    page = client.get(url).content.decode()
    assert 'name="change_reason"' not in page
    data = {"effective_on": "01/07/2021", "decided_on": "", "decision_no": "", "note": ""}
    asked = client.post(url, data)
    body = asked.content.decode()
    assert asked.status_code == 200 and 'name="change_reason"' in body
    assert "hãy ghi lý do điều chỉnh" in asked.context["form"].errors["change_reason"][0]
    member.refresh_from_db()
    assert member.status != MemberStatus.TU_TRAN
    done = client.post(url, {**data, "change_reason": REASON})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.TU_TRAN
    assert ClosedYearChange.objects.get().reason == REASON


def test_a_2022_event_on_the_same_page_is_not_asked_for_a_reason(w, client_for):
    member = _full_member(w)
    _close(w)
    url = reverse("members:member_action", kwargs={"pk": member.pk, "action": "died"})
    done = client_for(w.staff).post(url, {"effective_on": "01/07/2022", "decided_on": "", "note": ""})
    assert done.status_code == 302 and not ClosedYearChange.objects.exists()


def test_the_report_confirm_page_of_a_closed_year_shows_the_reason_field(w, client_for):
    """Submitting a January 2021 report after 2021 is closed: the confirm page explains and asks why; without a
    reason the error is beside the field and nothing is sent; with one the report is submitted and logged."""
    report = _draft_report(w)
    _close(w)
    client = client_for(w.staff)
    url = reverse("reports:report_confirm", kwargs={"pk": report.pk})
    page = client.get(url).content.decode()
    assert 'name="change_reason"' in page and "Số liệu năm 2021 đã chốt" in page
    refused = client.post(url, {"revision": report.revision})
    assert refused.status_code == 200 and "hãy ghi lý do điều chỉnh" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert client.post(url, {"revision": report.revision, "change_reason": REASON}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and ClosedYearChange.objects.get().reason == REASON


def test_the_report_confirm_page_of_an_open_year_has_no_reason_field(w, client_for):
    report = _draft_report(w)
    page = (
        client_for(w.staff).get(reverse("reports:report_confirm", kwargs={"pk": report.pk})).content.decode()
    )
    assert 'name="change_reason"' not in page


def test_withdrawing_a_closed_years_meeting_asks_why_on_the_meeting_page(w, client_for):
    meeting = _meeting(w)
    _close(w)
    client = client_for(w.staff)
    url = reverse("members:meeting_edit", kwargs={"pk": meeting.pk})
    assert 'id="id_withdraw_change_reason"' in client.get(url).content.decode()
    refused = client.post(url, {"action": "withdraw"})
    assert refused.status_code == 200 and "hãy ghi lý do điều chỉnh" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.COMPLETED
    assert client.post(url, {"action": "withdraw", "change_reason": REASON}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.WITHDRAWN


# --- the dashboard's JSON ---------------------------------------------------------------------------------------


def test_the_json_of_a_closed_year_carries_the_adjusted_figures_before_after_and_reasons(w, client_for):
    """Issue 14: the dashboard of a closed year shows "đã điều chỉnh sau khi chốt" with the value at closing and
    now, and the reasons; its JSON (``data.json``) says the same: 1 admission at closing, 2 now."""
    mf.member(w.org, ceremony_on=dt.date(CLOSED, 3, 10), by=w.staff)
    target_services.year_close(year=CLOSED, by=w.staff, today=dt.date(2022, 2, 1))
    client = client_for(w.staff)
    url = f"{reverse('dashboard:data_json')}?year={CLOSED}"
    before = json.loads(client.get(url).content)
    assert before["closing"]["closed"] is True and before["closing"]["adjusted"] == []
    admissions = next(i for i in before["indicators"] if i["code"] == "admissions")
    assert admissions["value"] == 1 and "adjusted" not in admissions

    mf.member(w.org, ceremony_on=dt.date(CLOSED, 9, 10), by=w.staff, change_reason=REASON)
    data = json.loads(client.get(url).content)
    admissions = next(i for i in data["indicators"] if i["code"] == "admissions")
    assert admissions["value"] == 2 and admissions["adjusted"] is True
    assert admissions["adjusted_label"] == "đã điều chỉnh sau khi chốt"
    assert admissions["closed_value"]["value"] == 1
    assert admissions["adjusted_text"] == "khi chốt: 1 → nay: 2"
    assert "admissions" in data["closing"]["adjusted"]
    (change,) = data["closing"]["changes"]
    assert change["reason"] == REASON and change["after"].startswith("Kết nạp 10/09/2021")
    page = client.get(reverse("dashboard:dashboard"), {"year": CLOSED}).content.decode()
    assert "khi chốt: 1 → nay: 2" in page and REASON in page
    # The banner says the page shows today's figures, marked where they moved — not "the figures at closing".
    assert "trang này hiển thị số liệu hiện nay" in page and "đúng như khi chốt" not in page


def test_the_json_of_an_open_year_says_nothing_of_closing(w, client_for):
    data = json.loads(client_for(w.staff).get(reverse("dashboard:data_json"), {"year": CLOSED}).content)
    assert "closing" not in data


def test_the_organisation_import_touching_a_closed_year_asks_why_in_its_preview(w, client_for):
    """An organisation imported as in the Bloc from 01/07/2021 after 2021 is closed: the preview says the file
    touches 2021; the confirmation without a reason imports nothing and puts the error beside the reason; with
    one the organisation is added and the change logged."""
    book = openpyxl.Workbook()
    book.active.append(["Mã", "Tên tổ chức", "Loại hình", "Loại đơn vị", "Ngày trực thuộc"])
    book.active.append(
        ["80", "Chi bộ Công ty Mới", "Chi bộ cơ sở", "Doanh nghiệp ngoài nhà nước", "01/07/2021"]
    )
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "ds.xlsx"
    _close(w)
    client = client_for(w.staff)
    url = reverse("organizations:organization_import")
    preview = client.post(url, {"file": upload})
    assert "chạm đến số liệu năm đã chốt: 2021" in preview.content.decode()
    token = preview.context["token"]
    refused = client.post(url, {"confirm": "1", "token": token})
    assert refused.status_code == 200 and "hãy ghi lý do điều chỉnh" in refused.content.decode()
    assert not Organization.objects.filter(code="80").exists()
    assert client.post(url, {"confirm": "1", "token": token, "change_reason": REASON}).status_code == 302
    assert Organization.objects.filter(code="80").exists()
    assert ClosedYearChange.objects.filter(year=CLOSED, reason=REASON).exists()


def test_the_organisation_form_shows_the_reason_only_when_a_date_moves_across_a_closed_year(w, client_for):
    """The organisation's edit form no longer carries an empty reason box: renaming it asks nothing; moving its
    join date into 2021 after 2021 is closed brings the field with the error beside it; with a reason it saves."""
    _close(w)
    client = client_for(w.staff)
    url = reverse("organizations:organization_edit", args=[w.org.pk])
    assert 'name="change_reason"' not in client.get(url).content.decode()
    data = {"code": w.org.code, "name": "Đảng bộ đổi tên", "kind": w.org.kind, "unit_type": w.org.unit_type}
    assert client.post(url, {**data, "joined_on": "01/01/2000"}).status_code == 302
    asked = client.post(url, {**data, "joined_on": "01/03/2021"})
    assert asked.status_code == 200 and 'name="change_reason"' in asked.content.decode()
    assert "hãy ghi lý do điều chỉnh" in asked.context["form"].errors["change_reason"][0]
    w.org.refresh_from_db()
    assert w.org.joined_on == dt.date(2000, 1, 1)
    assert client.post(url, {**data, "joined_on": "01/03/2021", "change_reason": REASON}).status_code == 302
    w.org.refresh_from_db()
    assert w.org.joined_on == dt.date(2021, 3, 1)
    change = ClosedYearChange.objects.get()
    assert "01/01/2000" in change.before and "01/03/2021" in change.after and change.reason == REASON
