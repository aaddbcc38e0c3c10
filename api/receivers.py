"""Keep the catalogue's change log (`CatalogueChange`) current: an item published, unpublished
or deleted, its delegations or its application form changed. Connected per model, never for
every model (a post_delete receiver without a sender stops Django's fast deletes)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from services_catalog.models import Delegation, ItemFormVersion, ServiceItemPage

from .services import catalogue_change_note


def _note(item: ServiceItemPage, *, withdrawn: bool | None = None) -> None:
    catalogue_change_note(
        item_id=item.pk,
        item_code=item.item_code,
        title=item.title,
        withdrawn=(not item.live) if withdrawn is None else withdrawn,
    )


def _published(sender, instance, **kwargs) -> None:
    _note(instance, withdrawn=False)


def _withdrawn(sender, instance, **kwargs) -> None:
    _note(instance, withdrawn=True)


def _delegation_saved(sender, instance, **kwargs) -> None:
    _note(ServiceItemPage.objects.only("pk", "item_code", "title", "live").get(pk=instance.item_id))


def _centres_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Delegation):
        _delegation_saved(sender, instance)


def _form_version_saved(sender, instance, created, **kwargs) -> None:
    if created:
        _delegation_saved(sender, instance)


def connect() -> None:
    page_published.connect(_published, sender=ServiceItemPage, dispatch_uid="api.catalogue.published")
    page_unpublished.connect(_withdrawn, sender=ServiceItemPage, dispatch_uid="api.catalogue.unpublished")
    post_delete.connect(_withdrawn, sender=ServiceItemPage, dispatch_uid="api.catalogue.deleted")
    post_save.connect(_delegation_saved, sender=Delegation, dispatch_uid="api.catalogue.delegation")
    m2m_changed.connect(
        _centres_changed, sender=Delegation.centres.through, dispatch_uid="api.catalogue.delegation_centres"
    )
    post_save.connect(_form_version_saved, sender=ItemFormVersion, dispatch_uid="api.catalogue.form")
