"""The indicators of issue 19 and their drill-down: TCCSĐ remitting dues on time, disciplined members and
organisations in the year, inspections concluded vs planned, remedies overdue."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from discipline import services as discipline_services
from discipline.models import DecidingBody, Remedy, Violation
from members import dues
from members import services as member_services
from members.tests import factories as mf
from organizations.tests.factories import OrganizationFactory, inspection_user
from targets import indicators as ind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(member_services, "_today", lambda: dt.date(2026, 11, 20))


def test_dues_on_time_counts_organisations_whose_every_due_remittance_was_on_time(client_for, staff):
    a, b, c = (OrganizationFactory(code=code) for code in ("A", "B", "C"))
    for q, period in enumerate(dues.remittance_periods(2021)):
        member_services.dues_remittance_record(
            organization=a, period_start=period.start, amount=10, remitted_on=period.due
        )
        late = period.due + dt.timedelta(days=1 if q == 2 else 0)
        member_services.dues_remittance_record(
            organization=b, period_start=period.start, amount=10, remitted_on=late
        )
    result = ind.REGISTRY["dues_on_time"].compute(2021, dt.date(2021, 12, 31))
    # Q4 is due 15/01/2022: not yet by 31/12/2021. A on time 3/3; B one day late once; C nothing (missing).
    assert (result.numerator, result.denominator) == (1, 3)
    assert {r.code: r.detail for r in result.rows} == {
        "A": "3/3 kỳ đúng hạn",
        "B": "2/3 kỳ đúng hạn",
        "C": "0/3 kỳ đúng hạn",
    }
    assert ind.REGISTRY["dues_on_time"].compute(2022, dt.date(2022, 1, 31)).note
    # The drill-down page lists each organisation with its periods on time, the one that met it apart.
    page = client_for(staff).get(
        reverse("dashboard:indicator_records"), {"code": "dues_on_time", "year": 2021}
    )
    text = page.content.decode()
    assert page.status_code == 200
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert "Chưa đạt / chưa có số liệu (2)" in flat and "Đạt (1)" in flat
    assert flat.index("2/3 kỳ đúng hạn") < flat.index("Đạt (1)") < flat.index("3/3 kỳ đúng hạn")


def test_discipline_and_inspection_indicators_and_their_drill_down(client_for, staff):
    inspector = inspection_user()
    a, b = OrganizationFactory(code="A"), OrganizationFactory(code="B")
    member = mf.member(a, ceremony_on=dt.date(2015, 3, 1), full=True)
    common = {
        "deciding_body": DecidingBody.UBKT_DANG_UY_KHOI,
        "violation": Violation.KHAC,
        "summary": "x",
        "by": inspector,
    }
    discipline_services.discipline_record(
        subject="member", member=member, organization=a, form="canh_cao", decision_no="1",
        decided_on=dt.date(2021, 4, 1), effective_on=dt.date(2021, 4, 1), **common,
    )  # fmt: skip
    discipline_services.discipline_record(
        subject="organization", organization=b, form="khien_trach", decision_no="2",
        decided_on=dt.date(2021, 9, 1), effective_on=dt.date(2021, 9, 1), **common,
    )  # fmt: skip
    planned = [
        discipline_services.programme_save(
            programme=None,
            year=2021,
            kind="kiem_tra",
            title=f"Kiểm tra {n}",
            in_plan=True,
            decision_no="",
            starts_on=dt.date(2021, 3, 1),
            ends_on=dt.date(2021, 4, 1),
            organizations=orgs,
            by=inspector,
        )  # fmt: skip
        for n, orgs in ((1, [a]), (2, [a, b]))
    ]
    discipline_services.programme_conclude(
        programme=planned[0], concluded_on=dt.date(2021, 5, 1), conclusion="Đạt.", by=inspector
    )
    discipline_services.remedy_add(
        programme=planned[0],
        organization=a,
        requirement="Sửa sổ.",
        deadline=dt.date(2021, 8, 1),
        by=inspector,
    )
    end = dt.date(2021, 12, 31)
    assert ind.REGISTRY["disciplined_members"].compute(2021, end).value == 1
    assert ind.REGISTRY["disciplined_members"].compute(2021, dt.date(2021, 3, 31)).value == 0
    assert ind.REGISTRY["disciplined_organizations"].compute(2021, end).value == 1
    done = ind.REGISTRY["inspections_done"].compute(2021, end)
    assert (done.numerator, done.denominator) == (1, 2)
    assert ind.REGISTRY["inspections_done"].compute(2021, dt.date(2021, 4, 30)).numerator == 0
    assert ind.REGISTRY["remedies_overdue"].compute(2021, end).value == 1
    assert ind.REGISTRY["remedies_overdue"].compute(2021, dt.date(2021, 8, 1)).value == 0  # due that day
    # Done the next year: 2021 still had it overdue at its end (a past year's figure does not move).
    discipline_services.remedy_done(remedy=Remedy.objects.get(), done_on=dt.date(2022, 2, 1), by=inspector)
    assert ind.REGISTRY["remedies_overdue"].compute(2021, end).value == 1
    assert ind.REGISTRY["remedies_overdue"].compute(2022, dt.date(2022, 12, 31)).value == 0
    page = client_for(staff).get(
        reverse("dashboard:indicator_records"), {"code": "remedies_overdue", "year": 2021}
    )
    assert page.status_code == 200 and "1 yêu cầu quá hạn" in page.content.decode()


def test_a_discipline_recorded_shows_at_once_on_the_cached_dashboard(client_for, staff):
    """The dashboard is cached under the data's version (core/datacache.py): the discipline register is part
    of it, so a new decision changes the figure at once."""
    inspector = inspection_user()
    org = OrganizationFactory(code="A")
    member = mf.member(org, ceremony_on=dt.date(2015, 3, 1), full=True)
    client = client_for(staff)

    def figure():
        data = client.get(reverse("dashboard:data_json"), {"year": 2026}).json()
        return next(i["value"] for i in data["indicators"] if i["code"] == "disciplined_members")

    assert figure() == 0
    discipline_services.discipline_record(
        subject="member", member=member, organization=org, form="khien_trach", decision_no="7",
        decided_on=dt.date(2026, 2, 2), effective_on=dt.date(2026, 2, 2), deciding_body=DecidingBody.CHI_BO,
        violation=Violation.KHAC, summary="x", by=inspector,
    )  # fmt: skip
    assert figure() == 1
