"""An item page published with a changed application form makes a new form version."""

from wagtail.signals import page_published

from .models import ServiceItemPage
from .services import item_form_publish


def _item_published(sender, instance, revision=None, **kwargs) -> None:
    user = getattr(revision, "user", None) if revision is not None else None
    item_form_publish(item=instance, user=user)


def connect() -> None:
    page_published.connect(_item_published, sender=ServiceItemPage, dispatch_uid="item_form_publish")
