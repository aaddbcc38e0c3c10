"""Whole-page cache for the public service guide and the home page.

An item page costs Wagtail's routing, view-restriction checks, the villager's place and the
route: about ten queries and 10–15 ms of ORM work, where a template page of the same size takes
about one. Villagers all read the same few dozen items, so anonymous GETs under the guide are
cached whole, keyed by everything the page depends on:

- the path and query string, the language, the remembered village and the elderly-mode cookie;
- today's date (delegation records start and expire by date);
- a content version, bumped whenever something the guide shows changes: a page is published,
  unpublished or deleted, or a delegation record, office, membership, staff account, region or
  search synonym is saved or deleted.

With a shared cache (Redis, `CACHE_URL`) a bump reaches every web process at once; with the
per-process default it reaches the others within `PUBLIC_PAGE_CACHE_SECONDS`. Logged-in users,
non-GET requests and responses that set cookies are never cached.

Paths are listed as prefixes (`PUBLIC_PAGE_CACHE_PREFIXES`, every page under /guide/) or as
exact paths (`PUBLIC_PAGE_CACHE_PATHS`): the home page is `/`, which as a prefix would take
in every page of the site, the staff's included. Before exact paths existed the home page was
the one public page served uncached (issue 18, gap 15: 0.08 of a bare view's throughput).
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from portal.offices.models import Office
from portal.offices.selectors import PLACE_COOKIE
from portal.people.models import Membership
from portal.places.models import Region

from .context_processors import ELDERLY_COOKIE

VERSION_KEY = "public_pages:version"


def content_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump_content_version(*args, **kwargs) -> None:
    """Signal receiver: make every cached public page stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def _key(request) -> str:
    parts = [
        request.get_full_path(),
        translation.get_language() or "",
        request.COOKIES.get(PLACE_COOKIE, ""),
        request.COOKIES.get(ELDERLY_COOKIE, ""),
        timezone.localdate().isoformat(),
        str(content_version()),
    ]
    return "public_page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "PUBLIC_PAGE_CACHE_PREFIXES", ()))
        self.paths = frozenset(getattr(settings, "PUBLIC_PAGE_CACHE_PATHS", ()))
        self.timeout = getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 60)

    def _cacheable_request(self, request) -> bool:
        return (
            self.timeout > 0
            and request.method == "GET"
            and (request.path in self.paths or request.path.startswith(self.prefixes))
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.user.is_authenticated
        )

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), self.timeout)
            response["X-Page-Cache"] = "miss"
        return response


def connect_invalidation() -> None:
    """Bump the content version on every change the public guide shows."""
    # why: the cache listens to the catalogue, a layer above (pyproject ignore_imports)
    from services_catalog.models import Delegation, Synonym

    page_published.connect(bump_content_version, dispatch_uid="page_cache.published")
    page_unpublished.connect(bump_content_version, dispatch_uid="page_cache.unpublished")
    post_delete.connect(bump_content_version, sender=Page, dispatch_uid="page_cache.page_deleted")
    for model in (Delegation, Office, Membership, get_user_model(), Region, Synonym):
        post_save.connect(
            bump_content_version, sender=model, dispatch_uid=f"page_cache.saved.{model.__name__}"
        )
        post_delete.connect(
            bump_content_version, sender=model, dispatch_uid=f"page_cache.deleted.{model.__name__}"
        )
    m2m_changed.connect(
        bump_content_version, sender=Delegation.centres.through, dispatch_uid="page_cache.centres"
    )
