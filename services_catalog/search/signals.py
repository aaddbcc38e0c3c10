"""Signal receivers that keep the index current between rebuilds.

Page receivers are connected per indexed page type (`index_page_type`),
never for every model: a `post_delete` receiver without a sender would stop Django's fast
deletes project-wide. Deleting a page also cascades to its entry; the receiver is there for
clarity and for pages deleted while the index was being rebuilt.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from services_catalog.models import Synonym

from .registry import TermExtractor, TextsFunction, register_term_extractor
from .services import search_entry_refresh, search_entry_remove, search_synonym_terms_rebuild


def _page_published(sender, instance, **kwargs) -> None:
    search_entry_refresh(page=instance)


def _page_gone(sender, instance, **kwargs) -> None:
    search_entry_remove(page_id=instance.pk)


def _synonym_changed(sender, instance, **kwargs) -> None:
    search_synonym_terms_rebuild()


def connect_page_model(model) -> None:
    label = model._meta.label_lower
    page_published.connect(_page_published, sender=model, dispatch_uid=f"guide_search.published.{label}")
    page_unpublished.connect(_page_gone, sender=model, dispatch_uid=f"guide_search.unpublished.{label}")
    post_delete.connect(_page_gone, sender=model, dispatch_uid=f"guide_search.deleted.{label}")


def index_page_type(model, *, texts: TextsFunction, **options) -> TermExtractor:
    """Index pages of `model` from now on (`registry.register_term_extractor`'s options) and keep
    their entries current as they are published, unpublished and deleted."""
    extractor = register_term_extractor(model, texts=texts, **options)
    connect_page_model(model)
    return extractor


def connect_synonyms() -> None:
    post_save.connect(_synonym_changed, sender=Synonym, dispatch_uid="guide_search.synonym_saved")
    post_delete.connect(_synonym_changed, sender=Synonym, dispatch_uid="guide_search.synonym_deleted")
