"""The optional TOTP second factor: code page after login, enrolment, and off by default."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _clear_lockouts(db):
    from axes.utils import reset

    reset()


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_login(client, username="clerk_a", address="10.7.0.1"):
    return client.post(
        reverse("people:login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=address
    )


def test_staff_with_a_device_must_enter_a_code_before_work(client, world):
    device = TOTPDevice.objects.create(user=world.clerk_a, name="phone", confirmed=True)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        password_login(client)
        response = client.get("/work/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:otp_verify"))
        assert client.get("/admin/")["Location"].startswith(reverse("people:otp_verify"))
        wrong = client.post(reverse("people:otp_verify"), {"code": "000000", "next": "/work/"})
        assert wrong.status_code == 200 and wrong.context["form"].errors
        traveller.shift(timedelta(seconds=2))  # the device throttle waits 1 s after a miss
        right = client.post(reverse("people:otp_verify"), {"code": code_for(device), "next": "/work/"})
        assert right.status_code == 302 and right["Location"] == "/work/"
        assert client.get(reverse("web:staff_home")).status_code == 200


def test_wrong_codes_count_toward_the_account_lockout(client, world):
    TOTPDevice.objects.create(user=world.clerk_a, name="phone", confirmed=True)
    password_login(client)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = client.post(reverse("people:otp_verify"), {"code": "000000"})
            traveller.shift(timedelta(seconds=20))  # past the device throttle (1, 2, 4, 8 s)
    assert response.status_code == 429
    assert client.get(reverse("web:staff_home")).status_code == 302  # logged out
    assert password_login(client, address="10.7.9.9").status_code == 429


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_enrolment_when_required(client, world):
    password_login(client)
    response = client.get(reverse("web:staff_home"))
    assert response["Location"].startswith(reverse("people:otp_setup"))
    page = client.get(reverse("people:otp_setup"))
    body = page.content.decode()
    assert "<svg" in body and "<script" not in body.split("<main", 1)[1].split("</main>")[0]
    device = TOTPDevice.objects.get(user=world.clerk_a, confirmed=False)
    assert page.context["secret"].replace(" ", "")
    done = client.post(reverse("people:otp_setup"), {"code": code_for(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("web:staff_home")).status_code == 200


def test_not_required_by_default(client, world):
    assert settings.OTP_REQUIRED_FOR_STAFF is False
    password_login(client)
    assert client.get(reverse("web:staff_home")).status_code == 200


def test_a_password_only_session_cannot_replace_a_confirmed_device(client, world):
    TOTPDevice.objects.create(user=world.clerk_a, name="phone", confirmed=True)
    password_login(client)
    response = client.get(reverse("people:otp_setup"))
    assert response["Location"].startswith(reverse("people:otp_verify"))
    assert not TOTPDevice.objects.filter(confirmed=False).exists()


def test_a_lost_phone_is_reset_by_an_administrator_of_the_account_and_audited(world):
    """The rule that disables an account: its offices' administrators, not another township's."""
    from portal.audit.models import AuditEntry
    from portal.errors import NotPermitted
    from portal.people.two_factor import two_factor_reset

    TOTPDevice.objects.create(user=world.clerk_b, name="phone", confirmed=True)
    for stranger in (world.township_admin_a, world.clerk_a, world.outsider):
        with pytest.raises(NotPermitted):
            two_factor_reset(actor=stranger, user=world.clerk_b)
    assert TOTPDevice.objects.filter(user=world.clerk_b).count() == 1
    assert two_factor_reset(actor=world.county_admin, user=world.clerk_b) == 1
    assert not TOTPDevice.objects.filter(user=world.clerk_b).exists()

    TOTPDevice.objects.create(user=world.outsider, name="phone", confirmed=True)
    with pytest.raises(NotPermitted):  # no role: no township administrator's account
        two_factor_reset(actor=world.township_admin_a, user=world.outsider)

    TOTPDevice.objects.create(user=world.clerk_a, name="phone", confirmed=True)
    assert two_factor_reset(actor=world.township_admin_a, user=world.clerk_a) == 1
    TOTPDevice.objects.create(user=world.clerk_a, name="new phone", confirmed=True)
    assert two_factor_reset(actor=world.county_admin, user=world.clerk_a) == 1
    assert not TOTPDevice.objects.filter(user=world.clerk_a).exists()
    entry = AuditEntry.objects.filter(event="two_factor_reset").latest("pk")
    assert AuditEntry.objects.filter(event="two_factor_reset").count() == 3
    assert (entry.user, entry.object_id, entry.detail["devices"]) == (
        world.county_admin,
        str(world.clerk_a.pk),
        1,
    )


def test_the_reset_command_names_the_account(world, capsys):
    from django.core.management import CommandError, call_command

    TOTPDevice.objects.create(user=world.clerk_a, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=world.clerk_a, name="pending", confirmed=False)
    call_command("reset_two_factor", "clerk_a")
    assert "clerk_a: 2 authenticator app(s) removed" in capsys.readouterr().out
    with pytest.raises(CommandError, match="nobody"):
        call_command("reset_two_factor", "nobody")
