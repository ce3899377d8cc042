"""Lists of people in Vietnamese order (core.collation), from the database: the stored sort key is kept by save
and bulk_create, and the member and candidate lists order by it."""

import datetime as dt

import pytest
from django.urls import reverse

from members.models import Candidate, Gender, Member, MemberStatus

from . import factories as f

pytestmark = pytest.mark.django_db

#: In Vietnamese order: by given name (An, Ánh, Bình, Đức, Ư), then middle and family names.
ORDER = ["Trần Văn An", "Lê Thị Ánh", "Đỗ Văn Bình", "Phạm Đức", "Nguyễn Văn Đức", "Vũ Thị Ư"]


def test_the_member_list_orders_by_given_name_in_the_vietnamese_alphabet(client_for, staff, org_a):
    for name in reversed(ORDER):
        f.member(org_a, name=name)
    assert list(Member.objects.values_list("full_name", flat=True)) == ORDER
    body = client_for(staff).get(reverse("members:member_list")).content.decode()
    assert [body.index(name) for name in ORDER] == sorted(body.index(name) for name in ORDER)


def test_bulk_created_and_renamed_members_keep_their_key(org_a):
    Member.objects.bulk_create(
        Member(
            full_name=name,
            birth_date=dt.date(1990, 1, 1),
            gender=Gender.NAM,
            organization=org_a,
            status=MemberStatus.CHINH_THUC,
        )
        for name in reversed(ORDER)
    )
    assert list(Member.objects.values_list("full_name", flat=True)) == ORDER
    first = Member.objects.get(full_name="Trần Văn An")
    first.full_name = "Trần Văn Yên"
    first.save(update_fields=["full_name"])
    assert list(Member.objects.values_list("full_name", flat=True))[-1] == "Trần Văn Yên"


def test_the_candidate_list_orders_the_same_way(client_for, staff, org_a):
    for name in reversed(ORDER):
        f.candidate(org_a, name=name)
    Candidate.objects.bulk_create(
        [Candidate(full_name="Hồ Ấn", birth_date=dt.date(1999, 1, 1), gender="nam", organization=org_a)]
    )
    expected = ["Trần Văn An", "Lê Thị Ánh", "Hồ Ấn", *ORDER[2:]]  # a < â: Ánh before Ấn
    assert list(Candidate.objects.values_list("full_name", flat=True)) == expected
    body = client_for(staff).get(reverse("members:candidate_list")).content.decode()
    assert [body.index(name) for name in expected] == sorted(body.index(name) for name in expected)
