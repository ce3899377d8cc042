#!/usr/bin/env bash
# make load: gunicorn (3 workers) on 127.0.0.1:8765 with the demo data, locust headless for a bounded time with
# about one request in ten writing (report saves, submissions, acceptances), then a throughput phase for the
# dashboard, report submission and the baseline page. PostgreSQL by default; LOAD_DATABASE=sqlite runs the same on
# the embedded default (a file). Traffic goes only to 127.0.0.1; everything stops by itself. Prints p50/p95 and
# the errors of every request, of reads and of writes; fails if any request failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
DB=${LOAD_DB:-khoi_load}; PORT=${LOAD_PORT:-8765}; USERS=${LOAD_USERS:-20}; TIME=${LOAD_TIME:-60s}
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
$PY manage.py load_demo --force > /dev/null
$PY manage.py collectstatic --noinput -v 0
DJANGO_LOG_LEVEL=WARNING .venv/bin/gunicorn khoi_portal.wsgi -w 3 -b "127.0.0.1:$PORT" --log-level warning --pid /tmp/khoi-load.pid 2> "$OUT/gunicorn.log" &
trap 'kill $(cat /tmp/khoi-load.pid) 2>/dev/null || true; [ -n "${SQLITE_DIR:-}" ] && rm -rf "$SQLITE_DIR" || true' EXIT
for _ in $(seq 1 30); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && break; sleep 1; done

echo "== mixed load on ${LOAD_DATABASE:-postgres}: $USERS users for $TIME (secretaries filing reports, leadership on the dashboard, staff on the matrix and accepting reports)"
.venv/bin/locust -f tests/load/locustfile.py --headless -u "$USERS" -r 5 -t "$TIME" --host "http://127.0.0.1:$PORT" \
  --csv "$OUT/mixed" --only-summary 2>&1 | tail -n 30
$PY - "$OUT/mixed_stats.csv" "$OUT/summary.json" <<'PYEOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'request':40} {'count':>6} {'fail':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
for r in rows:
    print(f"{r['Name']:40} {r['Request Count']:>6} {r['Failure Count']:>5} {float(r['Requests/s']):7.1f} {r['Median Response Time']:>8} {r['95%']:>8}")
summary = json.load(open(sys.argv[2]))
for kind in ("read", "write"):
    s = summary[kind]
    print(f"{kind + 's (logins apart)':40} {s['requests']:>6} {s['errors']:>5} {s['share']:>6}% {s['p50_ms']!s:>8} {s['p95_ms']!s:>8}")
total = next(r for r in rows if r["Name"] == "Aggregated")
sys.exit(1 if int(total["Failure Count"]) else 0)
PYEOF

echo "== throughput, one page at a time (closed loop)"
$PY tests/load/throughput.py "http://127.0.0.1:$PORT" "${THROUGHPUT_SECONDS:-15}" "${THROUGHPUT_THREADS:-6}"
