#!/usr/bin/env bash
# make backup-test: the PostgreSQL backup procedure of the README, run for real on the local cluster.
# Builds the demo in a scratch database, pg_dump -Fc, pg_restore into a second scratch database, and compares
# the dashboard figures (2020, 2021 and the current year) of both. Exits non-zero if they differ.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
PGHOST=${PGHOST:-127.0.0.1}; PGUSER=${PGUSER:-postgres}; export PGHOST PGUSER
SRC=khoi_backup_src; DST=khoi_backup_restore; DUMP=$(mktemp /tmp/khoi-backup-XXXXXX.dump)
trap 'rm -f "$DUMP" /tmp/khoi-figures-*.json' EXIT

figures() {  # $1 database, $2 output file
  DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$1" DJANGO_DEBUG=True "$PY" manage.py shell -c "
import json
from django.test import Client
from django.contrib.auth import get_user_model
from django.utils import timezone
c = Client(HTTP_HOST='127.0.0.1'); c.force_login(get_user_model().objects.get(username='vanphong'))
out = {y: json.loads(c.get('/dashboard/data.json', {'year': y}).content) for y in (2020, 2021, timezone.localdate().year)}
print(json.dumps(out, sort_keys=True))" > "$2"
}

for db in $SRC $DST; do dropdb --if-exists "$db"; done
createdb "$SRC"
echo "== demo data in $SRC"
DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$SRC" DJANGO_DEBUG=True "$PY" manage.py migrate --noinput -v 0
DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$SRC" DJANGO_DEBUG=True "$PY" manage.py load_demo > /dev/null
figures "$SRC" /tmp/khoi-figures-src.json

echo "== pg_dump -Fc $SRC  →  pg_restore into $DST"
time pg_dump -Fc --no-owner -f "$DUMP" "$SRC"
ls -lh "$DUMP" | awk '{print "   dump size: " $5}'
createdb "$DST"
time pg_restore --no-owner -d "$DST" "$DUMP"
figures "$DST" /tmp/khoi-figures-dst.json

if cmp -s /tmp/khoi-figures-src.json /tmp/khoi-figures-dst.json; then
  echo "OK: the restored database gives identical dashboard figures ($(wc -c < /tmp/khoi-figures-src.json) bytes of JSON compared)."
  for db in $SRC $DST; do dropdb "$db"; done
else
  echo "FAIL: the figures differ after restore" >&2
  diff <(python3 -m json.tool /tmp/khoi-figures-src.json) <(python3 -m json.tool /tmp/khoi-figures-dst.json) | head -40 >&2
  exit 1
fi
