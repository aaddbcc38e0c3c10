"""The back office's API clients: created within one's own offices with the scopes one holds, the
key shown once, keys issued and revoked on the client's key page; 404 outside."""

import re

from django.urls import reverse

from api.models import ApiClient, ApiKey
from api.scopes import Scope
from api.selectors import key_lookup
from portal.demo.api_clients import PROVINCE, demo_api_key, load_demo_api_clients
from tests.api.conftest import make_client


def shown_key(response) -> str:
    return re.search(r'id="api-key"[^>]*value="([^"]+)"', response.content.decode()).group(1)


def form_data(office, **changes) -> dict:
    data = {
        "name": "市12345热线",
        "system": "市12345热线",
        "office": office.pk,
        "scopes": [Scope.APPLICATIONS_READ_STATUS, Scope.REQUESTS_WRITE],
        "rate_limit_per_minute": 60,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_a_township_administrator_creates_a_client_and_sees_its_key_once(client, world):
    client.force_login(world.township_admin_a)
    form = client.get(reverse("api_client_admin:add")).content.decode()
    assert world.centre_a.name in form and world.centre_b.name not in form
    response = client.post(reverse("api_client_admin:add"), form_data(world.centre_a))
    assert response.status_code == 200
    created = ApiClient.objects.get(name="市12345热线")
    assert created.office == world.centre_a and created.created_by == world.township_admin_a
    secret = shown_key(response)
    assert key_lookup(secret).client == created
    assert "no-store" in response.get("Cache-Control", "") or "max-age=0" in response.get("Cache-Control", "")
    # the key page lists the prefix only
    keys_page = client.get(reverse("api_client_admin:keys", args=[created.pk])).content.decode()
    assert secret not in keys_page and created.keys.get().prefix in keys_page


def test_an_office_outside_is_a_form_error_not_a_client(client, world):
    client.force_login(world.township_admin_a)
    response = client.post(reverse("api_client_admin:add"), form_data(world.centre_b))
    assert response.status_code == 200
    assert not ApiClient.objects.exists()
    assert "office" in response.context["form"].errors


def test_another_townships_client_is_404(client, world):
    other, _key = make_client(world.centre_b, name="B", scopes=[Scope.CATALOGUE_READ])
    make_client(world.centre_a, name="A", scopes=[Scope.CATALOGUE_READ])
    client.force_login(world.township_admin_a)
    assert client.get(reverse("api_client_admin:edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("api_client_admin:keys", args=[other.pk])).status_code == 404
    assert client.post(reverse("api_client_admin:keys", args=[other.pk]), {"issue": "1"}).status_code == 404
    body = client.get(reverse("api_client_admin:index")).content.decode()
    assert "B" not in [line.strip() for line in body.splitlines()]


def test_keys_are_issued_and_revoked_on_the_key_page(client, world):
    own, old_secret = make_client(world.centre_a, name="A", scopes=[Scope.CATALOGUE_READ])
    client.force_login(world.township_admin_a)
    response = client.post(reverse("api_client_admin:keys", args=[own.pk]), {"issue": "1"})
    new_secret = shown_key(response)
    assert key_lookup(new_secret) is not None and key_lookup(old_secret) is not None
    old = ApiKey.objects.get(prefix=old_secret.split("_")[1])
    client.post(reverse("api_client_admin:keys", args=[own.pk]), {"revoke": "1", "key": old.pk})
    assert key_lookup(old_secret) is None


def test_staff_without_an_admin_role_cannot_open_it(client, world):
    client.force_login(world.clerk_a)
    assert client.get(reverse("api_client_admin:index")).status_code in (302, 403)


def test_the_demo_keys_work_after_every_load(world, call):
    load_demo_api_clients(office=world.ds, progress=lambda line: None)
    load_demo_api_clients(office=world.ds, progress=lambda line: None)
    assert ApiClient.objects.filter(name="市12345热线").count() == 1
    assert key_lookup(demo_api_key()).client.name == "市12345热线"
    assert call.get("/api/v1/applications/120115121-261122-001/status", demo_api_key()).status_code == 404
    assert call.get("/api/v1/ratings", demo_api_key()).status_code == 403  # a hotline reads no ratings
    # the provincial platform reads the ratings, and posts no work orders
    assert key_lookup(demo_api_key(PROVINCE)).client.name == "省政务服务平台"
    assert call.get("/api/v1/ratings", demo_api_key(PROVINCE)).status_code == 200
    assert call.get("/open311/v2/requests.json", demo_api_key(PROVINCE)).status_code == 403
