"""Retention of webhook deliveries: delivered and given-up ones older than the retention period
go with their attempts; waiting ones stay whatever their age, and so do the subscriptions and
their history. The command, its progress and the task; replaced secrets forgotten after their
grace."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from api import webhook_services
from api.webhook_models import WebhookAttempt, WebhookDelivery, WebhookEvent
from tests.api.webhook_fixtures import delivery_row, subscribe

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 8, 2, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = datetime.timedelta(days=1)
Status = WebhookDelivery.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def subscription(world, hotline):
    return subscribe(world, hotline[0], "https://hooks.example.org/cunban")[0]


def delivery(subscription, status: str, *, age: datetime.timedelta, tries: int = 1) -> WebhookDelivery:
    """A delivery made `age` ago, tried `tries` times (an attempt a minute)."""
    made = NOW - age
    row = delivery_row(subscription, made=made, status=status, attempts=tries)
    for n in range(tries):
        WebhookAttempt.objects.create(
            delivery=row, at=made + n * datetime.timedelta(minutes=1), status_code=500
        )
    return row


def left() -> set[int]:
    return set(WebhookDelivery.objects.values_list("pk", flat=True))


class TestWebhookDeliveriesPrune:
    def test_finished_deliveries_past_the_retention_go_with_their_attempts(self, subscription):
        delivered = delivery(subscription, Status.DELIVERED, age=91 * DAY, tries=2)
        gave_up = delivery(subscription, Status.GAVE_UP, age=200 * DAY, tries=8)
        young = delivery(subscription, Status.DELIVERED, age=89 * DAY)
        assert webhook_services.webhook_deliveries_prune(days=90) == 2
        assert left() == {young.pk}
        assert not WebhookAttempt.objects.filter(delivery_id__in=[delivered.pk, gave_up.pk]).exists()
        assert WebhookAttempt.objects.filter(delivery=young).count() == 1

    def test_waiting_deliveries_stay_whatever_their_age(self, subscription):
        """Held by a paused endpoint for months, they are still to be sent."""
        pending = delivery(subscription, Status.PENDING, age=400 * DAY, tries=0)
        retrying = delivery(subscription, Status.RETRYING, age=400 * DAY, tries=5)
        assert webhook_services.webhook_deliveries_prune(days=90) == 0
        assert left() == {pending.pk, retrying.pk}

    def test_what_waited_on_an_ended_subscription_goes_too(self, world, subscription):
        """Nothing more is sent to an ended endpoint: its waiting deliveries are over too."""
        waited = delivery(subscription, Status.RETRYING, age=100 * DAY, tries=3)
        young = delivery(subscription, Status.PENDING, age=10 * DAY, tries=0)
        webhook_services.webhook_end(actor=world.county_admin, subscription=subscription)
        assert webhook_services.webhook_deliveries_prune(days=90) == 1
        assert left() == {young.pk} and not WebhookAttempt.objects.filter(delivery_id=waited.pk).exists()

    def test_the_subscription_and_its_history_stay(self, subscription):
        delivery(subscription, Status.DELIVERED, age=400 * DAY)
        webhook_services.webhook_deliveries_prune(days=1)
        subscription.refresh_from_db()
        assert WebhookEvent.objects.filter(subscription=subscription, act="create").exists()

    def test_a_dry_run_counts_and_keeps(self, subscription):
        delivery(subscription, Status.DELIVERED, age=100 * DAY)
        assert webhook_services.webhook_deliveries_prune(days=90, dry_run=True) == 1
        assert len(left()) == 1

    def test_batches_report_progress(self, subscription):
        for _ in range(5):
            delivery(subscription, Status.DELIVERED, age=100 * DAY)
        seen: list[int] = []
        assert webhook_services.webhook_deliveries_prune(days=90, batch_size=2, progress=seen.append) == 5
        assert seen == [2, 4, 5] and left() == set()

    def test_less_than_a_day_is_refused(self):
        with pytest.raises(ValueError):
            webhook_services.webhook_deliveries_prune(days=0)


class TestPruneWebhookDeliveriesCommand:
    def run(self, *args: str) -> str:
        out = StringIO()
        call_command("prune_webhook_deliveries", *args, stdout=out)
        return out.getvalue()

    def test_the_default_is_the_retention_setting(self, subscription, settings):
        settings.CUNBAN_WEBHOOK_RETENTION_DAYS = 30
        delivery(subscription, Status.DELIVERED, age=31 * DAY)
        kept = delivery(subscription, Status.DELIVERED, age=29 * DAY)
        output = self.run()
        assert "  1 deleted…" in output
        assert "Webhook deliveries: deleted 1 finished deliveries older than 30 days." in output
        assert left() == {kept.pk}

    def test_dry_run(self, subscription):
        delivery(subscription, Status.GAVE_UP, age=400 * DAY)
        assert "would delete 1" in self.run("--days", "90", "--dry-run") and len(left()) == 1

    def test_it_refuses_less_than_a_day(self):
        with pytest.raises(CommandError, match="at least one day"):
            self.run("--days", "0")

    def test_it_forgets_replaced_secrets_past_their_grace(self, world, subscription):
        webhook_services.webhook_secret_rotate(actor=world.county_admin, subscription=subscription)
        assert "forgot 0 replaced secrets" in self.run()
        with time_machine.travel(NOW + 2 * DAY, tick=False):
            assert "forgot 1 replaced secrets" in self.run()
        subscription.refresh_from_db()
        assert subscription.previous_secret == "" and subscription.previous_secret_until is None


def test_the_task_prunes_with_the_setting_and_forgets_old_secrets(world, subscription, settings):
    settings.CUNBAN_WEBHOOK_RETENTION_DAYS = 30
    delivery(subscription, Status.DELIVERED, age=31 * DAY)
    webhook_services.webhook_secret_rotate(actor=world.county_admin, subscription=subscription)
    with time_machine.travel(NOW + 2 * DAY, tick=False):
        assert webhook_services.webhook_deliveries_prune_task.enqueue().return_value == 1
    subscription.refresh_from_db()
    assert left() == set() and subscription.previous_secret == ""
