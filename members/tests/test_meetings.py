"""Cell meetings: who records them, the rules of missed months and quarters and of absences, the figures the
report takes from them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from members import meetings
from members.models import CellMeeting, MeetingCriterion, MeetingStatus
from members.tests import factories as f
from organizations.models import Cell, Kind
from organizations.tests.factories import (
    OrganizationFactory,
    cell_secretary_user,
    leader_user,
    secretary_user,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    org = OrganizationFactory(code="05", name="Đảng bộ Sở Xây dựng")
    cb1 = Cell.objects.create(organization=org, name="Chi bộ 1")
    cb2 = Cell.objects.create(organization=org, name="Chi bộ 2")
    members = [f.member(org, name=f"Đảng viên {i}", cell=cb1) for i in range(3)]
    other = f.member(org, name="Đảng viên chi bộ 2", cell=cb2)
    base = OrganizationFactory(code="09", name="Chi bộ Công ty", kind=Kind.CHI_BO_CO_SO)
    base_members = [f.member(base, name=f"Đảng viên CB {i}") for i in range(2)]
    return {
        "org": org, "cb1": cb1, "cb2": cb2, "members": members, "other": other, "base": base,
        "base_members": base_members, "staff": staff_user(), "cell_sec": cell_secretary_user(cb1),
        "secretary": secretary_user(org), "base_secretary": secretary_user(base),
    }  # fmt: skip


def test_three_months_without_reason_in_a_year_flags_the_member(w):
    """Điều lệ Đảng Art. 8.1: absent without good reason in three months of a year — not necessarily in a row —
    flags the member; two absences in one month are one month; excused absences and drafts do not count."""
    org, cell, (a, b, _c) = w["org"], w["cb1"], w["members"]
    by = w["cell_sec"]
    f.meeting(org, cell, held_on=dt.date(2021, 1, 8), by=by, absent=[a])
    f.meeting(org, cell, held_on=dt.date(2021, 1, 22), by=by, kind="chuyen_de", absent=[a])
    f.meeting(org, cell, held_on=dt.date(2021, 4, 9), by=by, absent=[a], excused=[b])
    assert meetings.absence_flags(2021, organization=org) == []
    f.meeting(org, cell, held_on=dt.date(2021, 5, 7), by=by, excused=[a, b])
    f.meeting(org, cell, held_on=dt.date(2021, 6, 4), by=by, absent=[a], complete=False)
    assert meetings.absence_flags(2021, organization=org) == []
    f.meeting(org, cell, held_on=dt.date(2021, 9, 10), by=by, absent=[a])
    flags = meetings.absence_flags(2021, organization=org)
    assert [(x.full_name, x.months) for x in flags] == [(a.full_name, [1, 4, 9])]
    # Three months of different years do not add up.
    assert meetings.absence_flags(2022, organization=org) == []
    assert meetings.member_year(a, 2021)["flagged"] and not meetings.member_year(b, 2021)["flagged"]


def test_a_month_without_the_regular_meeting_is_flagged_once_it_has_passed(w):
    """Điều lệ Đảng Art. 24: the chi bộ meets once a month; a thematic meeting does not replace it, one held
    in the same session as the regular one (kết hợp) counts as both; a quarter needs a thematic meeting."""
    org, cell, by = w["org"], w["cb1"], w["secretary"]
    f.meeting(org, cell, held_on=dt.date(2021, 1, 15), by=by)
    f.meeting(org, cell, held_on=dt.date(2021, 2, 20), by=by, kind="chuyen_de")
    f.meeting(org, cell, held_on=dt.date(2021, 3, 5), by=by, kind="ket_hop")
    on_last_day = meetings.unit_year(org, cell, 2021, dt.date(2021, 2, 28))
    assert on_last_day.missing_months == [] and on_last_day.month_state(2) == "open"
    after = meetings.unit_year(org, cell, 2021, dt.date(2021, 3, 1))
    assert after.missing_months == [2]
    quarter_end = meetings.unit_year(org, cell, 2021, dt.date(2021, 4, 1))
    assert quarter_end.missing_months == [2] and quarter_end.missing_quarters == []
    assert quarter_end.thematic == 2 and not quarter_end.met_every_month
    later = meetings.unit_year(org, cell, 2021, dt.date(2021, 7, 1))
    assert later.missing_months == [2, 4, 5, 6] and later.missing_quarters == [2]


def test_a_chi_bo_co_so_is_its_own_cell(w):
    """A chi bộ cơ sở meets as one cell (no cell on its meetings); a đảng bộ cơ sở's meetings are its cells'."""
    base, by = w["base"], w["base_secretary"]
    meeting = f.meeting(base, None, held_on=dt.date(2021, 3, 2), by=by, absent=[w["base_members"][0]])
    assert meeting.cell is None and meeting.attendance.count() == 2
    with pytest.raises(ValidationError):
        f.meeting(base, w["cb1"], held_on=dt.date(2021, 3, 2), by=w["staff"])
    with pytest.raises(ValidationError):
        f.meeting(w["org"], None, held_on=dt.date(2021, 3, 2), by=w["staff"])
    assert [u.cell_id for u in meetings.units_of([base, w["org"]])] == [w["cb1"].pk, w["cb2"].pk, None]


def test_who_records_a_cells_meetings(w):
    """The cell's secretary records their cell only (another cell: not found); the organisation's secretary any
    of its cells; leadership reads only; another organisation's secretary finds nothing."""
    org, cb1, cb2 = w["org"], w["cb1"], w["cb2"]
    f.meeting(org, cb1, held_on=dt.date(2021, 3, 2), by=w["cell_sec"])
    with pytest.raises(Http404):
        f.meeting(org, cb2, held_on=dt.date(2021, 3, 2), by=w["cell_sec"])
    f.meeting(org, cb2, held_on=dt.date(2021, 3, 2), by=w["secretary"])
    with pytest.raises(PermissionDenied):
        f.meeting(org, cb1, held_on=dt.date(2021, 3, 3), by=leader_user())
    with pytest.raises(Http404):
        f.meeting(org, cb1, held_on=dt.date(2021, 3, 3), by=w["base_secretary"])


