"""API clients on top of the shared world: a hotline bound to township A's centre and a
provincial platform bound to the county, each with a key; `call` sends a request with a key.
For webhooks: a `receiver` endpoint, and a `clock` held at `webhook_fixtures.AT`."""

import json
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from api.models import ApiClient
from api.scopes import Scope
from api.services import api_client_save, api_key_issue
from tests.api.webhook_fixtures import AT
from tests.api.webhook_receiver import Receiver
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.certificates.conftest import approve, certified  # noqa: F401 (certificates' webhooks)
from tests.ratings.conftest import decided  # noqa: F401 (the bad-rating webhook)
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401


def make_client(office, *, name: str, scopes, rate: int = 1000) -> tuple[ApiClient, str]:
    client = api_client_save(
        actor=None,
        client=ApiClient(
            name=name, system=name, office=office, scopes=list(scopes), rate_limit_per_minute=rate
        ),
    )
    return client, api_key_issue(actor=None, client=client).secret


@pytest.fixture
def hotline(world):
    """市12345热线 bound to centre A: township A's applications only."""
    return make_client(
        world.centre_a, name="市12345热线", scopes=[Scope.APPLICATIONS_READ_STATUS, Scope.REQUESTS_WRITE]
    )


@pytest.fixture
def province(world):
    """省政务服务平台 bound to the county service office: the whole county, every scope."""
    return make_client(world.ds, name="省政务服务平台", scopes=list(Scope.values))


class Caller:
    def __init__(self):
        self.http = Client(REMOTE_ADDR="198.51.100.7")

    def get(self, path: str, key: str | None = None, **params):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.http.get(path, params, headers=headers)

    def post(self, path: str, body: dict, key: str | None = None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.http.post(path, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def call() -> Caller:
    return Caller()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local endpoint that keeps what webhooks post to it; set `status` to make it fail."""
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Time held still at `AT` (a Tuesday morning); `clock.move_to` moves it."""
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller
