"""Where one page spends its time: the slowest queries and the hottest functions of one request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/khoi_bench_f100 \\
        .venv/bin/python tests/benchmarks/profile_page.py "/reports/matrix/?year=2026" [--as USERNAME] [--cold]

Runs with the benchmark's settings (DEBUG off) against a database made by `make bench`; --cold clears the
cache before the profiled request (the dashboard after a write); --as picks the user (default bench_staff; the
generated secretaries are scale_bithu_s00001…); PROFILE_SORT=tottime sorts by each function's own time.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.run import ENV  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--as", dest="who", default="bench_staff", help="username (default bench_staff)")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    for key, value in ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoi_portal.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username=args.who))

    def get():
        response = client.get(args.url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        return response

    get()
    if args.cold:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        response = get()
        profile.disable()
        total = (time.perf_counter() - started) * 1000
    print(f"{args.url}: {response.status_code}, {total:.1f} ms, {len(ctx.captured_queries)} queries")
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:10]:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:300]}")
    out = io.StringIO()
    order = os.environ.get("PROFILE_SORT", "cumulative")  # or tottime: time spent in the function itself
    pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
