"""Who the load test logs in as (make load).

Without LOAD_ACCOUNTS: the demo's accounts (vanphong, lanhdao, bithu01…bithu76, password demo-khoi-2021) and the
demo's year. With ``LOAD_FACTOR=N make load`` the database holds ``generate_scale`` data, whose accounts have no
usable password: run.sh calls ``prepare`` (through ``manage.py shell -c``, in the load database only) to give a
staff user, a leadership user and the generated secretaries the run's password (LOAD_PASSWORD, random per run),
make this year's periods, and write their usernames by role to the JSON file LOAD_ACCOUNTS names; the locust
scenario and the throughput script read it back with ``load``.
"""

import json
import os

DEMO = {
    "staff": ["vanphong"],
    "leadership": ["lanhdao"],
    "secretaries": [f"bithu{i:02d}" for i in range(1, 77)],
    "year": 2021,
}
DEMO_PASSWORD = "demo-khoi-2021"


def load() -> tuple[dict, str]:
    """The accounts by role (and the year to report on) and their password, for this run."""
    path = os.environ.get("LOAD_ACCOUNTS")
    if not path:
        return DEMO, DEMO_PASSWORD
    with open(path) as handle:
        return json.load(handle), os.environ["LOAD_PASSWORD"]


def prepare(path: str) -> None:
    """In the load database (never the product's code paths): the load run's accounts, with LOAD_PASSWORD."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from demo import scale
    from organizations.access import LEADERSHIP, STAFF
    from reports.periods import periods_create

    users = get_user_model()
    hashed = make_password(os.environ["LOAD_PASSWORD"])  # one hash for all: hashing is slow on purpose
    for username, group in (("load_vanphong", STAFF), ("load_lanhdao", LEADERSHIP)):
        user, _ = users.objects.get_or_create(username=username, defaults={"first_name": "Thử tải"})
        user.groups.add(Group.objects.get(name=group))
    secretaries = sorted(
        users.objects.filter(username__startswith=scale.SECRETARY_PREFIX).values_list("username", flat=True)
    )
    if not secretaries:
        raise SystemExit("no generated secretaries (scale_bithu_…): run generate_scale first")
    users.objects.filter(username__in=["load_vanphong", "load_lanhdao", *secretaries]).update(password=hashed)
    year = dt.date.today().year
    periods_create(year=year)  # idempotent: the generator makes them, this makes sure
    with open(path, "w") as handle:
        json.dump(
            {
                "staff": ["load_vanphong"],
                "leadership": ["load_lanhdao"],
                "secretaries": secretaries,
                "year": year,
            },
            handle,
        )
    print(f"load accounts: load_vanphong, load_lanhdao, {len(secretaries)} secretaries; year {year}")
