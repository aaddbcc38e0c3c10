"""The demo's API clients, each bound to the county's service office (the whole county), with a
key derived from the demo's own SECRET_KEY, so the keys `load_demo` prints work after every
load, and again after the next one:

- the city's 12345 hotline: posts work orders into the ledger (Open311) and reads applications'
  status;
- the province's service platform (省政务服务平台): reads the catalogue, applications' status and
  the ratings (好差评), as a provincial platform gathers every county's. It posts nothing."""

from collections.abc import Callable

from api import keys
from api.models import ApiClient, ApiKey
from api.scopes import Scope
from api.services import api_client_save, api_key_issue
from portal.offices.models import Office

HOTLINE = "市12345热线"
PROVINCE = "省政务服务平台"

DEMO_CLIENTS: dict[str, list[str]] = {
    HOTLINE: [Scope.APPLICATIONS_READ_STATUS, Scope.REQUESTS_WRITE, Scope.CATALOGUE_READ],
    PROVINCE: [Scope.RATINGS_READ, Scope.APPLICATIONS_READ_STATUS, Scope.CATALOGUE_READ],
}
"""Each demo client's name (also its system) and scopes."""


def demo_api_key(name: str = HOTLINE) -> str:
    """The demo client's key: the same on every load of the same demo (same SECRET_KEY)."""
    return keys.key_derived(name)[0]


def _load(name: str, scopes: list[str], office: Office, progress: Callable[[str], None]) -> ApiClient:
    client = ApiClient.objects.filter(name=name).first() or ApiClient(name=name)
    client.system = name
    client.office = office
    client.scopes = list(scopes)
    client.is_active = True
    client = api_client_save(actor=None, client=client)
    _secret, prefix = keys.key_derived(name)
    if not ApiKey.objects.filter(prefix=prefix, client=client, revoked_at__isnull=True).exists():
        ApiKey.objects.filter(prefix=prefix).delete()
        api_key_issue(actor=None, client=client, derived_from=name)
    progress(f"API client {name} ({office.name}): scopes {', '.join(client.scopes)}")
    return client


def load_demo_api_clients(*, office: Office, progress: Callable[[str], None] = print) -> list[ApiClient]:
    return [_load(name, scopes, office, progress) for name, scopes in DEMO_CLIENTS.items()]
