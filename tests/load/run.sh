#!/usr/bin/env bash
# make load: gunicorn (3 workers) on 127.0.0.1:8765 with the demo data, locust headless for a bounded time with
# about one request in ten writing (report saves, submissions, acceptances), then a throughput phase for the
# dashboard, report submission and the baseline page. PostgreSQL by default; LOAD_DATABASE=sqlite runs the same on
# the embedded default (a file). Traffic goes only to 127.0.0.1; everything stops by itself. Prints p50/p95 and
# the errors of every request, of reads and of writes, and whether the dashboard's p95 stays under 300 ms with no
# error (issue 20); fails if any request failed.
# LOAD_FACTOR=N: the database (khoi_load_fN) holds `generate_scale --factor N` data instead of the demo (generated
# once, reused while it holds that factor); the load run's accounts get a random password (tests/load/accounts.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
FACTOR=${LOAD_FACTOR:-}
DB=${LOAD_DB:-khoi_load${FACTOR:+_f$FACTOR}}; PORT=${LOAD_PORT:-8765}; USERS=${LOAD_USERS:-20}; TIME=${LOAD_TIME:-60s}
OUT=${LOAD_OUT:-test-artifacts/load}; mkdir -p "$OUT"
if [ "${LOAD_DATABASE:-postgres}" = sqlite ]; then
  SQLITE_DIR=$(mktemp -d /tmp/khoi-load-sqlite-XXXXXX)
  export DATABASE_URL="sqlite:///$SQLITE_DIR/khoi.sqlite3"
else
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
  if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    createdb -h 127.0.0.1 -U postgres "$DB"
  fi
fi
export DJANGO_DEBUG=False \
  DJANGO_SECRET_KEY="load-test-only-$(date +%s)-not-a-real-secret-key-0123456789" \
  DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=False DJANGO_SECURE_COOKIES=False \
  DJANGO_STATIC_ROOT=/tmp/khoi-load-static AXES_FAILURE_LIMIT=1000 CACHE_URL=${LOAD_CACHE_URL:-redis://127.0.0.1:6379/4} \
  LOAD_SUMMARY="$OUT/summary.json"

$PY manage.py migrate --noinput -v 0
if [ -z "$FACTOR" ]; then
  $PY manage.py load_demo --force > /dev/null
else
  held=$($PY manage.py shell -c "from demo.scale import existing_factor, SECRETARY_PREFIX as P
from django.contrib.auth.models import User
print(existing_factor(), User.objects.filter(username__startswith=P).exists())" | tail -n 1)
  if [ "$held" = "$($PY -c "print(round(76 * $FACTOR))") True" ]; then
    echo "== factor $FACTOR: reusing the generated data in $DB"
  else
    echo "== factor $FACTOR: generating the data in ${DB} (found: $held)"
    $PY manage.py generate_scale --factor "$FACTOR" --reset
  fi
  export LOAD_ACCOUNTS="$OUT/accounts.json" LOAD_PASSWORD="load-$($PY -c 'import secrets; print(secrets.token_urlsafe(16))')"
  $PY manage.py shell -c "import sys; sys.path.insert(0, 'tests/load'); import accounts; accounts.prepare('$LOAD_ACCOUNTS')"
fi
$PY manage.py collectstatic --noinput -v 0
DJANGO_LOG_LEVEL=WARNING .venv/bin/gunicorn khoi_portal.wsgi -w 3 -b "127.0.0.1:$PORT" --log-level warning --pid /tmp/khoi-load.pid 2> "$OUT/gunicorn.log" &
trap 'kill $(cat /tmp/khoi-load.pid) 2>/dev/null || true; [ -n "${SQLITE_DIR:-}" ] && rm -rf "$SQLITE_DIR" || true' EXIT
for _ in $(seq 1 30); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && break; sleep 1; done

echo "== mixed load on ${LOAD_DATABASE:-postgres}${FACTOR:+, factor $FACTOR}: $USERS users for $TIME (secretaries filing reports, leadership on the dashboard, staff on the matrix and accepting reports)"
.venv/bin/locust -f tests/load/locustfile.py --headless -u "$USERS" -r 5 -t "$TIME" --host "http://127.0.0.1:$PORT" \
  --csv "$OUT/mixed" --only-summary 2>&1 | tail -n 30 || echo "(locust exited with status $?: the table below says why)"
$PY - "$OUT/mixed_stats.csv" "$OUT/summary.json" <<'PYEOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ms = lambda v: v if v == "N/A" else str(round(float(v)))  # locust writes a lone request's median unrounded
print(f"{'request':40} {'count':>6} {'fail':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
for r in rows:
    print(f"{r['Name']:40} {r['Request Count']:>6} {r['Failure Count']:>5} {float(r['Requests/s']):7.1f} {ms(r['Median Response Time']):>8} {ms(r['95%']):>8}")
summary = json.load(open(sys.argv[2]))
for kind in ("read", "write"):
    s = summary[kind]
    print(f"{kind + 's (logins apart)':40} {s['requests']:>6} {s['errors']:>5} {s['share']:>6}% {s['p50_ms']!s:>8} {s['p95_ms']!s:>8}")
total = next(r for r in rows if r["Name"] == "Aggregated")
dash = next((r for r in rows if r["Name"] == "dashboard"), None)
if dash is None:
    print("❌ dashboard p95 < 300 ms and zero errors: the dashboard was never requested")
else:
    p95, failures = int(dash["95%"]), int(total["Failure Count"])
    ok = p95 < 300 and failures == 0
    print(
        f"{'✅' if ok else '❌'} dashboard p95 < 300 ms and zero errors: dashboard p50 {ms(dash['Median Response Time'])} ms,"
        f" p95 {p95} ms over {dash['Request Count']} requests; {failures} failed requests in all"
    )
sys.exit(1 if int(total["Failure Count"]) else 0)
PYEOF

echo "== throughput, one page at a time (closed loop)"
$PY tests/load/throughput.py "http://127.0.0.1:$PORT" "${THROUGHPUT_SECONDS:-15}" "${THROUGHPUT_THREADS:-6}"
