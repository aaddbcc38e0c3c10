"""Idle and absolute session lifetimes, and the cookie flags a production deployment sets."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from portal.keys import fresh_keys
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent


def test_an_idle_session_ends_after_the_idle_limit(client, world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(world.clerk_a)
        assert client.get(reverse("web:staff_home")).status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("web:staff_home")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get(reverse("web:staff_home")).status_code == 302


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_use_renews_the_idle_expiry_at_most_once_a_minute(client, world):
    """A page view is not a database write: the expiry moves forward when the last renewal is a
    minute old (portal/people/sessions.py), so the idle limit is 29 to 30 minutes of no use."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(world.clerk_a)
        client.get(reverse("web:staff_home"))
        renewed = _expiry(client)
        traveller.shift(timedelta(seconds=40))
        client.get(reverse("web:staff_home"))
        assert _expiry(client) == renewed  # not written again within the minute
        traveller.shift(timedelta(seconds=30))
        client.get(reverse("web:staff_home"))
        assert _expiry(client) == renewed + timedelta(seconds=70)
        # Used every 50 seconds for an hour: never idle, never logged out.
        for _ in range(72):
            traveller.shift(timedelta(seconds=50))
            assert client.get(reverse("web:staff_home")).status_code == 200


def test_a_session_the_page_changes_is_saved_even_within_the_minute(db):
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.test import RequestFactory

    from portal.people.sessions import RENEWED_AT_SESSION_KEY, RenewingSessionMiddleware

    def page(request):
        request.session["note"] = "kept"
        return HttpResponse("ok")

    with time_machine.travel(timezone.now(), tick=False):
        store = SessionStore()
        store[RENEWED_AT_SESSION_KEY] = timezone.now().timestamp()  # renewed just now
        store.save()
        request = RequestFactory().get("/")
        request.COOKIES[settings.SESSION_COOKIE_NAME] = store.session_key
        RenewingSessionMiddleware(page)(request)
        assert SessionStore(store.session_key)["note"] == "kept"


@override_settings(SESSION_ABSOLUTE_SECONDS=12 * 3600)
def test_a_busy_session_still_ends_twelve_hours_after_login(client, world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(world.clerk_a)
        for _ in range(12 * 3):  # a request every 20 minutes keeps the idle timer happy
            assert client.get(reverse("web:staff_home")).status_code == 200
            traveller.shift(timedelta(minutes=20))
        traveller.shift(timedelta(minutes=1))
        response = client.get(reverse("web:staff_home"), follow=False)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))
        assert "next=%2Fstaff%2F" in response["Location"]
        page = client.get(response["Location"])
        # zh-hans is the default language; the note is the session middleware's.
        assert "为了安全，您的会话已结束。请重新登录。" in page.content.decode()
        assert client.get(reverse("web:staff_home")).status_code == 302


def test_password_login_stamps_the_session(client, world):
    from axes.utils import reset

    reset()
    client.post(
        reverse("people:login"),
        {"username": "clerk_a", "password": PASSWORD},
        REMOTE_ADDR="10.8.0.1",
    )
    assert "cunban_login_at" in client.session


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_session_and_csrf_cookies_carry_secure_httponly_and_samesite(client, world):
    from axes.utils import reset

    reset()
    page = client.get(reverse("people:login"))
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        reverse("people:login"),
        {"username": "clerk_a", "password": PASSWORD},
        REMOTE_ADDR="10.8.0.2",
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_production_settings_turn_the_cookie_flags_on():
    env = {k: v for k, v in os.environ.items() if k not in {"SECURE_COOKIES", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "0"})
    # With DEBUG off the settings refuse to start without keys of their own (portal/keys.py).
    env.update(fresh_keys())
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_SAMESITE, s.SESSION_ABSOLUTE_SECONDS]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        True, True, "Lax", True, True, "Lax", 12 * 3600,
    ]  # fmt: skip
