"""Every members page for every role: anonymous → login; a secretary works only in their organisation (another
organisation's member or candidate answers 404 to GET and POST, and nothing changes); leadership reads but
every change is refused (403, no action buttons); staff do everything."""

import datetime as dt

import pytest
from django.urls import reverse

from members.models import Candidate, Member, MemberEvent, MemberRating
from members.tests import factories as f

pytestmark = pytest.mark.django_db

ACTION_SLUGS = ["full", "transfer-out", "transfer-in", "exempt", "remove", "expel", "leave", "died"]
#: What a POST sends: enough for any of the forms to be valid if the view let it through.
POST_DATA = {
    "decided_on": "10/03/2021",
    "effective_on": "01/04/2022",
    "decision_no": "01-QĐ",
    "scope": "chinh_thuc",
    "destination_text": "Nơi khác",
    "full_name": "Tên Mới",
    "birth_date": "01/01/1990",
    "gender": "nam",
    "year": "2021",
    "grade": "HTTNV",
    "admission_decided_on": "01/03/2022",
    "ceremony_on": "10/03/2022",
    "course_certificate_on": "01/01/2021",
    "sponsors": "Ai đó",
}


@pytest.fixture
def world(org_a, org_b):
    return {
        "member_a": f.member(org_a, ceremony_on=dt.date(2020, 3, 10), name="Đảng Viên Bên A"),
        "member_b": f.member(org_b, ceremony_on=dt.date(2020, 3, 10), name="Đảng Viên Bên B"),
        "candidate_a": f.candidate(org_a, name="Quần Chúng Bên A"),
        "candidate_b": f.candidate(org_b, name="Quần Chúng Bên B"),
        "org_a": org_a,
        "org_b": org_b,
    }


def _state():
    return (
        list(Member.objects.order_by("pk").values_list("pk", "status", "organization_id", "full_name")),
        MemberEvent.objects.count(),
        list(MemberRating.objects.order_by("pk").values_list("pk", "grade")),
        list(Candidate.objects.order_by("pk").values_list("pk", "status", "full_name")),
    )


def object_urls(w, side):
    """The pages about one organisation's objects (side "a" or "b")."""
    member, candidate, org = w[f"member_{side}"], w[f"candidate_{side}"], w[f"org_{side}"]
    urls = {
        "member_detail": reverse("members:member_detail", args=[member.pk]),
        "member_edit": reverse("members:member_edit", args=[member.pk]),
        "member_rating": reverse("members:member_rating", args=[member.pk]),
        "candidate_detail": reverse("members:candidate_detail", args=[candidate.pk]),
        "candidate_edit": reverse("members:candidate_edit", args=[candidate.pk]),
        "candidate_admit": reverse("members:candidate_admit", args=[candidate.pk]),
        "rating_bulk": reverse("members:rating_bulk", args=[org.pk]),
    }
    for slug in ACTION_SLUGS:
        urls[f"action_{slug}"] = reverse("members:member_action", args=[member.pk, slug])
    return urls


READ_ONLY = {"member_detail", "candidate_detail"}
LIST_URLS = ["members:member_list", "members:candidate_list", "members:overdue_list"]
CREATE_URLS = ["members:member_create", "members:candidate_create"]


def test_anonymous_is_sent_to_login_everywhere(client, world):
    urls = list(object_urls(world, "a").values())
    urls += [reverse(n) for n in LIST_URLS + CREATE_URLS + ["members:member_import"]]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_secretary_gets_404_on_another_organisations_objects_and_nothing_changes(
    client_for, secretary_a, world
):
    c = client_for(secretary_a)
    before = _state()
    for name, url in object_urls(world, "b").items():
        assert c.get(url).status_code == 404, name
        refused = 405 if name in READ_ONLY else 404  # a read-only page takes no POST at all
        assert c.post(url, POST_DATA).status_code == refused, name
        assert c.post(url, {**POST_DATA, "organization": world["org_a"].pk}).status_code == refused, name
    assert _state() == before


def test_secretary_uses_their_own_organisations_pages(client_for, secretary_a, world):
    c = client_for(secretary_a)
    for name, url in object_urls(world, "a").items():
        response = c.get(url)
        # An action that does not fit the member's status sends back to the member's page.
        assert response.status_code in (200, 302), name
    for name in LIST_URLS + CREATE_URLS:
        assert c.get(reverse(name)).status_code == 200, name