def test_completing_needs_the_times_and_topics_and_a_draft_can_be_completed_later(w):
    org, cell, by = w["org"], w["cb1"], w["cell_sec"]
    with pytest.raises(ValidationError) as error:
        f.meeting(org, cell, held_on=dt.date(2021, 3, 2), by=by, starts_at=None, topics="")
    assert {"starts_at", "topics"} <= set(error.value.error_dict)
    draft = f.meeting(org, cell, held_on=dt.date(2021, 3, 2), by=by, starts_at=None, complete=False)
    assert draft.status == MeetingStatus.DRAFT
    from members import services

    done = services.meeting_save(
        meeting=draft, organization=org, cell=cell, data={"starts_at": dt.time(8, 0)},
        attendance={w["members"][0].pk: ("unexcused", "")}, complete=True, by=by,
    )  # fmt: skip
    assert done.status == MeetingStatus.COMPLETED and done.completed_at
    assert done.attendance.get(member=w["members"][0]).presence == "unexcused"
    assert CellMeeting.objects.count() == 1 and done.history.count() == 2
    with pytest.raises(ValidationError):
        done.delete()


def test_the_reports_cell_figures_come_from_the_meetings(w):
    """Số chi bộ / số chi bộ sinh hoạt đúng định kỳ: the cells that meet, and those that met every month."""
    org, by = w["org"], w["secretary"]
    assert meetings.report_figures(org, dt.date(2021, 1, 1), dt.date(2021, 3, 31)) is None
    for month in (1, 2, 3):
        f.meeting(org, w["cb1"], held_on=dt.date(2021, month, 10), by=by)
    f.meeting(org, w["cb2"], held_on=dt.date(2021, 1, 10), by=by)
    quarter = meetings.report_figures(org, dt.date(2021, 1, 1), dt.date(2021, 3, 31))
    january = meetings.report_figures(org, dt.date(2021, 1, 1), dt.date(2021, 1, 31))
    assert quarter == {"cells_total": 2, "cell_meetings_held": 1}
    assert january == {"cells_total": 2, "cell_meetings_held": 2}


