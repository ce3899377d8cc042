"""Demo registry: the 76 organisations, their cells, officers, yearly records and the demo accounts."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from . import access
from .demo_data import KIND, ORGANIZATIONS, UNIT
from .models import Cell, Kind, Officer, Organization

DEMO_PASSWORD = "demo-khoi-2021"

CELL_NAMES = [
    "Chi bộ Văn phòng",
    "Chi bộ Phòng Tổng hợp",
    "Chi bộ Phòng Kế hoạch",
    "Chi bộ Phòng Nghiệp vụ 1",
    "Chi bộ Phòng Nghiệp vụ 2",
    "Chi bộ Phòng Thanh tra",
    "Chi bộ Đơn vị trực thuộc",
    "Chi bộ Phòng Tài chính – Kế toán",
]


def build_organizations(rng: random.Random) -> list[Organization]:
    orgs = []
    for index, (name, kind, unit) in enumerate(ORGANIZATIONS, start=1):
        joined = dt.date(rng.choice([1997, 2000, 2005, 2008, 2010, 2015]), 1, 1)
        # Term congresses 2020–2025 were held between April and July 2020 (76/76 in the article).
        congress = dt.date(2020, rng.randint(4, 7), rng.randint(1, 28))
        orgs.append(
            Organization(
                code=f"{index:02d}",
                name=name,
                kind=KIND[kind],
                unit_type=UNIT[unit],
                joined_on=joined,
                congress_held_on=congress,
                address=f"Số {rng.randint(1, 300)} đường Hùng Vương, thành phố Đông Hà",
                phone=f"0233 38{rng.randint(10000, 99999)}",
                email=f"dang-uy-{index:02d}@example.vn",
            )
        )
    Organization.objects.bulk_create(orgs)
    orgs = list(Organization.objects.order_by("code"))
    cells = []
    for org in orgs:
        if org.kind == Kind.DANG_BO_CO_SO:
            for name in rng.sample(CELL_NAMES, rng.randint(3, 6)):
                cells.append(Cell(organization=org, name=name))
    Cell.objects.bulk_create(cells)
    return orgs


def build_users(orgs: list[Organization]) -> dict:
    """Demo accounts: vanphong, lanhdao, bithu01…bithu76. One password hash for all (hashing is slow)."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    groups = {g.name: g for g in Group.objects.filter(name__in=access.ROLES)}
    staff = User.objects.create(
        username="vanphong",
        first_name="Văn phòng",
        last_name="Đảng ủy Khối",
        password=password,
        email="vanphong@example.vn",
        is_staff=True,
    )
    leader = User.objects.create(
        username="lanhdao",
        first_name="Thường trực",
        last_name="Đảng ủy Khối",
        password=password,
        email="lanhdao@example.vn",
    )
    staff.groups.add(groups[access.STAFF])
    leader.groups.add(groups[access.LEADERSHIP])
    secretaries = User.objects.bulk_create(
        [
            User(
                username=f"bithu{org.code}",
                first_name="Bí thư",
                last_name=org.code,
                password=password,
                email=f"bithu{org.code}@example.vn",
            )
            for org in orgs
        ]
    )
    secretaries = list(User.objects.filter(username__startswith="bithu").order_by("username"))
    groups[access.SECRETARY].user_set.add(*secretaries)
    Officer.objects.bulk_create(
        [
            Officer(user=user, organization=org, title="bi_thu")
            for user, org in zip(secretaries, orgs, strict=True)
        ]
    )
    return {"staff": staff, "leader": leader, "secretaries": secretaries}
