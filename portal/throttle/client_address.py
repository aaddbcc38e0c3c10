"""The client's address: the one answer every throttle, lockout and audit entry uses.

Behind the documented nginx (docs/deploy.md), `REMOTE_ADDR` is the proxy's own address, and
nginx sends `X-Forwarded-For: $proxy_add_x_forwarded_for`, which is whatever the client wrote
into that header followed by the address nginx saw. So with `PROXY_COUNT` proxies in front, the
client is the `PROXY_COUNT`-th entry counted from the right; everything to its left was written
by the client and is never trusted. With `PROXY_COUNT=0` (no proxy) the header is ignored.

django-ipware is deliberately not used: its `proxy_count` expects the last proxy's address to be
in the header too, so with nginx's `$proxy_add_x_forwarded_for` and a count of 1 it answers the
address the client wrote itself. django-axes asks this function instead
(`AXES_CLIENT_IP_CALLABLE`), so logins and the public forms agree on who the client is.
"""

import ipaddress

from django.conf import settings
from django.core.checks import Tags, Warning, register


def _address(value: str) -> str | None:
    """A normalised IPv4 or IPv6 address (an IPv4-mapped IPv6 one as IPv4), or None."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443 as some proxies write it
        value = value[1 : value.index("]")]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def proxy_count() -> int:
    """How many proxies we trust in front of the application (0: none)."""
    try:
        return max(int(getattr(settings, "PROXY_COUNT", 0) or 0), 0)
    except (TypeError, ValueError):
        return 0


def client_address(request) -> str | None:
    """The client's address as the nearest trusted proxy saw it; `REMOTE_ADDR` without a proxy.

    A missing, short or malformed header falls back to `REMOTE_ADDR` (the proxy's address: one
    shared bucket, never an address the client chose); None when not even that is an address."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    count = proxy_count()
    if count == 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",")] if forwarded else []
    if len(entries) < count:
        return remote
    return _address(entries[-count]) or remote


@register(Tags.security, deploy=True)
def proxy_count_deploy_check(app_configs, **kwargs):
    """Behind a TLS proxy with PROXY_COUNT=0, every visitor has the proxy's address: each per-address
    limit (logins, tracking, certificate checks, wishes) becomes one limit for the whole county,
    and every audit entry names the proxy."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and proxy_count() == 0:
        return [
            Warning(
                "BEHIND_TLS_PROXY is on but PROXY_COUNT is 0: every visitor looks like the proxy, so "
                "one person's failed logins or lookups lock everyone out and audit entries name the proxy.",
                hint="Set PROXY_COUNT to the number of proxies in front of the site (1 for the nginx in docs/deploy.md).",
                id="web.W004",
            )
        ]
    return []
