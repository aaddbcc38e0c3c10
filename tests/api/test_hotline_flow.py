"""The whole loop: a 12345 hotline posts a villager's request through Open311, it lands in the
village's ledger, the township assigns it, the worker marks it done, the villager confirms, and
the hotline receives each change as a signed webhook, verified with the standardwebhooks
library; the Open311 status ends closed. The task queue runs each delivery when the step
commits (the test settings' immediate backend)."""

import json

import pytest
from standardwebhooks.webhooks import Webhook

from api import webhook_services
from api.webhook_models import EventType, WebhookDelivery
from ledger import services
from ledger.models import LedgerItem
from ledger.selectors import ledger_items_visible_to
from tests.ledger.conftest import VILLAGER_MOBILE, in_days

pytestmark = pytest.mark.django_db


def test_a_hotline_request_through_the_ledger_with_signed_webhooks(
    world, call, hotline, receiver, django_capture_on_commit_callbacks
):
    client, key = hotline
    subscription, secret = webhook_services.webhook_subscribe(
        actor=world.county_admin, client=client, url=receiver.url, event_types=[EventType.LEDGER_ITEM_CHANGED]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = call.post(
            "/open311/v2/requests.json",
            {
                "service_code": "need",
                "description": "村口的路灯坏了三天",
                "last_name": "王",
                "first_name": "大妈",
                "phone": VILLAGER_MOBILE,
                "address_string": "宝坻区郝各庄镇西郝各庄村东头",
                "attribute": {"hotline_reference": "GD-2026-12-0042"},
            },
            key,
        )
    assert response.status_code == 201, response.content
    request_id = response.json()[0]["service_request_id"]

    # In the village's ledger, seen by the village's assistant and the township.
    item = LedgerItem.objects.get()
    assert item.village == world.village_a1
    assert ledger_items_visible_to(world.assistant_a1).filter(pk=item.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        item = services.ledger_item_assign(
            actor=world.supervisor_a,
            item=item,
            to=world.clerk_a,
            promise="三天内修好路灯",
            promised_on=in_days(3),
        )
    with django_capture_on_commit_callbacks(execute=True):
        item = services.ledger_item_mark_done(actor=world.clerk_a, item=item, comment="已换灯泡")
    [shown] = call.get(f"/open311/v2/requests/{request_id}.json", key).json()
    assert shown["status"] == "open" and shown["expected_datetime"].startswith(in_days(3).isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        services.ledger_item_villager_answer(item=item, done=True)
    [shown] = call.get(f"/open311/v2/requests/{request_id}.json", key).json()
    assert shown["status"] == "closed"

    # Four signed deliveries, in order, each verified by the library.
    assert len(receiver.received) == 4
    bodies = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]
    assert [b["data"]["state"] for b in bodies] == ["registered", "in_progress", "done", "closed"]
    assert {b["type"] for b in bodies} == {"ledger.item_changed"}
    first = bodies[0]["data"]
    assert first["service_request_id"] == request_id and first["hotline_reference"] == "GD-2026-12-0042"
    assert first["villager_mobile"] == "138****5678" and first["villager_name"] == "王*妈"
    raw = b"".join(r.body for r in receiver.received).decode()
    assert VILLAGER_MOBILE not in raw and "王大妈" not in raw and "路灯坏了" not in raw
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 4
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDelivery.Status.DELIVERED}
    assert json.loads(receiver.received[-1].body)["data"]["act"] == "confirm"
