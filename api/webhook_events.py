"""Where webhooks hear of what happens: the append-only events the lower apps already write.

The api app listens; nothing below imports it (the layers point one way). Every change these
apps make writes one event row in its own transaction, so a `post_save` receiver on the event
models (created rows only) sees each change exactly once and writes its deliveries in the same
transaction (`webhook_services.deliveries_for_event`: a rolled-back step delivers nothing):

| event row | webhook event type | the client needs | data (never more) |
|---|---|---|---|
| `approvals.ApplicationEvent`, state changed | `application.state_changed` | applications:read-status | number, state, previous state |
| `ApplicationEvent` `issue_certificate` (written by `certificates.services`) | `certificate.issued` | applications:read-status | application number, certificate serial |
| `ApplicationEvent` `revoke_certificate` | `certificate.revoked` | applications:read-status | the same, and whether it was reissued |
| `ledger.LedgerEvent` | `ledger.item_changed` | requests:write | number, kind, state, village, promised date; for the client's own hotline order also its reference, masked name and mobile |
| `ratings.RatingEvent` `open_rectification` | `rating.bad_opened` | ratings:read | rating id, application number, level, office, answer due |

No ID numbers, no villager's words, no staff names.
"""

from django.db.models.signals import post_save

from approvals.models import ApplicationEvent
from approvals.states import Act as ApplicationAct
from ledger.models import HotlineOrder, LedgerEvent, Source
from ledger.states import Act as LedgerAct
from portal.people.identity import mask_name
from ratings.models import RatingEvent

from .models import ApiClient
from .open311 import sender_of
from .webhook_models import EventType
from .webhook_services import Occurrence, deliveries_for_event


def mask_mobile(mobile: str) -> str:
    """13812345678 → 138****5678."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else ""


def _application_event(
    sender, instance: ApplicationEvent, created: bool, raw: bool = False, **kwargs
) -> None:
    if not created or raw:
        return
    application = instance.application
    office = application.current_office
    if office is None:
        return
    if instance.act in (ApplicationAct.ISSUE_CERTIFICATE, ApplicationAct.REVOKE_CERTIFICATE):
        issued = instance.act == ApplicationAct.ISSUE_CERTIFICATE
        data = {
            "application_number": application.number,
            "certificate_serial": instance.data.get("serial", ""),
        }
        if not issued:
            data["reissued"] = bool(instance.data.get("reissued"))
        event_type = EventType.CERTIFICATE_ISSUED if issued else EventType.CERTIFICATE_REVOKED
    elif instance.from_state and instance.from_state != instance.to_state:
        data = {
            "number": application.number,
            "state": instance.to_state,
            "previous_state": instance.from_state,
        }
        event_type = EventType.APPLICATION_STATE_CHANGED
    else:
        return
    deliveries_for_event(Occurrence(event_type, instance.at, office.region, lambda client: data))


def _ledger_event(sender, instance: LedgerEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    item = instance.item
    order = None
    if item.source == Source.HOTLINE:
        # The registering event is written before the order points at its item: it names the order.
        orders = HotlineOrder.objects.only("sender", "reference", "public_id")
        order_pk = instance.data.get("hotline_order") if instance.act == LedgerAct.REGISTER else None
        order = orders.filter(pk=order_pk).first() if order_pk else orders.filter(item=item).first()
    data = {
        "number": item.number,
        "kind": item.kind,
        "state": item.state,
        "previous_state": instance.from_state,
        "act": instance.act,
        "village": {"code": item.village.code, "name": item.village.name},
        "promised_on": item.promised_on.isoformat() if item.promised_on else None,
    }

    def payload(client: ApiClient) -> dict:
        if order is None or order.sender != sender_of(client):
            return data
        return {
            **data,
            "service_request_id": str(order.public_id),
            "hotline_reference": order.reference,
            "villager_name": mask_name(item.villager_name),
            "villager_mobile": mask_mobile(item.villager_mobile),
        }

    deliveries_for_event(Occurrence(EventType.LEDGER_ITEM_CHANGED, instance.at, item.village, payload))


def _rating_event(sender, instance: RatingEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.act != RatingEvent.Act.OPEN:
        return
    rating = instance.rating
    rectification = instance.rectification
    data = {
        "rating_id": rating.pk,  # for GET /api/v1/ratings/{id}
        "application_number": rating.application.number,
        "level": rating.level,
        "office": rating.office.name,
        "answer_due_on": rectification.due_on.isoformat() if rectification else None,
    }
    deliveries_for_event(
        Occurrence(EventType.BAD_RATING_OPENED, instance.at, rating.office.region, lambda c: data)
    )


def connect() -> None:
    """Called by `ApiConfig.ready`; connected per model, never for every model."""
    post_save.connect(_application_event, sender=ApplicationEvent, dispatch_uid="api-webhooks-application")
    post_save.connect(_ledger_event, sender=LedgerEvent, dispatch_uid="api-webhooks-ledger")
    post_save.connect(_rating_event, sender=RatingEvent, dispatch_uid="api-webhooks-rating")
