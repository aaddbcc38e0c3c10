"""Every county home gets its editors' permissions and workflow the moment it exists, and every
change of a live policy makes the item pages' cached lists of policies stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from services_catalog.guide_cache import policies_version_bump

from .models import CountyHomePage, PolicyPage
from .permissions import county_pages_setup


@receiver(post_save, sender=CountyHomePage, dispatch_uid="cms.county_home_created")
def county_home_created(sender, instance: CountyHomePage, created: bool, raw: bool = False, **kwargs) -> None:
    """Runs `county_pages_setup` in the creating transaction, so a county home never exists
    without its two-person workflow. Fixture loading (`raw`) is skipped: fixtures carry their own
    rows."""
    if created and not raw:
        county_pages_setup(instance)


def _bump_policies_version(sender, **kwargs) -> None:
    policies_version_bump()


def connect_policy_signals() -> None:
    for name, signal in (
        ("published", page_published),
        ("unpublished", page_unpublished),
        ("deleted", post_delete),
    ):
        signal.connect(_bump_policies_version, sender=PolicyPage, dispatch_uid=f"cms.policies_version.{name}")
