"""deliver_webhooks: one run (up to --limit) or a loop; prints progress and the report, and
counts the deliveries held by a paused endpoint without sending them."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from api import webhook_services
from api.management.commands import deliver_webhooks
from api.webhook_models import EventType, WebhookDelivery, WebhookSubscription
from tests.api.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(AT, tick=False):
        yield


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def subscription(world, hotline, receiver) -> WebhookSubscription:
    subscription, _secret = webhook_services.webhook_subscribe(
        actor=world.county_admin,
        client=hotline[0],
        url=receiver.url,
        event_types=[EventType.LEDGER_ITEM_CHANGED],
    )
    return subscription


def waiting(subscription: WebhookSubscription, n: int, *, due: datetime.datetime = AT) -> None:
    """`n` deliveries whose task never ran (a worker that stopped), due at `due`."""
    for i in range(n):
        WebhookDelivery.objects.create(
            subscription=subscription,
            msg_id=f"msg_{subscription.pk}_{i}",
            event_type=EventType.LEDGER_ITEM_CHANGED,
            body='{"type":"ledger.item_changed"}',
            created_at=due,
            next_attempt_at=due,
        )


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("deliver_webhooks", *args, stdout=out)
    return out.getvalue()


def test_it_sends_the_due_deliveries_and_prints_the_report(subscription, receiver):
    waiting(subscription, 3)
    waiting_later = WebhookDelivery.objects.create(
        subscription=subscription,
        msg_id="msg_later",
        event_type=EventType.LEDGER_ITEM_CHANGED,
        body="{}",
        next_attempt_at=AT + datetime.timedelta(minutes=5),
    )

    output = run()

    assert "Webhooks: 3 delivery(ies) due" in output
    assert "Delivered 3, failed 0 (to retry), given up 0; 0 waiting on paused endpoints." in output
    assert len(receiver.received) == 3
    waiting_later.refresh_from_db()
    assert waiting_later.status == WebhookDelivery.Status.PENDING and waiting_later.attempts == 0


def test_limit_and_progress_every_fifty(subscription, receiver):
    waiting(subscription, 52)

    output = run("--limit", "51")

    assert "  50/51…" in output and "Delivered 51," in output
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).count() == 1


def test_failures_are_reported_for_a_retry(subscription, receiver):
    receiver.status = 503
    waiting(subscription, 2)

    output = run()

    assert "Delivered 0, failed 2 (to retry)" in output
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDelivery.Status.RETRYING}


def test_a_paused_endpoints_deliveries_are_counted_not_sent(subscription, receiver):
    waiting(subscription, 2)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(paused_at=AT, paused_reason="HTTP 500")

    output = run()

    assert "Delivered 0, failed 0 (to retry), given up 0; 2 waiting on paused endpoints." in output
    assert receiver.received == []


def test_it_refuses_a_limit_below_one():
    with pytest.raises(CommandError):
        run("--limit", "0")


def test_the_loop_runs_until_interrupted(monkeypatch, subscription, receiver):
    waiting(subscription, 2)
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 1:
            waiting_more = WebhookDelivery(
                subscription=subscription,
                msg_id="msg_arrived",
                event_type=EventType.LEDGER_ITEM_CHANGED,
                body="{}",
                next_attempt_at=AT,
            )
            waiting_more.save()  # arrives while the loop sleeps
        elif len(naps) == 2:
            return  # a run with nothing due prints nothing
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(deliver_webhooks.time, "sleep", sleep)
    # The test's own transaction looks to the loop like a connection that left autocommit.
    monkeypatch.setattr(deliver_webhooks, "close_old_connections", lambda: None)

    output = run("--loop", "--interval", "5")

    assert naps == [5.0, 5.0, 5.0]
    assert len(receiver.received) == 3
    assert output.count("Delivered ") == 2  # one report per run that did something
    assert output.rstrip().endswith("Stopped.")
