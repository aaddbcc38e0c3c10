"""Who is calling: `Authorization: Bearer <key>`, the client's limit, and its scopes.

`ClientAuth(scope)` is the endpoints' ninja authentication: a missing or wrong key is a 401, a
wrong key is counted against the calling address (`limits.API_KEY_FAILURES_PER_CLIENT`), a
client over its own calls per minute gets a 429 with Retry-After (counted on the client in
`portal.throttle`'s store, whatever address it calls from), and a client without the
endpoint's scope a 403. Public endpoints call `caller(request)`: a key is optional there, and
calls without one are limited per address (`limits.API_CALLS_ANONYMOUS`).

The client found is left on the request (`request.api_client`) for the audit (`api.audit`).
"""

import dataclasses

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from portal.throttle import limits
from portal.throttle.client_address import client_address
from portal.throttle.models import Attempt
from portal.throttle.selectors import limit_reached, seconds_until_below
from portal.throttle.services import attempt_guard, attempt_record

from . import errors
from .models import ApiClient, ApiKey
from .policies import client_may
from .selectors import key_lookup
from .services import api_key_used


def _throttled(limit: limits.Limit, *, key: str = "", client: str | None = None) -> None:
    """Count one call against `limit`; raise 429 when the bucket was already full."""
    with attempt_guard(scope=limit.scope, key=key, client=client):
        reached = limit_reached([limit], key=key, client=client)
        if reached is None:
            attempt_record(scope=limit.scope, key=key, client=client, outcome=Attempt.Outcome.OK)
    if reached is not None:
        raise errors.rate_limited(
            lambda: reached.limit.refusal(reached.count), seconds_until_below(limit, key=key, client=client)
        )


def client_limit(client: ApiClient) -> limits.Limit:
    """The per-client limit with this client's own number."""
    return dataclasses.replace(limits.API_CALLS_PER_CLIENT, most=client.rate_limit_per_minute)


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _authenticate(request: HttpRequest, token: str) -> ApiKey:
    address = client_address(request)
    failures = limits.API_KEY_FAILURES_PER_CLIENT
    with attempt_guard(scope=failures.scope, client=address):
        reached = limit_reached([failures], client=address)
        key = None
        if reached is None:
            key = key_lookup(token)
            if key is None:
                attempt_record(scope=failures.scope, client=address, outcome=Attempt.Outcome.FAILED)
    if reached is not None:
        raise errors.rate_limited(
            lambda: reached.limit.refusal(reached.count), seconds_until_below(failures, client=address)
        )
    if key is None:
        raise errors.ApiError(401, "invalid_key", errors.BAD_KEY, headers={"WWW-Authenticate": "Bearer"})
    request.api_client = key.client  # type: ignore[attr-defined]
    request.api_key = key  # type: ignore[attr-defined]
    _throttled(client_limit(key.client), key=f"client:{key.client.pk}")
    api_key_used(key=key, at=timezone.now())
    return key


def caller(request: HttpRequest) -> ApiClient | None:
    """The calling client of a public endpoint, or None: no key (limited per address). A key
    that is sent must be right: a wrong one is a 401, never a silent fall back."""
    token = _bearer(request)
    if token is None:
        _throttled(limits.API_CALLS_ANONYMOUS, client=client_address(request))
        return None
    if not token:
        raise errors.ApiError(401, "invalid_key", errors.BAD_KEY, headers={"WWW-Authenticate": "Bearer"})
    return _authenticate(request, token).client


class ClientAuth(HttpBearer):
    """A key with `scope` is required."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest):
        token = _bearer(request)
        if not token:
            raise errors.ApiError(
                401, "unauthorized", errors.NEEDS_KEY, headers={"WWW-Authenticate": "Bearer"}
            )
        client = _authenticate(request, token).client
        if not client_may(client, self.scope):
            raise errors.missing_scope(self.scope)
        return client

    def authenticate(self, request: HttpRequest, token: str):  # pragma: no cover - __call__ does it
        return None
