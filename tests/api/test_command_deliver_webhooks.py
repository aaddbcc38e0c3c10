"""deliver_webhooks: one run (up to --limit) or a loop; prints progress and the report, and
counts the deliveries held by a paused endpoint without sending them."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from api.webhook_models import WebhookDelivery, WebhookSubscription
from portal.web import sweep
from tests.api.webhook_fixtures import AT, delivery_row, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def subscription(world, hotline, receiver) -> WebhookSubscription:
    return subscribe(world, hotline[0], receiver.url)[0]


def waiting(subscription: WebhookSubscription, n: int) -> None:
    """`n` deliveries whose task never ran (a worker that stopped), due now."""
    for _i in range(n):
        delivery_row(subscription, made=AT)


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("deliver_webhooks", *args, stdout=out)
    return out.getvalue()


def test_it_sends_the_due_deliveries_and_prints_the_report(subscription, receiver):
    waiting(subscription, 3)
    waiting_later = delivery_row(subscription, made=AT, next_attempt_at=AT + datetime.timedelta(minutes=5))

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
            waiting(subscription, 1)  # arrives while the loop sleeps
        elif len(naps) == 2:
            return  # a run with nothing due prints nothing
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(sweep.time, "sleep", sleep)
    # The test's own transaction looks to the loop like a connection that left autocommit.
    monkeypatch.setattr(sweep, "close_old_connections", lambda: None)

    output = run("--loop", "--interval", "5")

    assert naps == [5.0, 5.0, 5.0]
    assert len(receiver.received) == 3
    assert output.count("Delivered ") == 2  # one report per run that did something
    assert output.rstrip().endswith("Stopped.")
