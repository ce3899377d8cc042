"""Bad input never breaks a page: every form of the portal, fed generated garbage by hypothesis.

The forms are discovered, not listed: the test opens every page of the permission matrix (and the pages they
link to) as staff, as a secretary and as a cell secretary, and reads every ``<form method="post">`` (inputs, selects, textareas).
Every URL that accepts a POST from that role (tests/permission_matrix.py says which) is then fed generated
values: very long strings, Unicode far outside Vietnamese (emoji, right-to-left marks, control characters, NUL),
negative and huge numbers, malformed dates, values of the wrong type, options that are not offered. A URL that
accepts a POST but shows no form is fed the same garbage under the usual field names. The answer is never a
server error: either the form comes back with an error shown, or the change is accepted (and rolled back:
every post runs in a transaction that is undone, so examples do not pile up).

Query strings get the same treatment on every page: ``year``, ``page``, ``sort``, ``q`` and each filter the
page offers, with garbage values, answer 400, 404 or a sensible default, never 500.

The world (organisations A and B, their objects, the roles; the crawl runs as staff, a secretary and the
Inspection Commission) is built once for the module, inside a
transaction rolled back at the end. ``FUZZ_EXAMPLES`` sets the number of generated inputs per form.
"""

import os
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.permission_matrix import MATRIX, build_world

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
ERROR_MARKS = ("invalid-feedback", "errorlist", "alert-danger", "is-invalid", "text-danger", "alert-warning")
WORKS = {200, 302}
#: What a post may answer: the page (with its errors), a redirect after a change, "no content", a bad request,
#: or a conflict (the report changed since the form was opened: refused, nothing lost).
POST_ANSWERS = {200, 204, 302, 400, 409}
#: POST endpoints not fuzzed, and why.
NOT_FUZZED = {
    "login": "a logged-in user posting the login page is sent home; the login form is fuzzed anonymously below",
    "logout": "takes no input",
}
#: Field names tried on a POST endpoint when no page shows its form (a button that appears only in some states).
USUAL_FIELDS = ("revision", "reason", "action", "year", "from_year", "to_year", "username", "ip", "note")


# --- reading forms and links out of pages -----------------------------------------------------------------


