"""Staff log in with username or mobile; repeated failures lock the account and the address."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _clear_lockouts(db):
    from axes.utils import reset

    reset()


def login(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        reverse("people:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_login_with_username(client, world):
    response = login(client, "clerk_a")
    assert response.status_code == 302 and response["Location"] == reverse("web:staff_home")


def test_login_with_mobile_in_any_spacing(client, world):
    response = login(client, "139 0000 0003")
    assert response.status_code == 302
    assert client.get(reverse("web:staff_home")).context["user"] == world.clerk_a


def test_a_wrong_password_gets_one_clear_message_and_keeps_the_username(client, world):
    response = login(client, "clerk_a", "wrong")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="clerk_a"' in body
    unknown = login(client, "nobody", "wrong", address="10.0.0.2").content.decode()
    error = response.context["form"].non_field_errors()[0]
    assert error in unknown  # same message for an unknown user


def test_five_failures_lock_the_account_even_from_another_address(client, world):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "clerk_a", "wrong", address=f"10.0.1.{attempt}")
    response = login(client, "clerk_a", address="10.0.2.1")
    assert response.status_code == 429
    assert "锁定" in response.content.decode() or "paused" in response.content.decode()


def test_five_failures_lock_the_address_for_other_accounts(client, world):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess{attempt}", "wrong", address="10.0.3.3")
    assert login(client, "clerk_a", address="10.0.3.3").status_code == 429
    assert login(client, "clerk_a", address="10.0.3.4").status_code == 302


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    # Use renews the expiry (portal/people/sessions.py), at most once a minute.
    assert "portal.people.sessions.RenewingSessionMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in settings.MIDDLEWARE
    assert settings.SESSION_RENEW_SECONDS <= 60


def test_staff_home_needs_login_and_lists_roles(client, world):
    assert client.get(reverse("web:staff_home")).status_code == 302
    client.force_login(world.supervisor_a)
    body = client.get(reverse("web:staff_home")).content.decode()
    assert world.centre_a.name in body


def test_logout(client, world):
    client.force_login(world.clerk_a)
    response = client.post(reverse("people:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:staff_home")).status_code == 302


def test_the_back_office_sends_anonymous_visitors_to_the_staff_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))
