"""The two files every browser and crawler asks for at the site's root: /favicon.ico and
/robots.txt. Answered by the site itself (not by a 404 page rendered per request), public and
cacheable for a day, because a phone on a slow link asks for the icon with every first visit.
"""

from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

ONE_DAY = 24 * 3600

# Public pages may be indexed; the staff's work, the back office, a villager's own tracking,
# logins, and the certificate check's addresses (each carries a certificate's token) may not.
# The check's own form (/verify/) stays open: `$` ends the match there (longest rule wins).
# Disallows come first for crawlers that take the first matching rule instead of the longest.
ROBOTS_TXT = """User-agent: *
Disallow: /work/
Disallow: /admin/
Disallow: /track/
Disallow: /accounts/
Allow: /verify/$
Disallow: /verify/
Allow: /
"""


@cache
def _favicon() -> bytes | None:
    path = finders.find("favicon.ico") or (settings.STATIC_ROOT / "favicon.ico")
    try:
        with open(path, "rb") as icon:
            return icon.read()
    except OSError:
        return None


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=ONE_DAY)
    return response


@require_safe
def favicon(request):
    """The site's icon (portal/static/favicon.ico: a house on green, 16 and 32 px)."""
    icon = _favicon()
    if icon is None:
        raise Http404
    return _public(HttpResponse(icon, content_type="image/x-icon"))


@require_safe
def robots_txt(request):
    return _public(HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8"))
