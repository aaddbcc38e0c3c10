"""Absolute addresses of the public site, for what leaves it: printed QR codes and text messages.

Built from `SITE_BASE_URL` (settings.WAGTAILADMIN_BASE_URL), never from the request: a batch
printed by a background task has no request, and a paper must point at the public address
whichever host name a clerk happened to use."""

from django.conf import settings


def site_url(path: str = "") -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + path
