"""A simulated nginx in front of the test client, for running abuse tests and the access table
behind the documented proxy (docs/deploy.md: BEHIND_TLS_PROXY=1, PROXY_COUNT=1).

`client = proxy.client` in a test module replaces pytest-django's `client`
with one parametrized over `direct` and `behind_proxy`. Behind the proxy every request reaches
Django the way nginx's `$proxy_add_x_forwarded_for` sends it: `REMOTE_ADDR` is the proxy's,
and `X-Forwarded-For` is whatever the client wrote (a forged address by default, or the test's
own header) followed by the client's real address (the test's `REMOTE_ADDR`)."""

import pytest
from django.test import Client

PROXY_ADDRESS = "10.0.0.2"
FORGED = "192.0.2.99"


class ProxiedClient(Client):
    """Each request as nginx would pass it on: the client's address moves into X-Forwarded-For."""

    def _base_environ(self, **request):
        environ = super()._base_environ(**request)
        real = environ.get("REMOTE_ADDR") or "127.0.0.1"
        written = environ.get("HTTP_X_FORWARDED_FOR") or FORGED
        environ["HTTP_X_FORWARDED_FOR"] = f"{written}, {real}"
        environ["REMOTE_ADDR"] = PROXY_ADDRESS
        return environ


@pytest.fixture(params=["direct", "behind_proxy"])
def client(request, settings):
    """The test client, once straight (PROXY_COUNT=0) and once behind a proxy (PROXY_COUNT=1)."""
    if request.param == "direct":
        settings.PROXY_COUNT = 0
        return Client()
    settings.PROXY_COUNT = 1
    return ProxiedClient()
