"""Faults against a real server: gunicorn with 3 workers and the production settings, started by the
suite on 127.0.0.1 (tests/faults/conftest.py), on the database the suite runs on — SQLite (a file, as
``make run`` uses) in CI's first pass, PostgreSQL in the second.

- 20 parallel first openings of one report: every answer leads to the same report, one report exists (point 4).
- 20 parallel submissions of one report, 20 parallel acceptances of another, 20 parallel ratings in one
  organisation: no server error, exactly one submission and one acceptance recorded, every rating saved. On
  SQLite this needs write transactions that wait for the lock (``transaction_mode = IMMEDIATE``) (point 3).
- The server's database connections killed (``pg_terminate_backend``): no request fails (point 6, PostgreSQL).
- The lockout scenario behind a trusted proxy: made-up names from one client lock no one else out (point 1).

Every request loop is bounded; the servers stop at the end of the module.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.urls import reverse

from tests.faults.conftest import IS_SQLITE
from tests.load.reportform import form_data

#: The suite's database must be set up (pytest-django sets up only for marked tests); each test only reads it.
pytestmark = pytest.mark.django_db
PARALLEL = 20
ROUNDS = 8


def _at_once(calls) -> list[requests.Response]:
    """Run the calls in parallel threads, released together (a barrier), and return their answers."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _assert_no_server_error(answers, served, what):
    statuses = [a.status_code for a in answers]
    assert all(s < 500 for s in statuses), (
        f"{what}: {statuses.count(500)} server errors of {len(statuses)}; log:\n{served.server.errors()[-4000:]}"
    )


def _location(answer) -> str:
    return answer.headers.get("Location", "")


def test_parallel_first_openings_give_one_report(served):
    """The race needs the second request to look for the report before the first commits and to validate after:
    eight never-opened periods, 20 parallel first openings each (the issue saw a 500 in 10 of 28 pairs)."""
    org = served.world.org1
    for period in served.never_opened[:ROUNDS]:
        url = served.server.url + reverse("reports:report_open", args=[period.pk]) + f"?organization={org.pk}"
        clients = [served.server.session(served.sessions["staff"]) for _ in range(PARALLEL)]
        # "Bắt đầu nhập báo cáo", pressed in 20 tabs at once.
        answers = _at_once(
            [lambda c=c, url=url: c.post(url, {"csrfmiddlewaretoken": c.csrf}, allow_redirects=False, timeout=60)
             for c in clients]
        )  # fmt: skip
        _assert_no_server_error(answers, served, f"parallel openings of {period}")
        assert {a.status_code for a in answers} == {302}
        assert len({_location(a) for a in answers}) == 1, {_location(a) for a in answers}
        assert re.search(r"/reports/\d+/edit/$", _location(answers[0]))
        count = served.db.value(
            "SELECT COUNT(*) FROM reports_periodicreport WHERE organization_id = ? AND period_id = ?",
            (org.pk, period.pk),
        )
        assert count == 1


def test_parallel_submissions_record_one(served):
    secretary = served.server.session(served.sessions["secretary"])
    opened = secretary.post(
        served.server.url + reverse("reports:report_open", args=[served.to_submit.pk]),
        {"csrfmiddlewaretoken": secretary.csrf},
        timeout=60,
    )
    assert opened.status_code == 200 and 'name="action"' in opened.text, opened.status_code
    # The form saved as complete leads to the confirmation step; "Nộp báo cáo" there, pressed 20 times at once.
    saved = secretary.post(
        opened.url,
        form_data(opened.text) | {"action": "submit", "csrfmiddlewaretoken": secretary.csrf},
        timeout=60,
    )
    assert "/submit/" in saved.url, re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', saved.text)[
        :5
    ]
    revision = re.search(r'name="revision" value="(\d+)"', saved.text).group(1)
    clients = [served.server.session(served.sessions["secretary"]) for _ in range(PARALLEL)]
    answers = _at_once(
        [lambda c=c: c.post(saved.url, {"revision": revision, "csrfmiddlewaretoken": c.csrf},
                            allow_redirects=False, timeout=60)
         for c in clients]
    )  # fmt: skip
    _assert_no_server_error(answers, served, "parallel submissions")
    assert {a.status_code for a in answers} == {302}, re.findall(
        r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>(.*?)</', answers[0].text, re.S
    )[:5]
    report_id = int(re.search(r"/reports/(\d+)/", opened.url).group(1))
    assert (
        served.db.value("SELECT status FROM reports_periodicreport WHERE id = ?", (report_id,)) == "submitted"
    )
    assert (
        served.db.value("SELECT COUNT(*) FROM reports_reportversion WHERE report_id = ?", (report_id,)) == 1
    )
    assert (
        served.db.value(
            "SELECT COUNT(*) FROM reports_reporttransition WHERE report_id = ? AND to_status = 'submitted'",
            (report_id,),
        )
        == 1
    )


