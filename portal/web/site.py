"""Absolute addresses of the public site, for what leaves it: printed QR codes and text messages.

Built from `SITE_BASE_URL` (settings.WAGTAILADMIN_BASE_URL), never from the request: a batch
printed by a background task has no request, and a paper must point at the public address
whichever host name a clerk happened to use."""

from .base_url import site_base_url


def site_url(path: str = "") -> str:
    """An absolute address on the public site; `manage.py check` checks the base
    (portal/web/base_url.py), and staff pages warn when it is not where they are served from."""
    return site_base_url() + path
