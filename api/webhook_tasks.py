"""Background jobs of webhooks (django-tasks): one delivery's try, and the sweep of due ones.

`webhook_deliver_task` is queued when the step that caused the delivery commits, and again for
each retry where the backend can defer (`run_after`); `webhook_deliver_due_task` (on a timer, like
the outbox's) tries whatever is due, so a retry is never lost on a backend that cannot defer or
after a worker stopped."""

from django_tasks import task

from .webhook_models import WebhookDelivery
from .webhook_services import deliveries_send_due, webhook_attempt


@task()
def webhook_deliver_task(delivery_id: int) -> str:
    """Try one delivery if it is due; returns its status afterwards."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    webhook_attempt(delivery=delivery)
    delivery.refresh_from_db(fields=["status"])
    return delivery.status


@task()
def webhook_deliver_due_task(limit: int = 200) -> int:
    """Try every due delivery once; returns how many were tried."""
    return deliveries_send_due(limit=limit)
