"""Rotating a webhook's secret: a county administrator of the client's county gets a new secret
once; for CUNBAN_WEBHOOK_SECRET_GRACE_HOURS every delivery carries a signature with the new and
the old secret (the `standardwebhooks` library verifies either), afterwards only the new one;
the rotation is in the subscription's append-only history with who and when."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api import webhook_services
from api.webhook_models import WebhookEvent, WebhookSubscription
from portal.errors import DomainError, NotPermitted
from tests.api.webhook_fixtures import AT, register_in, subscribe
from tests.api.webhook_receiver import Received

pytestmark = pytest.mark.django_db

ROTATED_AT = AT
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def subscribed(world, hotline, receiver, clock):
    """The hotline's ledger webhook, an hour before the rotation: (subscription, first secret)."""
    clock.move_to(ROTATED_AT - HOUR)
    return subscribe(world, hotline[0], receiver.url)


def rotate(world, subscription, clock, actor=None) -> str:
    clock.move_to(ROTATED_AT)
    _subscription, secret = webhook_services.webhook_secret_rotate(
        actor=actor or world.county_admin, subscription=subscription
    )
    return secret


def delivered_at(world, receiver, clock, when: datetime.datetime, capture) -> Received:
    """Register a hotline request in village A1 at `when`; the delivery it causes, as received."""
    clock.move_to(when)
    with capture(execute=True):
        register_in(world, world.village_a1)
    return receiver.received[-1]


def assert_signed_by(received: Received, *, only: tuple[str, ...], not_by: tuple[str, ...] = ()) -> None:
    """The library verifies the delivery with each secret of `only` and with none of `not_by`;
    the signature header carries one signature per secret of `only`."""
    assert len(received.headers["webhook-signature"].split(" ")) == len(only)
    for secret in only:
        assert Webhook(secret).verify(received.body, received.headers)["type"] == "ledger.item_changed"
    for secret in not_by:
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(received.body, received.headers)


class TestWebhookSecretRotate:
    def test_a_new_secret_once_and_the_rotation_in_the_history(self, world, subscribed, clock):
        subscription, first = subscribed
        second = rotate(world, subscription, clock)
        assert second.startswith("whsec_") and second != first
        subscription.refresh_from_db()
        assert (subscription.secret, subscription.previous_secret) == (second, first)
        assert subscription.previous_secret_until == ROTATED_AT + 24 * HOUR
        event = WebhookEvent.objects.get(subscription=subscription, act=WebhookEvent.Act.ROTATE)
        assert (event.actor, event.at, event.from_state, event.to_state) == (
            world.county_admin,
            ROTATED_AT,
            "active",
            "active",
        )
        assert set(event.data) == {"old_secret_valid_until", "older_secret_dropped"}
        until = datetime.datetime.fromisoformat(event.data["old_secret_valid_until"])
        assert until == ROTATED_AT + 24 * HOUR and event.data["older_secret_dropped"] is False
        assert first not in str(event.data) and second not in str(event.data)

    @pytest.mark.parametrize("who", ["township_admin_a", "supervisor_a", "clerk_a", "outsider"])
    def test_only_who_manages_the_clients_webhooks(self, world, subscribed, clock, who):
        subscription, first = subscribed
        with pytest.raises(NotPermitted):
            rotate(world, subscription, clock, actor=getattr(world, who))
        subscription.refresh_from_db()
        assert subscription.secret == first and subscription.previous_secret == ""
        assert not WebhookEvent.objects.filter(act=WebhookEvent.Act.ROTATE).exists()

    def test_an_ended_webhook_is_not_rotated(self, world, subscribed, clock):
        subscription, _first = subscribed
        webhook_services.webhook_end(actor=world.county_admin, subscription=subscription)
        with translation.override("en"), pytest.raises(DomainError, match="ended"):
            rotate(world, subscription, clock)

    def test_the_grace_is_a_setting(self, world, subscribed, clock, settings):
        settings.CUNBAN_WEBHOOK_SECRET_GRACE_HOURS = 2
        subscription, _first = subscribed
        rotate(world, subscription, clock)
        subscription.refresh_from_db()
        assert subscription.previous_secret_until == ROTATED_AT + 2 * HOUR


