# Cunban: `make demo` runs the portal with demo data on SQLite; `make test` runs the checks, the
# whole suite on PostgreSQL (the production database) and, on SQLite, the tests of what the
# embedded demo depends on. Both create .venv and install what they need first.

PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | cksum | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/cunban
# The demo's address, in one place: runserver listens there and SITE_BASE_URL (the address printed
# in QR codes and text messages) names it, so changing it changes both. For phones on the same
# network: make demo DEMO_ADDR=192.168.1.20:8000 (this machine's address, not 0.0.0.0).
DEMO_ADDR ?= 127.0.0.1:8000
DEMO_HOST = $(if $(filter [%,$(DEMO_ADDR)),$(firstword $(subst ]:,] ,$(DEMO_ADDR))),$(firstword $(subst :, ,$(DEMO_ADDR))))
DEMO_ENV = DEBUG=1 CUNBAN_DEMO=1 DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
	SITE_BASE_URL='http://$(DEMO_ADDR)' ALLOWED_HOSTS='localhost,127.0.0.1,[::1],$(DEMO_HOST)'

.PHONY: demo test test-dates test-slow deploy-checks test-sqlite test-sqlite-all test-postgres check lint format bench messages lock clean system-packages run-packages

# Debian packages, as "package=file it provides". The portal needs the CJK TrueType font that
# printed papers embed; the suite also needs gettext (catalog checks), chromium (browser tests),
# poppler-utils, zbar-tools and qpdf (reading and checking printed PDFs and their QR codes),
# postgresql-client (pg_dump and pg_restore for the backup round trip), wrk (bench/) and faketime
# (make test-dates).
RUN_PACKAGES := fonts-wqy-zenhei=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
TEST_PACKAGES := $(RUN_PACKAGES) gettext=/usr/bin/msgfmt chromium=/usr/bin/chromium \
	poppler-utils=/usr/bin/pdftoppm zbar-tools=/usr/bin/zbarimg qpdf=/usr/bin/qpdf \
	postgresql-client=/usr/bin/pg_restore wrk=/usr/bin/wrk faketime=/usr/bin/faketime
# Installs what is missing when run as root with apt-get; otherwise says what to install
# (and fails under CI).
define install_packages
	@missing=""; for entry in $(1); do [ -e "$${entry#*=}" ] || missing="$$missing $${entry%%=*}"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "!! Missing Debian packages:$$missing (sudo apt-get install$$missing)"; \
		if [ "$$CI" = "true" ]; then exit 1; fi; \
	fi
endef

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	@rm -f $(VENV)/.installed-* && touch $@

system-packages:
	$(call install_packages,$(TEST_PACKAGES))

run-packages:
	$(call install_packages,$(RUN_PACKAGES))

# The web server and a task worker (uploads, printing, messages) run side by side under
# `manage.py serve_demo`: Ctrl-C stops both, and if one stops the other does too.
demo: $(STAMP) run-packages
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo
	@echo "Cunban: http://$(DEMO_ADDR)/ (back office: http://$(DEMO_ADDR)/admin/). Stop with Ctrl-C."
	$(DEMO_ENV) $(PY) manage.py serve_demo '$(DEMO_ADDR)'

# Commands that load the production settings (DEBUG off) outside a deployment run with a fresh,
# throwaway set of keys: without keys of their own the settings refuse to start
# (portal/settings/keys.py). `python -m portal.keys` prints such a set.
THROWAWAY_KEYS = env $$($(PY) -m portal.keys)

# mypy checks the services, selectors and policies ([tool.mypy] in pyproject.toml; cache in .mypy_cache).
check: $(STAMP)
	$(THROWAWAY_KEYS) $(PY) manage.py check
	$(THROWAWAY_KEYS) $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m ruff check .
	$(PY) -m mypy

test: system-packages check test-postgres test-sqlite

# The suite runs in parallel processes (pytest-xdist), one per CPU unless told otherwise:
# make test TEST_WORKERS=4. Each process has its own test database.
TEST_WORKERS ?= auto
PYTEST = $(PY) -m pytest -n $(TEST_WORKERS)

