"""Issue 16, findings 2, 15 and 17 (mobiles), and the second factor required of administrators.

Finding 2: an administrator set a colleague's e-mail, then reset the password to it.
Finding 15: Wagtail's /admin/login/ and /admin/password_reset/ were a second, unthrottled path.
Finding 17: administrators saw residents' full mobiles with no audit entry.
"""

import importlib
import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.models import AuditEntry
from portal.outbox.models import OutboxMessage
from portal.people import models as people_models
from portal.people.models import User
from tests.conftest import PASSWORD

OLD_EMAIL = "supervisor@example.org"
EVIL_EMAIL = "attacker@example.net"


@pytest.fixture(autouse=True)
def _clear_lockouts(db):
    from axes.utils import reset

    reset()


@pytest.fixture(autouse=True)
def _mail_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    """E-mails leave after the transaction commits; tests run inside one, so run each request's
    callbacks when it ends, as a real commit would."""
    from django.test import Client

    original = Client.request

    def request(self, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, **kwargs)

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture
def supervisor(world):
    world.supervisor_a.email = OLD_EMAIL
    world.supervisor_a.save(update_fields=["email"])
    return world.supervisor_a


def _edit_staff(client, admin, user, **changes):
    client.force_login(admin)
    data = {"name": user.name, "mobile": user.mobile or "", "email": user.email, "is_active": "on", **changes}
    return client.post(reverse("staff_admin:edit", args=[user.pk]), data)


def _links(mail, pattern: str) -> list[str]:
    return re.findall(rf"https?://\S+{pattern}\S*/", mail.body)


def _path(mails, to: str, pattern: str) -> str:
    """The path of the first link matching `pattern` in the mail sent to `to`."""
    mail = next(m for m in mails if m.to == [to])
    return _links(mail, pattern)[0].split(settings.SITE_BASE_URL, 1)[-1]


def _actions(action: str):
    return AuditEntry.objects.filter(detail__act=action)


def test_finding_02_an_administrator_cannot_take_over_a_colleagues_account(
    client, world, supervisor, mailoutbox
):
    """The repro: set the supervisor's e-mail, ask for a reset, read the link. Now the e-mail in
    force stays the old one, the reset link goes there, and the old address is told."""
    response = _edit_staff(client, world.township_admin_a, supervisor, email=EVIL_EMAIL)
    assert response.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.email == OLD_EMAIL
    change = people_models.ContactChange.objects.get(
        user=supervisor, state=people_models.ContactChange.State.PENDING
    )
    assert change.new_value == EVIL_EMAIL and change.requested_by == world.township_admin_a
    to_new = [m for m in mailoutbox if m.to == [EVIL_EMAIL]]
    to_old = [m for m in mailoutbox if m.to == [OLD_EMAIL]]
    assert len(to_new) == 1 and _links(to_new[0], "/accounts/contact/")
    assert len(to_old) == 1 and _links(to_old[0], "/cancel/")
    assert EVIL_EMAIL not in to_old[0].body  # the old address sees it masked
    entry = _actions("contact_change_requested").get()
    assert (entry.user, entry.object_id) == (world.township_admin_a, str(supervisor.pk))
    assert entry.detail["before"] == "s***@example.org" and entry.detail["after"] == "a***@example.net"

    client.logout()
    mailoutbox.clear()
    for handle in ("supervisor_a", EVIL_EMAIL):
        client.post(reverse("people:password_reset"), {"handle": handle}, REMOTE_ADDR="10.16.2.1")
    assert [m.to for m in mailoutbox] == [[OLD_EMAIL]]  # the pending address gets nothing


def test_finding_02_only_the_owner_logged_in_confirms_and_the_link_works_once(client, world, supervisor):
    _edit_staff(client, world.township_admin_a, supervisor, email=EVIL_EMAIL)
    change = people_models.ContactChange.objects.get(user=supervisor)
    from django.core import mail

    path = _path(mail.outbox, EVIL_EMAIL, "/confirm/")

    assert client.post(path).status_code == 400  # the administrator holds the link: refused
    supervisor.refresh_from_db()
    assert supervisor.email == OLD_EMAIL
    client.logout()
    assert client.get(path)["Location"].startswith(reverse("people:login"))

    client.force_login(supervisor)
    assert client.post(path).status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.email == EVIL_EMAIL
    assert client.post(path).status_code == 400  # once
    change.refresh_from_db()
    assert change.state == people_models.ContactChange.State.CONFIRMED
    assert _actions("contact_change_confirmed").get().user == supervisor


