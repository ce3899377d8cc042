#!/usr/bin/env bash
# make multi-server: two gunicorn instances (127.0.0.1:8771 and :8772) on the same PostgreSQL database and the
# same Redis cache behave as one site — a login on one is valid on the other, a logout on one ends it on both,
# both show the same dashboard figures — and the reminder command run on both at once sends each message once. Exits non-zero on any failure; stops its servers itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
DB=${MULTI_DB:-khoi_multi}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" DJANGO_DEBUG=False \
  DJANGO_SECRET_KEY="multi-server-test-only-not-a-real-secret-key-0123456789abcdef" \
  DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=False DJANGO_SECURE_COOKIES=False \
  DJANGO_STATIC_ROOT=/tmp/khoi-multi-static CACHE_URL=redis://127.0.0.1:6379/5 DJANGO_LOG_LEVEL=WARNING \
  DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
MAIL=$(mktemp -d /tmp/khoi-mail-XXXXXX)

dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"
$PY manage.py migrate --noinput -v 0
$PY manage.py load_demo --force > /dev/null
$PY manage.py collectstatic --noinput -v 0
redis-cli -n 5 flushdb > /dev/null
for port in 8771 8772; do
  .venv/bin/gunicorn khoi_portal.wsgi -w 2 -b "127.0.0.1:$port" --log-level warning --pid "/tmp/khoi-multi-$port.pid" \
    2> "/tmp/khoi-multi-$port.log" &
done
trap 'for p in 8771 8772; do kill $(cat /tmp/khoi-multi-$p.pid) 2>/dev/null || true; done; rm -rf "$MAIL"' EXIT
for port in 8771 8772; do
  for _ in $(seq 1 30); do curl -fs -o /dev/null "http://127.0.0.1:$port/accounts/login/" && break; sleep 1; done
done

echo "== one site: sessions and figures across the two servers"
$PY tests/load/multi_server_check.py http://127.0.0.1:8771 http://127.0.0.1:8772

echo "== reminders run on both servers at once, twice"
DAY=$($PY -c "import datetime; print(datetime.date.today().isoformat())")
for round in 1 2; do
  mkdir -p "$MAIL/a$round" "$MAIL/b$round"
  DJANGO_EMAIL_FILE_PATH="$MAIL/a$round" $PY manage.py send_report_reminders --date "$DAY" > "$MAIL/a$round.out" &
  first=$!
  DJANGO_EMAIL_FILE_PATH="$MAIL/b$round" $PY manage.py send_report_reminders --date "$DAY" > "$MAIL/b$round.out" &
  second=$!
  wait "$first" "$second"   # not a bare `wait`: that would wait for the servers too
done
$PY - "$MAIL" <<'PYEOF'
import email, pathlib, sys
root = pathlib.Path(sys.argv[1])
seen, total = {}, 0
for path in sorted(root.glob("*/*.log")):
    for raw in path.read_text(encoding="utf-8").split("\n" + "-" * 79 + "\n"):
        if not raw.strip():
            continue
        message = email.message_from_string(raw)
        key = (message["To"], message["Subject"])
        total += 1
        seen[key] = seen.get(key, 0) + 1
duplicates = {k: n for k, n in seen.items() if n > 1}
print(f"messages sent: {total} over two servers and two rounds; distinct: {len(seen)}; duplicates: {len(duplicates)}")
if total == 0:
    sys.exit("FAIL: no reminder was sent at all (the check would prove nothing)")
if duplicates:
    sys.exit(f"FAIL: sent more than once: {list(duplicates)[:5]}")
PYEOF
echo "OK: two servers behave as one site"