# On SQLite, the tests marked `embedded`: what `make demo` depends on (the demo load and its
# stories on eight dates, a page walk, fuzzing the forms, the quick backup round trip, SQLite's
# own locking; `make test-slow` adds the stories on thirty dates and five times the fuzzing). Everything else runs once, on PostgreSQL. `make test-sqlite-all` runs it all.
test-sqlite: $(STAMP)
	@echo "=== tests of the embedded demo's database, on SQLite ==="
	DATABASE_URL=sqlite:///:memory: $(PYTEST) -m "embedded and not slow"

test-sqlite-all: $(STAMP)
	DATABASE_URL=sqlite:///:memory: $(PYTEST)

test-postgres: $(STAMP)
	@if $(PY) -c "import psycopg; psycopg.connect('$(PG_URL:/cunban=/postgres)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "=== the whole suite on PostgreSQL ($(PG_URL)) ==="; \
		DATABASE_URL=$(PG_URL) $(PYTEST); \
	else \
		echo ""; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!  PostgreSQL is NOT reachable at $(PG_URL)"; \
		echo "!!  The suite did NOT run: it runs whole on PostgreSQL, the production database."; \
		echo "!!  Without PostgreSQL, make test-sqlite-all runs it on SQLite (no locking or search tests)."; \
		echo "!!  Start it: pg_ctlcluster --skip-systemctl-redirect 15 main start"; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		if [ "$$CI" = "true" ]; then exit 1; fi; \
	fi

# The suite's fast part (SQLite, no browser) with the whole process's clock set, by libfaketime, to
# a Friday, a Sunday and 2027-02-08 (春节, in a year without a confirmed calendar): a test that
# reads the real clock instead of setting its own "today" fails on one of them.
TEST_DATES ?= 2027-01-29 2026-12-13 2027-02-08
test-dates: system-packages $(STAMP)
	@for day in $(TEST_DATES); do \
		echo "=== tests on SQLite, the clock at $$day 09:00 Asia/Shanghai ==="; \
		TZ=Asia/Shanghai DATABASE_URL=sqlite:///:memory: faketime -f "@$$day 09:00:00" \
			$(PYTEST) -m "not slow and not browser" || exit 1; \
	done

# The long suites (marked slow): hundreds of concurrent conflicting pairs, two web nodes and two
# workers against one database and object store, backup round trips, on PostgreSQL; then, on
# SQLite, the demo's stories on all thirty dates and the forms fuzzed with five times the inputs
# of `make test`.
test-slow: system-packages $(STAMP)
	@echo "=== slow suites on PostgreSQL ($(PG_URL)) ==="
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -m slow
	@echo "=== the embedded demo's long checks on SQLite: the stories on thirty dates, every fuzzed input ==="
	DATABASE_URL=sqlite:///:memory: CUNBAN_FUZZ_SCALE=1 $(PYTEST) -m embedded tests/test_demo_dates.py tests/fuzz

# What a county IT office checks before going live: the deploy checks (tests/test_deploy_settings.py
# runs them under production settings in the suite too), known vulnerabilities in every installed
# package, and ruff's security rules (S, part of `make check`). The deploy checks print every
# warning for the environment and database at hand, workdays.W001 among them (a year without a
# confirmed work calendar, from 60 days before it begins), and fail here on errors only: CI runs
# this without production variables (a throwaway set of keys). On the server, `check --deploy --fail-level WARNING`
# (docs/deploy.md).
deploy-checks: $(STAMP)
	$(THROWAWAY_KEYS) $(PY) manage.py check --deploy
	$(PY) .ci/audit_dependencies.py
	$(PY) -m ruff check --select S .

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(STAMP)
	$(PY) bench/run_all.py

messages: $(STAMP)
	$(THROWAWAY_KEYS) $(PY) manage.py makemessages -l zh_Hans -i ".venv/*" -i "bench/*" -i "tests/*"
	$(THROWAWAY_KEYS) $(PY) manage.py compilemessages -l zh_Hans

lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -viE '^(pip|setuptools|wheel)==' \
		| (echo "# Pinned versions last tested together: pip install -r requirements-dev.txt -c constraints.txt"; \
		   echo "# Refresh with: make lock"; cat) > constraints.txt.new && mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles media
