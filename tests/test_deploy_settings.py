"""`manage.py check --deploy` is clean when the production variables are set.

The checks read a database too (`workdays.W001`: a year without a confirmed work calendar), so
each run is given its own: a migrated SQLite copy with the calendar years a test asks for, and
a fixed "today" (time-machine in the subprocess), so that nothing depends on the machine's
database or clock. W001 is an operational warning, not a setting: like any warning it fails
`--fail-level WARNING`, and a production environment whose settings are clean shows it alone
(docs/deploy.md says how to read it).
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "SECRET_KEY": "p" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "cunban.example.gov.cn",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "FIELD_ENCRYPTION_KEYS": "2TgXlO9VQHe7pW_qyfCZCHlNtdaf6sAqxdCn9VdRJNg=",
    "ID_HASH_KEY": "a-long-random-lookup-key-that-never-changes-0123456789",
    "CUNBAN_CERTIFICATE_KEY": "a-long-random-key-for-the-certificates-qr-codes-0123456789",
    "SITE_BASE_URL": "https://cunban.example.gov.cn",
}


# A day in the middle of a year whose calendar the database has confirmed.
CLEAN_DAY = "2026-06-01T10:00:00+08:00"

# `manage.py ARGS…` on a given day: python -c RUN_ON_DAY DAY ARGS…
RUN_ON_DAY = """
import sys, time_machine
from django.core.management import execute_from_command_line
with time_machine.travel(sys.argv[1], tick=False):
    execute_from_command_line(["manage.py", *sys.argv[2:]])
"""


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "CUNBAN_DEMO"}


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """A production database just after `migrate`: every table, no rows of ours. Made once."""
    path = tmp_path_factory.mktemp("deploy") / "migrated.sqlite3"
    env = {**base_env(), **PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0", "--skip-checks"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return path


@pytest.fixture
def database(migrated_database, tmp_path):
    """A copy of the migrated database with the given years' calendars confirmed; its URL."""

    def make(*confirmed_years: int) -> str:
        path = tmp_path / "db.sqlite3"
        shutil.copyfile(migrated_database, path)
        with sqlite3.connect(path) as connection:
            connection.executemany(
                "INSERT INTO workdays_calendaryear (year, notice, status, source_note) VALUES (?, '', 'confirmed', '')",
                [(year,) for year in confirmed_years],
            )
        return f"sqlite:///{path}"

    return make


def run_check(
    extra: dict[str, str], *, database_url: str, day: str = CLEAN_DAY
) -> subprocess.CompletedProcess:
    env = {**base_env(), **extra, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-c", RUN_ON_DAY, day, "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def reported_problems(result: subprocess.CompletedProcess) -> set[str]:
    """The ids of the warnings and errors reported (not the information notes)."""
    return set(re.findall(r"\(([a-z_]+\.[WEC]\d{3})\)", result.stdout + result.stderr))


def test_check_deploy_is_clean_with_production_variables(database):
    result = run_check(PRODUCTION_ENV, database_url=database(2026))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_missing_work_calendar_is_the_one_warning_of_clean_production_settings(database):
    """On 6 December with only 2026 confirmed, the deploy checks name 2027 and nothing else:
    W001 fails --fail-level WARNING as every warning does, and is the county administrator's
    to clear in the back office (Work calendar → Enter from the notice), not a setting."""
    result = run_check(PRODUCTION_ENV, database_url=database(2025, 2026), day="2026-12-06T10:00:00+08:00")
    assert result.returncode != 0
    assert reported_problems(result) == {"workdays.W001"}, result.stdout + result.stderr
    assert "2027" in result.stderr


def test_a_database_not_created_yet_is_no_calendar_problem(tmp_path):
    """Before the first `migrate` the calendar check stays silent, and creates no database."""
    missing = tmp_path / "not-yet.sqlite3"
    result = run_check(PRODUCTION_ENV, database_url=f"sqlite:///{missing}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not missing.exists()


KEYS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY", "CUNBAN_CERTIFICATE_KEY")


def test_production_settings_refuse_to_start_without_their_keys(database):
    """Not a warning any more (issue 16, finding 4): without its own keys, or on the published
    default SECRET_KEY, the site does not start at all, and the message names each variable."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in KEYS}
    result = run_check(env, database_url=database(2026))
    assert result.returncode != 0
    assert "keys.E001" in result.stderr
    for name in KEYS:
        assert f"{name}: not set" in result.stderr, name


def test_a_weak_secret_key_is_still_flagged_by_the_deploy_check(database):
    """Own keys, but a short SECRET_KEY: it starts, and Django's security.W009 says why not."""
    result = run_check({**PRODUCTION_ENV, "SECRET_KEY": "short-but-own"}, database_url=database(2026))
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_check_fails_without_a_font_for_printed_papers(database):
    result = run_check(
        {**PRODUCTION_ENV, "CUNBAN_PDF_FONT": "/nonexistent/font.ttf"}, database_url=database(2026)
    )
    assert result.returncode != 0 and "certificates.E001" in result.stdout + result.stderr


def test_check_deploy_flags_the_printed_address_left_at_its_default(database):
    """Unset, SITE_BASE_URL is the developer's http://127.0.0.1:8000: every QR code printed in
    production would point at the server's own loopback address."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SITE_BASE_URL"}
    result = run_check(env, database_url=database(2026))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check in ("web.W001", "web.W002", "web.W003"):
        assert check in output, check
