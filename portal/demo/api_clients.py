"""The demo's API client: the city's 12345 hotline, bound to the county's service office (the
whole county), with a key derived from the demo's own SECRET_KEY, so the key `load_demo` prints
works after every load, and again after the next one."""

from collections.abc import Callable

from api import keys
from api.models import ApiClient, ApiKey
from api.scopes import Scope
from api.services import api_client_save, api_key_issue
from portal.offices.models import Office

HOTLINE = "市12345热线"


def demo_api_key() -> str:
    """The hotline's key: the same on every load of the same demo (same SECRET_KEY)."""
    return keys.key_derived(HOTLINE)[0]


def load_demo_api_client(*, office: Office, progress: Callable[[str], None] = print) -> ApiClient:
    client = ApiClient.objects.filter(name=HOTLINE).first() or ApiClient(name=HOTLINE)
    client.system = HOTLINE
    client.office = office
    client.scopes = [Scope.APPLICATIONS_READ_STATUS, Scope.REQUESTS_WRITE, Scope.CATALOGUE_READ]
    client.is_active = True
    client = api_client_save(actor=None, client=client)
    _secret, prefix = keys.key_derived(HOTLINE)
    if not ApiKey.objects.filter(prefix=prefix, client=client, revoked_at__isnull=True).exists():
        ApiKey.objects.filter(prefix=prefix).delete()
        api_key_issue(actor=None, client=client, derived_from=HOTLINE)
    progress(f"API client {HOTLINE} ({office.name}): scopes {', '.join(client.scopes)}")
    return client
