"""Load scenario (make load): secretaries open and file their reports, leadership opens the dashboard, staff
open the completeness matrix, and everyone's baseline page. Only ever aimed at 127.0.0.1."""

import random
import re

from locust import HttpUser, between, task
from reportform import form_data, start_if_needed

PASSWORD = "demo-khoi-2021"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(user, username):
    page = user.client.get("/accounts/login/", name="login page")
    token = TOKEN.search(page.text).group(1)
    user.client.post(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": user.host + "/accounts/login/"},
        name="login",
    )


class Secretary(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        self.code = f"{random.randint(1, 76):02d}"
        login(self, f"bithu{self.code}")

    @task(3)
    def organisation_page(self):
        self.client.get("/", name="secretary home (organisation page)")

    @task(2)
    def file_a_report(self):
        obligations = self.client.get("/reports/", name="report obligations")
        links = re.findall(r'href="(/reports/periods/\d+/edit/)"', obligations.text)
        if not links:
            return
        form = self.client.get(links[0], name="open report form")
        form = start_if_needed(
            self.client.get,
            lambda url, data: self.client.post(url, data, headers={"Referer": url}, name="start report"),
            links[0],
            form,
        )
        if 'name="action"' not in form.text:
            return  # already submitted or accepted: nothing to file
        data = form_data(form.text)
        data["action"] = random.choice(["save", "submit"])
        self.client.post(form.url, data, headers={"Referer": form.url}, name=f"report {data['action']}")


class Leadership(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        login(self, "lanhdao")

    @task(3)
    def dashboard(self):
        self.client.get("/dashboard/?year=2021", name="dashboard")

    @task(1)
    def dashboard_json(self):
        self.client.get("/dashboard/data.json?year=2021", name="dashboard json")

    @task(2)
    def baseline(self):
        self.client.get("/_baseline/", name="baseline page")


class Staff(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        login(self, "vanphong")

    @task
    def matrix(self):
        self.client.get("/reports/matrix/?year=2021", name="completeness matrix")
