"""The public address that papers and text messages carry (`SITE_BASE_URL`), and its checks.

A printed certificate's QR code and the links in text messages are built from `SITE_BASE_URL`
(settings.WAGTAILADMIN_BASE_URL, so that Wagtail's own emails agree), never from the request:
a batch printed by a worker has no request, and a paper must point at the public address
whichever host a clerk happened to use (portal/web/site.py). So when the setting is wrong,
nothing looks wrong on screen, but every paper printed sends villagers elsewhere; issue 15
found an instance on another port whose genuine certificates, scanned, opened a different
site that answered 不是真实证照.

Two guards. `manage.py check` says what it can tell without a request (`web.E001` a malformed
address, `web.W001` a host this server refuses, and under `--deploy` `web.W002` plain http and
`web.W003` a loopback address). And staff pages compare it with the address the page was served
from (scheme, host and port, honouring SECURE_PROXY_SSL_HEADER behind a TLS proxy) and warn staff
when they differ (`base_url_warning`, a context processor); villagers never see it.
"""

from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from django.utils.translation import gettext as _

DEFAULT_PORTS = {"http": 80, "https": 443}
# Pages for logged-in staff, where the warning shows: the work desk, the staff home, the back
# office. Public pages (the guide, /verify/, the promise lists) never show it.
STAFF_PATH_PREFIXES = ("/work/", "/staff/", "/admin/")


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port: what must agree for a link to reach the same server."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        port = "" if DEFAULT_PORTS.get(self.scheme) == self.port else f":{self.port}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}{port}"


def site_base_url() -> str:
    """SITE_BASE_URL without a trailing slash: what printed links start with."""
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").strip().rstrip("/")


def origin_of(url: str) -> Origin:
    """The origin of an absolute http(s) address with nothing after the host and port.

    Raises ValueError saying what is wrong, for `manage.py check` (in English, like every check)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"it is not a valid address ({error})") from error
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("it must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("it has no host name")
    if parts.username or parts.password:
        raise ValueError("it must not contain a user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        rest = url[len(f"{parts.scheme}://{parts.netloc}") :]
        raise ValueError(
            f"it must be only the scheme, host and port (links add their own path), not {rest!r}"
        )
    return Origin(parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme])


def request_origin(request: HttpRequest) -> Origin:
    """Where this request was sent: `request.scheme` follows SECURE_PROXY_SSL_HEADER
    (BEHIND_TLS_PROXY) and `get_host()` the Host header (or X-Forwarded-Host with
    USE_X_FORWARDED_HOST); a host without a port means the scheme's default port."""
    domain, port = split_domain_port(request.get_host())
    scheme = request.scheme
    return Origin(scheme, domain.strip("[]").lower(), int(port) if port else DEFAULT_PORTS.get(scheme, 80))


def base_url_mismatch(request: HttpRequest) -> tuple[str, str] | None:
    """(SITE_BASE_URL, this page's origin) when they differ, else None."""
    try:
        site = origin_of(site_base_url())
    except ValueError:
        return (site_base_url(), str(request_origin(request)))  # web.E001 says why
    here = request_origin(request)
    return None if site == here else (str(site), str(here))


def _warning_text(site: str, here: str) -> str:
    return _(
        "Printed QR codes and the links in text messages point to %(site)s, but this page was "
        "served from %(here)s. A villager who scans a paper printed here will open %(site)s, "
        "not this site. Set SITE_BASE_URL to the address villagers use (for this server: "
        "%(here)s) and restart Cunban."
    ) % {"site": site, "here": here}


def base_url_warning(request: HttpRequest) -> dict[str, str]:
    """Template context: `base_url_warning` (in the page's language) and `base_url_warning_en`
    (the same in English, shown beside a Chinese one for whoever sets the variable), for logged-in
    staff on staff pages when SITE_BASE_URL is not where the page came from."""
    if not request.path_info.startswith(STAFF_PATH_PREFIXES):
        return {}  # before looking at the user: on public pages that would cost a query
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    mismatch = base_url_mismatch(request)
    if mismatch is None:
        return {}
    text = _warning_text(*mismatch)
    with translation.override("en"):
        english = _warning_text(*mismatch)
    return {"base_url_warning": text, "base_url_warning_en": english if english != text else ""}


# -- system checks --------------------------------------------------------------------------------


def _allowed_hosts() -> list[str]:
    """ALLOWED_HOSTS as Django applies it: with DEBUG on, an empty list allows localhost."""
    if not settings.ALLOWED_HOSTS and settings.DEBUG:
        return [".localhost", "127.0.0.1", "[::1]"]
    return settings.ALLOWED_HOSTS


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@register()
def site_base_url_check(app_configs, **kwargs):
    """A malformed address breaks every QR code printed; a host missing from ALLOWED_HOSTS
    means every scan is refused with "Bad Request (400)"."""
    url = site_base_url()
    try:
        origin = origin_of(url)
    except ValueError as reason:
        return [
            Error(
                f"SITE_BASE_URL {url!r} cannot be printed on papers: {reason}.",
                hint="Set SITE_BASE_URL to the address villagers use, e.g. https://cunban.example.gov.cn",
                id="web.E001",
            )
        ]
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    if not validate_host(host, _allowed_hosts()):
        return [
            Warning(
                f"SITE_BASE_URL {url} names the host {origin.host}, which ALLOWED_HOSTS does not "
                f"list: QR codes and text-message links would be refused (HTTP 400).",
                hint="Set SITE_BASE_URL to this site's public address, and list its host in ALLOWED_HOSTS.",
                id="web.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def site_base_url_deploy_check(app_configs, **kwargs):
    """In production the printed address must be one villagers' phones reach, over https."""
    if settings.DEBUG:
        return []
    try:
        origin = origin_of(site_base_url())
    except ValueError:
        return []  # web.E001 says so already
    problems = []
    if origin.scheme == "http":
        problems.append(
            Warning(
                f"SITE_BASE_URL {site_base_url()} is plain http: printed QR codes and text-message "
                "links send villagers to an unencrypted address.",
                hint="Serve the site over https and set SITE_BASE_URL=https://… (docs/deploy.md).",
                id="web.W002",
            )
        )
    if _is_loopback(origin.host):
        problems.append(
            Warning(
                f"SITE_BASE_URL {site_base_url()} is this machine's own loopback address: no "
                "villager's phone can open the links printed on papers.",
                hint="Set SITE_BASE_URL to the public address, e.g. https://cunban.example.gov.cn",
                id="web.W003",
            )
        )
    return problems
