"""Issue 18, the evidence beside a member's rating: "for a member: meetings attended, absences without reason,
their own report duties if an officer". On the demo: the secretary of 05 is one of its members
(``Member.account``); beside that member's 2021 rating stand the reports 05 owed in 2021, on time / late /
missing, exactly as the one rule (``reports.timeliness``) counts them; no other member carries them, and a post
left before the year brings none.

The demo is loaded once for the module, inside a transaction rolled back at the end.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from members.rating_evidence import notes_for
from organizations.models import Officer, OfficerTitle, Organization
from reports import timeliness
from reports.periods import periods_of_year

pytestmark = pytest.mark.django_db
YEAR = 2021


def _states(org, as_of):
    """What the one rule says of `org`'s 2021 periods, read without the evidence module."""
    periods = [p for p in periods_of_year(YEAR) if timeliness.owes_report(org, p)]
    cells = timeliness.cells([org], periods, as_of)
    return [cells[(org.pk, p.pk)].state for p in periods]


def _rows(page: str) -> dict[str, str]:
    """The rating page's rows by member name: the text of the row."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        name = re.search(r'<a href="/members/\d+/">([^<]+)</a>', row)
        if name:
            rows[name.group(1)] = re.sub(r"<[^>]+>", " ", row)
    return rows


def test_the_secretary_member_carries_the_reports_of_the_organisation(demo):
    org = Organization.objects.get(code="05")
    secretary = get_user_model().objects.get(username="bithu05")
    member = Member.objects.get(account=secretary)
    assert member.organization == org
    today = timezone.localdate()
    states = _states(org, today)
    due = sum(1 for s in states if s in (timeliness.ON_TIME, timeliness.LATE, timeliness.MISSING))
    on_time, late, missing = (
        states.count(s) for s in (timeliness.ON_TIME, timeliness.LATE, timeliness.MISSING)
    )
    assert due >= 12 and late + missing >= 1, "the demo gives 05 at least one late or missing report"

    staff = get_user_model().objects.get(username="vanphong")
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("members:rating_bulk", args=[org.pk]), {"year": YEAR}).content.decode()
    rows = _rows(page)
    assert member.full_name in rows
    duty = rows[member.full_name]
    assert f"Bí thư 05, báo cáo định kỳ năm {YEAR}: đúng hạn {on_time}/{due}" in duty, duty
    assert (f"muộn {late}:" in duty) == bool(late) and (f"chưa nộp {missing}:" in duty) == bool(missing)
    assert 'class="officer-duty text-danger"' in page  # something to look at: shown in red
    # Nobody else on 05's page carries them: they are the officer's own.
    others = [text for name, text in rows.items() if name != member.full_name]
    assert len(others) >= 5 and not any("báo cáo định kỳ năm" in text for text in others)
    # The member's printable pack carries the same duties; another member's carries none.
    from targets.member_evidence import member_pack

    titles = {s.title: s for s in member_pack(member, YEAR, today=today).sections}
    duties = titles["Trách nhiệm báo cáo (cán bộ cấp ủy)"].lines[0]
    assert f"đúng hạn {on_time}/{due}" in duties.value and duties.warn
    other = Member.objects.filter(organization=org).exclude(pk=member.pk).first()
    assert not any(s.title.startswith("Trách nhiệm") for s in member_pack(other, YEAR, today=today).sections)


def test_a_post_left_before_the_year_brings_no_duties(demo):
    """The officer record's history says when the post was held: a deputy who left in 2020 owes nothing of 2021,
    and one who left in March 2021 still answers for 2021."""
    org = Organization.objects.get(code="07")
    members = list(Member.objects.filter(organization=org, account__isnull=True).order_by("pk")[:2])
    users = []
    for n, (member, left_on) in enumerate(
        zip(members, (dt.date(2020, 6, 30), dt.date(2021, 3, 31)), strict=True)
    ):
        user = get_user_model().objects.create_user(f"phobithu07-{n}", password="khong-dung-den-1")
        officer = Officer.objects.create(user=user, organization=org, title=OfficerTitle.PHO_BI_THU)
        officer.history.update(history_date=timezone.make_aware(dt.datetime(2019, 1, 2)))
        officer.is_active = False
        officer.save()
        officer.history.filter(history_type="~").update(
            history_date=timezone.make_aware(dt.datetime.combine(left_on, dt.time(9)))
        )
        member.account = user
        member.save(update_fields=["account"])
        users.append(user)
    notes = notes_for(org, YEAR, members, timezone.localdate())
    assert members[0].pk not in notes
    assert [n.label for n in notes[members[1].pk]] == [f"Phó Bí thư 07, báo cáo định kỳ năm {YEAR}"]
    # In 2020 both held the post.
    assert set(notes_for(org, 2020, members, timezone.localdate())) == {m.pk for m in members}
