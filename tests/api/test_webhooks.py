"""Webhooks' rules: who subscribes to what, which clients hear of which events and with what
data, retries with backoff, pausing after failures (and telling the county's administrators),
no redirects, no private targets unless allowed, nothing for a rolled-back step."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone, translation
from standardwebhooks.webhooks import Webhook

from api import webhook_services, webhook_transport
from api.webhook_models import EventType, WebhookDelivery, WebhookEvent
from portal.errors import DomainError, NotPermitted
from portal.outbox.models import OutboxMessage
from tests.api.webhook_fixtures import register_in, subscribe

pytestmark = pytest.mark.django_db


class TestSubscribing:
    def test_only_a_county_administrator_subscribes(self, world, hotline, receiver):
        for who in ("township_admin_a", "supervisor_a", "outsider"):
            with pytest.raises(NotPermitted):
                webhook_services.webhook_subscribe(
                    actor=getattr(world, who),
                    client=hotline[0],
                    url=receiver.url,
                    event_types=["ledger.item_changed"],
                )

    def test_events_must_be_allowed_by_the_clients_scopes(self, world, hotline, receiver):
        with pytest.raises(DomainError, match="rating.bad_opened"):
            subscribe(world, hotline[0], receiver.url, [EventType.BAD_RATING_OPENED])

    @pytest.mark.parametrize(
        "url", ["ftp://example.org/x", "file:///etc/passwd", "https://user:pw@example.org/"]
    )
    def test_only_http_urls(self, world, hotline, url):
        with pytest.raises(DomainError):
            subscribe(world, hotline[0], url)

    def test_the_secret_is_whsec_and_kept_encrypted(self, world, hotline, receiver):
        from django.db import connection

        subscription, secret = subscribe(world, hotline[0], receiver.url)
        assert secret.startswith("whsec_")
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM api_webhooksubscription WHERE id = %s", [subscription.pk])
            assert secret not in cursor.fetchone()[0]


class TestWhoHears:
    def test_jurisdiction_and_scope_decide(
        self, world, hotline, province, receiver, django_capture_on_commit_callbacks
    ):
        subscribe(world, hotline[0], receiver.url)  # township A
        subscribe(world, province[0], receiver.url)  # the county
        with django_capture_on_commit_callbacks(execute=True):
            register_in(world, world.village_b1)
        assert len(receiver.received) == 1  # the province only: B is not the hotline's
        with django_capture_on_commit_callbacks(execute=True):
            register_in(world, world.village_a1, "R2")
        assert len(receiver.received) == 3

    def test_someone_elses_order_carries_no_personal_data(
        self, world, province, receiver, django_capture_on_commit_callbacks
    ):
        _subscription, secret = subscribe(world, province[0], receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            register_in(world, world.village_a1)
        data = Webhook(secret).verify(receiver.received[0].body, receiver.received[0].headers)["data"]
        assert "villager_mobile" not in data and "hotline_reference" not in data
        assert data["village"]["code"] == world.village_a1.code

    def test_a_rolled_back_step_delivers_nothing(
        self, world, hotline, receiver, django_capture_on_commit_callbacks
    ):
        subscribe(world, hotline[0], receiver.url)
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            register_in(world, world.village_a1)
            raise RuntimeError
        assert not WebhookDelivery.objects.exists() and receiver.received == []


class TestFailures:
    def test_retries_back_off_then_the_endpoint_is_paused_and_administrators_told(
        self, world, hotline, receiver, settings, django_capture_on_commit_callbacks
    ):
        settings.CUNBAN_WEBHOOK_PAUSE_AFTER_FAILURES = 3
        receiver.status = 500
        subscription, _secret = subscribe(world, hotline[0], receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            register_in(world, world.village_a1)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.RETRYING and delivery.attempts == 1
        first_retry = delivery.next_attempt_at - delivery.tries.get().at
        assert first_retry == datetime.timedelta(seconds=30)
        later = timezone.now()
        for _n in range(2):
            later += datetime.timedelta(hours=7)
            with time_machine.travel(later, tick=False):
                webhook_services.deliveries_send_due()
        subscription.refresh_from_db()
        assert subscription.is_paused and subscription.consecutive_failures == 3
        assert WebhookEvent.objects.filter(subscription=subscription, act="pause").exists()
        told = OutboxMessage.objects.filter(topic="webhook-paused")
        assert [m.to_user for m in told] == [world.county_admin]
        with time_machine.travel(later + datetime.timedelta(days=1), tick=False):
            assert webhook_services.deliveries_send_due().tried == 0
        assert [t.status_code for t in WebhookDelivery.objects.get().tries.all()] == [500, 500, 500]
        receiver.status = 204
        with django_capture_on_commit_callbacks(execute=True):
            webhook_services.webhook_resume(actor=world.county_admin, subscription=subscription)
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.DELIVERED and len(receiver.received) == 4

    def test_each_attempt_of_a_sweep_is_signed_when_it_is_made(
        self, world, hotline, receiver, monkeypatch, django_capture_on_commit_callbacks
    ):
        """A sweep behind slow endpoints must not send the run's start as every timestamp: a
        receiver refuses one more than 5 minutes old."""
        subscription, secret = subscribe(world, hotline[0], receiver.url)
        receiver.status = 500
        with django_capture_on_commit_callbacks(execute=True):
            register_in(world, world.village_a1, "R1")
            register_in(world, world.village_a1, "R2")
        receiver.status = 204
        start = timezone.now() + datetime.timedelta(hours=1)
        post = webhook_transport.post
        with time_machine.travel(start, tick=False) as clock:

            def slow_post(url, body, headers):
                answer = post(url, body, headers)
                clock.shift(datetime.timedelta(minutes=4))  # each endpoint answers at the timeout
                return answer

            monkeypatch.setattr(webhook_transport, "post", slow_post)
            report = webhook_services.deliveries_send_due()
            assert (report.due, report.delivered) == (2, 2)
            first, second = receiver.received[-2:]
            assert int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"]) == 240
            Webhook(secret).verify(second.body, second.headers)  # fresh, four minutes after the start

    def test_backoff_doubles_to_at_most_six_hours(self):
        assert [webhook_services.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
        assert webhook_services.backoff(20) == datetime.timedelta(hours=6)

    def test_a_redirect_is_not_followed(self, receiver):
        receiver.status = 302
        outcome = webhook_transport.post(receiver.url, b"{}", {})
        assert outcome.status_code == 302 and not outcome.succeeded and outcome.error
        assert len(receiver.received) == 1

    @pytest.mark.parametrize(
        "url", ["http://127.0.0.1:9/x", "http://10.0.0.1/x", "http://[::1]/x", "http://169.254.169.254/"]
    )
    def test_private_targets_are_refused_unless_allowed(self, settings, url):
        settings.CUNBAN_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
        with translation.override("en"):
            outcome = webhook_transport.post(url, b"{}", {})
        assert outcome.status_code is None and "private" in outcome.error
