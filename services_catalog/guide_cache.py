"""The version of the policies an item page lists: part of the key of the item page's cached guide
fragment, so publishing, unpublishing or deleting a policy shows on every item page at once.

Kept here, with the pages that read it; the policy pages (cms, above the catalogue) bump it from
their signals."""

from django.core.cache import cache

POLICIES_VERSION_KEY = "cms:policies_version"


def policies_version() -> int:
    """A number that changes whenever a policy page is published, unpublished or deleted."""
    return cache.get_or_set(POLICIES_VERSION_KEY, 1, timeout=None)


def policies_version_bump() -> None:
    """A policy changed: every item page's cached guide fragment is stale."""
    try:
        cache.incr(POLICIES_VERSION_KEY)
    except ValueError:
        cache.set(POLICIES_VERSION_KEY, 2, timeout=None)
