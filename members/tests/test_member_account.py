"""A member's own portal account (``Member.account``): the officer posts it holds are the member's, so their
organisation's report duties stand beside the member's rating (issue 18, the evidence for a member). Set on the
member's edit form, only to an account holding a TCCSĐ officer post of the member's organisation, and to one
member only."""

import pytest
from django.urls import reverse

from members.models import Member
from organizations.tests.factories import cell_secretary_user, secretary_user

from . import factories as f

pytestmark = pytest.mark.django_db


def _form(client, member):
    """The edit form's current values, as the browser would send them back."""
    page = client.get(reverse("members:member_edit", args=[member.pk]))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["birth_date"] = member.birth_date.strftime("%d/%m/%Y")
    version = page.context.get("edit_version")
    return page, {**data, **({"edit_version": version} if version else {})}


def test_staff_link_a_member_to_the_secretarys_account(
    client_for, staff, org_a, org_b, secretary_a, secretary_b
):
    from organizations.models import Cell

    member, other = f.member(org_a, name="Trần Thị Bí Thư"), f.member(org_a)
    cell_secretary = cell_secretary_user(Cell.objects.create(organization=org_a, name="Chi bộ 1"))
    client = client_for(staff)
    page, data = _form(client, member)
    offered = {str(u.pk) for u in page.context["form"].fields["account"].queryset}
    # The organisation's officers only: not another organisation's, nor a cell's secretary (no report duties).
    assert offered == {str(secretary_a.pk)}
    assert "Tài khoản trên cổng" in page.content.decode()

    response = client.post(
        reverse("members:member_edit", args=[member.pk]), {**data, "account": secretary_a.pk}
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).account == secretary_a

    for refused in (secretary_b, cell_secretary):
        _page, data = _form(client, other)
        response = client.post(
            reverse("members:member_edit", args=[other.pk]), {**data, "account": refused.pk}
        )
        assert response.status_code == 200 and Member.objects.get(pk=other.pk).account is None
    # One account, one member.
    _page, data = _form(client, other)
    response = client.post(
        reverse("members:member_edit", args=[other.pk]), {**data, "account": secretary_a.pk}
    )
    assert Member.objects.get(pk=other.pk).account is None
    assert "Tài khoản này đã gắn với đảng viên Trần Thị Bí Thư." in response.content.decode()


def test_a_new_secretary_takes_over_the_link(client_for, staff, org_a):
    """The old secretary's account stays selectable on the member it is linked to (the post may have ended), and
    clearing it is allowed."""
    old = secretary_user(org_a, username="bithu_cu")
    member = f.member(org_a)
    Member.objects.filter(pk=member.pk).update(account=old)
    old.officer_roles.update(is_active=False)
    client = client_for(staff)
    page, data = _form(client, Member.objects.get(pk=member.pk))
    assert str(old.pk) in {str(u.pk) for u in page.context["form"].fields["account"].queryset}
    assert data["account"] == old.pk
    response = client.post(reverse("members:member_edit", args=[member.pk]), {**data, "account": ""})
    assert response.status_code == 302 and Member.objects.get(pk=member.pk).account is None