def test_staff_edit_the_years_checklist_and_the_next_meeting_form_shows_it(w, client_for):
    """The quality checklist of a cell meeting is kept per year by staff (Hướng dẫn 12-HD/BTCTW 2018, then
    42-HD/BTCTW 2025, as data): a line staff reword, one they retire and one they add show on the next meeting
    form of that year; the TCCSĐ secretary and the cell secretary may not change the list."""
    year = timezone.localdate().year
    criteria_url = reverse("members:meeting_criteria") + f"?year={year}"
    staff = client_for(w["staff"])
    assert staff.post(criteria_url, {"action": "defaults"}).status_code == 302
    first, second, *_ = MeetingCriterion.objects.filter(year=year).order_by("order", "pk")
    staff.post(
        reverse("members:meeting_criterion_edit", kwargs={"pk": first.pk}),
        {"text": "Đảng viên dự đủ, đúng giờ, phát biểu xây dựng", "regulation": "Quy định riêng của Khối",
         "order": first.order, "is_active": "on"},
    )  # fmt: skip
    staff.post(
        reverse("members:meeting_criterion_edit", kwargs={"pk": second.pk}),
        {"text": second.text, "regulation": second.regulation, "order": second.order},  # unticked: retired
    )
    added = staff.post(
        criteria_url,
        {
            "action": "add",
            "text": "Có ghi biên bản đầy đủ",
            "regulation": "HD 42",
            "order": 9,
            "is_active": "on",
        },
    )
    assert added.status_code == 302, added.content.decode()[-3000:]
    retired_text = second.text

    form = client_for(w["cell_sec"]).get(
        reverse("members:meeting_create", kwargs={"organization": w["org"].pk, "cell": w["cb1"].pk})
    )
    page = form.content.decode()
    assert form.status_code == 200
    assert "Đảng viên dự đủ, đúng giờ, phát biểu xây dựng (Quy định riêng của Khối)" in page
    assert "Có ghi biên bản đầy đủ (HD 42)" in page
    assert retired_text not in page and first.text not in page

    for user in (w["secretary"], w["cell_sec"]):
        client = client_for(user)
        edit = client.post(
            reverse("members:meeting_criterion_edit", kwargs={"pk": first.pk}),
            {"text": "Sửa trộm", "regulation": "", "order": 1, "is_active": "on"},
        )
        assert edit.status_code in (403, 404)
        added = client.post(
            criteria_url, {"action": "add", "text": "Thêm trộm", "regulation": "", "order": 1}
        )
        assert added.status_code in (403, 404)
    first.refresh_from_db()
    assert first.text == "Đảng viên dự đủ, đúng giờ, phát biểu xây dựng"
    assert not MeetingCriterion.objects.filter(text__in=["Sửa trộm", "Thêm trộm"]).exists()


@pytest.mark.parametrize("typed", ["08/01/2021", "08-01-2021", "08.01.2021", "2021-01-08"])
def test_the_checklist_is_the_year_of_the_date_as_typed_in_any_accepted_form(w, client, typed):
    """HD 12-HD/BTCTW 2018 (the meeting's quality checklist, kept per year): a meeting of January 2021 is checked
    against 2021's list however its date is typed — every form the date box accepts (dd/mm/yyyy, dd-mm-yyyy,
    dd.mm.yyyy, ISO) is read by the one date parser (``core.dates``); a second parser knew only dd/mm/yyyy and
    took this year's list, refusing 2021's criteria."""
    from django.urls import reverse

    from members import services

    services.meeting_criteria_from_guidance(year=2021, by=w["staff"])
    code = meetings.criteria_of(2021)[0].code
    client.force_login(w["cell_sec"])
    data = {
        "held_on": typed, "kind": "thuong_ky", "topics": "Nhiệm vụ tháng", "criteria_met": [code],
        **{f"presence_{m.pk}": "present" for m in w["members"]}, "action": "draft",
    }  # fmt: skip
    url = reverse("members:meeting_create", kwargs={"organization": w["org"].pk, "cell": w["cb1"].pk})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:4000]
    meeting = CellMeeting.objects.get(cell=w["cb1"])
    assert meeting.held_on == dt.date(2021, 1, 8) and meeting.criteria_met == [code]
