"""No edit silently overwrites another (core/concurrency.py).

For every edit form: two people open it; A saves a change; B, who opened it before A saved, saves another
change. B's save answers 409: nothing of B's is written, A's change is still there, B's page keeps what B typed
and shows what A changed ("when you opened the page → now"); B saving again from that page, having seen it, is
a deliberate change and goes through. Without the check B's save silently reverted A's change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from discipline.models import InspectionProgramme
from members.models import CellMeeting, DuesLine, MeetingCriterion, MemberDues, MemberRating
from members.tests.factories import dues_settings
from organizations.models import BlocYear, Cell, Officer, Organization, OrganizationYear
from reports.models import ReportingSchedule, Resolution
from targets.models import Target
from tests.permission_matrix import build_world

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The values a browser would send for the page's POST form that carries ``edit_version``."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._fields = None
        self._select = None
        self._first_option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._fields = {}
        if self._fields is None:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._fields[name] = a.get("value") or "on"
            else:
                self._fields[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._fields[name] = ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value") or ""
            if "selected" in a:
                self._fields[self._select] = a.get("value") or ""

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data.lstrip("\n") if not self._fields[self._textarea] else data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            self._fields.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "form" and self._fields is not None:
            self.forms.append(self._fields)
            self._fields = None


def _open(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = _Form()
    page.feed(response.content.decode())
    forms = [f for f in page.forms if "edit_version" in f]
    assert len(forms) <= 1, f"{url}: {len(forms)} forms carry edit_version"
    return forms[0] if forms else max(page.forms, key=len)  # the edit form: the page's widest POST form


@dataclass
class Case:
    id: str
    url: Callable  # (world) -> str
    a: str  # the role of who saves first ("staff", "secretary" or "inspector")
    b: str
    change_a: Callable  # (world) -> {field: value}
    change_b: Callable
    kept: Callable  # (world) -> bool: A's change is stored
    b_saved: Callable  # (world) -> bool: B's change is stored
    shown: str  # what the 409 page shows of A's change


def _org(w):
    return Organization.objects.get(pk=w.own["organization"].pk)


def _rating(w, year):
    return (
        MemberRating.objects.filter(member=w.own["member"], year=year).values_list("grade", flat=True).first()
    )


CASES = [
    Case(
        "organisation (staff and staff)",
        lambda w: reverse("organizations:organization_edit", args=[w.own["organization"].pk]),
        "staff", "staff",
        lambda w: {"phone": "0233 3852 111"},
        lambda w: {"address": "Số 2 Lê Lợi, Đông Hà"},
        lambda w: _org(w).phone == "0233 3852 111",
        lambda w: _org(w).address == "Số 2 Lê Lợi, Đông Hà",
        "0233 3852 111",
    ),
    Case(
        "organisation (secretary, then staff)",
        lambda w: reverse("organizations:organization_edit", args=[w.own["organization"].pk]),
        "secretary", "staff",
        lambda w: {"email": "dangbo.a1@example.vn"},
        lambda w: {"name": "Đảng bộ A1 (đổi tên)"},
        lambda w: _org(w).email == "dangbo.a1@example.vn",
        lambda w: _org(w).name == "Đảng bộ A1 (đổi tên)",
        "dangbo.a1@example.vn",
    ),
    Case(
        "member",
        lambda w: reverse("members:member_edit", args=[w.own["member"].pk]),
        "staff", "secretary",
        lambda w: {"full_name": "Nguyễn Văn Đổi Tên"},
        lambda w: {"card_number": "54.012345"},
        lambda w: w.own["member"].__class__.objects.get(pk=w.own["member"].pk).full_name == "Nguyễn Văn Đổi Tên",
        lambda w: w.own["member"].__class__.objects.get(pk=w.own["member"].pk).card_number == "54.012345",
        "Nguyễn Văn Đổi Tên",
    ),
    Case(
        "cell",
        lambda w: reverse("organizations:cell_edit", args=[w.own["organization"].pk, w.own["cell"].pk]),
        "staff", "staff",
        lambda w: {"name": "Chi bộ Văn phòng"},
        lambda w: {"name": "Chi bộ Tổng hợp"},
        lambda w: Cell.objects.get(pk=w.own["cell"].pk).name == "Chi bộ Văn phòng",
        lambda w: Cell.objects.get(pk=w.own["cell"].pk).name == "Chi bộ Tổng hợp",
        "Chi bộ Văn phòng",
    ),
    Case(
        "officer",
        lambda w: reverse("organizations:officer_add", args=[w.own["organization"].pk]),
        "staff", "staff",
        lambda w: {"user": str(w.newcomer.pk), "title": "pho_bi_thu"},
        lambda w: {"user": str(w.newcomer.pk), "title": "van_phong"},
        lambda w: Officer.objects.get(user=w.newcomer).title == "pho_bi_thu",
        lambda w: Officer.objects.get(user=w.newcomer).title == "van_phong",
        "Phó Bí thư",
    ),
    Case(
        "organisation year record",
        lambda w: reverse("organizations:year_edit", args=[w.own["organization"].pk, w.year - 1]),
        "staff", "staff",
        lambda w: {"party_rating": "HTNV"},  # HTXSNV would need its members' ratings (rating_rules)
        lambda w: {"non_member_headcount": "99"},
        lambda w: OrganizationYear.objects.get(pk=w.own["org_year"].pk).party_rating == "HTNV",
        lambda w: OrganizationYear.objects.get(pk=w.own["org_year"].pk).non_member_headcount == 99,
        "Hoàn thành nhiệm vụ",
    ),
    Case(
        "target",
        lambda w: reverse("targets:target_update", args=[w.target.pk]),
        "staff", "staff",
        lambda w: {"value": "130", "wording": "Kết nạp 130 đảng viên trở lên"},
        lambda w: {"wording": "Kết nạp từ 120 đảng viên trở lên"},
        lambda w: Target.objects.get(pk=w.target.pk).value == 130,
        lambda w: Target.objects.get(pk=w.target.pk).wording == "Kết nạp từ 120 đảng viên trở lên",
        "130",
    ),
    Case(
        "reporting schedule",
        lambda w: reverse("reports:schedule_list"),
        "staff", "staff",
        lambda w: {"month-due_days": "7"},
        lambda w: {"quarter-due_days": "12"},
        lambda w: ReportingSchedule.objects.get(kind="month").due_days == 7,
        lambda w: ReportingSchedule.objects.get(kind="quarter").due_days == 12,
        "7",
    ),
    Case(
        "member ratings (the organisation's page)",
        lambda w: reverse("members:rating_bulk", args=[w.own["organization"].pk]) + f"?year={w.year - 1}",
        "secretary", "staff",
        lambda w: {f"m{w.own['member'].pk}": "HTTNV"},
        lambda w: {f"m{w.own['member'].pk}": "HTNV"},
        lambda w: _rating(w, w.year - 1) == "HTTNV",
        lambda w: _rating(w, w.year - 1) == "HTNV",
        "Hoàn thành tốt nhiệm vụ",
    ),
    Case(
        "member rating (the member's page)",
        lambda w: reverse("members:member_rating", args=[w.own["member"].pk]),
        "secretary", "staff",
        lambda w: {"year": str(w.year - 1), "grade": "HTTNV"},
        lambda w: {"year": str(w.year - 1), "grade": "KHTNV"},
        lambda w: _rating(w, w.year - 1) == "HTTNV",
        lambda w: _rating(w, w.year - 1) == "KHTNV",
        "Hoàn thành tốt nhiệm vụ",
    ),
    Case(
        "candidate",
        lambda w: reverse("members:candidate_edit", args=[w.own["candidate"].pk]),
        "secretary", "staff",
        lambda w: {"full_name": "Trần Thị Ưu Tú"},
        lambda w: {"sponsors": "Nguyễn Văn A, Lê Thị B"},
        lambda w: w.candidate_model.objects.get(pk=w.own["candidate"].pk).full_name == "Trần Thị Ưu Tú",
        lambda w: w.candidate_model.objects.get(pk=w.own["candidate"].pk).sponsors == "Nguyễn Văn A, Lê Thị B",
        "Trần Thị Ưu Tú",
    ),
    Case(
        "the Bloc's yearly rating",
        lambda w: reverse("organizations:bloc_year_edit", args=[w.year - 1]),
        "staff", "staff",
        lambda w: {"rating": "HTTNV"},
        lambda w: {"note": "Theo Kết luận của Ban Thường vụ"},
        lambda w: BlocYear.objects.get(year=w.year - 1).rating == "HTTNV",
        lambda w: BlocYear.objects.get(year=w.year - 1).note == "Theo Kết luận của Ban Thường vụ",
        "Hoàn thành tốt nhiệm vụ",
    ),
    Case(
        "resolution",
        lambda w: reverse("reports:resolution_update", args=[w.resolution.pk]),
        "staff", "staff",
        lambda w: {"title": "Nghị quyết Đại hội XIII của Đảng"},
        lambda w: {"short_title": "NQ ĐH XIII"},
        lambda w: Resolution.objects.get(pk=w.resolution.pk).title == "Nghị quyết Đại hội XIII của Đảng",
        lambda w: Resolution.objects.get(pk=w.resolution.pk).short_title == "NQ ĐH XIII",
        "Nghị quyết Đại hội XIII của Đảng",
    ),
    Case(
        "cell meeting (a draft both secretaries complete)",
        lambda w: reverse("members:meeting_edit", args=[w.own["meeting"].pk]),
        "secretary", "staff",
        lambda w: {"topics": "Nhiệm vụ tháng 3; thu nộp đảng phí quý I"},
        lambda w: {"resolution": "Chi bộ thống nhất hoàn thành thu đảng phí trước 15/4"},
        lambda w: CellMeeting.objects.get(pk=w.own["meeting"].pk).topics == "Nhiệm vụ tháng 3; thu nộp đảng phí quý I",
        lambda w: CellMeeting.objects.get(pk=w.own["meeting"].pk).resolution.startswith("Chi bộ thống nhất"),
        "Nhiệm vụ tháng 3; thu nộp đảng phí quý I",
    ),
    Case(
        "cell meeting checklist line",
        lambda w: reverse("members:meeting_criterion_edit", args=[w.criterion.pk]),
        "staff", "staff",
        lambda w: {"text": "Chi bộ sinh hoạt đúng kỳ, đủ nội dung (đã sửa)"},
        lambda w: {"regulation": "Hướng dẫn 42-HD/BTCTW 2025, mục 2"},
        lambda w: MeetingCriterion.objects.get(pk=w.criterion.pk).text == "Chi bộ sinh hoạt đúng kỳ, đủ nội dung (đã sửa)",
        lambda w: MeetingCriterion.objects.get(pk=w.criterion.pk).regulation == "Hướng dẫn 42-HD/BTCTW 2025, mục 2",
        "Chi bộ sinh hoạt đúng kỳ, đủ nội dung (đã sửa)",
    ),
    Case(
        "inspection programme",
        lambda w: reverse("discipline:programme_edit", args=[w.own["programme"].pk]),
        "inspector", "inspector",
        lambda w: {"title": "Kiểm tra việc thu, nộp, quản lý đảng phí"},
        lambda w: {"decision_no": "15-QĐ/UBKT"},
        lambda w: InspectionProgramme.objects.get(pk=w.own["programme"].pk).title == "Kiểm tra việc thu, nộp, quản lý đảng phí",
        lambda w: InspectionProgramme.objects.get(pk=w.own["programme"].pk).decision_no == "15-QĐ/UBKT",
        "Kiểm tra việc thu, nộp, quản lý đảng phí",
    ),
    Case(
        "dues month sheet",
        lambda w: reverse("members:dues_month", kwargs={"organization": w.own["organization"].pk}) + f"?month={w.year - 1}-11",
        "staff", "secretary",
        lambda w: {f"s{w.own['member'].pk}": "paid", f"a{w.own['member'].pk}": "50000"},
        lambda w: {f"s{w.own['discipline'].member_id}": "unpaid"},
        lambda w: DuesLine.objects.filter(member=w.own["member"], status="paid", amount_paid=50000).exists(),
        lambda w: DuesLine.objects.filter(member_id=w.own["discipline"].member_id, status="unpaid").exists(),
        "50.000",
    ),
    Case(
        "member dues base",
        lambda w: reverse("members:member_dues", args=[w.own["member"].pk]),
        "staff", "secretary",
        lambda w: {"income_base": "12000000"},
        lambda w: {"category": "huu_tri"},
        lambda w: MemberDues.objects.filter(member=w.own["member"], income_base=12_000_000).exists(),
        lambda w: MemberDues.objects.filter(member=w.own["member"], category="huu_tri").exists(),
        "12.000.000",
    ),
]  # fmt: skip


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dues_settings()  # the rates and shares the migration seeds (a transactional test elsewhere may flush them)
    w = build_world()
    w.newcomer = get_user_model().objects.create_user(username="canbo_moi", password="x")
    return w


def _client(world, role):
    client = Client()
    client.force_login({"staff": world.staff, "inspector": world.inspector}.get(role, world.secretary))
    return client


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_concurrent_edit_is_refused_with_both_changes_shown(world, case):
    url = case.url(world)
    a, b = _client(world, case.a), _client(world, case.b)
    form_a, form_b = _open(a, url), _open(b, url)  # both open the page before either saves

    saved = a.post(url, {**form_a, **case.change_a(world)})
    assert saved.status_code == 302, saved.content.decode()[-1500:]
    assert case.kept(world)

    refused = b.post(url, {**form_b, **case.change_b(world)})
    body = refused.content.decode()
    assert refused.status_code == 409, body[-1500:]
    assert case.kept(world) and not case.b_saved(world)  # A's change stands, nothing of B's was written
    assert 'id="edit-conflict"' in body and case.shown in body  # what A changed is shown
    for value in case.change_b(world).values():
        assert f'value="{value}"' in body or f">{value}<" in body or "selected" in body  # B's input is kept

    # B, having seen A's change, saves the page the 409 gave as it is: B's change is saved, and A's too stands
    # where B had left the field as found (the page shows what is stored now there); where both changed the same
    # field, B's value — re-read and saved again — wins deliberately.
    page = _Form()
    page.feed(body)
    again = max(page.forms, key=len)
    assert b.post(url, again).status_code == 302
    assert case.b_saved(world)
    if not set(case.change_a(world)) & set(case.change_b(world)):
        assert case.kept(world), "A's change was reverted by B's second save"


def test_an_edit_without_concurrent_change_saves_at_once(world):
    client = _client(world, "staff")
    url = reverse("organizations:organization_edit", args=[world.own["organization"].pk])
    form = _open(client, url)
    assert client.post(url, {**form, "phone": "0233 1"}).status_code == 302
    # A form refused for its own errors keeps the version it was opened with: a change made meanwhile is caught.
    bad = client.post(url, {**form, "joined_on": "31/02/2021"})
    assert bad.status_code == 200 and "edit-conflict" not in bad.content.decode()


def test_a_garbled_version_is_refused_not_trusted(world):
    client = _client(world, "staff")
    url = reverse("members:member_edit", args=[world.own["member"].pk])
    form = _open(client, url)
    response = client.post(url, {**form, "edit_version": "garbage", "full_name": "Tên Bị Ghi Đè"})
    assert response.status_code == 409
    assert world.own["member"].__class__.objects.get(pk=world.own["member"].pk).full_name != "Tên Bị Ghi Đè"


def test_the_conflict_names_who_changed_it_and_when(world):
    url = reverse("members:member_edit", args=[world.own["member"].pk])
    a, b = _client(world, "staff"), _client(world, "secretary")
    form_a, form_b = _open(a, url), _open(b, url)
    a.post(url, {**form_a, "full_name": "Phạm Văn Mới"})
    body = b.post(url, {**form_b, "card_number": "1"}).content.decode()
    assert world.staff.username in body or (world.staff.get_full_name() or "@@") in body
    assert f"ngày {dt.date.today():%d/%m/%Y}" in body
