"""Requests per second for one page at a time, closed loop (no think time), against the running gunicorn.

usage: throughput.py http://127.0.0.1:8765 [seconds] [threads]
Measures the baseline page, the dashboard, its JSON and a report submission (saving a report form), and
checks the issue's budget: the dashboard's rate is at least half the baseline page's.
"""

import re
import sys
import threading
import time

import requests
from accounts import load
from reportform import form_data, start_if_needed

BASE = sys.argv[1]
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 15
THREADS = int(sys.argv[3]) if len(sys.argv) > 3 else 6
ACCOUNTS, PASSWORD = load()  # the demo's, or those run.sh prepared for LOAD_FACTOR
YEAR = ACCOUNTS["year"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def session(username):
    s = requests.Session()
    token = TOKEN.search(s.get(BASE + "/accounts/login/").text).group(1)
    r = s.post(
        BASE + "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": BASE + "/accounts/login/"},
    )
    assert r.ok and "/accounts/login/" not in r.url, f"login failed for {username}"
    return s


def report_saver(s):
    links = re.findall(r'href="(/reports/periods/\d+/edit/)"', s.get(BASE + "/reports/").text)
    page = start_if_needed(
        s.get,
        lambda url, data: s.post(url, data, headers={"Referer": url}),
        BASE + links[0],
        s.get(BASE + links[0]),
    )
    url = page.url

    def call():
        fresh = s.get(url)  # a real save: the form (with its current revision), then the post
        body = form_data(fresh.text)
        body["action"] = "save"
        return s.post(url, body, headers={"Referer": url})

    return call


def measure(make_call):
    count, errors = [0], [0]
    lock = threading.Lock()

    def worker(call):
        while time.monotonic() < stop:
            r = call()
            with lock:
                count[0] += 1
                errors[0] += 0 if r.status_code < 400 else 1

    calls = [make_call(i) for i in range(THREADS)]  # the logins (slow on purpose) before the clock starts
    stop = time.monotonic() + SECONDS
    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count[0] / (time.monotonic() - start), errors[0]


def main():
    leader = [session(ACCOUNTS["leadership"][0]) for _ in range(THREADS)]
    pages = {
        "baseline page": lambda i: lambda s=leader[i]: s.get(BASE + "/_baseline/"),
        "dashboard": lambda i: lambda s=leader[i]: s.get(BASE + f"/dashboard/?year={YEAR}"),
        "dashboard json": lambda i: lambda s=leader[i]: s.get(BASE + f"/dashboard/data.json?year={YEAR}"),
        "report save (form + post)": lambda i: report_saver(
            session(ACCOUNTS["secretaries"][i % len(ACCOUNTS["secretaries"])])
        ),
    }
    results = {}
    print(
        f"{'page':28} {'req/s':>8} {'errors':>7}   ({THREADS} threads, {SECONDS:.0f} s each, gunicorn on 127.0.0.1)"
    )
    for name, make in pages.items():
        rate, errors = measure(make)
        results[name] = (rate, errors)
        print(f"{name:28} {rate:8.1f} {errors:7d}")
    ratio = results["dashboard"][0] / results["baseline page"][0]
    ok = ratio >= 0.5
    print(f"dashboard / baseline = {ratio:.2f} (budget ≥ 0.50): {'met' if ok else 'MISSED'}")
    failed = sum(e for _, e in results.values())
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
