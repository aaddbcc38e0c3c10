"""Findings 4 and 11 of issue 16: the keys that protect ID numbers and certificates, and ID
numbers in sessions.

4. With DEBUG off, the web process refuses to start (and `check --deploy` fails) without SECRET_KEY, FIELD_ENCRYPTION_KEYS,
   ID_HASH_KEY and CUNBAN_CERTIFICATE_KEY (or with the published default SECRET_KEY), and no
   production key is derived from SECRET_KEY. FIELD_ENCRYPTION_KEYS rotate with
   `manage.py rotate_field_keys`. Certificate check codes are HMACs under their own key.
11. A revealed ID number is never written to the session; expired sessions are cleared.
"""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from certificates import tokens
from portal.people import crypto
from portal.people.models import Resident
from portal.people.tasks import expired_sessions_clear, expired_sessions_clear_task
from tests.approvals.conftest import cases, items, residents  # noqa: F401 - fixtures
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


# -- finding 11: no ID number in a session ------------------------------------------------------


def session_texts() -> list[str]:
    """Every stored session, decoded, and its raw row."""
    return [f"{row.session_data} {row.get_decoded()}" for row in Session.objects.all()]


@pytest.mark.django_db
def test_finding_11_no_session_row_holds_the_revealed_id_number(client, cases, world):  # noqa: F811
    application = cases.submitted()
    full = application.resident.id_number
    client.force_login(world.clerk_a)
    client.post(reverse("approvals:id_number", args=[application.pk]))
    assert Session.objects.exists()
    assert not any(full in text or full[-6:] in text for text in session_texts())
    # The page still shows it, once, read afresh from the database.
    assert full in client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert full not in client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert not any(full in text for text in session_texts())


@pytest.mark.django_db
def test_finding_11_a_grant_is_worthless_to_someone_who_no_longer_handles_it(client, cases, world):  # noqa: F811
    application = cases.submitted()
    client.force_login(world.clerk_a)
    client.post(reverse("approvals:id_number", args=[application.pk]))
    session = client.session
    assert session[f"id_number:{application.pk}"] is True
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "approvals.policies.application_policy.user_has_permission_for_instance",
            lambda *args, **kwargs: False,
        )
        from approvals.views import work

        request = type("R", (), {"session": session, "user": world.clerk_a})()
        assert work._revealed_id_number(request, application) is None


@pytest.mark.django_db
def test_finding_11_expired_sessions_are_cleared_by_the_periodic_task():
    now = timezone.now()
    Session.objects.create(
        session_key="old", session_data="x", expire_date=now - datetime.timedelta(seconds=1)
    )
    Session.objects.create(
        session_key="live", session_data="x", expire_date=now + datetime.timedelta(hours=1)
    )
    assert expired_sessions_clear(now=now) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    Session.objects.filter(session_key="live").update(expire_date=now - datetime.timedelta(days=1))
    assert expired_sessions_clear_task.enqueue().return_value == 1
    assert not Session.objects.exists()


# -- finding 4: keys ----------------------------------------------------------------------------

KEY_NAMES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY", "CUNBAN_CERTIFICATE_KEY")
OWN_KEYS = {
    "SECRET_KEY": "s" * 20 + "-a-deployments-own-secret-key-0123456789abcdef",
    "FIELD_ENCRYPTION_KEYS": KEY_A,
    "ID_HASH_KEY": "an-own-lookup-hash-key-that-never-changes-0123456789",
    "CUNBAN_CERTIFICATE_KEY": "an-own-certificate-key-for-the-qr-codes-0123456789",
}