def test_secretary_lists_show_only_their_organisation(client_for, secretary_a, world):
    c = client_for(secretary_a)
    members = c.get(reverse("members:member_list")).content.decode()
    assert "Đảng Viên Bên A" in members and "Đảng Viên Bên B" not in members
    # Asking for the other organisation in the filter does not widen the list.
    other = c.get(reverse("members:member_list"), {"organization": world["org_b"].pk}).content.decode()
    assert "Đảng Viên Bên B" not in other
    candidates = c.get(reverse("members:candidate_list")).content.decode()
    assert "Quần Chúng Bên A" in candidates and "Quần Chúng Bên B" not in candidates
    export = c.get(reverse("members:member_list"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Đảng Viên Bên A" in body and "Đảng Viên Bên B" not in body


def test_secretary_cannot_create_in_another_organisation(client_for, secretary_a, world):
    c = client_for(secretary_a)
    data = {**POST_DATA, "organization": world["org_b"].pk, "arrival": "admitted"}
    c.post(reverse("members:member_create"), {**data, "full_name": "Lọt Sang B"})
    c.post(reverse("members:candidate_create"), {**data, "full_name": "Lọt Sang B"})
    assert not Member.objects.filter(organization=world["org_b"], full_name="Lọt Sang B").exists()
    assert not Candidate.objects.filter(organization=world["org_b"], full_name="Lọt Sang B").exists()
    assert c.get(reverse("members:member_import")).status_code == 403
    assert c.post(reverse("members:member_import")).status_code == 403
    # The organisation field is fixed to the secretary's own: whatever was saved went there.
    assert set(Member.objects.filter(full_name="Lọt Sang B").values_list("organization", flat=True)) <= {
        world["org_a"].pk
    }


def test_leadership_reads_everything_and_changes_nothing(client_for, leader, world):
    c = client_for(leader)
    for name in LIST_URLS:
        assert c.get(reverse(name)).status_code == 200, name
    before = _state()
    for side in ("a", "b"):
        for name, url in object_urls(world, side).items():
            if name in READ_ONLY:
                assert c.get(url).status_code == 200, name
                assert c.post(url, POST_DATA).status_code == 405, name
            else:
                assert c.get(url).status_code == 403, name
                assert c.post(url, POST_DATA).status_code == 403, name
    for name in CREATE_URLS + ["members:member_import"]:
        assert c.get(reverse(name)).status_code == 403, name
        assert c.post(reverse(name), POST_DATA).status_code == 403, name
    assert _state() == before
    detail = c.get(reverse("members:member_detail", args=[world["member_a"].pk])).content.decode()
    for label in (
        "Sửa thông tin",
        "Công nhận chính thức",
        "Chuyển sinh hoạt đi",
        "Xóa tên",
        "Xếp loại đảng viên",
    ):
        assert label not in detail
    candidate = c.get(reverse("members:candidate_detail", args=[world["candidate_a"].pk])).content.decode()
    assert "Kết nạp</a>" not in candidate
    listing = c.get(reverse("members:member_list")).content.decode()
    assert "Thêm đảng viên" not in listing and "Nhập từ tệp" not in listing


def test_staff_open_every_page(client_for, staff, world):
    c = client_for(staff)
    for side in ("a", "b"):
        for name, url in object_urls(world, side).items():
            assert c.get(url).status_code in (200, 302), name
    for name in LIST_URLS + CREATE_URLS + ["members:member_import"]:
        assert c.get(reverse(name)).status_code == 200, name
    detail = c.get(reverse("members:member_detail", args=[world["member_b"].pk])).content.decode()
    assert "Công nhận chính thức" in detail and "Lịch sử thay đổi hồ sơ" in detail


def test_history_is_shown_to_staff_only(client_for, staff, secretary_a, leader, world):
    url = reverse("members:member_detail", args=[world["member_a"].pk])
    assert "Lịch sử thay đổi hồ sơ" in client_for(staff).get(url).content.decode()
    assert "Lịch sử thay đổi hồ sơ" not in client_for(secretary_a).get(url).content.decode()
    assert "Lịch sử thay đổi hồ sơ" not in client_for(leader).get(url).content.decode()
