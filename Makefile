# The Khối portal. Quick start: `make run` (serve the demo) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-fast e2e lint format bench load multi-server backup-test messages collectstatic clean help

help:
	@echo "make run      – cài đặt, tạo CSDL SQLite, nạp dữ liệu mẫu, chạy http://127.0.0.1:8000"
	@echo "make test     – cài công cụ phát triển và chạy toàn bộ kiểm thử"
	@echo "make bench    – đo hiệu năng (docs/benchmarks.md)"
	@echo "make load     – thử tải bằng locust với gunicorn + PostgreSQL"
	@echo "make backup-test – sao lưu pg_dump, khôi phục pg_restore, so sánh số liệu bảng điều khiển"

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.lock
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

.env:
	cp .env.example .env

run: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.dev-installed
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: $(VENV)/.dev-installed
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

# The gates CI runs before the suite: lint, format, migrations in step with the models, the layer contract.
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=True $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed
	cd khoi_portal && ../$(PY) ../manage.py compilemessages

collectstatic: $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput

bench: $(VENV)/.dev-installed
	$(PY) tests/benchmarks/run.py $(BENCH_ARGS)

backup-test: $(VENV)/.installed
	bash tests/backup/run.sh

load: $(VENV)/.dev-installed
	bash tests/load/run.sh

multi-server: $(VENV)/.dev-installed
	bash tests/load/multi_server.sh

clean:
	rm -rf staticfiles test-artifacts .pytest_cache
