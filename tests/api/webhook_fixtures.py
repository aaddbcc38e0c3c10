"""What the webhook tests share: the moment they happen at, subscribing a client's endpoint, a
hotline request that changes a ledger item (and so causes a `ledger.item_changed` delivery), and
a delivery row written as the sweep or the pruning will find it. The fixtures that go with them
(`clock` held at `AT`, a running `receiver`) are in tests/api/conftest.py."""

import datetime
import itertools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from api import webhook_services
from api.models import ApiClient
from api.webhook_models import EventType, WebhookDelivery, WebhookSubscription
from ledger import hotline as ledger_hotline
from tests.ledger.conftest import VILLAGER_MOBILE

AT = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""A Tuesday morning in Beijing: where the `clock` fixture holds time still, so each body's
timestamp and each due date is known to the second."""

_numbers = itertools.count()


def subscribe(
    world, client: ApiClient, url: str, events: Iterable[str] = (EventType.LEDGER_ITEM_CHANGED,)
) -> tuple[WebhookSubscription, str]:
    """The county's administrator subscribes `client`'s endpoint `url` to `events`: the
    subscription, and its secret (shown this once)."""
    return webhook_services.webhook_subscribe(
        actor=world.county_admin, client=client, url=url, event_types=list(events)
    )


def register_in(world, village, reference: str = "R1"):
    """The 12345 hotline registers a villager's request in `village`: a new ledger item, whose
    change is told to the clients that hear of that village."""
    return ledger_hotline.ledger_item_from_hotline(
        sender="api-client:0",
        reference=reference,
        within=world.county,
        villager_name="王大妈",
        villager_mobile=VILLAGER_MOBILE,
        need="路灯坏了",
        region_code=village.code,
    )


def delivery_row(
    subscription: WebhookSubscription,
    *,
    made: datetime.datetime,
    status: str = WebhookDelivery.Status.PENDING,
    **fields,
) -> WebhookDelivery:
    """A `ledger.item_changed` delivery made at `made` and written straight to the table, as if
    its task never ran (a worker that stopped); a waiting one is due when it was made. `fields`
    sets the rest (attempts, body, msg_id …)."""
    waiting = status in (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING)
    values = {
        "msg_id": f"msg_{subscription.pk}_{next(_numbers)}",
        "event_type": EventType.LEDGER_ITEM_CHANGED,
        "body": "{}",
        "created_at": made,
        "next_attempt_at": made if waiting else None,
        "delivered_at": made if status == WebhookDelivery.Status.DELIVERED else None,
        **fields,
    }
    return WebhookDelivery.objects.create(subscription=subscription, status=status, **values)
