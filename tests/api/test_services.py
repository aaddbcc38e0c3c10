"""Creating clients and keys: by whom, where, with which scopes; rotation and revocation."""

import datetime

import pytest
from django.utils import timezone

from api.models import ApiClient, ApiClientEvent, ApiKey
from api.policies import api_client_policy
from api.scopes import Scope
from api.selectors import key_lookup
from api.services import api_client_save, api_key_issue, api_key_revoke
from portal.errors import NotPermitted


def new(office, scopes=(Scope.APPLICATIONS_READ_STATUS,), name="热线") -> ApiClient:
    return ApiClient(name=name, system="市12345热线", office=office, scopes=list(scopes))


def test_a_county_administrator_creates_a_client_anywhere_in_the_county(world):
    for office in (world.ds, world.centre_b, world.station_a1):
        client = api_client_save(actor=world.county_admin, client=new(office, name=office.name))
        assert client.created_by == world.county_admin
        assert client.events.get().act == ApiClientEvent.Act.CREATE


def test_a_township_administrator_only_within_the_township(world):
    api_client_save(actor=world.township_admin_a, client=new(world.centre_a))
    api_client_save(actor=world.township_admin_a, client=new(world.station_a1, name="站"))
    for office in (world.centre_b, world.ds, world.station_b1):
        with pytest.raises(NotPermitted):
            api_client_save(actor=world.township_admin_a, client=new(office, name=office.name))


@pytest.mark.parametrize(
    "who", ["clerk_a", "supervisor_a", "editor", "assistant_a1", "outsider", "officer_d1"]
)
def test_nobody_else_creates_clients(world, who):
    with pytest.raises(NotPermitted):
        api_client_save(actor=getattr(world, who), client=new(world.centre_a))
    assert not api_client_policy.user_has_permission(getattr(world, who), "add")


def test_no_scope_beyond_what_the_administrator_oversees(world):
    # at centre B, township A's administrator views nothing: only the public catalogue is theirs to give
    assert api_client_policy.scopes_user_may_grant(world.township_admin_a, world.centre_b) == [
        Scope.CATALOGUE_READ
    ]
    assert set(api_client_policy.scopes_user_may_grant(world.township_admin_a, world.centre_a)) == set(
        Scope.values
    )
    with pytest.raises(NotPermitted):
        api_client_save(actor=world.township_admin_a, client=new(world.centre_a, scopes=["everything:write"]))


def test_a_client_cannot_be_moved_out_of_or_taken_from_another_jurisdiction(world):
    county_client = api_client_save(actor=world.county_admin, client=new(world.ds, name="省平台"))
    county_client.office = world.centre_a
    with pytest.raises(NotPermitted):
        api_client_save(actor=world.township_admin_a, client=county_client)
    own = api_client_save(actor=world.township_admin_a, client=new(world.centre_a))
    own.office = world.centre_b
    with pytest.raises(NotPermitted):
        api_client_save(actor=world.township_admin_a, client=own)
    assert ApiClient.objects.get(pk=own.pk).office == world.centre_a


def test_a_change_is_recorded_with_before_and_after(world):
    client = api_client_save(actor=world.township_admin_a, client=new(world.centre_a))
    client.scopes = [Scope.CATALOGUE_READ]
    api_client_save(actor=world.township_admin_a, client=client)
    change = client.events.get(act=ApiClientEvent.Act.CHANGE)
    assert change.data["before"]["scopes"] == [Scope.APPLICATIONS_READ_STATUS]
    assert change.data["after"]["scopes"] == [Scope.CATALOGUE_READ]


def test_keys_are_issued_rotated_and_revoked_by_the_clients_administrators(world):
    client = api_client_save(actor=world.township_admin_a, client=new(world.centre_a))
    first = api_key_issue(actor=world.township_admin_a, client=client)
    assert first.key.expires_at is None
    assert key_lookup(first.secret).pk == first.key.pk
    second = api_key_issue(actor=world.township_admin_a, client=client, grace=datetime.timedelta(days=3))
    first.key.refresh_from_db()
    assert first.key.expires_at is not None
    assert first.key.expires_at - timezone.now() < datetime.timedelta(days=3, seconds=5)
    assert key_lookup(first.secret) is not None and key_lookup(second.secret) is not None
    api_key_revoke(actor=world.township_admin_a, key=first.key)
    assert key_lookup(first.secret) is None
    acts = list(client.events.values_list("act", flat=True))
    assert acts == ["create", "key_issue", "key_rotate", "key_revoke"]


def test_others_cannot_touch_the_keys(world):
    client = api_client_save(actor=world.county_admin, client=new(world.ds, name="省平台"))
    key = api_key_issue(actor=world.county_admin, client=client).key
    with pytest.raises(NotPermitted):
        api_key_issue(actor=world.township_admin_a, client=client)
    with pytest.raises(NotPermitted):
        api_key_revoke(actor=world.township_admin_a, key=key)
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_a_rotation_never_lengthens_an_old_keys_life(world):
    client = api_client_save(actor=None, client=new(world.centre_a))
    first = api_key_issue(actor=None, client=client)
    api_key_issue(actor=None, client=client, grace=datetime.timedelta(hours=1))
    api_key_issue(actor=None, client=client, grace=datetime.timedelta(days=30))
    first.key.refresh_from_db()
    assert first.key.expires_at - timezone.now() < datetime.timedelta(hours=1, seconds=5)


def test_the_list_shows_the_clients_of_ones_offices(world):
    a = api_client_save(actor=None, client=new(world.centre_a, name="A"))
    b = api_client_save(actor=None, client=new(world.centre_b, name="B"))
    county = api_client_save(actor=None, client=new(world.ds, name="县"))
    assert set(api_client_policy.instances_user_has_permission_for(world.township_admin_a, "view")) == {a}
    assert set(api_client_policy.instances_user_has_permission_for(world.county_admin, "view")) == {
        a,
        b,
        county,
    }
    assert not api_client_policy.instances_user_has_permission_for(world.clerk_a, "view").exists()
