"""Demo dues: every member's category and income base, a year of monthly lines for every organisation — the
twelve months up to last month, so this year's report is complete to date and both rules show (January 2026 under
QĐ 342-QĐ/TW, February on under QĐ 01-QĐ/TW 2026); earlier months are not in the portal — quarterly remittances
to the Bloc with a few late and one missing, and two members flagged for three unpaid months (Điều lệ Art. 8.1).

Simulated in Python from the member simulation (who is on which roll at each month's end), written with a few
``bulk_create`` calls without history rows (tens of thousands of lines, never edited in the demo). The amounts
follow the rules the portal applies (``members.dues``): the month's rate, the TCCSĐ keeping 70%.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from members import dues
from members.models import DuesLine, DuesRemittance, DuesStatus, MemberDues
from organizations.models import Organization

from .members import ACTIVE, MemberWorld

EXEMPT_REASONS = ["Ốm đau dài ngày, có xác nhận", "Đi học tập trung dài hạn", "Hoàn cảnh đặc biệt khó khăn"]
#: Organisations that remitted late (by how many days) the first remittance due in the demo's year, and the one
#: that has not remitted the last one due.
LATE = {"07": 9, "23": 21, "41": 4, "58": 12}
MISSING = "64"
#: Organisations that have not yet recorded the last month (its lines are "chưa thu").
NOT_YET_RECORDED = ("12", "49")


def _base(rng: random.Random, category: str) -> int | None:
    low, high = {"hanh_chinh": (6, 15), "doanh_nghiep": (7, 22), "huu_tri": (4, 9)}.get(category, (0, 0))
    return rng.randint(low * 100, high * 100) * 10_000 if high else None


def build_dues(
    rng: random.Random, orgs: list[Organization], world: MemberWorld, *, staff, today: dt.date
) -> dict:
    last_month = dues.month_start(dues.month_start(today) - dt.timedelta(days=1))
    months = [last_month]
    while len(months) < 12:
        months.insert(0, dues.month_start(months[0] - dt.timedelta(days=1)))
    years = sorted({m.year for m in months})
    rates = {m: dues.rates_on(m) for m in months}
    # Categories and bases: pensioners (60 or more) pay on their pension; the rest as their unit.
    profiles, by_person = [], {}
    for p in world.persons:
        if p.status not in ACTIVE:
            continue
        category = "huu_tri" if today.year - p.birth_date.year >= 62 else dues.default_category(p.org)
        profile = MemberDues(
            member=p.member, category=category, income_base=_base(rng, category), recorded_by=staff
        )
        profiles.append(profile)
        by_person[id(p)] = profile
    MemberDues.objects.bulk_create(profiles, batch_size=2000)
    # Two members unpaid three months of one calendar year (last month's, or last year's early in a year), on
    # that roll throughout.
    same_year = [m for m in months if m.year == last_month.year]
    if len(same_year) < 3:
        same_year = [m for m in months if m.year == last_month.year - 1]
    first, last = dues.month_end(same_year[0]), dues.month_end(same_year[-1])
    candidates = [
        p for p in world.persons
        if p.status in ACTIVE and p.org_and_status_on(first)[0] is p.org and p.org_and_status_on(last)[0] is p.org
    ]  # fmt: skip
    flagged = rng.sample(candidates, 2)
    flagged_months = {id(p): set(rng.sample(same_year, 3)) for p in flagged}
    # Who is on which roll at each month's end, and what they owe.
    period_of = {m: period.start for y in years for period in dues.remittance_periods(y) for m in months
                 if period.start <= m <= period.end}  # fmt: skip
    lines, collected = [], defaultdict(int)
    for p in world.persons:
        profile = by_person.get(id(p))
        category = profile.category if profile else dues.default_category(p.org)
        base = profile.income_base if profile else _base(rng, category)
        unpaid_once = rng.random() < 0.02
        cell_id = p.cell.pk if p.cell is not None else None
        for month in months:
            org, status = p.org_and_status_on(dues.month_end(month))
            if org is None or status not in ACTIVE:
                continue
            if month == last_month and org.code in NOT_YET_RECORDED:
                continue
            due = dues.amount_due(rates[month].get(category), base)
            state, reason = DuesStatus.PAID, ""
            if month in flagged_months.get(id(p), ()):
                state = DuesStatus.UNPAID
            elif unpaid_once and month.month == 5:
                state = DuesStatus.UNPAID
            elif rng.random() < 0.006:
                state, reason = DuesStatus.EXEMPT, rng.choice(EXEMPT_REASONS)
            paid = due if state == DuesStatus.PAID else 0
            lines.append(
                DuesLine(
                    member_id=p.member.pk, organization_id=org.pk, cell_id=cell_id if org is p.org else None,
                    month=month, status=state, amount_due=0 if state == DuesStatus.EXEMPT else due,
                    amount_paid=paid, reason=reason, recorded_by_id=staff.pk,
                )
            )  # fmt: skip
            collected[(org.pk, period_of[month])] += paid
    DuesLine.objects.bulk_create(lines, batch_size=5000)
    remittances = []
    due = [
        period
        for year in years
        for period in dues.remittance_periods(year)
        if period.due < today and period.end >= months[0]
    ]
    this_year = [period for period in due if period.start.year == last_month.year] or due
    for period in due:
        policy = dues.policy_on(period.start)
        for org in orgs:
            if not org.belongs_during(period.start, period.end):
                continue
            if org.code == MISSING and period == due[-1]:
                continue
            amount = collected.get((org.pk, period.start), 0)
            if not amount:
                continue
            late = LATE.get(org.code) if period == this_year[0] else None
            remitted = (
                min(period.due + dt.timedelta(days=late), today - dt.timedelta(days=1))
                if late
                else period.due - dt.timedelta(days=rng.randint(0, 12))
            )
            remittances.append(
                DuesRemittance(
                    organization=org, period_start=period.start, period_end=period.end, remitted_on=remitted,
                    amount=amount - dues.kept_share(amount, policy.organization_keeps_percent), recorded_by=staff,
                )
            )  # fmt: skip
    DuesRemittance.objects.bulk_create(remittances, batch_size=2000)
    return {"lines": len(lines), "remittances": len(remittances), "flagged": [p.full_name for p in flagged]}