def manage_check(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` with the production settings, DEBUG off and the given keys."""
    env = {k: v for k, v in os.environ.items() if k not in KEY_NAMES and k not in {"DEBUG", "CUNBAN_DEMO"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'not-yet.sqlite3'}",
        ALLOWED_HOSTS="cunban.example.gov.cn",
        **variables,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def key_problem_line(result: subprocess.CompletedProcess) -> str:
    return next(line for line in result.stderr.splitlines() if "keys.E001" in line)


def test_finding_04_production_refuses_to_start_without_its_keys(tmp_path):
    """Before: `check --deploy` warned and exited 0, and the site ran on the published key."""
    result = manage_check(tmp_path)
    assert result.returncode != 0
    for name in KEY_NAMES:
        assert f"{name}: not set" in key_problem_line(result), name


def test_finding_04_the_web_process_does_not_start_without_its_keys(tmp_path):
    """gunicorn and runserver load portal/wsgi.py: with DEBUG off and no keys it raises, naming them."""
    env = {k: v for k, v in os.environ.items() if k not in KEY_NAMES and k not in {"DEBUG", "CUNBAN_DEMO"}}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="0", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    refused = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0 and "ImproperlyConfigured" in refused.stderr
    assert all(f"{name}: not set" in refused.stderr for name in KEY_NAMES)
    started = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        cwd=ROOT,
        env={**env, **OWN_KEYS},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr


def test_finding_04_a_plain_check_warns_so_development_tools_keep_working(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in KEY_NAMES and k not in {"DEBUG", "CUNBAN_DEMO"}}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="0", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "keys.W001" in result.stdout + result.stderr


@pytest.mark.parametrize("name", KEY_NAMES)
def test_finding_04_each_missing_key_is_named(tmp_path, name):
    result = manage_check(tmp_path, **{k: v for k, v in OWN_KEYS.items() if k != name})
    assert result.returncode != 0
    problem = key_problem_line(result)
    assert f"{name}: not set" in problem
    assert not any(f"{other}:" in problem for other in KEY_NAMES if other != name)


def test_finding_04_the_published_default_secret_key_is_refused(tmp_path):
    from portal.settings.keys import DEVELOPMENT_SECRET_KEY, TEST_SECRET_KEY

    for published in (DEVELOPMENT_SECRET_KEY, TEST_SECRET_KEY):
        result = manage_check(tmp_path, **{**OWN_KEYS, "SECRET_KEY": published})
        assert result.returncode != 0 and "SECRET_KEY: " in key_problem_line(result)


def test_finding_04_own_keys_start(tmp_path):
    result = manage_check(tmp_path, **OWN_KEYS)
    assert "keys.E001" not in result.stderr and "keys.W001" not in result.stdout + result.stderr, result.stderr


def test_finding_04_unusable_keys_are_named():
    from portal.settings.keys import production_key_problems

    assert production_key_problems(OWN_KEYS) == {}
    problems = production_key_problems(
        {
            **OWN_KEYS,
            "FIELD_ENCRYPTION_KEYS": f"{KEY_B},not-a-fernet-key",
            "ID_HASH_KEY": "short",
            "CUNBAN_CERTIFICATE_KEY": OWN_KEYS["SECRET_KEY"],
        }
    )
    assert problems == {
        "FIELD_ENCRYPTION_KEYS": "key 2 is not a Fernet key (32 url-safe base64-encoded bytes)",
        "ID_HASH_KEY": "shorter than 32 characters",
        "CUNBAN_CERTIFICATE_KEY": "the same as SECRET_KEY",
    }


@override_settings(
    CUNBAN_KEYS_FROM_SECRET_KEY=False, FIELD_ENCRYPTION_KEYS="", ID_HASH_KEY="", CUNBAN_CERTIFICATE_KEY=""
)
def test_finding_04_production_never_derives_keys_from_the_secret_key():
    """Before: every key fell back on SECRET_KEY, so its published default opened everything."""
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt_text("110101199003071234")
    with pytest.raises(ImproperlyConfigured):
        crypto.keyed_digest("110101199003071234")
    with pytest.raises(ImproperlyConfigured):
        tokens.check_code("郝各庄镇〔2026〕17号")


def test_finding_04_check_codes_are_hmacs_under_the_certificate_key_alone():
    """A serial alone gives nothing: the code is 8 digits of HMAC-SHA256 under the certificate
    key, so SECRET_KEY (or its published default) computes no valid code."""
    import hashlib
    import hmac

    from portal.settings.keys import DEVELOPMENT_SECRET_KEY

    serial = "郝各庄镇〔2026〕17号"
    key = OWN_KEYS["CUNBAN_CERTIFICATE_KEY"]
    expected = hmac.new(key.encode(), f"cunban.certificate.check:{serial}".encode(), hashlib.sha256).digest()
    with override_settings(CUNBAN_CERTIFICATE_KEY=key, SECRET_KEY=DEVELOPMENT_SECRET_KEY):
        code = tokens.check_code(serial)
        assert code == f"{int.from_bytes(expected[:8], 'big') % 10**8:08d}"
        assert tokens.code_matches(serial, code)
        forged = tokens._code_with(DEVELOPMENT_SECRET_KEY.encode(), serial)
        assert forged != code and not tokens.code_matches(serial, forged)
        neighbours = {tokens.check_code(f"郝各庄镇〔2026〕{n}号") for n in range(1, 50)}
        assert len(neighbours) == 49  # sequential serials, unrelated codes


# -- finding 4: rotating FIELD_ENCRYPTION_KEYS --------------------------------------------------


def raw_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Resident._meta.db_table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_finding_04_rotating_the_encryption_keys(world):
    from portal.people.services import resident_register
    from tests.factories import make_id_number

    numbers = [make_id_number(birth=f"19{60 + n}0101", order=100 + n) for n in range(7)]
    with override_settings(FIELD_ENCRYPTION_KEYS=KEY_A):
        for n, number in enumerate(numbers):
            resident_register(
                actor=None, name=f"村民{n}", id_number=number, mobile="13812345678", village=world.village_a1
            )
        digests = list(Resident.objects.order_by("pk").values_list("id_number_digest", flat=True))
    before = raw_tokens()
    assert all(Fernet(KEY_A).decrypt(token.encode()) for token in before)

    with override_settings(FIELD_ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}"):
        out = io.StringIO()
        call_command("rotate_field_keys", "--batch-size", "3", stdout=out)
        assert "7 rows, 7 re-encrypted, 0 already under the newest key" in out.getvalue()
        assert "100% (7/7)" in out.getvalue() and " 42% (3/7)" in out.getvalue()
        again = io.StringIO()
        call_command("rotate_field_keys", stdout=again)  # idempotent: nothing left to do
        assert "7 rows, 0 re-encrypted, 7 already under the newest key" in again.getvalue()

    after = raw_tokens()
    assert all(Fernet(KEY_B).decrypt(token.encode()) for token in after)
    with override_settings(FIELD_ENCRYPTION_KEYS=KEY_B):  # the old key removed
        assert [r.id_number for r in Resident.objects.order_by("pk")] == numbers
        assert list(Resident.objects.order_by("pk").values_list("id_number_digest", flat=True)) == digests
