"""The Party's rules, each at its edges, with the text that sets it (docs/party-rules.md)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from core.imports import row_problems
from members import lifecycle, services, spreadsheets, workdays
from members.lifecycle import PartyLife, badge_round_on, previous_round
from members.models import EventKind, ExtraDayOff, Member, MemberEvent, MemberStatus
from members.selectors import badge_round, overdue_probations
from members.tests import factories as f
from organizations.models import Cell, CellKind, CellRating, Kind, OrganizationYear, Rating
from organizations.rating_rules import rating_evidence
from organizations.services import organization_year_save
from organizations.structure_rules import structure_flags
from organizations.tests.factories import OrganizationFactory, staff_user

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = D(2026, 6, 15)
    monkeypatch.setattr(services, "_today", lambda: day)
    return day


def old(org, *, decided, ceremony, **kwargs):
    """A full member admitted long ago (born 25 years before the decision)."""
    return f.member(
        org, admission_decided_on=decided, ceremony_on=ceremony, full=True,
        birth_date=D(decided.year - 25, 1, 1), **kwargs,
    )  # fmt: skip


def life(**kwargs):
    return PartyLife(**{"start": D(1990, 3, 10), "full_on": D(1991, 3, 20), **kwargs})


# --- rule 1: party age ---------------------------------------------------------------------------------------


def test_party_age_runs_from_the_admission_decision_not_the_ceremony(org_a):
    """Điều lệ Đảng Art. 5.4; QĐ 24-QĐ/TW §4.5.1: from the date of the admission decision."""
    m = old(org_a, decided=D(1996, 5, 10), ceremony=D(1996, 5, 30))
    party = PartyLife.of(m)
    assert party.reaches(30) == D(2026, 5, 10)
    assert party.age_on(D(2026, 5, 9)) == 29
    assert party.age_on(D(2026, 5, 10)) == 30  # the ceremony's anniversary (30/05) is not the day


def test_party_age_falls_back_to_the_card_date_without_a_decision(org_a):
    """HD 01-HD/TW 2021: with no decision on file, the date of admission on the party card (ngày vào Đảng)."""
    m = Member(admission_decided_on=None, ceremony_on=D(1980, 7, 1), full_member_on=D(1981, 7, 1))
    assert PartyLife.of(m, []).reaches(40) == D(2020, 7, 1)


def test_no_party_age_before_full_membership():
    """Art. 5.4: party age counts once the member is full (chính thức)."""
    probationary = life(full_on=None)
    assert probationary.age_on(D(2026, 1, 1)) is None and probationary.next_badge(D(2026, 1, 1)) is None
    assert life().age_on(D(1991, 3, 19)) is None  # the day before full membership took effect
    assert life().age_on(D(1991, 3, 20)) == 1


def test_gaps_are_left_out_of_party_age():
    """QĐ 24-QĐ/TW §4.5.1: minus the time expelled, removed, out of contact or interrupted by a transfer."""
    gapped = life(gaps=((D(2000, 1, 1), D(2000, 1, 11)),))  # 10 days
    assert gapped.reaches(30) == D(2020, 3, 20)
    assert gapped.age_on(D(2020, 3, 19)) == 29
    assert gapped.age_on(D(2020, 3, 20)) == 30
    # A gap that starts after the milestone does not move it; one still open stops it.
    assert life(gaps=((D(2021, 1, 1), D(2021, 2, 1)),)).reaches(30) == D(2020, 3, 10)
    assert life(gaps=((D(2000, 1, 1), None),)).reaches(30) is None


def test_party_age_stops_at_death(org_a):
    """QĐ 24-QĐ/TW §4.5.1 and Art. 5.4: a member who died in 2024 does not keep ageing (no 50 years in 2026,
    no 55-year badge due in 2031)."""
    m = old(org_a, decided=D(1976, 5, 20), ceremony=D(1976, 5, 30))
    services.member_end(member=m, kind=EventKind.DIED, effective_on=D(2024, 8, 1))
    party = PartyLife.of(m)
    assert party.ends_on == D(2024, 8, 1)
    assert party.age_on(D(2026, 6, 15)) == 48
    assert party.next_badge(D(2026, 6, 15)) is None
    assert party.reaches(45) == D(2021, 5, 20)


def test_expulsion_then_readmission_is_a_gap_and_an_expulsion_alone_an_exit():
    """QĐ 24-QĐ/TW §4.5.1: time expelled is outside party activity; re-admitted, the age goes on after it."""
    member = SimpleNamespace(admission_decided_on=D(1980, 1, 1), ceremony_on=D(1980, 1, 10),
                             full_member_on=D(1981, 1, 10))  # fmt: skip
    expelled = SimpleNamespace(kind=EventKind.EXPELLED, effective_on=D(1990, 1, 1), pk=1)
    back = SimpleNamespace(kind=EventKind.ADMITTED, effective_on=D(1992, 1, 1), pk=2)
    readmitted = PartyLife.of(member, [expelled, back])
    assert readmitted.gaps == ((D(1990, 1, 1), D(1992, 1, 1)),)
    assert readmitted.reaches(30) == D(2012, 1, 1)
    out = PartyLife.of(member, [expelled])
    assert out.ends_on == D(1990, 1, 1) and out.reaches(30) is None


def test_a_readmitted_member_counts_party_age_from_the_first_decision_minus_the_time_outside(org_a, today):
    """QĐ 24-QĐ/TW 2021 §3.5.1 b, §3.5.3, §3.5.4 and §4.5.2 (QĐ 29-QĐ/TW 2016 §4.5 b): re-admitted at least 36
    months after leaving, only once, through a new probation; once full again, party age runs from the first
    admission decision minus the time outside (expelled 10/03/2000 → re-admission decision 10/03/2003)."""
    m = old(org_a, decided=D(1990, 3, 10), ceremony=D(1990, 3, 20))
    services.member_end(
        member=m, kind=EventKind.EXPELLED, effective_on=D(2000, 3, 10), decision_no="5-QĐ/UBKT"
    )
    readmission = {"organization": org_a, "ceremony_on": D(2003, 3, 20), "decision_no": "7-QĐ/ĐUK"}
    with pytest.raises(ValidationError, match="Chưa đủ 36 tháng"):
        services.member_readmit(member=m, admission_decided_on=D(2003, 3, 9), **readmission)
    services.member_readmit(member=m, admission_decided_on=D(2003, 3, 10), **readmission)
    m.refresh_from_db()
    assert m.status == MemberStatus.DU_BI and m.full_member_on is None  # a new probation
    assert (m.first_admission_decided_on, m.admission_decided_on) == (D(1990, 3, 10), D(2003, 3, 10))
    assert [e.kind for e in m.events.all()].count(EventKind.ADMITTED) == 2  # the history stays
    assert PartyLife.of(m).age_on(today) is None  # not counted while probationary
    services.member_make_full(member=m, decided_on=D(2004, 3, 20))
    m.refresh_from_db()
    party = PartyLife.of(m)
    assert party.start == D(1990, 3, 10) and party.gaps == ((D(2000, 3, 10), D(2003, 3, 10)),)
    assert party.reaches(30) == D(2023, 3, 10)  # 2020-03-10 pushed 1 095 days
    assert party.age_on(today) == 33  # 36 calendar years since 1990, three of them outside
    # HD 01-HD/TW item 18: the 30-year badge list of 19/05/2023 names them (by the first decision, not the
    # re-admission's).
    assert (m, 30) in [(r.member, r.milestone) for r in badge_round(staff_user(), D(2023, 5, 19))]
    services.member_end(member=m, kind=EventKind.REMOVED, effective_on=D(2010, 1, 4), decision_no="9-QĐ")
    with pytest.raises(ValidationError, match="chỉ kết nạp lại một lần"):
        services.member_readmit(
            member=m, admission_decided_on=D(2014, 1, 6), **{**readmission, "ceremony_on": D(2014, 1, 10)}
        )


def test_only_a_person_who_left_the_party_is_readmitted_through_the_member_page(
    client_for, org_a, secretary_a, today
):
    """QĐ 24-QĐ/TW §3.5: the member page offers "Kết nạp lại" to a person removed, expelled or who left — not
    to one who died; the form records it on the same record."""
    client = client_for(secretary_a)
    died = old(org_a, decided=D(1990, 3, 10), ceremony=D(1990, 3, 20))
    services.member_end(member=died, kind=EventKind.DIED, effective_on=D(2020, 1, 6))
    assert "Kết nạp lại" not in client.get(reverse("members:member_detail", args=[died.pk])).content.decode()
    with pytest.raises(ValidationError, match="Chỉ kết nạp lại người đã ra khỏi Đảng"):
        services.member_readmit(
            member=died, organization=org_a, admission_decided_on=D(2024, 1, 5), ceremony_on=D(2024, 1, 10),
            decision_no="1-QĐ",
        )  # fmt: skip
    m = old(org_a, decided=D(2000, 3, 10), ceremony=D(2000, 3, 20))
    services.member_end(member=m, kind=EventKind.LEFT, effective_on=D(2015, 6, 1))
    url = reverse("members:member_action", args=[m.pk, "readmit"])
    assert url in client.get(reverse("members:member_detail", args=[m.pk])).content.decode()
    data = {
        "organization": org_a.pk, "admission_considered_on": "20/05/2025", "admission_decided_on": "01/06/2025",
        "decision_no": "15-QĐ/ĐUK", "ceremony_on": "10/06/2025", "note": "",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    m.refresh_from_db()
    assert m.status == MemberStatus.DU_BI and m.first_admission_decided_on == D(2000, 3, 10)
    page = client.get(reverse("members:member_detail", args=[m.pk])).content.decode()
    assert "Ngày quyết định kết nạp lần đầu" in page and "10/03/2000" in page


def test_a_reinstatement_closes_an_expulsion_without_a_gap_and_gives_back_the_status():
    """QĐ 117-QĐ/TW 2023 (phục hồi đảng tịch): an expulsion overturned on appeal never took the member out — no
    gap in party age, and the status before it comes back (probationary stays probationary); a gap in activity
    recorded before the expulsion is still a gap until it ends."""
    member = SimpleNamespace(admission_decided_on=D(1980, 1, 1), ceremony_on=D(1980, 1, 10),
                             full_member_on=D(1981, 1, 10))  # fmt: skip
    ev = lambda kind, day, pk: SimpleNamespace(kind=kind, effective_on=day, pk=pk)  # noqa: E731
    expelled, back = ev(EventKind.EXPELLED, D(1990, 1, 1), 2), ev(EventKind.REINSTATED, D(1992, 1, 1), 3)
    life = PartyLife.of(member, [ev(EventKind.ADMITTED, D(1980, 1, 10), 1), expelled, back])
    assert life.gaps == () and life.ends_on is None and life.reaches(30) == D(2010, 1, 1)
    full = ev(EventKind.FULL_MEMBER, D(1981, 1, 10), 4)
    admitted = ev(EventKind.ADMITTED, D(1980, 1, 10), 1)
    assert lifecycle.status_from_events([admitted, full, expelled, back]) == MemberStatus.CHINH_THUC
    assert lifecycle.status_from_events([admitted, expelled, back]) == MemberStatus.DU_BI
    assert lifecycle.status_from_events([admitted, expelled]) == MemberStatus.KHAI_TRU
    lost = ev(EventKind.GAP_START, D(1989, 1, 1), 5)
    with_gap = PartyLife.of(member, [admitted, lost, expelled, back, ev(EventKind.GAP_END, D(1993, 1, 1), 6)])
    assert with_gap.gaps == ((D(1989, 1, 1), D(1993, 1, 1)),)


def test_a_gap_recorded_through_the_service_moves_the_badge_and_not_the_roll(org_a, today):
    """QĐ 24-QĐ/TW §4.5.1: recorded gaps (lost contact) are events; status and roll stay as they were."""
    m = old(org_a, decided=D(1996, 7, 1), ceremony=D(1996, 7, 10))
    assert PartyLife.of(m).next_badge(today) == (30, D(2026, 7, 1))
    services.member_record_gap(
        member=m, starts_on=D(2001, 3, 1), ends_on=D(2001, 9, 1), reason="Mất liên lạc"
    )
    m.refresh_from_db()
    assert m.status == MemberStatus.CHINH_THUC
    assert PartyLife.of(m).next_badge(today) == (30, D(2027, 1, 1))  # 184 days later
    with pytest.raises(ValidationError, match="Trùng"):
        services.member_record_gap(member=m, starts_on=D(2001, 8, 1), ends_on=D(2002, 1, 1), reason="x")
    with pytest.raises(ValidationError, match="trước ngày kết nạp"):
        services.member_record_gap(member=m, starts_on=D(1996, 6, 1), ends_on=None, reason="x")


# --- rule 2: badge rounds -------------------------------------------------------------------------------------


def test_badge_rounds_are_03_02_19_05_02_09_07_11():
    """HD 01-HD/TW 2021, item 18."""
    assert badge_round_on(D(2025, 2, 3)) == D(2025, 2, 3)
    assert badge_round_on(D(2025, 2, 4)) == D(2025, 5, 19)
    assert badge_round_on(D(2025, 9, 2)) == D(2025, 9, 2)
    assert badge_round_on(D(2025, 11, 8)) == D(2026, 2, 3)
    assert previous_round(D(2025, 2, 3)) == D(2024, 11, 7)
    assert previous_round(D(2025, 5, 19)) == D(2025, 2, 3)


def test_badge_round_lists_by_decision_date_and_scope(org_a, org_b, secretary_a):
    """HD 01 item 18 with QĐ 24 §4.5.1: a member decided on 19/05/1995 is in the 19/05/2025 round; one decided
    20/05/1995 (ceremony earlier in the year would not matter) waits for 02/09; a dead member is not listed."""
    staff = staff_user()
    in_round = old(org_a, decided=D(1995, 5, 19), ceremony=D(1995, 5, 25))
    old(org_a, decided=D(1995, 5, 20), ceremony=D(1995, 5, 25))
    first_day = old(org_b, decided=D(1985, 2, 4), ceremony=D(1985, 2, 10))
    dead = old(org_b, decided=D(1995, 3, 1), ceremony=D(1995, 3, 10))
    services.member_end(member=dead, kind=EventKind.DIED, effective_on=D(2024, 1, 5))
    rows = badge_round(staff, D(2025, 5, 19))
    assert [(r.member, r.milestone) for r in rows] == [(in_round, 30), (first_day, 40)]
    assert [r.member for r in badge_round(secretary_a, D(2025, 5, 19))] == [in_round]


def test_badge_dossier_status_is_recorded_through_the_service(org_a, today):
    """HD 01 item 18: a proposal (đề nghị) may be made before the round, the award (đã trao) only from it."""
    m = old(org_a, decided=D(1996, 7, 1), ceremony=D(1996, 7, 10))
    award = services.badge_award_record(member=m, milestone=30, status="de_nghi")
    assert award.round_on == D(2026, 9, 2)
    with pytest.raises(ValidationError, match="chưa tới"):
        services.badge_award_record(member=m, milestone=30, status="da_trao")
    with pytest.raises(ValidationError, match="không hợp lệ"):
        services.badge_award_record(member=m, milestone=35, status="de_nghi")


def test_badge_page_and_xlsx_export(client_for, secretary_a, org_a):
    m = old(org_a, decided=D(1996, 5, 10), ceremony=D(1996, 5, 25), name="Lê Lão Thành")
    c = client_for(secretary_a)
    url = reverse("members:badge_round_list") + "?round=2026-05-19"
    assert "Lê Lão Thành" in c.get(url).content.decode()
    response = c.post(url, {"member": m.pk, "milestone": 30, "status": "da_trao"}, follow=True)
    assert "Đã ghi hồ sơ Huy hiệu 30 năm" in response.content.decode()
    assert m.badge_awards.get().status == "da_trao"
    export = c.get(url + "&export=xlsx")
    body = b"".join(export.streaming_content)
    assert export["Content-Type"].startswith("application/vnd.openxmlformats") and body[:2] == b"PK"


# --- rule 3: the HTXSNV cap -----------------------------------------------------------------------------------


def test_cap_is_20_percent_of_httnv_at_its_edges():
    """HD 21-HD/BTCTW 2019 §2.3: 51 HTTNV allow 10 HTXSNV (10,2), not 11; 50 allow 10; 4 allow none."""
    assert services.excellent_cap(good=61, excellent=10) == (51, 10)
    assert services.excellent_cap(good=62, excellent=11) == (51, 10)
    assert services.excellent_cap(good=60, excellent=10) == (50, 10)
    assert services.excellent_cap(good=5, excellent=1) == (4, 0)
    with override_settings(PARTY_EXCELLENT_CAP_BASE="good"):  # a province counting HTTNV-or-better
        assert services.excellent_cap(good=63, excellent=12) == (63, 12)


def test_twelve_htxsnv_for_51_httnv_are_refused(org_a):
    """HD 21 §2.3: 12 HTXSNV for 51 HTTNV (23,5%) — refused; the old base (63 HTTNV-or-better) allowed it."""
    members = [f.member(org_a, ceremony_on=D(2019, 3, 10)) for _ in range(63)]
    grades = {m: Rating.HTXSNV for m in members[:12]} | {m: Rating.HTTNV for m in members[12:]}
    with pytest.raises(ValidationError, match=r"\(12\) vượt 20% số đảng viên được xếp loại HTTNV \(51\)"):
        services.member_ratings_save(organization=org_a, year=2021, grades=grades)
    with override_settings(PARTY_EXCELLENT_CAP_BASE="good"):
        assert services.member_ratings_save(organization=org_a, year=2021, grades=grades) == 63


# --- rule 4: the organisation's rating and the ratings beneath it ---------------------------------------------


@pytest.fixture
def chi_bo():
    return OrganizationFactory(code="C9", kind=Kind.CHI_BO_CO_SO)


def _rate(org, grades, year=2021):
    members = [f.member(org, ceremony_on=D(2019, 3, 10)) for _ in grades]
    services.member_ratings_save(organization=org, year=year, grades=dict(zip(members, grades, strict=True)))


def test_a_chi_bo_rated_htxsnv_needs_every_member_htnv_and_80_percent_httnv(chi_bo):
    """HD 21-HD/BTCTW 2019 §II.B.1.3 (chi bộ): 100% HTNV or better, ≥ 80% HTTNV or better."""
    _rate(chi_bo, [Rating.HTXSNV] + [Rating.HTTNV] * 7 + [Rating.HTNV] * 2)  # 8 of 10 = 80 %
    record = OrganizationYear(organization=chi_bo, year=2021, party_rating=Rating.HTXSNV)
    organization_year_save(record=record)
    assert rating_evidence(chi_bo, 2021).problems == []
    _rate(chi_bo, [Rating.HTNV])  # 8 of 11 < 80 %
    record.refresh_from_db()
    with pytest.raises(ValidationError, match="cần ít nhất 80%"):
        organization_year_save(record=record)


def test_one_member_failing_forbids_htxsnv_but_not_httnv(chi_bo):
    _rate(chi_bo, [Rating.HTTNV] * 9 + [Rating.KHTNV])
    with pytest.raises(ValidationError, match="không hoàn thành nhiệm vụ"):
        organization_year_save(
            record=OrganizationYear(organization=chi_bo, year=2021, party_rating=Rating.HTXSNV)
        )
    organization_year_save(record=OrganizationYear(organization=chi_bo, year=2021, party_rating=Rating.HTTNV))


def test_a_dang_bo_rated_htxsnv_rests_on_its_chi_bo_ratings(org_a, staff):
    """HD 21 §II.B.1.3 (đảng bộ): the same over its subordinate organisations; an unrated one stands in the way;
    with none rated in the portal the rule cannot be checked (a note, not a refusal)."""
    cells = [Cell.objects.create(organization=org_a, name=f"Chi bộ {i}") for i in range(5)]
    assert rating_evidence(org_a, 2021).notes and not rating_evidence(org_a, 2021).problems
    record = OrganizationYear(organization=org_a, year=2021, party_rating=Rating.HTXSNV)
    grades = {cells[0]: Rating.HTNV} | {c: Rating.HTTNV for c in cells[1:4]}
    with pytest.raises(ValidationError, match="1 chi bộ trực thuộc chưa được xếp loại"):
        organization_year_save(record=record, cell_grades=grades)
    assert not CellRating.objects.exists()  # all or nothing
    organization_year_save(record=record, cell_grades=grades | {cells[4]: Rating.HTTNV}, by=staff)  # 4 of 5
    assert CellRating.objects.count() == 5


def test_the_discipline_register_is_consulted_for_every_rating_year(chi_bo):
    """QĐ 366-QĐ/TW 2025 Art. 11.1 (from 2025) and HD 21-HD/BTCTW §II.B: the register is read for every year;
    with nobody disciplined nothing stands in the way (the refusals: discipline/tests/test_discipline.py)."""
    _rate(chi_bo, [Rating.HTTNV] * 5, year=2025)
    for year in (2024, 2025):
        evidence = rating_evidence(chi_bo, year)
        assert evidence.discipline_checked is True and evidence.disciplines == [] and evidence.problems == []


def test_the_rating_page_shows_the_evidence_beside_the_form(client_for, staff, chi_bo):
    _rate(chi_bo, [Rating.HTTNV] * 3 + [Rating.HTNV] * 2)
    OrganizationYear.objects.create(organization=chi_bo, year=2021)
    body = client_for(staff).get(reverse("organizations:year_edit", args=[chi_bo.pk, 2021])).content.decode()
    assert "Căn cứ xếp loại" in body and "Chỉ 3/5 đảng viên" in body


# --- rule 5: temporary transfer -------------------------------------------------------------------------------


# --- rule 6: imported history ---------------------------------------------------------------------------------


def test_import_distinguishes_transferred_in_from_admitted_here_and_keeps_the_decision_date(org_a, staff):
    """An imported member admitted elsewhere is no admission here; a full membership carries its decision."""
    import tablib

    headers = [h for _, h in spreadsheets.COLUMNS + spreadsheets.OPTIONAL_COLUMNS]
    data = tablib.Dataset(headers=headers)
    data.append([org_a.code, "Trần Đến Từ", "01/01/1980", "Nam", "", "01/02/2005", "10/02/2005", "10/02/2006",
                 "", "Chuyển đến", "01/03/2021", ""])  # fmt: skip
    data.append([org_a.code, "Lê Kết Nạp", "01/01/1995", "Nữ", "", "01/02/2020", "10/02/2020", "10/02/2021",
                 "", "Kết nạp tại đây", "", "05/01/2022"])  # fmt: skip
    result = spreadsheets.MemberImportResource(user=staff).run(data, dry_run=False)
    assert row_problems(result, "Họ và tên") == []
    came = Member.objects.get(full_name="Trần Đến Từ")
    assert list(came.events.values_list("kind", flat=True)) == [EventKind.TRANSFER_IN]
    here = Member.objects.get(full_name="Lê Kết Nạp")
    full = here.events.get(kind=EventKind.FULL_MEMBER)
    assert (full.effective_on, full.decided_on) == (D(2021, 2, 10), D(2022, 1, 5))


# --- rule 7: internal transfers ---------------------------------------------------------------------------------


# --- rule 8: overdue probation, split by who is late ----------------------------------------------------------


def test_working_days_skip_tet_and_recorded_days_off():
    """QĐ 24 §4.2: working days. Tết 2025 (27/01–31/01) and a compensating day off are not working days."""
    assert workdays.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert workdays.add_working_days(D(2025, 1, 24), 1, {D(2025, 2, 3)}) == D(2025, 2, 4)


def test_overdue_split_cell_then_committee(org_a, secretary_a):
    """QĐ 24-QĐ/TW §4.2 a and §4.3.1: the cell is late 30 working days after the anniversary; after its
    resolution, the committee is late 30 working days after that."""
    m = f.member(org_a, ceremony_on=D(2025, 3, 3))  # anniversary Tuesday 03/03/2026
    due = lifecycle.overdue_from(m.ceremony_on)
    assert due == D(2026, 4, 14)
    assert overdue_probations(secretary_a, due)["cell"] == []
    assert [r.member for r in overdue_probations(secretary_a, due + dt.timedelta(days=1))["cell"]] == [m]
    services.member_record_dossier(member=m, full_resolution_on=D(2026, 4, 20))
    later = D(2026, 6, 5)
    split = overdue_probations(secretary_a, later)
    assert split["cell"] == [] and [r.member for r in split["committee"]] == [m]
    # 30 working days from 20/04/2026 skip 27/04 (Giỗ Tổ, observed), 30/04 and 01/05: Thursday 04/06.
    assert split["committee"][0].due == D(2026, 6, 4)
    assert overdue_probations(secretary_a, D(2026, 6, 4))["committee"] == []
    with pytest.raises(ValidationError, match="sau khi đủ 12 tháng"):
        services.member_record_dossier(member=m, full_resolution_on=D(2026, 3, 2))


def test_the_committee_has_30_working_days_after_the_resolution_and_once_30_more_counted_past_tet():
    """QĐ 24-QĐ/TW §4.3.1 (same in QĐ 232-QĐ/TW 2025): the committee decides within 30 working days of the
    cell's resolution, extendable once by 30. Resolution Friday 06/02/2026; Tết (16–20/02/2026) does not count:
    the 30th working day is Friday 27/03/2026 (without Tết it would be 20/03), the 31st Monday 30/03. Extended:
    30 more working days skip 27/04 (Giỗ Tổ, observed), 30/04 and 01/05 — Wednesday 13/05/2026."""
    resolution = D(2026, 2, 6)
    assert lifecycle.committee_full_due(resolution) == D(2026, 3, 27)
    assert lifecycle.committee_full_due(resolution, extended=True) == D(2026, 5, 13)
    late = {
        "ceremony_on": D(2025, 1, 20),
        "resolution_on": resolution,
    }
    assert lifecycle.overdue_party(today=D(2026, 3, 27), **late) is None  # day 30: on time
    assert lifecycle.overdue_party(today=D(2026, 3, 30), **late) == lifecycle.COMMITTEE_LATE  # day 31
    assert lifecycle.overdue_party(today=D(2026, 3, 30), extended=True, **late) is None
    assert lifecycle.overdue_party(today=D(2026, 5, 13), extended=True, **late) is None
    assert lifecycle.overdue_party(today=D(2026, 5, 14), extended=True, **late) == lifecycle.COMMITTEE_LATE


def test_the_committee_extends_its_deadline_once_within_it(org_a, secretary_a, today):
    """QĐ 24-QĐ/TW §4.3.1: the extension is recorded (date, who and number, reason) within the first 30
    working days (27/03/2026 is the 30th after 06/02/2026, past Tết; 30/03 is too late); a second is refused;
    the overdue list counts the committee late only after the extended deadline (13/05/2026)."""
    m = f.member(org_a, ceremony_on=D(2025, 1, 20))
    extension = {"decided_by": "Ban Thường vụ Đảng ủy Khối, số 12-TB/ĐUK", "reason": "Chờ xác minh lý lịch."}
    with pytest.raises(ValidationError, match="Chưa có ngày nghị quyết chi bộ"):
        services.member_extend_committee_deadline(member=m, decided_on=D(2026, 3, 2), **extension)
    services.member_record_dossier(member=m, full_resolution_on=D(2026, 2, 6))
    assert [r.member for r in overdue_probations(secretary_a, D(2026, 3, 30))["committee"]] == [m]
    with pytest.raises(ValidationError, match="đã hết ngày 27/03/2026"):
        services.member_extend_committee_deadline(member=m, decided_on=D(2026, 3, 30), **extension)
    with pytest.raises(ValidationError, match="lý do"):
        services.member_extend_committee_deadline(
            member=m, decided_on=D(2026, 3, 27), decided_by="Ban Thường vụ", reason=" "
        )
    services.member_extend_committee_deadline(
        member=m, decided_on=D(2026, 3, 27), by=secretary_a, **extension
    )
    m.refresh_from_db()
    assert (m.full_extension_on, m.full_extension_by) == (D(2026, 3, 27), extension["decided_by"])
    assert overdue_probations(secretary_a, D(2026, 3, 30))["committee"] == []
    assert overdue_probations(secretary_a, D(2026, 5, 13))["committee"] == []
    [row] = overdue_probations(secretary_a, D(2026, 5, 14))["committee"]
    assert (row.member, row.due, row.extended_on) == (m, D(2026, 5, 13), D(2026, 3, 27))
    with pytest.raises(ValidationError, match="chỉ được gia hạn một lần"):
        services.member_extend_committee_deadline(member=m, decided_on=D(2026, 3, 27), **extension)
    with pytest.raises(ValidationError, match="không sửa ngày nghị quyết"):
        services.member_record_dossier(member=m, full_resolution_on=D(2026, 2, 9))


def test_the_extension_is_recorded_from_the_member_page(client_for, org_a, secretary_a, leader, today):
    """The member page offers the extension once the cell's resolution is on file; the form records it and the
    page shows it with the new deadline; leadership may not record it."""
    m = f.member(org_a, ceremony_on=D(2025, 1, 20))
    client = client_for(secretary_a)
    detail = reverse("members:member_detail", args=[m.pk])
    url = reverse("members:member_extension", args=[m.pk])
    assert url not in client.get(detail).content.decode()  # no resolution yet
    services.member_record_dossier(member=m, full_resolution_on=D(2026, 2, 6))
    assert url in client.get(detail).content.decode()
    response = client.post(
        url, {"decided_on": "30/03/2026", "decided_by": "BTV ĐUK, số 12", "reason": "Xác minh"}
    )
    assert response.status_code == 200 and "đã hết ngày 27/03/2026" in response.content.decode()
    response = client.post(
        url, {"decided_on": "27/03/2026", "decided_by": "BTV ĐUK, số 12", "reason": "Xác minh"}
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "BTV ĐUK, số 12" in page and "hạn cấp ủy quyết định: 13/05/2026" in page and url not in page
    assert client_for(leader).post(url, {"decided_on": "27/03/2026"}).status_code == 403


def test_staff_add_a_day_off_and_the_deadline_moves(client_for, staff, org_a, secretary_a):
    m = f.member(org_a, ceremony_on=D(2025, 3, 3))
    assert [r.member for r in overdue_probations(secretary_a, D(2026, 4, 15))["cell"]] == [m]
    response = client_for(staff).post(
        reverse("members:day_off_list"), {"day": "10/04/2026", "name": "Nghỉ bù"}
    )
    assert response.status_code == 302 and ExtraDayOff.objects.get().day == D(2026, 4, 10)
    assert overdue_probations(secretary_a, D(2026, 4, 15))["cell"] == []


# --- rule 9: organisation kinds and unit types -----------------------------------------------------------------


def test_a_chi_bo_co_so_of_30_is_flagged_until_a_decision_allows_it(chi_bo):
    """Điều lệ Đảng Art. 21.3: 30 members or more make a đảng bộ cơ sở (29: no flag)."""
    for _ in range(29):
        f.member(chi_bo, ceremony_on=D(2019, 3, 10))
    assert structure_flags(chi_bo) == []
    f.member(chi_bo, ceremony_on=D(2019, 3, 10))
    assert "30 đảng viên" in structure_flags(chi_bo)[0]
    chi_bo.large_cell_decision_no = "12-QĐ/ĐUK"
    assert structure_flags(chi_bo) == []


def test_a_chi_bo_truc_thuoc_needs_3_full_members(org_a):
    """Điều lệ Đảng Art. 24.1: at least 3 full members; probationary ones do not count."""
    cell = Cell.objects.create(organization=org_a, name="Chi bộ Nhỏ")
    for _ in range(2):
        f.member(org_a, ceremony_on=D(2019, 3, 10), full=True, cell=cell)
    f.member(org_a, ceremony_on=D(2025, 3, 10), cell=cell)
    assert "chỉ có 2 đảng viên chính thức" in structure_flags(org_a)[0]
    f.member(org_a, ceremony_on=D(2019, 3, 10), full=True, cell=cell)
    assert structure_flags(org_a) == []
    Cell.objects.create(organization=org_a, name="Tổ 1", kind=CellKind.TO_DANG)  # a tổ đảng is not a chi bộ
    assert structure_flags(org_a) == []


# --- rule 10: the new-member course certificate ------------------------------------------------------------------


def test_recognition_without_the_certificate_is_warned_not_refused(client_for, secretary_a, org_a):
    """HD 01-HD/TW 2021: the lớp bồi dưỡng đảng viên mới certificate is part of the full-membership dossier."""
    m = f.member(org_a, ceremony_on=D(2025, 3, 3))
    c = client_for(secretary_a)
    url = reverse("members:member_action", args=[m.pk, "full"])
    assert "giấy chứng nhận lớp bồi dưỡng đảng viên mới" in c.get(url).content.decode()
    body = c.post(url, {"decided_on": "10/03/2026"}, follow=True).content.decode()
    assert "Hồ sơ chưa có giấy chứng nhận lớp bồi dưỡng đảng viên mới" in body
    m.refresh_from_db()
    assert m.status == MemberStatus.CHINH_THUC
    other = f.member(org_a, ceremony_on=D(2025, 3, 3))
    services.member_record_dossier(
        member=other,
        full_resolution_on=D(2026, 3, 5),
        training_certificate_no="125/GCN",
        training_certificate_on=D(2025, 9, 1),
    )
    other.refresh_from_db()
    assert services.full_membership_warnings(other) == []
    with pytest.raises(ValidationError, match="cả số và ngày"):
        services.member_record_dossier(member=other, full_resolution_on=None, training_certificate_no="1")


# --- rule 11: 18 at the cell's consideration -------------------------------------------------------------------


def test_age_18_is_reckoned_on_the_cell_meeting_by_months(org_a):
    """QĐ 24-QĐ/TW 2021 §1.1.1 (QĐ 232 §1.1.1): 18 years (by months) when the cell considers the admission."""
    born = D(2007, 3, 15)
    with pytest.raises(ValidationError, match="đủ 18 tuổi"):
        f.member(org_a, birth_date=born, admission_considered_on=D(2025, 3, 14),
                 admission_decided_on=D(2025, 4, 20), ceremony_on=D(2025, 4, 25))  # fmt: skip
    m = f.member(org_a, birth_date=born, admission_considered_on=D(2025, 3, 15),
                 admission_decided_on=D(2025, 4, 20), ceremony_on=D(2025, 4, 25))  # fmt: skip
    assert m.admission_considered_on == D(2025, 3, 15)
    assert lifecycle.is_of_admission_age(born, D(2025, 3, 15))
    assert not lifecycle.is_of_admission_age(born, D(2025, 3, 14))


def test_candidate_admission_records_the_cell_meeting(org_a):
    candidate = f.candidate(org_a)
    candidate.birth_date = D(2007, 3, 15)
    candidate.save()
    with pytest.raises(ValidationError, match="đủ 18 tuổi"):
        services.candidate_admit(candidate=candidate, considered_on=D(2025, 3, 1),
                                 admission_decided_on=D(2025, 4, 1), ceremony_on=D(2025, 4, 5))  # fmt: skip
    member = services.candidate_admit(candidate=candidate, considered_on=D(2025, 3, 20),
                                      admission_decided_on=D(2025, 4, 1), ceremony_on=D(2025, 4, 5))  # fmt: skip
    assert member.admission_considered_on == D(2025, 3, 20)
    assert MemberEvent.objects.filter(member=member, kind=EventKind.ADMITTED).exists()


def test_the_badge_round_page_reads_in_a_fixed_number_of_queries(
    client_for, staff, org_a, django_assert_max_num_queries
):
    """A missing prefetch is a defect: 2 or 12 members in the round, the same number of queries."""
    c = client_for(staff)
    url = reverse("members:badge_round_list") + "?round=2026-05-19"

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        return len(queries)

    for day in (1, 2):
        old(org_a, decided=D(1996, 5, day), ceremony=D(1996, 5, 20))
    few = count()
    for day in range(3, 13):
        old(org_a, decided=D(1996, 5, day), ceremony=D(1996, 5, 20))
    assert count() == few
