# Cunban: `make demo` runs the portal with demo data on SQLite; `make test` runs the suite on
# SQLite and then on PostgreSQL. Both create .venv and install what they need first.

PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | cksum | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/cunban
DEMO_ENV := DEBUG=1 CUNBAN_DEMO=1 DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

.PHONY: demo test test-sqlite test-postgres check lint format bench messages lock clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	@rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo
	@echo "Cunban is running at http://127.0.0.1:8000/ (back office: /admin/). Stop with Ctrl-C."
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m ruff check .

test: check test-sqlite test-postgres

test-sqlite: $(STAMP)
	@echo "=== tests on SQLite ==="
	DATABASE_URL=sqlite:///:memory: $(PY) -m pytest

test-postgres: $(STAMP)
	@if $(PY) -c "import psycopg; psycopg.connect('$(PG_URL:/cunban=/postgres)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "=== tests on PostgreSQL ($(PG_URL)) ==="; \
		DATABASE_URL=$(PG_URL) $(PY) -m pytest; \
	else \
		echo ""; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!  PostgreSQL is NOT reachable at $(PG_URL)"; \
		echo "!!  The PostgreSQL half of the suite (locking, concurrency, search) did NOT run."; \
		echo "!!  Start it: pg_ctlcluster --skip-systemctl-redirect 15 main start"; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		if [ "$$CI" = "true" ]; then exit 1; fi; \
	fi

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(STAMP)
	$(PY) bench/run_all.py

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -i ".venv/*" -i "bench/*" -i "tests/*"
	$(PY) manage.py compilemessages -l zh_Hans

lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -viE '^(pip|setuptools|wheel)==' \
		| (echo "# Pinned versions last tested together: pip install -r requirements-dev.txt -c constraints.txt"; \
		   echo "# Refresh with: make lock"; cat) > constraints.txt.new && mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
