"""`Cache-Control: private, no-store` on every page that is someone's private business.

One rule in one place, not a header copied into each view: a response is private when

* the request was made by a logged-in user (every staff page, download and export, whichever
  app serves it, including a public page seen while logged in), or
* its path starts with one of `settings.NO_STORE_PATH_PREFIXES` (the staff areas and their login
  pages, and the public pages that show a villager's own data: tracking, certificate check,
  wishes), or
* the view is marked with `@no_store`.

Such responses must not stay in the browser's cache or history on a shared township PC, nor in
any proxy; `no-store` says both, `private` is for caches that ignore `no-store`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

PRIVATE_CACHE_CONTROL = "private, no-store, no-cache, must-revalidate, max-age=0"


def no_store(view: Callable) -> Callable:
    """Mark a view whose responses hold personal data although its path and user would not say so."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response._cunban_no_store = True
        return response

    return wrapped


def is_private(request: HttpRequest, response: HttpResponseBase) -> bool:
    """The rule above, for the middleware and for tests."""
    if getattr(response, "_cunban_no_store", False):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    prefixes = tuple(getattr(settings, "NO_STORE_PATH_PREFIXES", ()))
    return bool(prefixes) and request.path_info.startswith(prefixes)


class PrivateCacheControlMiddleware:
    """Replaces any Cache-Control of a private response with `private, no-store`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_private(request, response):
            # Whatever a view or a cache layer said before (public, max-age) no longer holds.
            del response["Cache-Control"]
            add_never_cache_headers(response)
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response
