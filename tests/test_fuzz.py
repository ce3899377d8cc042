"""Bad input never breaks a page: every form of the portal, fed generated garbage by hypothesis.

For each form the test opens the page, reads its fields from the HTML (inputs, selects, textareas), then posts
generated values: very long strings, Unicode far outside Vietnamese (emoji, right-to-left, control characters,
NUL), negative and huge numbers, malformed dates, values of the wrong type, options that are not offered. The
answer must never be a server error: either the form comes back with an error shown beside a field, or the
change is accepted. Each post runs in a transaction that is rolled back, so examples do not pile up.
Query strings get the same treatment on every list and dashboard page.
"""

import os
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.permission_matrix import build_world

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
ERROR_MARKS = ("invalid-feedback", "errorlist", "alert-danger", "is-invalid", "text-danger")


class _Fields(HTMLParser):
    """The named fields of the first POST form of a page, with the options of each select."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._in_form = False
        self._done = False
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post" and not self._done:
            if attrs.get("action", "") and "logout" in attrs.get("action", ""):
                return
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag in ("input", "textarea") and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") not in ("submit", "button", "file"):
                self.fields.setdefault(name, [])
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, [])
        elif tag == "option" and self._select and attrs.get("value") not in (None, ""):
            self.fields[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_fields(html: str) -> dict[str, list[str]]:
    parser = _Fields()
    parser.feed(html)
    return parser.fields


NASTY_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "😀👍🏽",
            "مرحبا",
            "\u202eabc",
            "<script>alert(1)</script>",
            "=1+1",
            "' OR 1=1 --",
            "${jndi:x}",
            "../../etc/passwd",
            "\r\n\t",
        ]
    ),  # fmt: skip
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["-1", "0", "1e308", "NaN", "1.234,5", "١٢٣", "0x10", "9" * 40]),
)
DATES = st.one_of(
    st.sampled_from(
        [
            "31/02/2021",
            "00/00/0000",
            "32/13/2021",
            "05/03/21",
            "2021-13-01",
            "29/02/2021",
            "01/01/0001",
            "31/12/9999",
            "05/03/2021",
            "1/1/1900",
            "hôm qua",
            "25-03-2021",
        ]
    ),  # fmt: skip
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)


def _value(field_options):
    choices = [NASTY_TEXT, NUMBERS, DATES]
    if field_options:
        choices.append(st.sampled_from(field_options))
    return st.one_of(*choices)


def _forms(world):
    own = world.own
    report = own["report"]
    return {
        "staff": [
            reverse("organizations:organization_create"),
            reverse("organizations:organization_edit", args=[own["organization"].pk]),
            reverse("organizations:organization_leave", args=[own["organization"].pk]),
            reverse("organizations:cell_create", args=[own["organization"].pk]),
            reverse("organizations:officer_add", args=[own["organization"].pk]),
            reverse("organizations:year_create", args=[own["organization"].pk]),
            reverse("organizations:bloc_year_create"),
            reverse("members:member_create"),
            reverse("members:member_edit", args=[own["member"].pk]),
            reverse("members:member_action", args=[own["member"].pk, "full"]),
            reverse("members:member_action", args=[own["member"].pk, "transfer-out"]),
            reverse("members:member_action", args=[own["member"].pk, "remove"]),
            reverse("members:member_rating", args=[own["member"].pk]),
            reverse("members:candidate_create"),
            reverse("members:candidate_admit", args=[own["candidate"].pk]),
            reverse("reports:target_create"),
            reverse("reports:resolution_create"),
            reverse("reports:schedule_list"),
        ],
        "secretary": [
            reverse("reports:report_edit", args=[report.pk]),
            reverse("members:member_action", args=[own["member"].pk, "died"]),
            reverse("organizations:organization_edit", args=[own["organization"].pk]),
        ],
    }


FORM_IDS = [(role, i) for role, n in (("staff", 18), ("secretary", 3)) for i in range(n)]


@pytest.mark.parametrize(("role", "index"), FORM_IDS, ids=[f"{r}-{i}" for r, i in FORM_IDS])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_forms_never_answer_500(role, index, data):
    world = _world()
    url = _forms(world)[role][index]
    client = Client()
    client.force_login(world.staff if role == "staff" else world.secretary)
    fields = _WORLD.setdefault("fields", {}).get(url)
    if fields is None:
        page = client.get(url)
        assert page.status_code == 200, url
        fields = _WORLD["fields"][url] = form_fields(page.content.decode())
    assert fields, f"no form fields found on {url}"
    payload = {name: data.draw(_value(options), label=name) for name, options in fields.items()}
    with transaction.atomic():
        response = client.post(url, payload)
        transaction.set_rollback(True)
    # 409: the report changed since the page was opened (a concurrent edit): refused, nothing lost.
    assert response.status_code in (200, 302, 400, 409), (url, response.status_code)
    if response.status_code in (200, 409):
        body = response.content.decode()
        assert any(mark in body for mark in ERROR_MARKS), (
            f"{url}: 200 without a visible error for {payload!r}"
        )


_WORLD = {}


def _world():
    """One world per test function: hypothesis runs all its examples inside that test's transaction, and the
    next test starts from an empty database (the cached world is then gone and is built again)."""
    world = _WORLD.get("world")
    if world is None or not type(world.staff).objects.filter(pk=world.staff.pk).exists():
        _WORLD.clear()
        world = _WORLD["world"] = build_world()
    return world


GARBAGE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["abc", "-1", "0", "99999", "2021.5", "1e9", "", "%00", "<script>", "'", "9" * 30]),
)
QUERY_PAGES = [
    ("organizations:organization_list", ("q", "kind", "unit_type", "in_bloc", "page", "sort", "export")),
    (
        "members:member_list",
        ("q", "organization", "status", "gender", "cell", "admission_year", "page", "sort"),
    ),
    ("members:candidate_list", ("q", "organization", "status", "page", "sort")),
    ("members:overdue_list", ("page",)),
    ("reports:report_list", ("organization", "period", "status", "year", "page")),
    ("reports:matrix", ("year", "kind")),
    ("reports:period_status", ("period",)),
    ("reports:target_list", ("year",)),
    ("reports:resolution_list", ("year",)),
    ("dashboard:dashboard", ("year",)),
    ("dashboard:data_json", ("year",)),
    ("dashboard:indicator_records", ("year", "code", "org", "page")),
]


@pytest.mark.parametrize(("name", "params"), QUERY_PAGES, ids=[n for n, _ in QUERY_PAGES])
@settings(max_examples=max(EXAMPLES // 2, 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_query_strings_never_answer_500(name, params, data):
    world = _world()
    client = Client()
    client.force_login(world.staff)
    query = {p: data.draw(GARBAGE, label=p) for p in params if data.draw(st.booleans(), label=f"use {p}")}
    query.pop("export", None)
    response = client.get(reverse(name), query)
    assert response.status_code in (200, 302, 400, 404), (name, query, response.status_code)
