"""Bearer keys: a missing, wrong, revoked or expired key; scopes; the per-client limit; the
audit row of every call."""

import datetime

import time_machine
from django.utils import timezone

from api.models import ApiKey
from api.services import api_key_issue, api_key_revoke
from portal.audit.models import AuditEntry

STATUS = "/api/v1/applications/120115121-261122-007/status"


def test_no_key_is_a_401_in_both_languages(world, call):
    response = call.get(STATUS)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized"
    assert body["message_en"].startswith("An API key is needed")
    assert body["message"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_key_is_a_401_and_counted_against_the_address(world, hotline, call, settings):
    client, key = hotline
    for wrong in ("nonsense", key[:-2] + "xx", "cbk_0000000000_abc"):
        response = call.get(STATUS, wrong)
        assert response.status_code == 401, wrong
        assert response.json()["code"] == "invalid_key"
    # the address is paused after too many wrong keys; a right key from elsewhere still works
    for _ in range(20):
        call.get(STATUS, "cbk_0000000000_guess")
    paused = call.get(STATUS, key)
    assert paused.status_code == 429
    assert int(paused["Retry-After"]) >= 1


def test_a_right_key_with_the_scope_reaches_the_endpoint(world, hotline, call):
    _client, key = hotline
    response = call.get(STATUS, key)
    assert response.status_code == 404  # no such application, the same answer as outside
    assert response.json()["code"] == "not_found"


def test_a_client_without_the_scope_is_refused(world, call):
    from api.scopes import Scope
    from tests.api.conftest import make_client

    _client, key = make_client(world.centre_a, name="目录同步", scopes=[Scope.CATALOGUE_READ])
    response = call.get(STATUS, key)
    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"


def test_a_revoked_key_stops_at_once(world, hotline, call):
    client, key = hotline
    api_key_revoke(actor=None, key=client.keys.get())
    assert call.get(STATUS, key).status_code == 401


def test_a_rotated_key_stays_valid_for_the_grace_period(world, hotline, call):
    client, old = hotline
    new = api_key_issue(actor=None, client=client, grace=datetime.timedelta(hours=1)).secret
    assert call.get(STATUS, old).status_code == 404
    assert call.get(STATUS, new).status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert call.get(STATUS, old).status_code == 401
        assert call.get(STATUS, new).status_code == 404


def test_an_inactive_client_is_refused(world, hotline, call):
    client, key = hotline
    client.is_active = False
    client.save()
    assert call.get(STATUS, key).status_code == 401


def test_only_a_digest_is_stored(world, hotline):
    client, key = hotline
    stored = ApiKey.objects.get(client=client)
    assert key not in (stored.prefix, stored.digest)
    assert key.startswith(f"cbk_{stored.prefix}_")


def test_each_client_has_its_own_limit(world, call):
    from api.scopes import Scope
    from tests.api.conftest import make_client

    _slow, slow_key = make_client(world.centre_a, name="慢", scopes=[Scope.APPLICATIONS_READ_STATUS], rate=3)
    _fast, fast_key = make_client(world.centre_a, name="快", scopes=[Scope.APPLICATIONS_READ_STATUS], rate=100)
    answers = [call.get(STATUS, slow_key).status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    refused = call.get(STATUS, slow_key)
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert call.get(STATUS, fast_key).status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert call.get(STATUS, slow_key).status_code == 404


def test_every_client_call_is_audited_with_the_clients_name(world, hotline, call):
    client, key = hotline
    call.get(STATUS, key)
    call.get("/api/v1/catalogue/items", key)
    rows = list(AuditEntry.objects.filter(event=AuditEntry.Event.API_CALL).order_by("pk"))
    assert [row.username for row in rows] == ["API: 市12345热线", "API: 市12345热线"]
    assert rows[0].outcome == AuditEntry.Outcome.REFUSED and rows[0].detail["status"] == 404
    assert rows[1].outcome == AuditEntry.Outcome.OK and rows[1].detail["key"] == client.keys.get().prefix
    assert rows[0].ip_address == "198.51.100.7"
    assert rows[0].path == STATUS