def test_parallel_acceptances_record_one(served):
    report = served.submitted
    url = served.server.url + reverse("reports:report_accept", args=[report.pk])
    clients = [served.server.session(served.sessions["staff"]) for _ in range(PARALLEL)]
    answers = _at_once(
        [lambda c=c: c.post(url, {"revision": report.revision, "csrfmiddlewaretoken": c.csrf},
                            allow_redirects=False, timeout=60)
         for c in clients]
    )  # fmt: skip
    _assert_no_server_error(answers, served, "parallel acceptances")
    assert {a.status_code for a in answers} == {302}
    assert (
        served.db.value("SELECT status FROM reports_periodicreport WHERE id = ?", (report.pk,)) == "accepted"
    )
    assert (
        served.db.value(
            "SELECT COUNT(*) FROM reports_reporttransition WHERE report_id = ? AND to_status = 'accepted'",
            (report.pk,),
        )
        == 1
    )


def test_parallel_ratings_in_one_organisation_are_all_saved(served):
    year = served.world.year - 1
    clients = [served.server.session(served.sessions["secretary"]) for _ in served.raters]
    answers = _at_once(
        [lambda c=c, m=m: c.post(served.server.url + reverse("members:member_rating", args=[m.pk]),
                                 {"year": year, "grade": "HTTNV", "csrfmiddlewaretoken": c.csrf},
                                 allow_redirects=False, timeout=60)
         for c, m in zip(clients, served.raters, strict=True)]
    )  # fmt: skip
    _assert_no_server_error(answers, served, "parallel ratings")
    assert {a.status_code for a in answers} == {302}
    ids = ",".join(str(m.pk) for m in served.raters)
    saved = served.db.value(
        f"SELECT COUNT(*) FROM members_memberrating WHERE year = ? AND grade = 'HTTNV' AND member_id IN ({ids})",  # noqa: S608 (ids are ints)
        (year,),
    )
    assert saved == PARALLEL


@pytest.mark.skipif(
    IS_SQLITE, reason="PostgreSQL only (no server connection to kill on SQLite): CI's PostgreSQL pass"
)
def test_killed_database_connections_fail_no_request(served):
    """After a database restart every worker holds a dead connection (DJANGO_CONN_MAX_AGE=60): each is checked
    before reuse and replaced, so no request fails."""
    client = served.server.session(served.sessions["staff"])
    url = served.server.url + reverse("members:member_list")
    warm = _at_once(
        [lambda: client.get(url, timeout=60) for _ in range(9)]
    )  # every worker opens its connection
    assert {a.status_code for a in warm} == {200}
    assert served.db.terminate_server_connections() >= 1
    after = [client.get(url, timeout=60).status_code for _ in range(12)]
    assert after == [200] * 12, f"{after}; log:\n{served.server.errors()[-3000:]}"


def test_made_up_names_behind_the_trusted_proxy_lock_no_one_else(served):
    """Five failed logins with made-up names from one client, through the proxy (127.0.0.1, trusted: the
    client's address comes from X-Forwarded-For): another user logs in at once; the client's own next attempt on
    one of those names is refused (429) and says until when."""
    login = served.server.url + reverse("login")

    def attempt(username, password, client_address):
        http = served.server.session()
        return http.post(
            login,
            {"username": username, "password": password, "csrfmiddlewaretoken": http.csrf},
            headers={"X-Forwarded-For": client_address},
            allow_redirects=False,
            timeout=60,
        )

    for n in range(5):  # five made-up names: under the old settings, the proxy's address was locked here
        assert attempt(f"khong-co-ai-{n}", "doan-bua", "203.0.113.5").status_code == 200
    real = attempt(served.world.secretary2.username, served.password, "198.51.100.7")
    assert real.status_code == 302, real.status_code
    for _ in range(4):  # one made-up name, five failures in all from the same client: that pair is locked
        attempt("khong-co-ai-0", "doan-bua", "203.0.113.5")
    refused = attempt("khong-co-ai-0", "doan-bua", "203.0.113.5")
    assert refused.status_code == 429 and re.search(r"đến \d\d:\d\d ngày \d\d/\d\d/\d{4}", refused.text)
