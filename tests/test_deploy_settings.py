"""`manage.py check --deploy` is clean when the production variables are set."""

import os
import subprocess
import sys
from pathlib import Path

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


def run_check(extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "CUNBAN_DEMO"}
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_flags_missing_id_keys_and_the_default_secret():
    env = {
        k: v
        for k, v in PRODUCTION_ENV.items()
        if k not in {"FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY", "SECRET_KEY", "CUNBAN_CERTIFICATE_KEY"}
    }
    result = run_check(env)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check in ("cunban.W001", "cunban.W002", "security.W009", "certificates.W001"):
        assert check in output, check


def test_check_fails_without_a_font_for_printed_papers():
    result = run_check({**PRODUCTION_ENV, "CUNBAN_PDF_FONT": "/nonexistent/font.ttf"})
    assert result.returncode != 0 and "certificates.E001" in result.stdout + result.stderr


def test_check_deploy_flags_the_printed_address_left_at_its_default():
    """Unset, SITE_BASE_URL is the developer's http://127.0.0.1:8000: every QR code printed in
    production would point at the server's own loopback address."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SITE_BASE_URL"}
    result = run_check(env)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check in ("web.W001", "web.W002", "web.W003"):
        assert check in output, check