def test_finding_02_the_old_address_cancels_with_this_was_not_me(client, world, supervisor, mailoutbox):
    _edit_staff(client, world.township_admin_a, supervisor, email=EVIL_EMAIL)
    client.logout()
    cancel = _path(mailoutbox, OLD_EMAIL, "/cancel/")
    confirm = _path(mailoutbox, EVIL_EMAIL, "/confirm/")
    assert client.post(cancel.replace("/cancel/", "/cancel/x")).status_code == 400
    assert client.post(cancel).status_code == 200
    assert people_models.ContactChange.objects.get().state == people_models.ContactChange.State.CANCELLED
    assert _actions("contact_change_cancelled").count() == 1
    client.force_login(supervisor)
    assert client.post(confirm).status_code == 400
    supervisor.refresh_from_db()
    assert supervisor.email == OLD_EMAIL


def test_finding_02_a_new_mobile_applies_after_the_code_texted_to_it(client, world):
    clerk = world.clerk_a  # mobile 13900000003
    _edit_staff(client, world.township_admin_a, clerk, mobile="139 0000 0033")
    clerk.refresh_from_db()
    assert clerk.mobile == "13900000003"
    texts = {m.to_mobile: m.body for m in OutboxMessage.objects.filter(topic="contact-change")}
    assert set(texts) == {"13900000033", "13900000003"}
    assert "/cancel/" in texts["13900000003"]
    code = re.search(r"\b(\d{6})\b", texts["13900000033"]).group(1)
    client.logout()
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.16.2.2")
    assert authenticate(request, username="13900000003", password=PASSWORD) == clerk  # old handle
    assert authenticate(request, username="13900000033", password=PASSWORD) is None

    client.force_login(clerk)
    change = people_models.ContactChange.objects.get(user=clerk)
    wrong = "000000" if code != "000000" else "111111"
    page = client.post(reverse("people:contact"), {"action": "code", "change": change.pk, "code": wrong})
    assert page.status_code == 200 and page.context["code_form"].non_field_errors()
    client.post(reverse("people:contact"), {"action": "code", "change": change.pk, "code": code})
    clerk.refresh_from_db()
    assert clerk.mobile == "13900000033"
    assert _actions("contact_change_confirm_failed").count() == 1


def test_finding_02_five_wrong_codes_end_the_request(world):
    from portal.errors import DomainError
    from portal.people.contact_change import contact_change_confirm, contact_change_request

    change = contact_change_request(
        actor=world.clerk_a, user=world.clerk_a, field="mobile", new_value="13900000044"
    )
    for _ in range(5):
        with pytest.raises(DomainError):
            contact_change_confirm(actor=world.clerk_a, change_id=change.pk, secret="99999x")
    change.refresh_from_db()
    assert change.state == people_models.ContactChange.State.FAILED


def test_finding_02_an_own_change_of_email_needs_the_new_address_confirmed(
    client, world, supervisor, mailoutbox
):
    client.force_login(supervisor)
    response = client.post(
        reverse("people:contact"), {"action": "request", "email": "new@example.org", "mobile": ""}
    )
    assert response.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.email == OLD_EMAIL
    assert {tuple(m.to) for m in mailoutbox} == {("new@example.org",), (OLD_EMAIL,)}
    assert client.get(reverse("people:contact")).context["pending"][0].new_value == "new@example.org"


def test_finding_02_confirmation_links_expire_and_reset_limits_lift_after_an_hour(client, world, supervisor):
    from datetime import timedelta

    import time_machine
    from django.core import mail
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as clock:
        _edit_staff(client, world.township_admin_a, supervisor, email=EVIL_EMAIL)
        confirm = _path(mail.outbox, EVIL_EMAIL, "/confirm/")
        clock.shift(timedelta(hours=24, minutes=1))
        client.force_login(supervisor)
        assert client.post(confirm).status_code == 400
        supervisor.refresh_from_db()
        assert supervisor.email == OLD_EMAIL

        client.logout()
        mail.outbox.clear()
        for _ in range(settings.PASSWORD_RESET_PER_ACCOUNT_HOUR + 1):
            client.post(reverse("people:password_reset"), {"handle": "supervisor_a"}, REMOTE_ADDR="10.16.4.1")
        assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ACCOUNT_HOUR
        clock.shift(timedelta(minutes=61))
        client.post(reverse("people:password_reset"), {"handle": "supervisor_a"}, REMOTE_ADDR="10.16.4.1")
        assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ACCOUNT_HOUR + 1


