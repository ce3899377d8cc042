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


def test_the_lists_headings_sort_and_their_page_links_keep_the_filter_and_the_order(client_for, staff, org_a):
    """``{% table_head %}`` and ``{% table_pages %}`` (core/templatetags/portal.py): a heading sorts by its
    column and, once sorted, the other way (``aria-sort`` and an arrow say how); the page links keep the
    filter and the order asked for."""
    Member.objects.bulk_create(
        Member(full_name=f"Đảng viên {n:03d}", birth_date=dt.date(1990, 1, 1), gender=Gender.NAM, organization=org_a,
               status=MemberStatus.CHINH_THUC)
        for n in range(120)
    )  # fmt: skip
    body = (
        client_for(staff)
        .get(reverse("members:member_list"), {"organization": org_a.pk, "sort": "-full_name", "page": 2})
        .content.decode()
    )
    head = body[body.index("<thead>") : body.index("</thead>")]
    assert (
        f'<th scope="col" aria-sort="descending"><a href="?organization={org_a.pk}&amp;sort=full_name&amp;page=2">Họ và tên ↓</a></th>'
        in head
    )
    assert f'<a href="?organization={org_a.pk}&amp;sort=organization&amp;page=2">Tổ chức</a>' in head
    pages = body[body.index('<nav aria-label="Trang">') :]
    for number, label in ((1, "Trang đầu"), (1, "Trang trước"), (3, "Trang sau"), (3, "Trang cuối")):
        assert f'href="?organization={org_a.pk}&amp;sort=-full_name&amp;page={number}">{label}</a>' in pages
    assert "Trang 2/3</span>" in pages
    assert body.index("Đảng viên 069") < body.index("Đảng viên 050")  # page 2 of 120, newest name first