class _Page(HTMLParser):
    """Every POST form of a page (action and named fields, with the options of each select) and its links."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        #: The CSRF token each POST form carries (in the order of `forms`; "" when it has none).
        self.tokens: list[str] = []
        self.get_fields: set[str] = set()
        self.links: list[str] = []
        self._form = None
        self._get_form = False
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._form = (attrs.get("action") or "", {})
                self._token = ""
            else:
                self._get_form = True
            return
        name = attrs.get("name")
        if self._get_form and name and tag in ("input", "select"):
            self.get_fields.add(name)
        if self._form is None:
            return
        fields = self._form[1]
        if tag == "input" and name == "csrfmiddlewaretoken":
            self._token = attrs.get("value") or ""
        elif tag in ("input", "textarea") and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") not in ("submit", "button", "file"):
                fields.setdefault(name, [])
                if attrs.get("type") in ("hidden", "radio", "checkbox") and attrs.get("value"):
                    fields[name].append(attrs["value"])
        elif tag == "button" and name and attrs.get("value"):
            fields.setdefault(name, []).append(attrs["value"])
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, [])
        elif tag == "option" and self._select and attrs.get("value") not in (None, ""):
            fields[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "form":
            if self._form is not None:
                self.forms.append(self._form)
                self.tokens.append(self._token)
            self._form, self._get_form = None, False


def _route_name(path: str) -> str | None:
    try:
        name = resolve(path).view_name
    except Resolver404:
        return None
    return None if name.startswith("admin:") else name


def _matrix_url(world, name, rule) -> str:
    kwargs = rule.kwargs(world, "own") if rule.kwargs else {}
    query = rule.query(world) if callable(rule.query) else rule.query
    return reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


def _crawl(client, start: list[str], limit: int = 400, per_route: int = 4):
    """Open the start pages and the pages they link to (same site, without query strings; a few pages per
    route): every POST form found, as {route name: [(action URL, fields)]}, the GET parameters each page
    offers, and where each form was first seen ({route name: [(page URL, action URL)]})."""
    forms: dict[str, list[tuple[str, dict]]] = {}
    shown_on: dict[str, list[tuple[str, str]]] = {}
    get_params: dict[str, set[str]] = {}
    queue, seen, visits = list(start), set(), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        route = _route_name(urlsplit(url).path)
        if url in seen or visits.get(route, 0) >= per_route and url not in start:
            continue
        seen.add(url)
        visits[route] = visits.get(route, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        get_params.setdefault(route, set()).update(page.get_fields)
        for action, fields in page.forms:
            target = urljoin(url, action) if action else url
            target_name = _route_name(urlsplit(target).path)
            if target_name and (target, fields) not in forms.setdefault(target_name, []):
                forms[target_name].append((target, fields))
            if target_name and target not in {t for _, t in shown_on.get(target_name, [])}:
                shown_on.setdefault(target_name, []).append((url, target))
        for href in page.links:
            split = urlsplit(urljoin(url, href))
            if not split.netloc and not split.query and _route_name(split.path) and split.path not in seen:
                queue.append(split.path)
    return forms, get_params, shown_on


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("fuzz-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        start = [_matrix_url(w, name, rule) for name, rule in MATRIX.items()]
        found = {}
        for role, user in (
            ("staff", w.staff),
            ("secretary", w.secretary),
            ("cell", w.cell_secretary),
            ("inspector", w.inspector),
        ):
            client = Client()
            client.force_login(user)
            found[role] = _crawl(client, start)
        yield SimpleNamespace(
            **vars(w),
            forms={role: found[role][0] for role in found},
            shown_on={role: found[role][2] for role in found},
            get_params=found["staff"][1],
            user={
                "staff": w.staff,
                "secretary": w.secretary,
                "cell": w.cell_secretary,
                "inspector": w.inspector,
            },
        )
        transaction.set_rollback(True)


# --- what is generated --------------------------------------------------------------------------------------

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
            "שלום",
            "\u202eabc",
            "\ufeff",
            "𝔘𝔫𝔦",
            "<script>alert(1)</script>",
            "=1+1",
            "' OR 1=1 --",
            "${jndi:x}",
            "../../etc/passwd",
            "\r\n\t",
            "x" * 100_000,
        ]
    ),  # fmt: skip
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["-1", "0", "1e308", "NaN", "-inf", "1.234,5", "١٢٣", "0x10", "9" * 40, "2147483648"]),
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
            "01/01/10000",
        ]
    ),  # fmt: skip
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)


def _value(options):
    choices = [NASTY_TEXT, NUMBERS, DATES]
    if options:
        choices.append(st.sampled_from(options))
    return st.one_of(*choices)


# --- every form -------------------------------------------------------------------------------------------


def _accepts_post(rule, side) -> bool:
    return bool(rule.post[side] & WORKS)


FORM_CASES = [
    (name, role)
    for role, side in (("staff", "staff"), ("secretary", "own"), ("cell", "cell"), ("inspector", "inspector"))
    for name, rule in sorted(MATRIX.items())
    if _accepts_post(rule, side) and name not in NOT_FUZZED
]


#: POST endpoints whose form no page of the world shows (the button appears only in another state); they are
#: fed the usual field names instead.
NOT_SHOWN = {
    "lockout_reset": "the world has no lockout to lift",
    "reports:report_accept": "the world's report is a draft, not submitted",
    "reports:report_return": "the world's report is a draft, not submitted",
    "reports:periods_make": "the world's years all have their periods",
    "reports:report_confirm": "the world's report is an empty draft: the page lists what is missing, no button",
    "reports:review_accept_selected": "the world has no submitted report waiting for review",
    "members:badge_round_list": "the world's members are too young in the party to reach a badge in the round",
    "dashboard:year_close": "the crawl reads the current year's dashboard; only a year whose annual reports were due may be closed (tests/e2e/test_year_closing.py drives it)",
}


def test_the_crawl_finds_every_form(world):
    """Every POST endpoint is reached through a form on some page (or is listed in NOT_SHOWN with a reason)."""
    for role in ("staff", "secretary", "cell", "inspector"):
        missing = {name for name, r in FORM_CASES if r == role and not world.forms[role].get(name)}
        assert missing <= set(NOT_SHOWN), (role, sorted(missing - set(NOT_SHOWN)))


# --- every form, posted once as a browser would: with CSRF checks on ---------------------------------------


def _stage_submitted_report(world):
    """The world's own report, submitted (so the review page shows "Duyệt" and "Trả lại")."""
    from reports.models import ReportStatus

    report = world.own["report"]
    report.status, report.first_submitted_at = ReportStatus.SUBMITTED, timezone.now()
    report.submitted_at = report.first_submitted_at
    report.save()
    return reverse("reports:report_detail", kwargs={"pk": report.pk})


def _stage_complete_draft(world):
    """The world's own report with everything a submission needs, so "Xem lại và nộp" shows "Nộp báo cáo"."""
    report = world.own["report"]
    report.refresh_from_db()  # another stage may have changed the object in memory (its rows rolled back)
    for name in ("members_total", "admissions", "full_memberships", "transfers_in", "transfers_out"):
        setattr(report, name, 0)
    report.non_member_headcount = 5
    report.results_text = report.shortcomings_text = report.directions_text = "Đã ghi."
    report.save()
    return reverse("reports:report_confirm", kwargs={"pk": report.pk})


