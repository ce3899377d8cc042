"""Demo registry: the 76 organisations, their cells, officers, yearly records and the demo accounts."""

import contextlib
import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from organizations import access
from organizations.models import (
    BlocMembership,
    BlocYear,
    Cell,
    CellRating,
    Congress,
    CongressKind,
    Kind,
    Officer,
    OfficerTitle,
    Organization,
    OrganizationYear,
    Rating,
)

from .organizations_data import KIND, ORGANIZATIONS, UNIT

DEMO_PASSWORD = "demo-khoi-2021"


@contextlib.contextmanager
def explicit_timestamps(*fields):
    """Let ``bulk_create`` keep the timestamps we set on auto_now / auto_now_add fields (demo history)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f, _, _ in saved:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def record_history(model, objs, *, user=None) -> None:
    """A "created" history row for each object saved with ``bulk_create`` (which sends no signals), so the
    first real edit shows as a change. Dated `obj._history_date` when set, else now."""
    model.history.bulk_history_create(
        objs, batch_size=1000, default_user=user, default_change_reason="Nạp dữ liệu mẫu"
    )


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
                address=f"Số {rng.randint(1, 300)} đường Hùng Vương, thành phố Đông Hà",
                phone=f"0233 38{rng.randint(10000, 99999)}",
                email=f"dang-uy-{index:02d}@example.vn",
            )
        )
        orgs[-1]._congress_2020 = congress
    congresses_2020 = {}
    for org in orgs:
        congresses_2020[org.code] = org._congress_2020
    Organization.objects.bulk_create(orgs)
    orgs = list(Organization.objects.order_by("code"))
    BlocMembership.objects.bulk_create([BlocMembership(organization=o, joined_on=o.joined_on) for o in orgs])
    # Term congresses 2025–2030 were held between April and August 2025 (its own generator: the rest of the demo
    # does not move); the article's 2020–2025 ones as before. Both terms are in the registry.
    later = random.Random("congresses-2025")
    congresses = []
    for o in orgs:
        congresses.append(Congress(organization=o, term_start=2020, held_on=congresses_2020[o.code]))
        kind = (
            CongressKind.DAI_HOI_DAI_BIEU
            if o.kind == Kind.DANG_BO_CO_SO and later.random() < 0.3
            else CongressKind.DAI_HOI
        )
        congresses.append(
            Congress(
                organization=o,
                term_start=2025,
                held_on=dt.date(2025, later.randint(4, 8), later.randint(1, 28)),
                kind=kind,
            )
        )
    Congress.objects.bulk_create(congresses)
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
    inspector = User.objects.create(
        username="kiemtra",
        first_name="Ủy ban Kiểm tra",
        last_name="Đảng ủy Khối",
        password=password,
        email="kiemtra@example.vn",
    )
    staff.groups.add(groups[access.STAFF])
    leader.groups.add(groups[access.LEADERSHIP])
    inspector.groups.add(groups[access.INSPECTION])
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
            Officer(user=user, organization=org, title=OfficerTitle.BI_THU)
            for user, org in zip(secretaries, orgs, strict=True)
        ]
    )
    return {"staff": staff, "leader": leader, "inspector": inspector, "secretaries": secretaries}


# --- yearly records and the Bloc's rating ----------------------------------------------------------------

THEMES = [
    "Nâng cao tinh thần trách nhiệm, ý thức tổ chức kỷ luật, nêu gương của cán bộ, đảng viên trong thực hiện "
    "nhiệm vụ chính trị",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tinh thần đoàn kết, đổi mới, sáng tạo, "
    "phục vụ nhân dân",
    "Đẩy mạnh cải cách hành chính, chuyển đổi số; cán bộ, đảng viên gương mẫu, tận tụy phục vụ nhân dân",
    "Nêu cao tinh thần trách nhiệm, đoàn kết, kỷ cương, hiệu quả trong sản xuất, kinh doanh",
    "Thực hành tiết kiệm, chống lãng phí; xây dựng cơ quan, đơn vị văn minh, hiện đại",
    "Xây dựng tổ chức đảng trong sạch, vững mạnh gắn với hoàn thành tốt nhiệm vụ chuyên môn",
]


def _split(rng: random.Random, n: int, good: int, excellent_share: tuple[float, float]) -> list[str]:
    """`n` ratings, `good` of them HTTNV-or-better (HTXSNV at most 20% of those), shuffled."""
    excellent = min(int(good * 0.2), round(good * rng.uniform(*excellent_share)))
    weak = n - good
    failing = 1 if weak >= 3 else 0
    grades = (
        [Rating.HTXSNV] * excellent
        + [Rating.HTTNV] * (good - excellent)
        + [Rating.HTNV] * (weak - failing)
        + [Rating.KHTNV] * failing
    )
    rng.shuffle(grades)
    return grades


def _build_cell_ratings(records: list[OrganizationYear], *, staff=None) -> None:
    """The yearly ratings of each đảng bộ cơ sở's chi bộ trực thuộc, consistent with the đảng bộ's own rating
    (HD 21-HD/BTCTW §II.B.1.3: a đảng bộ rated HTXSNV has every chi bộ HTNV or better, ≥ 80% HTTNV or better).
    Drawn from their own generator so the rest of the demo does not move."""
    cells = defaultdict(list)
    for cell in Cell.objects.filter(is_active=True).order_by("organization__code", "name"):
        cells[cell.organization_id].append(cell)
    ratings = []
    for record in records:
        if not record.party_rating or record.organization.kind != Kind.DANG_BO_CO_SO:
            continue
        rng = random.Random(f"cell-ratings-{record.organization.code}-{record.year}")
        for cell in cells[record.organization_id]:
            if record.party_rating == Rating.HTXSNV:
                grade = Rating.HTXSNV if rng.random() < 0.3 else Rating.HTTNV
            else:
                grade = rng.choices([Rating.HTXSNV, Rating.HTTNV, Rating.HTNV], weights=[2, 7, 1])[0]
            ratings.append(CellRating(cell=cell, year=record.year, party_rating=grade, rated_by=staff))
    CellRating.objects.bulk_create(ratings)


def build_years(
    rng: random.Random, orgs: list[Organization], roll_sizes: dict[int, int], today, *, staff=None
) -> int:
    """OrganizationYear for 2020 to the current year and BlocYear. Complete years are rated; the current
    year is not (the year is not over); 2021 meets targets 1, 2, 5 and 7 of the article."""
    current = today.year
    years = list(range(2020, current + 1))
    n = len(orgs)
    enterprises = [i for i, o in enumerate(orgs) if o.is_enterprise]
    base = {o.pk: max(20, min(400, int(roll_sizes.get(o.pk, 20) * rng.uniform(1.3, 4.0)))) for o in orgs}
    rows = []
    for year in years:
        rated = year < current
        if year == 2021:
            party_good, professional_good = 70, 71  # 92,1% and 93,4%
        else:
            party_good, professional_good = rng.randint(67, 72), rng.randint(68, 73)
        party = _split(rng, n, party_good, (0.12, 0.19))
        professional = _split(rng, n, professional_good, (0.10, 0.18))
        # Enterprise TCCSĐ with effective production and business: more than 90% in 2021.
        effective_n = min(len(enterprises), int(len(enterprises) * 0.9) + 1)
        if year != 2021:
            effective_n = max(0, effective_n - rng.randint(0, 2))
        effective = set(rng.sample(enterprises, effective_n))
        # Every organisation built its theme in 2021; two have not yet this year.
        missing_theme = set(rng.sample(range(n), 2)) if year == current else set()
        for i, org in enumerate(orgs):
            themed = i not in missing_theme
            kind = "ĐU" if org.kind == Kind.DANG_BO_CO_SO else "CB"
            rows.append(
                OrganizationYear(
                    organization=org,
                    year=year,
                    non_member_headcount=max(
                        20, min(400, base[org.pk] + rng.randint(-8, 12) * (year - 2020))
                    ),
                    party_rating=party[i] if rated else "",
                    professional_rating=professional[i] if rated else "",
                    enterprise_effective=(i in effective) if rated and org.is_enterprise else None,
                    theme_text=f"Năm {year}: {rng.choice(THEMES)}" if themed else "",
                    theme_doc_no=f"{rng.randint(1, 40)}-KH/{kind}" if themed else "",
                    theme_issued_on=min(dt.date(year, rng.randint(1, 3), rng.randint(1, 28)), today)
                    if themed
                    else None,
                )
            )
    OrganizationYear.objects.bulk_create(rows)
    record_history(OrganizationYear, rows, user=staff)
    _build_cell_ratings(rows, staff=staff)
    blocs = [
        BlocYear(
            year=year,
            rating=Rating.HTXSNV if year in (2020, 2021) else rng.choice([Rating.HTXSNV, Rating.HTTNV]),
        )
        for year in years
        if year < current
    ]
    blocs.append(BlocYear(year=current, note="Chưa đánh giá, xếp loại (năm chưa kết thúc)."))
    BlocYear.objects.bulk_create(blocs)
    record_history(BlocYear, blocs, user=staff)
    return len(rows)
