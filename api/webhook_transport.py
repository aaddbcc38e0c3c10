"""One outbound POST to a partner's webhook endpoint, refusing what could turn it against us.

- only `http` and `https` URLs, with a host; no user:password in them;
- the host is resolved once, and every address it resolves to must be public (not private,
  loopback, link-local, multicast, reserved or unspecified) unless
  `CUNBAN_WEBHOOK_ALLOW_PRIVATE_TARGETS` is on; the connection goes to the address checked
  (pinned), so a second DNS answer cannot send it elsewhere;
- no redirect is followed (a 3xx is a failed attempt), short timeouts
  (`CUNBAN_WEBHOOK_TIMEOUT_SECONDS`), and at most 4 KB of the answer is read.

`check_url` is also what the back office asks before it saves a subscription.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

READ_AT_MOST = 4096


class TargetRefused(ValueError):
    """The URL is not one we call."""


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL we may call, or TargetRefused (with the
    message for the form). Does not resolve the host: see `_resolve`."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(_("The endpoint must be an http:// or https:// address."))
    if parts.username or parts.password:
        raise TargetRefused(_("The endpoint may not carry a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise TargetRefused(_("The endpoint's port is not valid.")) from error
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def _resolve(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise TargetRefused(_("The endpoint's host name does not resolve.")) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise TargetRefused(_("The endpoint's host name does not resolve."))
    if not settings.CUNBAN_WEBHOOK_ALLOW_PRIVATE_TARGETS and not all(_public(a) for a in addresses):
        raise TargetRefused(
            _("The endpoint is a private or local address; only public addresses are called.")
        )
    return addresses[0]


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to the address already checked, naming the host in Host and SNI."""

    def __init__(self, address: str, host: str, port: int, *, tls: bool, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address, self._tls = address, tls

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        if self._tls:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body`; never raises for the target's faults: they are the outcome's `error`."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port, path = check_url(url)
        address = _resolve(host, port)
    except TargetRefused as refused:
        return Outcome(None, str(refused)[:300], took())
    connection = _PinnedConnection(
        address, host, port, tls=scheme == "https", timeout=settings.CUNBAN_WEBHOOK_TIMEOUT_SECONDS
    )
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={**headers, "Content-Type": "application/json", "User-Agent": "Cunban-Webhooks/1"},
        )
        response = connection.getresponse()
        response.read(READ_AT_MOST)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:300], took())
    finally:
        connection.close()
    problem = _("redirect not followed") if 300 <= status < 400 else ""
    return Outcome(status, problem, took())