def _stage_lockout(world):
    """A locked-out account, so the lockout list shows its "Mở khóa" button."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="ai_do",
        ip_address="10.0.0.9",
        user_agent="x",
        failures_since_start=9,
        get_data="",
        post_data="",
    )
    return reverse("lockout_list")


def _stage_badge_round(world):
    """A member of the own organisation admitted 30 years before the coming Huy hiệu Đảng round, so the round's
    list shows a dossier form."""
    import datetime as dt

    from members.lifecycle import add_months, badge_round_on
    from members.tests import factories as member_factories

    round_on = badge_round_on(dt.date.today())
    decided = add_months(round_on, -12 * 30)
    member_factories.member(
        world.own["organization"],
        ceremony_on=decided + dt.timedelta(days=7),
        admission_decided_on=decided,
        birth_date=dt.date(decided.year - 25, 1, 1),
        full=True,
    )
    return reverse("members:badge_round_list") + f"?round={round_on.isoformat()}"


#: Forms the world does not show until it is put in the state that shows them: {route name: stage(world) ->
#: the page that then shows the form}.
def _stage_closable_year(world):
    """Last year but one with its periods made: long past its annual report's due date, so it may be closed."""
    from reports.periods import periods_create

    periods_create(year=world.year - 2)
    return reverse("dashboard:dashboard") + f"?year={world.year - 2}"


STAGES = {
    "dashboard:year_close": _stage_closable_year,
    "reports:report_accept": _stage_submitted_report,
    "reports:report_return": lambda world: _stage_submitted_report(world) + "return/",
    "reports:report_confirm": _stage_complete_draft,
    "reports:review_accept_selected": lambda world: (
        _stage_submitted_report(world) and reverse("reports:review_queue")
    ),
    "lockout_reset": _stage_lockout,
    "reports:periods_make": lambda world: reverse("reports:matrix") + f"?year={world.year - 3}",
    "members:badge_round_list": _stage_badge_round,
}
CSRF_CASES = [
    *FORM_CASES,
    ("logout", "staff"),
    ("logout", "secretary"),
    ("logout", "cell"),
    ("logout", "inspector"),
]


def _first_value(options: list[str]) -> str:
    return options[0] if options else "1"


@pytest.mark.parametrize(("name", "role"), CSRF_CASES, ids=[f"{r}-{n}" for n, r in CSRF_CASES])
def test_every_form_works_with_csrf_checks_on(world, name, role):
    """Django's test client skips CSRF checks, so a form whose template lost its token (an include with
    `only`) passed every test while every browser got 403. Here each form is opened and posted the way a
    browser does: a client that enforces CSRF, the token read from the form itself. A form without a token, or
    whose token is refused, fails."""
    with transaction.atomic():
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.user[role])
        if name in STAGES:
            pages = [(STAGES[name](world), None)]
        else:
            pages = world.shown_on[role].get(name, [])
        assert pages, f"no page shows a form posting to {name}"
        page_url, action = pages[0]
        response = client.get(page_url)
        assert response.status_code == 200, (page_url, response.status_code)
        page = _Page()
        page.feed(response.content.decode())
        found = [
            (urljoin(page_url, a) if a else page_url, fields, token)
            for (a, fields), token in zip(page.forms, page.tokens, strict=True)
            if _route_name(urlsplit(urljoin(page_url, a) if a else page_url).path) == name
        ]
        assert found, f"{page_url} shows no form posting to {name}"
        target, fields, token = next(((t, f, k) for t, f, k in found if action in (None, t)), found[0])
        assert token, f"the form on {page_url} posting to {target} has no CSRF token"
        payload = {field: _first_value(options) for field, options in fields.items()}
        payload["csrfmiddlewaretoken"] = token
        response = client.post(target, payload)
        transaction.set_rollback(True)
    assert response.status_code != 403, f"{target}: the form's own CSRF token was refused"
    assert response.status_code in POST_ANSWERS, (target, response.status_code)


