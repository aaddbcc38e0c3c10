"""Applications' webhooks carry the number and the state only (applications:read-status): no
name, no ID number, whatever the application holds."""

import json

import pytest

from api import webhook_services
from api.webhook_models import EventType
from tests.approvals.conftest import cases, items, residents  # noqa: F401 (fixtures)
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_state_changes_carry_the_number_and_state_only(
    world,
    province,
    hotline,
    cases,  # noqa: F811 (the imported fixture)
    residents,  # noqa: F811 (the imported fixture)
    receiver,
    django_capture_on_commit_callbacks,
):
    webhook_services.webhook_subscribe(
        actor=world.county_admin,
        client=province[0],
        url=receiver.url,
        event_types=[EventType.APPLICATION_STATE_CHANGED],
    )
    with django_capture_on_commit_callbacks(execute=True):
        application = cases.accepted(where="b1")
    bodies = [json.loads(r.body) for r in receiver.received]
    assert bodies and {b["type"] for b in bodies} == {"application.state_changed"}
    assert bodies[-1]["data"] == {
        "number": application.number,
        "state": application.state,
        "previous_state": "submitted",
    }
    raw = b"".join(r.body for r in receiver.received).decode()
    resident = residents["b1"]
    assert resident.name not in raw and resident.id_number not in raw
