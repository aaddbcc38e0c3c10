"""An application's status for a partner: by key within the client's jurisdiction, or by the
number and the last 4 digits as the tracking page allows. Never the ID number or the mobile."""

import json

import pytest

from api.scopes import Scope
from portal.throttle.models import Attempt
from tests.api.conftest import make_client


def status_path(number: str) -> str:
    return f"/api/v1/applications/{number}/status"


def test_a_client_sees_the_status_of_an_application_in_its_jurisdiction(cases, hotline, call, residents):
    application = cases.accepted()
    response = call.get(status_path(application.number), hotline[1])
    assert response.status_code == 200
    status = response.json()
    assert status["number"] == application.number
    assert status["state"] == "accepted"
    assert status["due_on"] == application.due_on.isoformat()
    assert status["handling_office"] == cases.world.centre_a.name
    assert [entry["act"] for entry in status["timeline"]] == ["submit", "accept"]
    assert status["timeline"][0]["at"].endswith("+08:00")
    assert status["timeline"][1]["text_en"].startswith(cases.world.centre_a.short_name or "")
    assert status["certificates"] == []
    text = json.dumps(status, ensure_ascii=False)
    resident = residents["a1"]
    assert resident.mobile not in text and resident.id_number not in text
    assert residents["a1"].name not in text


def test_outside_the_jurisdiction_is_the_same_404_as_unknown(cases, hotline, call):
    outside = cases.submitted(where="b1")
    refused = call.get(status_path(outside.number), hotline[1])
    unknown = call.get(status_path("120115121-261122-999"), hotline[1])
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()


def test_a_county_client_sees_every_township(cases, province, call):
    outside = cases.submitted(where="b1")
    assert call.get(status_path(outside.number), province[1]).status_code == 200


def test_drafts_are_never_shown(cases, hotline, call):
    draft = cases.draft()
    assert draft.number == "" or call.get(status_path(draft.number or "x"), hotline[1]).status_code == 404


def test_the_number_may_be_typed_as_on_the_receipt(cases, hotline, call):
    application = cases.submitted()
    digits = application.number.replace("-", "")
    assert call.get(status_path(digits), hotline[1]).status_code == 200


# -- without a key: the number and the last 4 digits ------------------------------------------------


def test_the_last_4_digits_open_the_status_without_a_key(cases, residents, call):
    application = cases.submitted()
    response = call.post(status_path(application.number), {"last4": residents["a1"].mobile[-4:]})
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"


def test_wrong_digits_and_unknown_numbers_get_the_same_answer(cases, call):
    application = cases.submitted()
    wrong = call.post(status_path(application.number), {"last4": "0000"})
    unknown = call.post(status_path("120115121-261122-999"), {"last4": "0000"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "tracking_refused"
    assert Attempt.objects.filter(scope="tracking.lookup", outcome=Attempt.Outcome.FAILED).count() == 2


def test_guessing_pauses_as_on_the_tracking_page(cases, residents, call):
    application = cases.submitted()
    for _ in range(5):
        call.post(status_path(application.number), {"last4": "0000"})
    paused = call.post(status_path(application.number), {"last4": residents["a1"].mobile[-4:]})
    assert paused.status_code == 429
    assert paused.json()["code"] == "tracking_refused"
    assert "text message" in paused.json()["message_en"]


def test_an_id_number_typed_as_the_number_is_refused_and_not_stored(cases, residents, call):
    response = call.post(status_path(residents["a1"].id_number), {"last4": "1234"})
    assert response.status_code == 400
    assert response.json()["code"] == "id_number"
    assert not Attempt.objects.filter(key__contains=residents["a1"].id_number[:12]).exists()


def test_a_missing_body_is_a_422(cases, call):
    response = call.http.post(status_path("120115121-261122-001"), "{}", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("scope", [s for s in Scope.values if s != Scope.APPLICATIONS_READ_STATUS])
def test_other_scopes_do_not_read_status(cases, call, scope):
    application = cases.submitted()
    _client, key = make_client(cases.world.centre_a, name=f"c-{scope}", scopes=[scope])
    assert call.get(status_path(application.number), key).status_code == 403