def test_a_refused_token_shows_a_vietnamese_page_that_leads_back_to_the_form(world):
    """CSRF_FAILURE_VIEW: what happened, in Vietnamese, in the portal's layout, with a way back to the form —
    through the login page when the session has ended."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.secretary)
    form_page = reverse("reports:report_edit", kwargs={"pk": world.own["report"].pk})
    client.get(form_page)
    response = client.post(
        form_page, {"csrfmiddlewaretoken": "stale" * 8}, HTTP_REFERER=f"http://testserver{form_page}"
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "Phiên làm việc của bạn đã hết hạn" in body and "Forbidden" not in body
    assert f'href="{form_page}"' in body and 'id="main"' in body
    client.logout()
    response = Client(enforce_csrf_checks=True).post(
        form_page, {"x": "1"}, HTTP_REFERER=f"http://testserver{form_page}"
    )
    assert response.status_code == 403
    assert "Đăng nhập lại" in response.content.decode()
    assert f"/accounts/login/?next={quote(form_page, safe='')}" in response.content.decode()
    # A referer from another site is never offered as the way back.
    response = Client(enforce_csrf_checks=True).post(form_page, {}, HTTP_REFERER="https://evil.example/x")
    assert "evil.example" not in response.content.decode()


@pytest.mark.parametrize(("name", "role"), FORM_CASES, ids=[f"{r}-{n}" for n, r in FORM_CASES])
def test_forms_never_answer_500(world, name, role):
    client = Client()
    client.force_login(world.user[role])
    forms = world.forms[role].get(name)
    if not forms:  # no page shows this form in the world's state: post the usual field names to its URL
        url = _matrix_url(world, name, MATRIX[name])
        forms = [(url, dict.fromkeys(USUAL_FIELDS, []))]
    widest = max(len(fields) for _, fields in forms)
    examples = EXAMPLES if widest > 1 else max(EXAMPLES // 4, 5)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(data=st.data())
    def post_garbage(data):
        url, fields = data.draw(st.sampled_from(forms), label="form")
        payload = {field: data.draw(_value(options), label=field) for field, options in fields.items()}
        with transaction.atomic():
            response = client.post(url, payload)
            transaction.set_rollback(True)
        assert response.status_code in POST_ANSWERS, (url, response.status_code, payload)
        if response.status_code in (200, 409) and "text/html" in response.get("Content-Type", ""):
            body = response.content.decode()
            assert any(mark in body for mark in ERROR_MARKS), (
                f"{url}: {response.status_code} without an error"
            )

    post_garbage()


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(username=NASTY_TEXT, password=NASTY_TEXT)
def test_the_login_form_never_answers_500(username, password):
    with override_settings(AXES_ENABLED=False):  # garbage logins are not an attack to lock out here
        response = Client().post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 200
    assert any(mark in response.content.decode() for mark in ERROR_MARKS)


# --- every query string -------------------------------------------------------------------------------------

GARBAGE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "abc",
            "-1",
            "0",
            "99999",
            "2021.5",
            "1e9",
            "",
            "%00",
            "\x00",
            "<script>",
            "'",
            "9" * 30,
            "-2147483649",
        ]
    ),
)
#: Values that break a careless filter: overflow a 64-bit id, negative, NUL, not a number, markup.
KILLERS = ("9" * 30, "-1", "\x00", "abc", "<script>", "")
USUAL_PARAMS = ("year", "page", "sort", "q", "per_page", "organization", "period", "status", "kind", "code")
QUERY_PAGES = sorted(name for name, rule in MATRIX.items() if rule.get["staff"] & WORKS and name != "login")


@pytest.mark.parametrize("name", QUERY_PAGES)
def test_query_strings_never_answer_500(world, name):
    client = Client()
    client.force_login(world.staff)
    rule = MATRIX[name]
    url = reverse(name, kwargs=rule.kwargs(world, "own") if rule.kwargs else {})
    fixed = rule.query(world) if callable(rule.query) else rule.query
    params = sorted(set(USUAL_PARAMS) | world.get_params.get(name, set()))
    lists = rule.kwargs is None  # list and dashboard pages get more examples than object pages

    if world.get_params.get(name):  # a page with filters: every filter, one killer value at a time
        for param in params:
            for value in KILLERS:
                response = client.get(url, {param: value})
                assert response.status_code in (200, 204, 302, 400, 404), (
                    url,
                    param,
                    value,
                    response.status_code,
                )

    @settings(
        max_examples=max(EXAMPLES * 3 // 8, 10) if lists else max(EXAMPLES // 8, 4),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def get_garbage(data):
        query = dict(pair.split("=", 1) for pair in fixed.split("&")) if fixed else {}
        for param in params:
            if data.draw(st.booleans(), label=f"use {param}"):
                query[param] = data.draw(GARBAGE, label=param)
        for file_format in ("export", "format"):  # a real export is a download: garbage only
            if query.get(file_format) in ("csv", "xlsx", "pdf"):
                query.pop(file_format)
        response = client.get(url, query)
        assert response.status_code in (200, 204, 302, 400, 404), (url, query, response.status_code)

    get_garbage()
