"""Load scenario (make load): about one request in ten writes. Secretaries read their organisation, obligations
and members, and file their reports (open the form, then save a draft or submit); leadership reads the dashboard;
staff read the completeness matrix and the report list, and accept submitted reports. Only ever aimed at
127.0.0.1. The accounts and the year come from accounts.py: the demo's, or those prepared for
``LOAD_FACTOR=N make load`` (generated data).

Requests that write are named ``write: …``; run.sh prints their share of all requests, p50 and p95 for each
request and for reads and writes, and the errors. A 409 (someone else changed the report since the form was
opened: refused, nothing lost) is an answer, not an error; anything else at or above 400 is an error.
"""

import json
import os
import random
import re

from accounts import load
from locust import HttpUser, between, events, task
from reportform import form_data, start_if_needed

#: The demo's accounts and year, or those run.sh prepared for LOAD_FACTOR (see accounts.py).
ACCOUNTS, PASSWORD = load()
YEAR = ACCOUNTS["year"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')


#: Response times (ms) and errors of reads and writes, for run.sh's summary (the logins at start are left out:
#: password hashing is slow on purpose and is reported on its own line).
SAMPLES = {"read": [], "write": []}
ERRORS = {"read": 0, "write": 0}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    if name in ("login", "login page"):
        return
    kind = "write" if name.startswith("write:") else "read"
    SAMPLES[kind].append(response_time)
    ERRORS[kind] += exception is not None


def _percentile(values, share):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))]) if ordered else None


@events.quitting.add_listener
def _write_summary(environment, **kwargs):
    path = os.environ.get("LOAD_SUMMARY")
    if not path:
        return
    total = sum(len(v) for v in SAMPLES.values())
    summary = {
        kind: {
            "requests": len(values),
            "share": round(100 * len(values) / total, 1) if total else 0,
            "p50_ms": _percentile(values, 0.50),
            "p95_ms": _percentile(values, 0.95),
            "errors": ERRORS[kind],
        }
        for kind, values in SAMPLES.items()
    }
    with open(path, "w") as handle:
        json.dump(summary, handle)


def login(user, username):
    page = user.client.get("/accounts/login/", name="login page")
    token = TOKEN.search(page.text).group(1)
    with user.client.post(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": user.host + "/accounts/login/"},
        name="login",
        catch_response=True,
    ) as response:
        if "/accounts/login/" in response.url:  # refused: every later page would be the login page again
            response.failure(f"login refused for {username}")


def post(user, url, data, name):
    """A write: 409 (a concurrent change, refused and shown) counts as an answer."""
    with user.client.post(url, data, headers={"Referer": url}, name=name, catch_response=True) as response:
        if response.status_code in (200, 302, 409):
            response.success()
        else:
            response.failure(f"status {response.status_code}")


class Secretary(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        login(self, random.choice(ACCOUNTS["secretaries"]))

    @task(3)
    def organisation_page(self):
        self.client.get("/", name="secretary home (organisation page)")

    @task(1)
    def obligations(self):
        self.client.get("/reports/", name="report obligations")

    @task(1)
    def members(self):
        self.client.get("/members/", name="member list")

    @task(1)
    def file_a_report(self):
        obligations = self.client.get("/reports/", name="report obligations")
        links = re.findall(r'href="(/reports/periods/\d+/edit/)"', obligations.text)
        if not links:
            return
        link = random.choice(links[:3])
        form = self.client.get(link, name="open report form")
        form = start_if_needed(
            self.client.get,
            lambda url, data: self.client.post(url, data, headers={"Referer": url}, name="start report"),
            link,
            form,
        )
        if 'name="action"' not in form.text:
            return  # already submitted or accepted: nothing to file
        data = form_data(form.text)
        data["action"] = random.choice(["save", "save", "submit"])
        post(self, form.url, data, f"write: report {data['action']}")


class Leadership(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        login(self, random.choice(ACCOUNTS["leadership"]))

    @task(3)
    def dashboard(self):
        self.client.get(f"/dashboard/?year={YEAR}", name="dashboard")

    @task(1)
    def dashboard_json(self):
        self.client.get(f"/dashboard/data.json?year={YEAR}", name="dashboard json")

    @task(2)
    def baseline(self):
        self.client.get("/_baseline/", name="baseline page")


class Staff(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        login(self, random.choice(ACCOUNTS["staff"]))

    @task(2)
    def matrix(self):
        self.client.get(f"/reports/matrix/?year={YEAR}", name="completeness matrix")

    @task(1)
    def accept_a_report(self):
        listing = self.client.get("/reports/?status=submitted", name="report list (submitted)")
        found = re.findall(r'href="(/reports/\d+/)"', listing.text)
        if not found:
            return
        detail = self.client.get(random.choice(found[:10]), name="report detail")
        revision = REVISION.search(detail.text)
        token = TOKEN.search(detail.text)
        if not revision or not token:
            return  # accepted meanwhile
        url = detail.url.rstrip("/") + "/accept/"
        post(
            self,
            url,
            {"revision": revision.group(1), "csrfmiddlewaretoken": token.group(1)},
            "write: report accept",
        )
