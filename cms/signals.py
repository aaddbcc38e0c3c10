"""Every county home gets its editors' permissions and workflow the moment it exists."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import CountyHomePage


@receiver(post_save, sender=CountyHomePage, dispatch_uid="cms.county_home_created")
def county_home_created(sender, instance: CountyHomePage, created: bool, raw: bool = False, **kwargs) -> None:
    """Runs `county_pages_setup` in the creating transaction, so a county home never exists
    without its two-person workflow. Fixture loading (`raw`) is skipped: fixtures carry their own
    rows."""
    if created and not raw:
        from .permissions import county_pages_setup

        county_pages_setup(instance)


POLICIES_VERSION_KEY = "cms:policies_version"


def policies_version() -> int:
    """A number that changes whenever a policy page is published, unpublished or deleted: item
    pages put it in the key of their cached guide fragment, which lists related policies."""
    from django.core.cache import cache

    return cache.get_or_set(POLICIES_VERSION_KEY, 1, timeout=None)


def _bump_policies_version(sender, **kwargs) -> None:
    from django.core.cache import cache

    try:
        cache.incr(POLICIES_VERSION_KEY)
    except ValueError:
        cache.set(POLICIES_VERSION_KEY, 2, timeout=None)


def connect_policy_signals() -> None:
    from django.db.models.signals import post_delete
    from wagtail.signals import page_published, page_unpublished

    from .models import PolicyPage

    for name, signal in (
        ("published", page_published),
        ("unpublished", page_unpublished),
        ("deleted", post_delete),
    ):
        signal.connect(_bump_policies_version, sender=PolicyPage, dispatch_uid=f"cms.policies_version.{name}")