def test_finding_02_wagtails_account_page_changes_no_email(client, world, supervisor):
    """Wagtail's own account page was a second way to set one's e-mail without confirming it."""
    client.force_login(world.county_admin)
    page = client.get(reverse("wagtailadmin_account"))
    assert page.status_code == 200
    client.post(
        reverse("wagtailadmin_account"),
        {"name_email-first_name": "x", "name_email-last_name": "y", "name_email-email": EVIL_EMAIL},
    )
    world.county_admin.refresh_from_db()
    assert world.county_admin.email != EVIL_EMAIL
    assert f'value="{EVIL_EMAIL}"' not in page.content.decode()
    assert 'name="name_email-email"' not in page.content.decode()
    assert 'name="password-new_password1"' not in page.content.decode()


def test_finding_02_a_township_administrator_cannot_ask_for_another_townships_staff(world):
    from portal.errors import NotPermitted
    from portal.people.contact_change import contact_change_request

    with pytest.raises(NotPermitted):
        contact_change_request(
            actor=world.township_admin_a, user=world.clerk_b, field="email", new_value=EVIL_EMAIL
        )
    assert not people_models.ContactChange.objects.exists()


def test_finding_15_wagtail_login_and_reset_lead_to_the_projects_pages(client, world, supervisor, mailoutbox):
    login = client.get("/admin/login/?next=/admin/")
    assert login.status_code == 302 and login["Location"] == f"{reverse('people:login')}?next=/admin/"
    posted = client.post("/admin/login/", {"username": "supervisor_a", "password": PASSWORD})
    assert posted.status_code in (301, 302)
    assert "_auth_user_id" not in client.session  # no second login
    for path in ("/admin/password_reset/", "/admin/password_reset/done/"):
        assert client.get(path)["Location"] == reverse("people:password_reset")
    client.post("/admin/password_reset/", {"email": OLD_EMAIL})
    assert mailoutbox == []
    assert settings.WAGTAIL_PASSWORD_RESET_ENABLED is False


@pytest.mark.parametrize("person", ["assistant_a1", "clerk_a", "supervisor_a", "officer_d1"])
def test_finding_15_staff_without_back_office_access_are_told_and_led_to_their_start_page_not_round_in_circles(
    client, world, person
):
    client.force_login(getattr(world, person))
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == [] and response.status_code == 403  # issue 18: a 403 page
    assert f'href="{reverse("web:staff_home")}"' in response.content.decode()


def test_finding_15_password_reset_is_throttled_per_account_and_per_address_with_one_answer(
    client, world, supervisor, mailoutbox
):
    url = reverse("people:password_reset")
    answers = set()
    for i in range(5):
        response = client.post(url, {"handle": "supervisor_a"}, REMOTE_ADDR=f"10.16.15.{i}")
        answers.add(response.content)
    assert len(mailoutbox) == settings.PASSWORD_RESET_PER_ACCOUNT_HOUR == 3
    answers.add(client.post(url, {"handle": "nobody_here"}, REMOTE_ADDR="10.16.15.99").content)
    assert len(answers) == 1  # the same page whether the account exists or was throttled
    assert _actions("password_reset_requested").filter(outcome="refused").count() == 2

    world.clerk_a.email = "clerk@example.org"
    world.clerk_a.save(update_fields=["email"])
    mailoutbox.clear()
    for _ in range(settings.PASSWORD_RESET_PER_ADDRESS_HOUR + 2):
        client.post(url, {"handle": "clerk_a"}, REMOTE_ADDR="10.16.15.200")
    # the account limit bites first here; a fresh account from the same, now busy, address gets none
    world.clerk_b.email = "clerkb@example.org"
    world.clerk_b.save(update_fields=["email"])
    client.post(url, {"handle": "clerk_b"}, REMOTE_ADDR="10.16.15.200")
    assert [m.to for m in mailoutbox] == [["clerk@example.org"]] * 3


def test_finding_15_the_reset_link_works_once_and_is_audited(client, world, supervisor, mailoutbox):
    client.post(reverse("people:password_reset"), {"handle": OLD_EMAIL.upper()}, REMOTE_ADDR="10.16.15.1")
    path = _path(mailoutbox, OLD_EMAIL, "/accounts/password/reset/")
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    new = "a fresh password for the supervisor"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("people:login")
    supervisor.refresh_from_db()
    assert supervisor.check_password(new)
    assert _actions("password_reset_completed").get().object_id == str(supervisor.pk)
    assert not client.get(path, follow=True).context["validlink"]


