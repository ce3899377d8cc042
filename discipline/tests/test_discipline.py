"""The discipline and inspection registers: who records and who reads, the expulsion's exit event, appeals,
overdue remedies, and discipline capping the ratings (HD 21-HD/BTCTW 2019 §II.B; QĐ 366-QĐ/TW 2025 Art. 11.1)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from discipline import services
from discipline.models import DecidingBody, Discipline, DisciplineStatus, Remedy, Violation
from members import services as member_services
from members.models import EventKind, MemberRating, MemberStatus
from members.tests import factories as f
from organizations import services as org_services
from organizations.models import Cell, OrganizationYear, Rating
from organizations.rating_rules import rating_evidence
from organizations.tests.factories import OrganizationFactory, inspection_user, secretary_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = dt.date(2026, 3, 10)
    monkeypatch.setattr(member_services, "_today", lambda: day)
    return day


@pytest.fixture
def inspector(db):
    return inspection_user("kiemtra")


def discipline(member=None, *, by, form="khien_trach", on=dt.date(2021, 5, 4), organization=None, **extra):
    return services.discipline_record(
        subject=extra.pop("subject", "member"),
        member=member,
        organization=organization or member.organization,
        form=form,
        deciding_body=DecidingBody.UBKT_DANG_UY_KHOI,
        decision_no=extra.pop("decision_no", f"{on:%d%m}-QĐ/UBKTĐUK"),
        decided_on=on,
        effective_on=on,
        violation=Violation.SINH_HOAT,
        summary="Vi phạm quy định sinh hoạt đảng.",
        by=by,
        **extra,
    )


def test_a_member_disciplined_in_2021_cannot_be_rated_httnv_for_2021(org_a, inspector):
    """HD 21-HD/BTCTW 2019 §II.B ("Không hoàn thành nhiệm vụ": a member disciplined in the year, one violation
    counted once): only KHTNV for 2021 — one form, the bulk form and the page all refuse, with the reason."""
    member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    discipline(member, by=inspector, on=dt.date(2021, 12, 31))  # the last day of the year still counts
    for grade in (Rating.HTTNV, Rating.HTXSNV, Rating.HTNV):
        with pytest.raises(ValidationError, match="Hướng dẫn 21-HD/BTCTW 2019, Mục II.B"):
            member_services.member_rate(member=member, year=2021, grade=grade)
        with pytest.raises(ValidationError, match="chỉ được xếp loại “Không hoàn thành nhiệm vụ”"):
            member_services.member_ratings_save(organization=org_a, year=2021, grades={member: grade})
    assert not MemberRating.objects.filter(member=member).exists()
    member_services.member_rate(member=member, year=2021, grade=Rating.KHTNV)
    member_services.member_rate(member=member, year=2022, grade=Rating.HTTNV)  # counted once, in 2021 only
    member_services.member_rate(member=member, year=2020, grade=Rating.HTTNV)


def test_a_discipline_of_1_january_counts_in_its_own_year_not_the_one_before(org_a, inspector):
    member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    discipline(member, by=inspector, on=dt.date(2022, 1, 1))
    member_services.member_rate(member=member, year=2021, grade=Rating.HTTNV)
    with pytest.raises(ValidationError):
        member_services.member_rate(member=member, year=2022, grade=Rating.HTTNV)


def test_the_bulk_rating_page_offers_only_khtnv_and_says_why(client_for, secretary_a, org_a, inspector):
    member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    discipline(member, by=inspector)
    client = client_for(secretary_a)
    url = reverse("members:rating_bulk", kwargs={"organization": org_a.pk}) + "?year=2021"
    page = client.get(url).content.decode()
    assert "Bị kỷ luật khiển trách" in page and "HD 21-HD/BTCTW, mục II.B" in page
    response = client.post(url, {f"m{member.pk}": Rating.HTTNV})
    assert response.status_code == 200 and "Lựa chọn không hợp lệ" in response.content.decode()
    assert not MemberRating.objects.exists()


def test_an_annulled_discipline_no_longer_caps_and_a_changed_one_still_counts_once(org_a, inspector):
    member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    d = discipline(member, by=inspector, form="canh_cao")
    appeal = services.appeal_lodge(
        discipline=d, lodged_on=dt.date(2021, 6, 1), summary="Xin xem xét.", by=inspector
    )
    services.appeal_settle(
        appeal=appeal, outcome="changed", new_form="khien_trach", outcome_decision_no="9-QĐ/UBKT",
        settled_on=dt.date(2021, 7, 1), by=inspector,
    )  # fmt: skip
    d.refresh_from_db()
    assert d.status == DisciplineStatus.CHANGED
    assert list(member.disciplines.counting_in(2021).values_list("form", flat=True)) == ["khien_trach"]
    replacement = member.disciplines.get(form="khien_trach")
    appeal = services.appeal_lodge(
        discipline=replacement, lodged_on=dt.date(2021, 8, 1), summary="Lần 2.", by=inspector
    )
    services.appeal_settle(
        appeal=appeal,
        outcome="annulled",
        outcome_decision_no="12-QĐ/UBKT",
        settled_on=dt.date(2021, 9, 1),
        by=inspector,
    )
    member_services.member_rate(member=member, year=2021, grade=Rating.HTTNV)


def test_an_expulsion_writes_the_members_exit_event_with_the_decision(org_a, inspector):
    """Điều lệ Đảng Art. 35 (khai trừ): the member leaves the roll; the event carries the decision."""
    member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    d = discipline(member, by=inspector, form="khai_tru", on=dt.date(2025, 11, 3), decision_no="45-QĐ/ĐUK")
    member.refresh_from_db()
    assert member.status == MemberStatus.KHAI_TRU
    event = d.exit_event
    assert (event.kind, event.decision_no, event.decided_on) == (
        EventKind.EXPELLED,
        "45-QĐ/ĐUK",
        dt.date(2025, 11, 3),
    )
    with pytest.raises(ValidationError, match="không còn trong danh sách"):
        discipline(member, by=inspector, on=dt.date(2025, 12, 1))


def test_only_the_inspection_commission_records(org_a, staff, secretary_a):
    member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    for user in (staff, secretary_a):
        with pytest.raises(PermissionDenied):
            discipline(member, by=user)
    assert not Discipline.objects.exists()


def test_a_form_that_does_not_fit_the_subject_is_refused(org_a, inspector):
    """Điều lệ Đảng Art. 35: giải tán is for an organisation, khai trừ for a member."""
    member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    with pytest.raises(ValidationError):
        discipline(member, by=inspector, form="giai_tan")
    with pytest.raises(ValidationError):
        discipline(by=inspector, organization=org_a, subject="organization", form="khai_tru")


def test_bithu05_cannot_see_organisation_06s_disciplines(client_for, inspector):
    """A TCCSĐ's secretary reads their own organisation's disciplines and inspections; another's answer 404."""
    o5, o6 = OrganizationFactory(code="05"), OrganizationFactory(code="06")
    bithu05 = secretary_user(o5, username="bithu05")
    own = discipline(f.member(o5, ceremony_on=dt.date(2015, 3, 1), full=True), by=inspector)
    theirs = discipline(
        f.member(o6, ceremony_on=dt.date(2015, 3, 1), full=True), by=inspector, decision_no="2"
    )
    programme = services.programme_save(
        programme=None, year=2021, kind="kiem_tra", title="Kiểm tra 06", in_plan=True, decision_no="",
        starts_on=dt.date(2021, 3, 1), ends_on=dt.date(2021, 3, 30), organizations=[o6], by=inspector,
    )  # fmt: skip
    client = client_for(bithu05)
    assert client.get(reverse("discipline:discipline_detail", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("discipline:discipline_detail", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(reverse("discipline:programme_detail", kwargs={"pk": programme.pk})).status_code == 404
    listing = client.get(reverse("discipline:discipline_list")).content.decode()
    assert own.decision_no in listing and theirs.member.full_name not in listing
    assert "Kiểm tra 06" not in client.get(reverse("discipline:programme_list")).content.decode()


def test_remedies_are_overdue_the_day_after_their_deadline(org_a, inspector):
    programme = services.programme_save(
        programme=None, year=2021, kind="giam_sat", title="Giám sát chuyên đề", in_plan=True, decision_no="",
        starts_on=dt.date(2021, 3, 1), ends_on=dt.date(2021, 3, 30), organizations=[org_a], by=inspector,
    )  # fmt: skip
    remedy = services.remedy_add(
        programme=programme, organization=org_a, requirement="Bổ sung sổ sách.", deadline=dt.date(2021, 6, 30),
        by=inspector,
    )  # fmt: skip
    assert not Remedy.objects.overdue_on(dt.date(2021, 6, 30)).exists()
    assert list(Remedy.objects.overdue_on(dt.date(2021, 7, 1))) == [remedy]
    services.remedy_done(remedy=remedy, done_on=dt.date(2021, 7, 5), by=inspector)
    assert not Remedy.objects.overdue_on(dt.date(2021, 7, 6)).exists()


def _org_year(org, year, grade):
    return org_services.organization_year_save(
        record=OrganizationYear(organization=org, year=year, party_rating=grade)
    )


def test_a_leadership_member_warned_caps_the_organisation_a_reprimand_does_not(org_a, inspector):
    """HD 21-HD/BTCTW 2019 §II.B (collective KHTNV): a member of the leadership disciplined at cảnh cáo or above
    in the year. A khiển trách does not reach it."""
    leader_member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    discipline(leader_member, by=inspector, form="khien_trach", is_leadership=True)
    _org_year(org_a, 2021, Rating.HTTNV)
    other = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    discipline(other, by=inspector, form="canh_cao", is_leadership=True, on=dt.date(2022, 4, 1))
    with pytest.raises(ValidationError, match="Cấp ủy viên"):
        _org_year(org_a, 2022, Rating.HTTNV)
    _org_year(org_a, 2022, Rating.KHTNV)


def test_an_organisation_disciplined_in_the_year_is_rated_khtnv(org_a, inspector):
    discipline(by=inspector, organization=org_a, subject="organization", form="khien_trach")
    with pytest.raises(ValidationError, match="Tổ chức bị kỷ luật"):
        _org_year(org_a, 2021, Rating.HTNV)


def test_from_2025_a_disciplined_cell_forbids_htxsnv(org_a, inspector):
    """QĐ 366-QĐ/TW 2025 Art. 11.1: a collective rated HTXSNV has no subordinate unit disciplined (2025 on)."""
    cell = Cell.objects.create(organization=org_a, name="Chi bộ Văn phòng")
    discipline(by=inspector, organization=org_a, subject="cell", cell=cell, on=dt.date(2025, 5, 5))
    evidence = rating_evidence(org_a, 2025)
    assert evidence.discipline_checked and any(
        "Quy định 366-QĐ/TW, Điều 11.1" in p for p in evidence.problems
    )
    assert "Chi bộ Văn phòng" in evidence.disciplines[0]


def test_the_year_chooses_the_text_a_disciplined_cell_weighs_from_2023_not_in_2022(org_a, inspector):
    """The year of the rating chooses the text: 2022 HD 21-HD/BTCTW 2019 (no such clause); 2023 and 2024
    QĐ 124-QĐ/TW 2023 Art. 12 (a collective rated HTXSNV has no subordinate organisation or member of its
    leadership disciplined); 2025 on QĐ 366-QĐ/TW 2025 Art. 11.1 (the same)."""
    cell = Cell.objects.create(organization=org_a, name="Chi bộ Kế toán")
    for year in (2022, 2023, 2024):
        discipline(by=inspector, organization=org_a, subject="cell", cell=cell, on=dt.date(year, 12, 31))
    assert rating_evidence(org_a, 2022).problems == []
    assert rating_evidence(org_a, 2022).text == "Hướng dẫn 21-HD/BTCTW 2019"
    for year in (2023, 2024):
        evidence = rating_evidence(org_a, year)
        assert evidence.text == "Quy định 124-QĐ/TW 2023"
        assert [p for p in evidence.problems if "Chi bộ Kế toán" in p and "Quy định 124-QĐ/TW, Điều 12" in p]
    with pytest.raises(ValidationError, match="Quy định 124-QĐ/TW, Điều 12"):
        _org_year(org_a, 2023, Rating.HTXSNV)
    _org_year(org_a, 2022, Rating.HTXSNV)  # HD 21: nothing rated beneath it, no discipline clause


def test_the_commission_records_a_discipline_through_its_page(client_for, org_a, inspector, staff):
    member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
    url = reverse("discipline:discipline_create") + f"?organization={org_a.pk}"
    data = {
        "organization": org_a.pk, "subject": "member", "member": member.pk, "form": "canh_cao",
        "deciding_body": DecidingBody.UBKT_DANG_UY_KHOI, "decision_no": "3-QĐ/UBKT", "decided_on": "04/03/2026",
        "effective_on": "04/03/2026", "violation": Violation.KHAC, "summary": "Vi phạm.",
    }  # fmt: skip
    assert client_for(staff).post(url, data).status_code == 403  # staff read the register, never write it
    response = client_for(inspector).post(url, data)
    d = Discipline.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "discipline:discipline_detail", args=[d.pk]
    )
    assert (d.member, d.form, d.decided_on) == (member, "canh_cao", dt.date(2026, 3, 4))


def test_the_registers_read_the_same_number_of_queries_for_2_or_12_entries(client_for, org_a, inspector):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(inspector)

    def queries(name):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for i in range(n):
            member = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)
            discipline(member, by=inspector, decision_no=f"{i}-{n}")
            services.programme_save(
                programme=None, year=2021, kind="kiem_tra", title=f"Kiểm tra {i}-{n}", in_plan=True,
                decision_no="", starts_on=dt.date(2021, 3, 1), ends_on=dt.date(2021, 3, 30), organizations=[org_a],
                by=inspector,
            )  # fmt: skip

    add(2)
    few = (queries("discipline:discipline_list"), queries("discipline:programme_list"))
    add(10)
    assert (queries("discipline:discipline_list"), queries("discipline:programme_list")) == few