class TestSigningAroundARotation:
    def test_during_the_grace_both_secrets_verify(
        self, world, subscribed, clock, receiver, django_capture_on_commit_callbacks
    ):
        subscription, first = subscribed
        second = rotate(world, subscription, clock)
        received = delivered_at(
            world, receiver, clock, ROTATED_AT + 23 * HOUR, django_capture_on_commit_callbacks
        )
        assert_signed_by(received, only=(first, second))

    def test_after_the_grace_only_the_new_secret_verifies(
        self, world, subscribed, clock, receiver, django_capture_on_commit_callbacks
    ):
        subscription, first = subscribed
        second = rotate(world, subscription, clock)
        after_the_grace = ROTATED_AT + 24 * HOUR + datetime.timedelta(seconds=1)
        received = delivered_at(world, receiver, clock, after_the_grace, django_capture_on_commit_callbacks)
        assert_signed_by(received, only=(second,), not_by=(first,))

    def test_a_retry_after_the_grace_is_signed_with_the_new_secret_only(
        self, world, subscribed, clock, receiver, django_capture_on_commit_callbacks
    ):
        subscription, first = subscribed
        second = rotate(world, subscription, clock)
        receiver.status = 500
        failed = delivered_at(
            world, receiver, clock, ROTATED_AT + 23 * HOUR, django_capture_on_commit_callbacks
        )
        assert_signed_by(failed, only=(first, second))
        receiver.status = 204
        clock.move_to(ROTATED_AT + 25 * HOUR)
        assert webhook_services.deliveries_send_due().delivered == 1
        retried = receiver.received[-1]
        assert retried.headers["webhook-id"] == failed.headers["webhook-id"]
        assert_signed_by(retried, only=(second,), not_by=(first,))

    def test_a_second_rotation_within_the_grace_drops_the_oldest(
        self, world, subscribed, clock, receiver, django_capture_on_commit_callbacks
    ):
        subscription, first = subscribed
        second = rotate(world, subscription, clock)
        clock.move_to(ROTATED_AT + HOUR)
        _subscription, third = webhook_services.webhook_secret_rotate(
            actor=world.county_admin, subscription=subscription
        )
        event = WebhookEvent.objects.filter(act=WebhookEvent.Act.ROTATE).latest("at")
        assert event.data["older_secret_dropped"] is True
        received = delivered_at(
            world, receiver, clock, ROTATED_AT + 2 * HOUR, django_capture_on_commit_callbacks
        )
        assert_signed_by(received, only=(second, third), not_by=(first,))

    def test_a_replaced_secret_is_forgotten_once_its_grace_is_over(self, world, subscribed, clock):
        subscription, _first = subscribed
        rotate(world, subscription, clock)
        clock.move_to(ROTATED_AT + 23 * HOUR)
        assert webhook_services.webhook_old_secrets_forget() == 0
        clock.move_to(ROTATED_AT + 24 * HOUR)
        assert webhook_services.webhook_old_secrets_forget() == 1
        subscription.refresh_from_db()
        assert (subscription.previous_secret, subscription.previous_secret_until) == ("", None)


class TestRotatingInTheBackOffice:
    def test_the_county_administrator_rotates_and_sees_the_new_secret_once(
        self, world, client, hotline, subscribed, clock, settings
    ):
        subscription, first = subscribed
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        clock.move_to(ROTATED_AT)
        client.force_login(world.county_admin)
        url = reverse("api_client_admin:webhooks", args=[hotline[0].pk])
        response = client.post(url, {"subscription": subscription.pk, "rotate": ""})
        page = response.content.decode()
        subscription.refresh_from_db()
        assert response.status_code == 200 and subscription.secret in page and first not in page
        assert "2026-12-09 10:00" in page  # the old one signs until then
        listing = client.get(url).content.decode()
        assert subscription.secret not in listing and "Secret rotated" in listing

    @pytest.mark.parametrize("who", ["township_admin_a", "outsider"])
    def test_others_cannot_rotate(self, world, client, hotline, subscribed, who):
        subscription, first = subscribed
        client.force_login(getattr(world, who))
        url = reverse("api_client_admin:webhooks", args=[hotline[0].pk])
        response = client.post(url, {"subscription": subscription.pk, "rotate": ""})
        assert response.status_code in (302, 403, 404)
        assert WebhookSubscription.objects.get(pk=subscription.pk).secret == first