def test_second_factor_is_required_by_default_when_debug_is_off(monkeypatch):
    from portal.settings import base, security

    monkeypatch.delenv("OTP_REQUIRED_FOR_ADMINISTRATORS", raising=False)
    try:
        for debug in (False, True):
            monkeypatch.setattr(base, "DEBUG", debug)
            assert importlib.reload(security).OTP_REQUIRED_FOR_ADMINISTRATORS is (not debug)
        monkeypatch.setenv("OTP_REQUIRED_FOR_ADMINISTRATORS", "0")
        monkeypatch.setattr(base, "DEBUG", False)
        assert importlib.reload(security).OTP_REQUIRED_FOR_ADMINISTRATORS is False
    finally:
        monkeypatch.undo()
        importlib.reload(security)


@override_settings(OTP_REQUIRED_FOR_ADMINISTRATORS=True)
@pytest.mark.parametrize(
    ("person", "must"),
    [
        ("township_admin_a", True),
        ("county_admin", True),
        ("supervisor_a", True),
        ("clerk_a", False),
        ("editor", False),
    ],
)
def test_administrators_and_supervisors_are_sent_to_enrol_after_login(client, world, person, must):
    response = client.post(
        reverse("people:login"), {"username": person, "password": PASSWORD}, REMOTE_ADDR="10.16.3.1"
    )
    assert response.status_code == 302  # logged in, not locked out
    home = client.get(reverse("web:staff_home"))
    if must:
        assert home.status_code == 302 and home["Location"].startswith(reverse("people:otp_setup"))
        assert client.get(reverse("people:otp_setup")).status_code == 200
    else:
        assert home.status_code == 200


@override_settings(OTP_REQUIRED_FOR_ADMINISTRATORS=True)
def test_a_lost_phone_is_reset_in_the_back_office_with_a_reason(client, world):
    from django_otp.oath import totp

    admin_device = TOTPDevice.objects.create(user=world.township_admin_a, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=world.supervisor_a, name="lost phone", confirmed=True)
    client.post(reverse("people:login"), {"username": "township_admin_a", "password": PASSWORD})
    code = f"{totp(admin_device.bin_key, admin_device.step, admin_device.t0, admin_device.digits):06d}"
    assert client.post(reverse("people:otp_verify"), {"code": code}).status_code == 302

    edit = client.get(reverse("staff_admin:edit", args=[world.supervisor_a.pk])).content.decode()
    url = reverse("staff_admin:two_factor_reset", args=[world.supervisor_a.pk])
    assert url in edit
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    assert client.post(url, {"reason": "phone lost, called on 7 December"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=world.supervisor_a).exists()
    entry = AuditEntry.objects.get(event="two_factor_reset")
    assert entry.user == world.township_admin_a and entry.detail["reason"].startswith("phone lost")

    own = client.post(
        reverse("staff_admin:two_factor_reset", args=[world.township_admin_a.pk]), {"reason": "x"}
    )
    assert own.status_code == 200 and TOTPDevice.objects.filter(user=world.township_admin_a).exists()
    other = client.post(reverse("staff_admin:two_factor_reset", args=[world.clerk_b.pk]), {"reason": "x"})
    assert other.status_code == 404

    client.logout()
    client.post(reverse("people:login"), {"username": "supervisor_a", "password": PASSWORD})
    assert client.get(reverse("web:staff_home"))["Location"].startswith(reverse("people:otp_setup"))


def test_finding_17_mobile_a_residents_full_mobile_needs_an_audited_reveal(client, world):
    from portal.people.services import resident_register
    from tests.factories import make_id_number

    resident, _ = resident_register(
        actor=None, name="王景云", id_number=make_id_number(), mobile="13900002000", village=world.village_a1
    )
    client.force_login(world.township_admin_a)
    page = client.get(reverse("resident_admin:inspect", args=[resident.pk])).content.decode()
    assert "13900002000" not in page and "139****2000" in page
    reveal = reverse("resident_admin:mobile", args=[resident.pk])
    assert reveal in page
    assert "13900002000" not in client.get(reveal).content.decode()
    assert not _actions("resident_mobile_viewed").exists()
    shown = client.post(reveal)
    assert "13900002000" in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    entry = _actions("resident_mobile_viewed").get()
    assert (entry.user, entry.object_id, entry.detail["masked"]) == (
        world.township_admin_a,
        str(resident.pk),
        "139****2000",
    )
    client.force_login(User.objects.get(username="clerk_b"))
    assert client.post(reveal).status_code in (302, 403, 404)
    assert _actions("resident_mobile_viewed").count() == 1
