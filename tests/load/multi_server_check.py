"""Two servers, one site: usage multi_server_check.py URL_A URL_B."""

import json
import re
import sys

import requests

A, B = sys.argv[1], sys.argv[2]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(base, username):
    s = requests.Session()
    token = TOKEN.search(s.get(base + "/accounts/login/").text).group(1)
    s.post(
        base + "/accounts/login/",
        {"username": username, "password": "demo-khoi-2021", "csrfmiddlewaretoken": token},
        headers={"Referer": base + "/accounts/login/"},
    )
    return s


def logged_in(s, base) -> bool:
    r = s.get(base + "/members/", allow_redirects=False)
    return r.status_code == 200


def figures(s, base):
    return json.loads(s.get(base + "/dashboard/data.json?year=2021").text)


def main():
    staff = login(A, "vanphong")
    assert logged_in(staff, A), "login on A failed"
    assert logged_in(staff, B), "a session opened on A is not valid on B"
    print("login on A is valid on B")

    before_a, before_b = figures(staff, A), figures(staff, B)
    assert before_a == before_b, "the two servers disagree on the dashboard"

    # A logout on B ends the session everywhere.
    token = TOKEN.search(staff.get(B + "/members/").text).group(1)
    staff.post(B + "/accounts/logout/", {"csrfmiddlewaretoken": token}, headers={"Referer": B + "/members/"})
    assert not logged_in(staff, A), "logged out on B but still logged in on A"
    print("logout on B ends the session on A")
    print("both servers show the same dashboard figures")


if __name__ == "__main__":
    main()
