"""Member ratings: one at a time and the whole organisation at once, always within the 20% cap of HTXSNV."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services
from members.models import MemberRating
from members.tests import factories as f
from organizations.models import Rating

pytestmark = pytest.mark.django_db
HTXSNV, HTTNV, HTNV = Rating.HTXSNV, Rating.HTTNV, Rating.HTNV


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = dt.date(2022, 6, 15)
    monkeypatch.setattr(services, "_today", lambda: day)
    return day


def test_the_cap_counts_htxsnv_against_httnv_only_not_everyone(org_a):
    """HD 21-HD/BTCTW 2019 §2.3: the base of the 20% is the members rated HTTNV."""
    members = [f.member(org_a) for _ in range(12)]
    grades = {m: HTTNV for m in members[:5]} | {members[5]: HTXSNV} | {m: HTNV for m in members[6:]}
    # 1 HTXSNV for 5 rated HTTNV = 20 %: allowed (the 6 HTNV and the HTXSNV itself are not in the base).
    assert services.member_ratings_save(organization=org_a, year=2021, grades=grades) == 12
    with pytest.raises(ValidationError, match="vượt 20%"):
        # A second HTXSNV: 2 for 5 HTTNV > 20 %.
        services.member_ratings_save(organization=org_a, year=2021, grades={members[6]: HTXSNV})
    assert MemberRating.objects.get(member=members[6], year=2021).grade == HTNV


def test_bulk_rating_is_all_or_nothing(org_a):
    members = [f.member(org_a) for _ in range(5)]
    services.member_ratings_save(organization=org_a, year=2021, grades={m: HTTNV for m in members})
    before = list(MemberRating.objects.order_by("pk").values_list("member_id", "grade"))
    with pytest.raises(ValidationError):
        services.member_ratings_save(
            organization=org_a, year=2021, grades={members[0]: HTXSNV, members[1]: HTXSNV, members[2]: HTNV}
        )
    assert list(MemberRating.objects.order_by("pk").values_list("member_id", "grade")) == before


def test_bulk_rating_refuses_another_organisations_member_and_years_before_admission(org_a, org_b):
    mine, theirs = f.member(org_a), f.member(org_b)
    with pytest.raises(ValidationError, match="không thuộc tổ chức"):
        services.member_ratings_save(organization=org_a, year=2021, grades={mine: HTTNV, theirs: HTTNV})
    with pytest.raises(ValidationError, match="không xếp loại năm 2019"):
        services.member_ratings_save(organization=org_a, year=2019, grades={mine: HTTNV})  # admitted 2020
    with pytest.raises(ValidationError, match="Năm xếp loại không hợp lệ"):
        services.member_ratings_save(organization=org_a, year=2023, grades={mine: HTTNV})  # the future
    assert not MemberRating.objects.exists()


def test_bulk_rating_keeps_history_and_who_rated(org_a, staff):
    m = f.member(org_a)
    services.member_ratings_save(organization=org_a, year=2021, grades={m: HTNV}, by=staff)
    services.member_ratings_save(organization=org_a, year=2021, grades={m: HTTNV}, by=staff)
    rating = MemberRating.objects.get(member=m, year=2021)
    assert rating.grade == HTTNV and rating.rated_by == staff
    assert list(rating.history.order_by("history_id").values_list("grade", flat=True)) == [HTNV, HTTNV]
    assert rating.history.first().history_user == staff


def test_single_rating_refuses_a_year_before_admission(org_a):
    m = f.member(org_a, ceremony_on=dt.date(2021, 3, 1))
    with pytest.raises(ValidationError, match="không xếp loại năm 2020"):
        services.member_rate(member=m, year=2020, grade=HTTNV)


def test_database_refuses_an_unknown_grade(org_a):
    m = f.member(org_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberRating.objects.create(member=m, organization=org_a, year=2021, grade="XUATSAC")


# --- the page -----------------------------------------------------------------------------------------------


def _url(org, year=2021):
    return reverse("members:rating_bulk", args=[org.pk]) + f"?year={year}"


def test_secretary_rates_the_organisation_and_sees_the_cap_error(client_for, secretary_a, org_a):
    members = [f.member(org_a, name=f"Người Số {i:02d}") for i in range(6)]
    c = client_for(secretary_a)
    page = c.get(_url(org_a))
    assert page.status_code == 200 and "Người Số 05" in page.content.decode()
    too_many = {f"m{m.pk}": HTXSNV for m in members[:2]} | {f"m{m.pk}": HTTNV for m in members[2:]}
    refused = c.post(_url(org_a), too_many)
    assert refused.status_code == 200 and "vượt 20%" in refused.content.decode()
    assert not MemberRating.objects.exists()
    fine = {f"m{m.pk}": HTXSNV for m in members[:1]} | {f"m{m.pk}": HTTNV for m in members[1:]}
    assert c.post(_url(org_a), fine).status_code == 302
    assert MemberRating.objects.filter(organization=org_a, year=2021).count() == 6
    again = c.get(_url(org_a)).content.decode()
    assert 'value="HTXSNV" selected' in again


def test_the_page_ignores_members_it_did_not_offer(client_for, secretary_a, org_a, org_b):
    f.member(org_a)
    stranger = f.member(org_b)
    response = client_for(secretary_a).post(_url(org_a), {f"m{stranger.pk}": HTTNV})
    assert response.status_code == 302 and not MemberRating.objects.exists()


def test_garbage_years_fall_back_to_the_default(client_for, staff, org_a):
    c = client_for(staff)
    for year in ("abc", "-5", "99999", ""):
        assert c.get(reverse("members:rating_bulk", args=[org_a.pk]), {"year": year}).status_code == 200


def test_rating_page_queries_do_not_grow_with_the_roll(client_for, staff, org_a):
    c = client_for(staff)
    for _ in range(3):
        services.member_rate(member=f.member(org_a), year=2021, grade=HTTNV)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(_url(org_a)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(20):
        services.member_rate(member=f.member(org_a), year=2021, grade=HTTNV)
    assert count() == small


def test_garbage_grades_come_back_as_errors(client_for, secretary_a, org_a):
    m = f.member(org_a)
    response = client_for(secretary_a).post(
        _url(org_a), {f"m{m.pk}": "<script>", "m99999": "HTXSNV", "x": "\x00"}
    )
    assert response.status_code == 200 and "Lựa chọn không hợp lệ" in response.content.decode()
    assert not MemberRating.objects.exists()


def test_member_detail_queries_do_not_grow_with_ratings_and_history(client_for, staff, org_a):
    m = f.member(org_a, ceremony_on=dt.date(1995, 5, 19), admission_decided_on=dt.date(1995, 5, 1),
                 birth_date=dt.date(1970, 1, 1), full=True)  # fmt: skip
    c = client_for(staff)
    url = reverse("members:member_detail", args=[m.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    for year in (1996, 1997, 1998):
        services.member_rate(member=m, year=year, grade=HTTNV, by=staff)
    small = count()
    for year in range(1999, 2019):
        services.member_rate(member=m, year=year, grade=HTNV, by=staff)
        services.member_update(member=m, full_name=f"Tên Đổi {year}", birth_date=m.birth_date, gender=m.gender,
                               cell=None, card_number=str(year), by=staff)  # fmt: skip
    assert count() == small
